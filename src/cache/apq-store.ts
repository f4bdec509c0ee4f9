// Documents registered by automatic persisted queries (APQ), by their
// SHA-256 hash: in Redis when REDIS_URL is set, so that every replica knows a
// hash any one of them was given; otherwise in this process, within a bound.
// A store that fails answers "not known": the client sends the text again.

import { LRUCache } from 'lru-cache';
import { RedisConnection, type RedisConnectionOptions } from './redis-connection.ts';

export interface ApqStore {
  get(hash: string): Promise<string | undefined> | string | undefined;
  set(hash: string, text: string): void;
  close(): void;
}

/** What a kept document costs: its text (two bytes a character at most), its key and the entry. */
const entryBytes = (text: string) => 2 * text.length + 256;

export function createMemoryApqStore(maxBytes: number): ApqStore {
  const documents = new LRUCache<string, string>({ maxSize: maxBytes, sizeCalculation: entryBytes });
  return {
    get: (hash) => documents.get(hash),
    set: (hash, text) => {
      documents.set(hash, text);
    },
    close: () => documents.clear(),
  };
}

/**
 * How long Redis keeps a registered document after its last use. What Redis
 * holds is then what clients registered in a day, each document within
 * MAX_BODY_BYTES and MAX_TOKENS (it validated); Redis's own `maxmemory`
 * bounds the rest, as it does for the page cache.
 */
export const apqRedisTtlSeconds = 24 * 60 * 60;

const keyOf = (hash: string) => `apq:${hash}`;

export function createRedisApqStore(
  options: RedisConnectionOptions,
): ApqStore & { connected(ms: number): Promise<void> } {
  const connection = new RedisConnection(options);
  return {
    get: (hash) =>
      connection.attempt(
        async (redis) => (await redis.getex(keyOf(hash), 'EX', apqRedisTtlSeconds)) ?? undefined,
        undefined,
      ),
    set: (hash, text) =>
      void connection.attempt(async (redis) => {
        await redis.set(keyOf(hash), text, 'EX', apqRedisTtlSeconds);
      }, undefined),
    connected: (ms) => connection.connected(ms),
    close: () => connection.close(),
  };
}
