// Cached pages in Redis, shared by every replica that uses the same Redis and
// CACHE_KEY_SECRET, with the fill locks of cold keys and the generations of
// cache invalidation (read with the page in its one MGET). Redis down or slow
// never fails a request (redis-connection.ts): a failed read is a miss and a
// failed write is skipped.

import { randomUUID } from 'node:crypto';
import { type CachedPage, joinValues, nothingKept, type SharedPageStore, type StoreRead } from './page-store.ts';
import { RedisConnection, type RedisConnectionOptions } from './redis-connection.ts';

export interface RedisStoreOptions extends RedisConnectionOptions {
  /**
   * How long a generation outlives its last bump: longer than any page is
   * kept, so that no page read under it is left when it is gone (and a
   * count begun again cannot meet one). Unbumped organizations leave nothing.
   */
  readonly generationKeepMs: number;
}

export function createRedisStore(options: RedisStoreOptions): SharedPageStore {
  const connection = new RedisConnection(options);
  /** This replica's mark on the locks it takes, so that it only ever releases its own. */
  const owner = randomUUID();

  return {
    get: (key, refusalKeys, generationKeys) =>
      connection.attempt(
        async (redis) => readOf(await redis.mget(key, ...refusalKeys, ...generationKeys), refusalKeys.length),
        nothingKept,
      ),
    // No expiry: a generation key that went and came back would count from 1 again, and a page kept under
    // that number before would be served again. One small key per organization ever invalidated.
    bump: (key) =>
      connection.attempt<number | undefined>(async (redis) => {
        const [[incrError, generation] = [], [expireError] = []] =
          (await redis.multi().incr(key).pexpire(key, options.generationKeepMs).exec()) ?? [];
        if (incrError || expireError) throw incrError ?? expireError;
        return generation as number;
      }, undefined),
    refuse: (key, refusalKey, value, keepMs) =>
      connection.attempt(async (redis) => {
        // One transaction: no replica reads the page without the refusal.
        const transaction = redis.multi().del(key);
        if (keepMs > 0) transaction.set(refusalKey, value, 'PX', Math.ceil(keepMs));
        // EXEC answers even when a command in it failed: that is a failure too.
        const failed = (await transaction.exec())?.find(([error]) => error);
        if (failed) throw failed[0];
      }, undefined),
    set: (key, page, keepMs) =>
      connection.attempt(async (redis) => {
        if (keepMs > 0) await redis.set(key, JSON.stringify(page), 'PX', Math.ceil(keepMs));
      }, undefined),
    lock: (key, ms) =>
      connection.attempt(
        async (redis) => ((await redis.set(`lock:${key}`, owner, 'PX', ms, 'NX')) === 'OK' ? 'acquired' : 'held'),
        'unavailable' as const,
      ),
    locked: (key) => connection.attempt(async (redis) => (await redis.exists(`lock:${key}`)) === 1, false),
    available: () => connection.available(),
    connected: (ms) => connection.connected(ms),
    unlock: (key) =>
      connection.attempt(async (redis) => {
        await redis.eval(releaseOwnLock, 1, `lock:${key}`, owner);
      }, undefined),
    close: async () => {
      connection.close();
    },
  };
}

/** Deletes a lock only if it still carries this replica's mark (it may have expired and been taken since). */
const releaseOwnLock = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0";

/** A page, its refusals and its generations as MGET returns them. */
function readOf([pageText, ...values]: (string | null)[], refusalCount: number): StoreRead {
  return {
    page: pageText === null || pageText === undefined ? undefined : cachedPageOf(pageText),
    refusals: joinValues(values.slice(0, refusalCount)),
    generations: joinValues(values.slice(refusalCount)),
  };
}

/** A kept page read back; anything else (a value another program wrote, a cut one) is a miss. */
function cachedPageOf(text: string): CachedPage | undefined {
  try {
    const page = JSON.parse(text) as Partial<CachedPage>;
    const times = [page.storedAt, page.freshUntil, page.revalidateUntil, page.staleIfErrorUntil];
    if (typeof page.text !== 'string' || times.some((time) => typeof time !== 'number')) return undefined;
    if (page.etag !== undefined && typeof page.etag !== 'string') return undefined;
    if (typeof page.refusals !== 'string') return undefined;
    // A page kept before generations were: it was read when none had been bumped.
    if (page.generations === undefined) return { ...page, generations: '' } as CachedPage;
    if (typeof page.generations !== 'string') return undefined;
    return page as CachedPage;
  } catch {
    return undefined;
  }
}
