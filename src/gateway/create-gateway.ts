// The gateway in one process, built from its settings: the upstream stack,
// the GraphQL server over it, and its telemetry. It never listens: see
// start-gateway.ts for that.

import type { Logger } from 'pino';
import { createLogger } from '../observability/logger.ts';
import { createGatewayMetrics, type GatewayMetrics } from '../observability/metrics.ts';
import { useRequestTelemetry } from '../observability/request-telemetry.ts';
import type { GatewayConfig } from './gateway-config.ts';
import { createGraphQLServer } from './graphql-server.ts';
import { createUpstreamStack } from './upstream-stack.ts';

export interface GatewayOptions {
  /** Default: JSON lines on stdout, at LOG_LEVEL. */
  readonly logger?: Logger;
  /** Default: a registry of the gateway's own (see `metrics` on the result), without Node's process metrics. */
  readonly metrics?: GatewayMetrics;
  /** A tracer provider is registered (observability/tracing.ts): make spans. */
  readonly tracing?: boolean;
  /**
   * The gateway's clock (ms since the epoch): the page cache's windows and
   * operation durations. Default: Date.now for the first, performance.now
   * for the second. Tests move it instead of sleeping.
   */
  readonly now?: () => number;
}

/**
 * The gateway as a yoga instance. Serve it through `createHttpServer`
 * (http/http-server.ts): that is where request bodies are bounded (MAX_BODY_BYTES).
 */
export function createGateway(config: GatewayConfig, options: GatewayOptions = {}) {
  const logger = options.logger ?? createLogger({ level: config.logLevel, format: config.logFormat });
  const metrics =
    options.metrics ?? createGatewayMetrics({ maxOperationNames: config.observability.metricsMaxOperationNames });
  const tracing = options.tracing ?? false;
  const telemetry = useRequestTelemetry({ metrics, logger, tracing, graphqlEndpoint: '/graphql', now: options.now });
  const { client, redis, invalidateCache } = createUpstreamStack(config, {
    logger,
    metrics,
    tracing,
    now: options.now,
  });
  const { yoga, cacheSizes, trustedDocuments, rateLimits } = createGraphQLServer(config, {
    client,
    metrics,
    logger,
    telemetry,
  });

  return Object.assign(yoga, {
    /** The gateway's metrics (serve `metrics.registry` on their own port: http/metrics-server.ts). */
    metrics,
    /** A request refused before yoga saw it (a body over MAX_BODY_BYTES): counted and logged as yoga's refusals are. */
    recordRefusal(status: number, message: string, requestId: string) {
      metrics.operation('unknown', undefined, 'error', 0, 0);
      metrics.error('BAD_USER_INPUT');
      logger.info({ reqId: requestId, status, errorCodes: ['BAD_USER_INPUT'], reason: message }, 'request refused');
    },
    /**
     * Settles once what must come first is there: the persisted documents
     * loaded (a manifest that cannot be used rejects, with a ConfigError), and
     * the connections to Redis made, when shared (5 s at most).
     */
    ready: async () => {
      await trustedDocuments.load();
      await Promise.all([redis?.connected(5_000), trustedDocuments.connected(5_000), rateLimits.connected(5_000)]);
    },
    /** POST /cache/invalidate: ends an organization's cached pages, or all (see upstream-stack.ts). */
    invalidateCache,
    /** SIGHUP: reads the manifests again; true when the new set serves (a bad one leaves the old, and logs why). */
    reloadPersistedDocuments: () => trustedDocuments.reload(),
    /** Closes the upstream connection pool and the connections to Redis. */
    dispose: async () => {
      await client.close();
      await redis?.close();
      trustedDocuments.close();
      rateLimits.close();
    },
    /** What the gateway remembers of operations: each bounded by a setting. */
    cacheSizes,
  });
}

export type Gateway = ReturnType<typeof createGateway>;
