// How each Redis-backed store (pages, APQ hashes, rate-limit counts) connects:
// REDIS_URL and REDIS_TIMEOUT_MS, a failed command counted as a store error,
// and an outage told in the log in the store's own words, once as it starts
// and once as it ends.

import type { Logger } from 'pino';
import type { RedisConnectionOptions } from '../cache/redis-connection.ts';
import type { GatewayMetrics } from '../observability/metrics.ts';
import type { GatewayConfig } from './gateway-config.ts';

/** What the log says when Redis stops answering, and when it answers again, for one store. */
export interface OutageWords {
  readonly down: string;
  readonly back: string;
}

/** The connection options of one store; undefined without REDIS_URL (the store is then this process's own). */
export function redisOptionsFor(
  config: GatewayConfig,
  { metrics, logger }: { readonly metrics: GatewayMetrics; readonly logger: Logger },
  words: OutageWords,
): RedisConnectionOptions | undefined {
  const { cache } = config;
  if (cache.redisUrl === undefined) return undefined;
  return {
    url: cache.redisUrl,
    timeoutMs: cache.redisTimeoutMs,
    onError: () => metrics.cacheStoreError(),
    onOutage: (down) => (down ? logger.warn(words.down) : logger.info(words.back)),
  };
}
