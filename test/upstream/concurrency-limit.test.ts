import { describe, expect, it } from 'vitest';
import { createConcurrencyLimit } from '../../src/upstream/concurrency-limit.ts';

/** A piece of work that ends when told to. */
function deferred() {
  let finish!: () => void;
  const done = new Promise<void>((resolve) => {
    finish = resolve;
  });
  return { done, finish };
}

const full = () => new Error('full');

describe('createConcurrencyLimit', () => {
  it('runs at most maxActive at once, the rest in the order they came', async () => {
    const limit = createConcurrencyLimit({ maxActive: 2, maxWaiting: 10, refusal: full });
    const started: number[] = [];
    const works = Array.from({ length: 5 }, () => deferred());
    const runs = works.map((work, i) =>
      limit.run(async () => {
        started.push(i);
        await work.done;
        return i;
      }),
    );
    await Promise.resolve();
    expect(started).toEqual([0, 1]);
    expect([limit.active, limit.waiting]).toEqual([2, 3]);
    works[1]?.finish();
    await runs[1];
    await Promise.resolve();
    expect(started).toEqual([0, 1, 2]);
    for (const work of works) work.finish();
    expect(await Promise.all(runs)).toEqual([0, 1, 2, 3, 4]);
    expect([limit.active, limit.waiting]).toEqual([0, 0]);
  });

  it('refuses at once past maxWaiting, and frees the slot of work that failed', async () => {
    const limit = createConcurrencyLimit({ maxActive: 1, maxWaiting: 1, refusal: full });
    const first = deferred();
    const running = limit.run(() => first.done.then(() => Promise.reject(new Error('boom'))));
    const waiting = limit.run(async () => 'second');
    await expect(limit.run(async () => 'third')).rejects.toThrow('full');
    first.finish();
    await expect(running).rejects.toThrow('boom');
    expect(await waiting).toBe('second');
    expect(limit.active).toBe(0);
  });

  it('lets a waiter whose caller went away leave the queue', async () => {
    const limit = createConcurrencyLimit({ maxActive: 1, maxWaiting: 5, refusal: full });
    const first = deferred();
    const running = limit.run(() => first.done);
    const caller = new AbortController();
    const waiting = limit.run(async () => 'never', caller.signal);
    caller.abort(new Error('gone'));
    await expect(waiting).rejects.toThrow('gone');
    expect(limit.waiting).toBe(0);
    first.finish();
    await running;
    expect(limit.active).toBe(0);
  });
});
