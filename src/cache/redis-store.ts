// Cached pages in Redis, shared by every replica that uses the same Redis and
// CACHE_KEY_SECRET. Redis down or slow never fails a request: each command is
// bounded by REDIS_TIMEOUT_MS, a failed read is a miss and a failed write is
// skipped, every failure is counted, and an outage is logged once.

import { Redis } from 'ioredis';
import type { CachedPage, PageStore } from './page-cache.ts';

export interface RedisStoreOptions {
  readonly url: string;
  /** Longest a command may take before the store gives up on it. */
  readonly timeoutMs: number;
  /** Told of every failed command. */
  readonly onError: () => void;
  /** Told when Redis stops answering, and when it answers again: once per outage. */
  readonly onOutage: (down: boolean) => void;
}

/** A store shared by replicas, with the short locks that let one replica fill a cold key while the others wait. */
export interface SharedPageStore extends PageStore {
  /** Takes the fill lock of `key` for `ms`: `held` when another replica has it, `unavailable` when Redis cannot say. */
  lock(key: string, ms: number): Promise<'acquired' | 'held' | 'unavailable'>;
  unlock(key: string): Promise<void>;
  /** False while Redis is not answering. */
  available(): boolean;
  /** Settles once the first connection is made or has failed (at most `ms`): a replica that starts shares at once. */
  connected(ms: number): Promise<void>;
  close(): Promise<void>;
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

  async function attempt<T>(command: () => Promise<T>, fallback: T): Promise<T> {
    try {
      return await command();
    } catch {
      failed();
      return fallback;
    }
  }

  return {
    get: (key) =>
      attempt(async () => {
        const text = await redis.get(key);
        return text === null ? undefined : (JSON.parse(text) as CachedPage);
      }, undefined),
    set: (key, page, keepMs) =>
      attempt(async () => {
        if (keepMs > 0) await redis.set(key, JSON.stringify(page), 'PX', Math.ceil(keepMs));
      }, undefined),
    lock: (key, ms) =>
      attempt(
        async () => ((await redis.set(`lock:${key}`, '1', 'PX', ms, 'NX')) === 'OK' ? 'acquired' : 'held'),
        'unavailable' as const,
      ),
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
        await redis.del(`lock:${key}`);
      }, undefined),
    close: async () => {
      redis.disconnect();
    },
  };
}
