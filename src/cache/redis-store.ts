// Cached pages in Redis, shared by every replica that uses the same Redis and
// CACHE_KEY_SECRET. Redis down or slow never fails a request: each command is
// bounded by REDIS_TIMEOUT_MS, a failed read is a miss and a failed write is
// skipped, every failure is counted, and an outage is logged once.

import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { type CachedPage, joinRefusals, nothingKept, type SharedPageStore, type StoreRead } from './page-store.ts';

export interface RedisStoreOptions {
  readonly url: string;
  /** Longest a command may take before the store gives up on it. */
  readonly timeoutMs: number;
  /** Told of every failed command. */
  readonly onError: () => void;
  /** Told when Redis stops answering, and when it answers again: once per outage. */
  readonly onOutage: (down: boolean) => void;
}

export function createRedisStore(options: RedisStoreOptions): SharedPageStore {
  const redis = new Redis(options.url, {
    commandTimeout: options.timeoutMs,
    connectTimeout: Math.max(options.timeoutMs, 1_000),
    // A command while Redis is away fails at once rather than waiting in a queue.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    // Reconnect for ever, at most every 2 s.
    retryStrategy: (attempt) => Math.min(attempt * 100, 2_000),
    lazyConnect: false,
  });
  let down = false;
  let everReady = false;
  const outage = () => {
    if (down) return;
    down = true;
    options.onOutage(true);
  };
  // A command that fails counts; it is an outage once Redis has answered before
  // (commands sent while the first connection is still being made only miss).
  const failed = () => {
    options.onError();
    if (everReady) outage();
  };
  // A connection that fails or drops is an outage, from the start too.
  redis.on('error', outage);
  redis.on('ready', () => {
    everReady = true;
    if (down) {
      down = false;
      options.onOutage(false);
    }
  });

  /** While Redis is away, one command a second finds out whether it is back; the rest do not wait on it. */
  let lastProbe = 0;
  async function attempt<T>(command: () => Promise<T>, fallback: T): Promise<T> {
    if (down) {
      if (Date.now() - lastProbe < probeIntervalMs) return fallback;
      lastProbe = Date.now();
    }
    try {
      const result = await command();
      // Answering again after a slow spell (a timeout is not a disconnection, so no 'ready' follows).
      if (down && redis.status === 'ready') {
        down = false;
        options.onOutage(false);
      }
      return result;
    } catch {
      failed();
      return fallback;
    }
  }

  /** This replica's mark on the locks it takes, so that it only ever releases its own. */
  const owner = randomUUID();

  return {
    get: (key, refusalKeys) => attempt(async () => readOf(await redis.mget(key, ...refusalKeys)), nothingKept),
    refuse: (key, refusalKey, value, keepMs) =>
      attempt(async () => {
        // One transaction: no replica reads the page without the refusal.
        const transaction = redis.multi().del(key);
        if (keepMs > 0) transaction.set(refusalKey, value, 'PX', Math.ceil(keepMs));
        // EXEC answers even when a command in it failed: that is a failure too.
        const failed = (await transaction.exec())?.find(([error]) => error);
        if (failed) throw failed[0];
      }, undefined),
    set: (key, page, keepMs) =>
      attempt(async () => {
        if (keepMs > 0) await redis.set(key, JSON.stringify(page), 'PX', Math.ceil(keepMs));
      }, undefined),
    lock: (key, ms) =>
      attempt(
        async () => ((await redis.set(`lock:${key}`, owner, 'PX', ms, 'NX')) === 'OK' ? 'acquired' : 'held'),
        'unavailable' as const,
      ),
    locked: (key) => attempt(async () => (await redis.exists(`lock:${key}`)) === 1, false),
    available: () => !down,
    connected: (ms) =>
      new Promise<void>((resolve) => {
        if (everReady || down) return resolve();
        const done = () => {
          clearTimeout(timer);
          redis.off('ready', done);
          redis.off('error', done);
          resolve();
        };
        const timer = setTimeout(done, ms);
        redis.once('ready', done);
        redis.once('error', done);
      }),
    unlock: (key) =>
      attempt(async () => {
        await redis.eval(releaseOwnLock, 1, `lock:${key}`, owner);
      }, undefined),
    close: async () => {
      redis.disconnect();
    },
  };
}

const probeIntervalMs = 1_000;

/** Deletes a lock only if it still carries this replica's mark (it may have expired and been taken since). */
const releaseOwnLock = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0";

/** A page and its refusals as MGET returns them. */
function readOf([pageText, ...refusals]: (string | null)[]): StoreRead {
  return {
    page: pageText === null || pageText === undefined ? undefined : cachedPageOf(pageText),
    refusals: joinRefusals(refusals),
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
    return page as CachedPage;
  } catch {
    return undefined;
  }
}
