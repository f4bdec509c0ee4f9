// When a worker process dies, when to start another, and when to stop
// trying: a worker that crashes now and then is replaced at once; workers
// that crash again and again (a bad deployment, a host out of memory) are
// replaced ever more slowly, then not at all, and the primary says so and exits.

export interface RestartPolicyOptions {
  /** Deaths counted over this window. */
  readonly windowMs: number;
  /** More deaths than this within the window: give up. */
  readonly maxDeaths: number;
  /** The wait before the first replacement; it doubles with each death in the window. */
  readonly firstDelayMs: number;
  readonly maxDelayMs: number;
}

export type RestartDecision =
  | { readonly restart: true; readonly delayMs: number }
  | { readonly restart: false; readonly reason: string };

/** The defaults for `workers` worker processes. */
export function restartPolicyFor(workers: number): RestartPolicyOptions {
  return { windowMs: 60_000, maxDeaths: Math.max(10, 2 * workers), firstDelayMs: 100, maxDelayMs: 10_000 };
}

export function createRestartPolicy(options: RestartPolicyOptions) {
  // Bounded: entries older than the window go, and past `maxDeaths` the primary gives up.
  const deaths: number[] = [];
  return {
    /** A worker died at `now` (ms): whether, and after how long, to start another. */
    workerDied(now: number): RestartDecision {
      while (deaths.length > 0 && (deaths[0] as number) <= now - options.windowMs) deaths.shift();
      deaths.push(now);
      if (deaths.length > options.maxDeaths) {
        return {
          restart: false,
          reason: `${deaths.length} workers died within ${options.windowMs / 1_000} s`,
        };
      }
      const delayMs = Math.min(options.firstDelayMs * 2 ** (deaths.length - 1), options.maxDelayMs);
      return { restart: true, delayMs };
    },
  };
}
