import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startDeadline } from '../../src/upstream/deadline.ts';

describe('an upstream call deadline', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('aborts its signal when the time is up, and says the deadline did it', () => {
    const deadline = startDeadline(1_000, undefined);
    vi.advanceTimersByTime(999);
    expect(deadline.signal.aborted).toBe(false);
    vi.advanceTimersByTime(1);
    expect(deadline.signal.aborted).toBe(true);
    expect(deadline.expired).toBe(true);
    expect((deadline.signal.reason as DOMException).name).toBe('TimeoutError');
  });

  it('aborts with the caller, for the caller’s reason, and not as expired', () => {
    const caller = new AbortController();
    const deadline = startDeadline(1_000, caller.signal);
    const reason = new Error('caller went away');
    caller.abort(reason);
    expect(deadline.signal.aborted).toBe(true);
    expect(deadline.signal.reason).toBe(reason);
    expect(deadline.expired).toBe(false);
    // The timer firing later does not turn the cancellation into a timeout.
    vi.advanceTimersByTime(1_000);
    expect(deadline.expired).toBe(false);
    expect(deadline.signal.reason).toBe(reason);
  });

  it('starts aborted when the caller already is', () => {
    const caller = new AbortController();
    caller.abort();
    expect(startDeadline(1_000, caller.signal).signal.aborted).toBe(true);
  });

  it('leaves no timer and no caller listener behind once disposed', () => {
    const caller = new AbortController();
    const deadline = startDeadline(1_000, caller.signal);
    deadline.dispose();
    expect(vi.getTimerCount()).toBe(0);
    caller.abort();
    vi.advanceTimersByTime(1_000);
    expect(deadline.signal.aborted).toBe(false);
  });
});
