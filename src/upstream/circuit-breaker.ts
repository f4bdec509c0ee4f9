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
  /**
   * May a call go now? `{ allowed: false, retryInMs }` while open, or while a probe is out; a call
   * allowed while half-open is the probe, and carries `probe: true` back to `record` or `abandon`.
   */
  admit():
    | { readonly allowed: true; readonly probe: boolean }
    | { readonly allowed: false; readonly retryInMs: number };
  /**
   * The outcome of an admitted call: `failed` for the upstream's own failures only. Only the probe
   * decides a half-open circuit; a call admitted before the circuit opened tells nothing then.
   */
  record(failed: boolean, probe: boolean): void;
  /** An admitted call ended without telling anything of the upstream (its caller went away). */
  abandon(probe: boolean): void;
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
        return { allowed: true, probe: true };
      }
      return { allowed: true, probe: false };
    },
    abandon(probe) {
      // A probe that told nothing frees the way for the next one.
      if (probe && state === 'half-open') probing = false;
    },
    record(failed, probe) {
      if (probe) {
        if (state !== 'half-open') return;
        if (failed) open();
        else {
          state = 'closed';
          failures = 0;
          probing = false;
          options.onChange?.(false);
        }
        return;
      }
      // A call admitted before the circuit opened: what it says is old news.
      if (state !== 'closed') return;
      if (!failed) {
        failures = 0;
        return;
      }
      failures++;
      if (failures >= options.threshold) open();
    },
  };
}
