// At most `maxActive` pieces of work at once across the process, at most
// `maxWaiting` more waiting their turn (first come, first served); past that,
// work is refused at once. A waiter whose caller goes away leaves the queue.

export interface ConcurrencyLimit {
  /** Runs `work` when a slot is free; rejects with `refusal()` when the queue is full. */
  run<T>(work: () => Promise<T>, signal?: AbortSignal): Promise<T>;
  readonly active: number;
  readonly waiting: number;
}

export function createConcurrencyLimit(options: {
  readonly maxActive: number;
  readonly maxWaiting: number;
  readonly refusal: () => Error;
}): ConcurrencyLimit {
  let active = 0;
  const queue: (() => void)[] = [];

  function acquire(signal: AbortSignal | undefined): Promise<void> {
    if (active < options.maxActive) {
      active++;
      return Promise.resolve();
    }
    if (queue.length >= options.maxWaiting) return Promise.reject(options.refusal());
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise((resolve, reject) => {
      const turn = () => {
        signal?.removeEventListener('abort', leave);
        resolve();
      };
      const leave = () => {
        queue.splice(queue.indexOf(turn), 1);
        reject(signal?.reason);
      };
      queue.push(turn);
      signal?.addEventListener('abort', leave, { once: true });
    });
  }

  function release(): void {
    // The slot passes straight to the next waiter, if any.
    const next = queue.shift();
    if (next) next();
    else active--;
  }

  return {
    async run(work, signal) {
      await acquire(signal);
      try {
        return await work();
      } finally {
        release();
      }
    },
    get active() {
      return active;
    },
    get waiting() {
      return queue.length;
    },
  };
}
