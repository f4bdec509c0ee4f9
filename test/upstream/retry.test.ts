import { describe, expect, it } from 'vitest';
import {
  backoffDelayMs,
  decideRetry,
  defaultBackoff,
  parseRetryAfterMs,
  type RetryInput,
  retryableStatuses,
} from '../../src/upstream/retry.ts';

describe('retryableStatuses', () => {
  it.each([429, 502, 503, 504])('retries %i', (status) => {
    expect(retryableStatuses.has(status)).toBe(true);
  });

  it.each([200, 400, 401, 403, 404, 500, 501, 505])('does not retry %i', (status) => {
    expect(retryableStatuses.has(status)).toBe(false);
  });
});

describe('backoffDelayMs', () => {
  it('uses a 50 ms base capped at 2 s by default', () => {
    expect(defaultBackoff).toEqual({ baseDelayMs: 50, maxDelayMs: 2_000 });
  });

  it.each([
    [0, 25],
    [1, 50],
    [2, 100],
    [3, 200],
    [4, 400],
    [5, 800],
    [6, 1_000],
    [7, 1_000],
    [30, 1_000],
  ])('doubles per attempt and caps: attempt %i with random 0.5 waits %i ms', (attempt, delay) => {
    expect(backoffDelayMs(attempt, 0.5)).toBe(delay);
  });

  it('is zero with random 0 and stays below the ceiling as random approaches 1', () => {
    expect(backoffDelayMs(3, 0)).toBe(0);
    expect(backoffDelayMs(0, 0.999_999)).toBe(49);
    expect(backoffDelayMs(3, 0.999_999)).toBe(399);
    expect(backoffDelayMs(10, 0.999_999)).toBe(1_999);
  });

  it('honours custom options', () => {
    const options = { baseDelayMs: 100, maxDelayMs: 300 };
    expect(backoffDelayMs(0, 0.5, options)).toBe(50);
    expect(backoffDelayMs(1, 0.5, options)).toBe(100);
    expect(backoffDelayMs(2, 0.5, options)).toBe(150);
    expect(backoffDelayMs(5, 0.5, options)).toBe(150);
  });

  it('never exceeds the cap however many attempts', () => {
    for (let attempt = 0; attempt < 2_000; attempt += 7) {
      const delay = backoffDelayMs(attempt, 0.999_999);
      expect(Number.isFinite(delay)).toBe(true);
      expect(delay).toBeLessThan(defaultBackoff.maxDelayMs);
    }
  });
});

describe('parseRetryAfterMs', () => {
  const now = Date.parse('Wed, 21 Oct 2015 07:28:00 GMT');

  it.each([
    ['120', 120_000],
    ['0', 0],
    [' 3 ', 3_000],
    ['1', 1_000],
  ])('reads delay-seconds %j', (header, ms) => {
    expect(parseRetryAfterMs(header, now)).toBe(ms);
  });

  it('reads an HTTP-date as the time from now', () => {
    expect(parseRetryAfterMs('Wed, 21 Oct 2015 07:28:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfterMs('Wed, 21 Oct 2015 07:30:00 GMT', now)).toBe(120_000);
  });

  it('reads an HTTP-date in the past as no wait', () => {
    expect(parseRetryAfterMs('Wed, 21 Oct 2015 07:00:00 GMT', now)).toBe(0);
  });

  it('is undefined when absent', () => {
    expect(parseRetryAfterMs(undefined, now)).toBeUndefined();
  });

  it.each(['', '   ', 'soon', 'later please', '12abc', '0x10', 'Infinity', '10 seconds'])(
    'is undefined for garbage %j',
    (header) => {
      expect(parseRetryAfterMs(header, now)).toBeUndefined();
    },
  );

  // Neither delay-seconds nor an HTTP-date, yet V8's lenient Date.parse reads
  // each as a date in 2001; the header must not turn into "retry at once".
  it.each(['1.5', '-1', '+5', 'abc 1'])('is undefined for %j, which is neither seconds nor a date', (header) => {
    expect(parseRetryAfterMs(header, now)).toBeUndefined();
  });
});

describe('decideRetry', () => {
  const base: RetryInput = {
    attempts: 1,
    maxRetries: 2,
    retryable: true,
    retryAfterMs: undefined,
    remainingMs: 10_000,
    random: 0.5,
  };

  it('retries a retryable failure with backoff for the attempt that failed', () => {
    expect(decideRetry(base)).toEqual({ retry: true, delayMs: 25 });
    expect(decideRetry({ ...base, attempts: 2 })).toEqual({ retry: true, delayMs: 50 });
  });

  it('is exhausted after maxRetries retries', () => {
    expect(decideRetry({ ...base, attempts: 3 })).toEqual({ retry: false, reason: 'exhausted' });
    expect(decideRetry({ ...base, attempts: 10 })).toEqual({ retry: false, reason: 'exhausted' });
  });

  it('never retries with maxRetries 0', () => {
    expect(decideRetry({ ...base, maxRetries: 0 })).toEqual({ retry: false, reason: 'exhausted' });
  });

  it('does not retry what is not retryable, even with retries left', () => {
    expect(decideRetry({ ...base, retryable: false })).toEqual({ retry: false, reason: 'not-retryable' });
    expect(decideRetry({ ...base, retryable: false, attempts: 10 })).toEqual({
      retry: false,
      reason: 'not-retryable',
    });
  });

  it('waits as long as Retry-After says instead of the backoff', () => {
    expect(decideRetry({ ...base, retryAfterMs: 5_000 })).toEqual({ retry: true, delayMs: 5_000 });
    expect(decideRetry({ ...base, retryAfterMs: 0 })).toEqual({ retry: true, delayMs: 0 });
  });

  it('gives up at once when Retry-After outlasts the remaining time', () => {
    expect(decideRetry({ ...base, retryAfterMs: 5_000, remainingMs: 4_000 })).toEqual({
      retry: false,
      reason: 'deadline',
    });
    expect(decideRetry({ ...base, retryAfterMs: 4_000, remainingMs: 4_000 })).toEqual({
      retry: false,
      reason: 'deadline',
    });
  });

  it('gives up at once when the backoff outlasts the remaining time', () => {
    expect(decideRetry({ ...base, remainingMs: 25 })).toEqual({ retry: false, reason: 'deadline' });
    expect(decideRetry({ ...base, remainingMs: 26 })).toEqual({ retry: true, delayMs: 25 });
  });

  it('gives up when no time remains', () => {
    expect(decideRetry({ ...base, random: 0, remainingMs: 0 })).toEqual({ retry: false, reason: 'deadline' });
    expect(decideRetry({ ...base, retryAfterMs: 0, remainingMs: -5 })).toEqual({ retry: false, reason: 'deadline' });
  });
});
