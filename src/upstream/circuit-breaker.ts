// A circuit breaker for the upstream, as a pure state machine over a clock:
// closed (calls go through) until `threshold` calls in a row fail, then open
// (calls are refused at once) for `openMs`, then half-open: one call probes,
// and its outcome closes the circuit or opens it again.

export type CircuitState = 'closed' | 'open' | 'half-open';

export interface CircuitBreakerOptions {
  /** Failed calls in a row that open the circuit. */
  readonly threshold: number;
  /** How long it stays open before a probe. */
  readonly openMs: number;
  readonly now?: () => number;
  /** Told when the circuit opens or closes. */
  readonly onChange?: (open: boolean) => void;
}

export interface CircuitBreaker {
  /** May a call go now? `{ allowed: false, retryInMs }` while open, or while a probe is out. */
  admit(): { readonly allowed: true } | { readonly allowed: false; readonly retryInMs: number };
  /** The outcome of a call that was admitted: `failed` for the upstream's own failures only. */
  record(failed: boolean): void;
  /** An admitted call ended without telling anything of the upstream (its caller went away). */
  abandon(): void;
  readonly state: CircuitState;
}

export function createCircuitBreaker(options: CircuitBreakerOptions): CircuitBreaker {
  const now = options.now ?? Date.now;
  let state: CircuitState = 'closed';
  let failures = 0;
  let openedAt = 0;
  let probing = false;

  const open = () => {
    const wasOpen = state !== 'closed';
    state = 'open';
    openedAt = now();
    probing = false;
    if (!wasOpen) options.onChange?.(true);
  };

  return {
    get state() {
      return state;
    },
    admit() {
      if (state === 'open') {
        const waited = now() - openedAt;
        if (waited < options.openMs) return { allowed: false, retryInMs: options.openMs - waited };
        state = 'half-open';
      }
      if (state === 'half-open') {
        // One probe at a time; the others are refused until it answers.
        if (probing) return { allowed: false, retryInMs: options.openMs };
        probing = true;
      }
      return { allowed: true };
    },
    abandon() {
      // A probe that told nothing frees the way for the next one.
      if (state === 'half-open') probing = false;
    },
    record(failed) {
      if (state === 'half-open') {
        if (failed) open();
        else {
          state = 'closed';
          failures = 0;
          probing = false;
          options.onChange?.(false);
        }
        return;
      }
      if (!failed) {
        failures = 0;
        return;
      }
      failures++;
      if (state === 'closed' && failures >= options.threshold) open();
    },
  };
}
