// The upstream as the gateway's requests meet it: the page cache answers
// first (a hit costs no call), then identical calls in flight share one, then the upstream's protection (calls in flight bounded,
// a circuit breaker), then the HTTP client itself.

import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { createMemoryStore } from '../cache/memory-store.ts';
import { type CachingClient, cachePages } from '../cache/page-cache.ts';
import type { InvalidationTarget } from '../cache/page-keys.ts';
import type { SharedPageStore } from '../cache/page-store.ts';
import { createRedisStore } from '../cache/redis-store.ts';
import type { CacheInvalidated } from '../http/cache-invalidation.ts';
import type { GatewayMetrics } from '../observability/metrics.ts';
import { createUpstreamClient, type UpstreamClient } from '../upstream/client.ts';
import { coalesceCalls } from '../upstream/coalescing.ts';
import { protectUpstream } from '../upstream/protection.ts';
import { upstreamTelemetry } from '../upstream/telemetry.ts';
import type { GatewayConfig } from './gateway-config.ts';
import { redisOptionsFor } from './redis-options.ts';

export interface UpstreamStackOptions {
  readonly logger: Logger;
  readonly metrics: GatewayMetrics;
  readonly tracing: boolean;
  /** The page cache's clock (ms since the epoch); default Date.now. */
  readonly now?: () => number;
}

export interface UpstreamStack {
  /** What requests call: the outermost layer. Closing it closes the connection pool. */
  readonly client: UpstreamClient;
  /** The shared page store, when CACHE_REDIS_URL is set. */
  readonly redis: SharedPageStore | undefined;
  /**
   * Ends the target's cached pages (POST /cache/invalidate), counted and
   * logged. `lead`: false for every worker of WORKERS > 1 but one, which
   * then moves a shared store on alone and alone counts it; the others drop
   * only what they hold themselves.
   */
  invalidateCache(target: InvalidationTarget, lead?: boolean): Promise<CacheInvalidated>;
}

export function createUpstreamStack(config: GatewayConfig, options: UpstreamStackOptions): UpstreamStack {
  const { metrics, logger } = options;
  const directClient = createUpstreamClient({
    baseUrl: config.upstreamUrl,
    timeoutMs: config.upstreamTimeoutMs,
    retries: config.upstreamRetries,
    connections: config.upstreamConnections,
    maxResponseBytes: config.upstreamMaxBodyBytes,
    telemetry: upstreamTelemetry(metrics, options.tracing),
  });
  const protectedClient = protectUpstream(directClient, {
    maxInFlight: config.upstreamMaxInFlight,
    maxQueued: config.upstreamMaxQueued,
    breakerThreshold: config.upstreamBreakerThreshold,
    breakerOpenMs: config.upstreamBreakerOpenMs,
    onCircuitChange: (open) => {
      metrics.upstreamCircuit(open);
      if (open)
        logger.warn(`upstream failing: calls to it paused for ${config.upstreamBreakerOpenMs} ms (circuit open)`);
      else logger.info('upstream answering again: circuit closed');
    },
  });
  // Callers that share a call wait outside the in-flight limit: one slot serves them all.
  const sharedClient = config.upstreamCoalesce
    ? coalesceCalls(protectedClient, { onJoined: () => metrics.upstreamCoalesced('local') })
    : protectedClient;
  if (config.cache.ttlMs <= 0) {
    return { client: sharedClient, redis: undefined, invalidateCache: async () => ({ scope: 'none' }) };
  }
  const redis = sharedPageStore(config, options);
  const client = cachePages(sharedClient, {
    windows: config.cache,
    store: redis ?? createMemoryStore(config.cache.maxBytes),
    keySecret: config.cache.keySecret ?? randomBytes(32),
    keepSecretKeys: config.exposeSecretKeys,
    now: options.now,
    onLookup: (result) => metrics.cacheLookup(result),
    sharedFill: redis && {
      lockMs: config.upstreamTimeoutMs + 1_000,
      waitMs: config.upstreamTimeoutMs,
      onFilledByOther: () => metrics.upstreamCoalesced('shared'),
    },
  });
  return { client, redis, invalidateCache: cacheInvalidation(client, redis !== undefined, options) };
}

/** The page cache's invalidation: a generation moved on in Redis (every replica) or in this process. */
function cacheInvalidation(
  cache: CachingClient,
  shared: boolean,
  { metrics, logger }: UpstreamStackOptions,
): UpstreamStack['invalidateCache'] {
  const scope = shared ? 'fleet' : 'process';
  return async (target, lead = true) => {
    // Redis holds every page: a worker that is not the lead holds none of its own.
    if (shared && !lead) return { scope };
    const generation = await cache.invalidate(target);
    if (generation === undefined) throw new Error('Redis did not answer: nothing was invalidated; try again');
    if (lead) metrics.cacheInvalidation('org' in target ? 'org' : 'all');
    logger.info({ invalidated: target, scope, generation }, 'page cache invalidated');
    return { scope, generation };
  };
}

/** The page store replicas share (CACHE_REDIS_URL), or none: then each process keeps its own. */
function sharedPageStore(
  config: GatewayConfig,
  { metrics, logger }: UpstreamStackOptions,
): SharedPageStore | undefined {
  const { cache } = config;
  const connection = redisOptionsFor(
    config,
    { metrics, logger },
    {
      down: 'Redis is not answering: pages come from the upstream until it is back',
      back: 'Redis answers again: pages are shared again',
    },
  );
  if (connection === undefined) return undefined;
  return createRedisStore({
    ...connection,
    // Twice the longest a page is kept, and a day at least.
    generationKeepMs: Math.max(
      2 * (cache.ttlMs + cache.staleWhileRevalidateMs + cache.staleIfErrorMs),
      24 * 60 * 60 * 1000,
    ),
  });
}
