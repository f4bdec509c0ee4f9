// Replacing dead workers: at once for a rare death, ever more slowly for
// repeated ones, and never again once they keep dying.

import { describe, expect, it } from 'vitest';
import { createRestartPolicy, restartPolicyFor } from '../../src/cluster/restart-policy.ts';

describe('the restart policy', () => {
  it('doubles the wait with each death within the window, up to its bound', () => {
    const policy = createRestartPolicy({ windowMs: 60_000, maxDeaths: 10, firstDelayMs: 100, maxDelayMs: 1_000 });
    const delays = [0, 1, 2, 3, 4, 5].map((n) => policy.workerDied(n * 1_000));
    expect(delays).toEqual([100, 200, 400, 800, 1_000, 1_000].map((delayMs) => ({ restart: true, delayMs })));
  });

  it('forgets deaths older than the window: a worker that dies now and then is replaced at once', () => {
    const policy = createRestartPolicy({ windowMs: 60_000, maxDeaths: 3, firstDelayMs: 100, maxDelayMs: 10_000 });
    for (let hour = 0; hour < 100; hour++) {
      expect(policy.workerDied(hour * 3_600_000)).toEqual({ restart: true, delayMs: 100 });
    }
  });

  it('gives up, saying why, when more workers die within the window than it allows', () => {
    const policy = createRestartPolicy({ windowMs: 60_000, maxDeaths: 3, firstDelayMs: 100, maxDelayMs: 10_000 });
    for (const at of [0, 10_000, 20_000]) expect(policy.workerDied(at).restart).toBe(true);
    expect(policy.workerDied(30_000)).toEqual({ restart: false, reason: '4 workers died within 60 s' });
  });

  it('allows more deaths for more workers, never fewer than ten', () => {
    expect(restartPolicyFor(2).maxDeaths).toBe(10);
    expect(restartPolicyFor(16).maxDeaths).toBe(32);
  });
});
