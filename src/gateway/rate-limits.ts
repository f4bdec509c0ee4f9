// Per-caller rate limits in the gateway: their counts (in this process, or in
// Redis when REDIS_URL is set, so that every replica charges the same count),
// whose key a request is charged to (http/caller-key.ts), and the plugins that
// charge and refuse (graphql/rate-limits.ts). Both limits off: no plugin does
// anything, and nothing connects to Redis for them.

import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { createMemoryCounters, createRedisCounters, type RateCounterStore } from '../cache/rate-limit-store.ts';
import { type RateLimitPlugins, useRateLimits } from '../graphql/rate-limits.ts';
import { callerKeyOf } from '../http/caller-key.ts';
import type { GatewayMetrics } from '../observability/metrics.ts';
import type { GatewayConfig } from './gateway-config.ts';
import { redisOptionsFor } from './redis-options.ts';

export interface RateLimitsSetupOptions {
  readonly metrics: GatewayMetrics;
  readonly logger: Logger;
  /** The upstream calls the operation whose context this is made, once it ran (request telemetry counts them). */
  readonly actualUpstreamCalls: (context: object) => number;
  /** Its estimated calls, once it is about to run; undefined charges 1 (the cost model tells it). */
  readonly estimateUpstreamCalls: (context: object) => number | undefined;
}

export interface RateLimitsSetup extends RateLimitPlugins {
  /** Settles once the connection to Redis is made (or has failed), `ms` at most; at once without Redis. */
  connected(ms: number): Promise<void>;
  close(): void;
}

/** The limits' window: RATE_LIMIT_*_PER_MINUTE. */
const windowSeconds = 60;

export function createRateLimits(config: GatewayConfig, options: RateLimitsSetupOptions): RateLimitsSetup {
  const { rateLimits: settings, cache } = config;
  const on = settings.operationsPerMinute > 0 || settings.upstreamCallsPerMinute > 0;
  if (!on) return { operations: {}, upstreamCalls: {}, connected: () => Promise.resolve(), close: () => {} };
  const store = counterStore(config, options);
  const counter = (name: string, quota: number) =>
    quota > 0 ? store.counter({ name, quota, windowSeconds }) : undefined;
  const plugins = useRateLimits({
    operations: counter('operations', settings.operationsPerMinute),
    upstreamCalls: counter('upstream-calls', settings.upstreamCallsPerMinute),
    keyOf: callerKeyOf({
      key: settings.key,
      trustedProxies: settings.trustedProxies,
      // Replicas that share counts hash alike (config.ts requires CACHE_KEY_SECRET with Redis).
      secret: cache.keySecret ?? randomBytes(32),
    }),
    estimateUpstreamCalls: options.estimateUpstreamCalls,
    actualUpstreamCalls: options.actualUpstreamCalls,
    onRefused: (reason) => options.metrics.rateLimited(reason),
    onCountFailed: (error) =>
      options.logger.warn(
        `rate limits: a count failed (${error instanceof Error ? error.name : typeof error}); the operation ran uncounted`,
      ),
  });
  return { ...plugins, connected: (ms) => store.connected(ms), close: () => store.close() };
}

/** Redis when REDIS_URL is set (its own connection, told apart in the log), else this process. */
function counterStore(config: GatewayConfig, options: RateLimitsSetupOptions): RateCounterStore {
  const connection = redisOptionsFor(config, options, {
    down: 'Redis is not answering: rate limits are counted by each replica alone until it is back',
    back: 'Redis answers again: rate limits are counted across replicas again',
  });
  return connection === undefined ? createMemoryCounters() : createRedisCounters(connection);
}
