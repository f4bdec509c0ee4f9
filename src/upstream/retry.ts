// Pure retry policy: which failures are retried, and how long to wait.
// The client applies it; nothing here does I/O or reads a clock.

export const retryableStatuses: ReadonlySet<number> = new Set([429, 502, 503, 504]);

export interface BackoffOptions {
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

export const defaultBackoff: BackoffOptions = { baseDelayMs: 50, maxDelayMs: 2_000 };

/**
 * "Full jitter" exponential backoff: a uniform delay in [0, base·2^attempt],
 * capped, so that many clients retrying at once spread out.
 */
export function backoffDelayMs(attempt: number, random: number, options = defaultBackoff): number {
  const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** attempt);
  return Math.floor(random * ceiling);
}

/**
 * `Retry-After` in milliseconds from now: either delay-seconds or an
 * HTTP-date. Undefined when absent or unreadable.
 */
export function parseRetryAfterMs(header: string | undefined, nowMs: number): number | undefined {
  if (header === undefined) return undefined;
  const value = header.trim();
  if (/^\d+$/.test(value)) return Number(value) * 1_000;
  // Only an IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`): Date.parse alone
  // would read nearly anything, such as "1.5", as some date long past.
  if (!httpDate.test(value)) return undefined;
  const date = Date.parse(value);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - nowMs);
}

const httpDate =
  /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} GMT$/;

export type RetryDecision =
  | { readonly retry: true; readonly delayMs: number }
  | { readonly retry: false; readonly reason: 'not-retryable' | 'exhausted' | 'deadline' };

export interface RetryInput {
  /** Attempts made so far, counting the one that just failed (≥ 1). */
  readonly attempts: number;
  readonly maxRetries: number;
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;
  /** Milliseconds left before the deadline. */
  readonly remainingMs: number;
  /** A number in [0, 1), for jitter. */
  readonly random: number;
}

export function decideRetry(input: RetryInput): RetryDecision {
  if (!input.retryable) return { retry: false, reason: 'not-retryable' };
  if (input.attempts > input.maxRetries) return { retry: false, reason: 'exhausted' };
  // The upstream's own word wins over our backoff; a wait that would end
  // after the deadline is pointless, so give up at once instead.
  const delayMs = input.retryAfterMs ?? backoffDelayMs(input.attempts - 1, input.random);
  if (delayMs >= input.remainingMs) return { retry: false, reason: 'deadline' };
  return { retry: true, delayMs };
}
