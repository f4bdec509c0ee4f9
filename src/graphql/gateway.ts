// Builds the gateway (a yoga instance) from a config. It never listens: see
// `main.ts` for that, and the tests for in-process use.

import { randomBytes } from 'node:crypto';
import { costLimitPlugin } from '@escape.tech/graphql-armor-cost-limit';
import { maxAliasesPlugin } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthPlugin } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesPlugin } from '@escape.tech/graphql-armor-max-directives';
import { maxTokensPlugin } from '@escape.tech/graphql-armor-max-tokens';
import { createYoga, type GraphiQLOptions, maskError } from 'graphql-yoga';
import type { Logger } from 'pino';
import { createMemoryStore } from '../cache/memory-store.ts';
import { cachePages } from '../cache/page-cache.ts';
import { createRedisStore } from '../cache/redis-store.ts';
import type { Config } from '../config.ts';
import { corsPolicy, useVaryByOrigin } from '../http/cors.ts';
import { createLogger, yogaLogger } from '../observability/logger.ts';
import { createGatewayMetrics, type GatewayMetrics } from '../observability/metrics.ts';
import { useRequestTelemetry } from '../observability/request-telemetry.ts';
import { upstreamTelemetry } from '../observability/upstream-telemetry.ts';
import { createSchema } from '../schema/index.ts';
import { assistantsPathTemplate, createUpstreamClient, type UpstreamClient } from '../upstream/client.ts';
import { coalesceCalls } from '../upstream/coalescing.ts';
import { createConcurrencyLimit } from '../upstream/concurrency-limit.ts';
import { protectUpstream } from '../upstream/protection.ts';
import { useCompiledExecution } from './compiled-execution.ts';
import { useConnectionNestingLimit } from './connection-nesting.ts';
import { type Context, createContextFactory } from './context.ts';
import { createDocumentCache } from './document-cache.ts';
import { useDocumentFacts } from './document-facts.ts';
import { isGraphQLError, LimitExceededError } from './errors.ts';
import { exampleQuery } from './example-query.ts';
import { useIntrospectionLimits } from './introspection.ts';
import { rejectedBy, useRequestErrorCodes } from './request-errors.ts';
import { useResultSerializer } from './result-serializer.ts';
import { useStaleExtension } from './stale-extension.ts';

export type GatewayConfig = Omit<Config, 'upstreamUrl' | 'port' | 'host'> & {
  /** The upstream to talk to; by now always known (main.ts starts the demo if needed). */
  readonly upstreamUrl: URL;
};

export interface GatewayOptions {
  /** Default: JSON lines on stdout, at LOG_LEVEL. */
  readonly logger?: Logger;
  /** Default: a registry of the gateway's own (see `metrics` on the result), without Node's process metrics. */
  readonly metrics?: GatewayMetrics;
  /** A tracer provider is registered (observability/tracing.ts): make spans. */
  readonly tracing?: boolean;
  /** The clock of the page cache's windows (ms since the epoch); default Date.now. Tests move it instead of sleeping. */
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
  const telemetry = useRequestTelemetry({ metrics, logger, tracing, graphqlEndpoint: '/graphql' });
  const directClient: UpstreamClient = createUpstreamClient({
    baseUrl: config.upstreamUrl,
    timeoutMs: config.upstreamTimeoutMs,
    retries: config.upstreamRetries,
    connections: config.upstreamConnections,
    maxResponseBytes: config.upstreamMaxBodyBytes,
    telemetry: upstreamTelemetry(metrics, tracing),
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
  // The page cache answers first: a hit costs no call at all.
  const { cache } = config;
  const redis =
    cache.ttlMs > 0 && cache.redisUrl !== undefined
      ? createRedisStore({
          url: cache.redisUrl,
          timeoutMs: cache.redisTimeoutMs,
          onError: () => metrics.cacheStoreError(),
          onOutage: (down) =>
            down
              ? logger.warn('Redis is not answering: pages come from the upstream until it is back')
              : logger.info('Redis answers again: pages are shared again'),
        })
      : undefined;
  const client =
    cache.ttlMs > 0
      ? cachePages(sharedClient, {
          windows: cache,
          store: redis ?? createMemoryStore(cache.maxBytes),
          keySecret: cache.keySecret ?? randomBytes(32),
          keepSecretKeys: config.exposeSecretKeys,
          now: options.now,
          onLookup: (result) => metrics.cacheLookup(result),
          sharedFill: redis && {
            lockMs: config.upstreamTimeoutMs + 1_000,
            waitMs: config.upstreamTimeoutMs,
            onFilledByOther: () => metrics.upstreamCoalesced('shared'),
          },
        })
      : sharedClient;
  const { limits, caches } = config;
  const documentCache = createDocumentCache(caches.documentBytes);
  const compiledExecution = useCompiledExecution({
    maxBytes: caches.compiledBytes,
    compileAfterUses: caches.compileAfterUses,
  });

  const graphiqlPage = renderOnce();
  const yoga = createYoga<Record<string, unknown>, Context>({
    schema: createSchema({ exposeSecretKeys: config.exposeSecretKeys, maxEntities: limits.maxEntities }),
    context: createContextFactory({
      client,
      paging: { pageBase: config.upstreamPageBase, maxTake: config.upstreamMaxTake },
      maxScanPages: config.refetchMaxPages,
      scanLimit: createConcurrencyLimit({
        maxActive: config.refetchMaxScans,
        maxWaiting: config.refetchMaxWaiting,
        refusal: () =>
          new LimitExceededError(
            `too many refetches are waiting (REFETCH_MAX_SCANS ${config.refetchMaxScans} running, REFETCH_MAX_WAITING ${config.refetchMaxWaiting} waiting)`,
            'REFETCH_MAX_WAITING',
          ),
      }),
      maxUpstreamCalls: limits.maxUpstreamCalls,
      maxUpstreamBytes: limits.maxUpstreamBytesPerRequest,
      upstreamToken: config.upstreamToken,
      upstreamPath: assistantsPathTemplate(config.upstreamUrl),
      logger,
      operationOf: telemetry.operationOf,
    }),
    logging: yogaLogger(logger),
    landingPage: false,
    cors: corsPolicy(config.corsOrigins),
    parserAndValidationCache: documentCache,
    batching: { limit: limits.maxBatch },
    // http/http-server.ts refuses an oversized or unbounded body before yoga sees it;
    // yoga's own check would pipe every body through a second stream to count it again.
    maxRequestBodySize: false,
    renderGraphiQL: graphiqlPage,
    graphiql: { title: 'Assistants GraphQL', defaultQuery: exampleQuery },
    maskedErrors: {
      // Known failures are GraphQL errors by the time they get here (see
      // errors.ts): they pass as they are. Anything else is a bug or an
      // unknown failure: yoga logs it, and the caller gets a masked error.
      maskError(error, message, isDev) {
        const original = isGraphQLError(error) ? error.originalError : undefined;
        if (isGraphQLError(error) && (original === undefined || isGraphQLError(original))) return error;
        return maskError(error, message, isDev);
      },
    },
    plugins: [
      maxTokensPlugin({ n: limits.maxTokens, onReject: [rejectedBy('MAX_TOKENS')] }),
      maxDepthPlugin({ n: limits.maxDepth, flattenFragments: true, onReject: [rejectedBy('MAX_DEPTH')] }),
      maxAliasesPlugin({ n: limits.maxAliases, onReject: [rejectedBy('MAX_ALIASES')] }),
      maxDirectivesPlugin({ n: limits.maxDirectives, onReject: [rejectedBy('MAX_DIRECTIVES')] }),
      costLimitPlugin({ maxCost: limits.maxCost, onReject: [rejectedBy('MAX_COST')] }),
      useVaryByOrigin(),
      useConnectionNestingLimit(),
      useDocumentFacts(),
      useIntrospectionLimits({ enabled: config.introspection }),
      useRequestErrorCodes(),
      useStaleExtension(),
      // After the error codes are the contract's, before the result is serialised.
      telemetry,
      compiledExecution,
      useResultSerializer(),
    ],
  });

  return Object.assign(yoga, {
    /** The gateway's metrics (serve `metrics.registry` on their own port: observability/metrics-server.ts). */
    metrics,
    /** A request refused before yoga saw it (a body over MAX_BODY_BYTES): counted and logged as yoga's refusals are. */
    recordRefusal(status: number, message: string, requestId: string) {
      metrics.operation('unknown', undefined, 'error', 0, 0);
      metrics.error('BAD_USER_INPUT');
      logger.info({ reqId: requestId, status, errorCodes: ['BAD_USER_INPUT'], reason: message }, 'request refused');
    },
    /** Settles once the gateway's connections that must come first are made (Redis, when shared): 5 s at most. */
    ready: () => redis?.connected(5_000) ?? Promise.resolve(),
    /** Closes the upstream connection pool and the connection to Redis. */
    dispose: async () => {
      await client.close();
      await redis?.close();
    },
    /** What the gateway remembers of operations: each bounded by a setting. */
    cacheSizes: () => ({
      documents: documentCache
        ? { count: documentCache.count(), bytes: documentCache.bytes() }
        : { count: 0, bytes: 0 },
      compiledOperations: compiledExecution.compiled(),
    }),
  });
}

export type Gateway = ReturnType<typeof createGateway>;

/**
 * GraphiQL's page, rendered once and served from that one copy. The page
 * bundles its scripts (no CDN needed): about 9 MB, from a module of about
 * 45 MB in memory, loaded when a browser first asks. Rendered per request,
 * a few dozen browsers opening it at once held a copy each and could exhaust
 * a capped heap. The options are the gateway's own, the same every time.
 */
function renderOnce(): (options: GraphiQLOptions) => Promise<Uint8Array<ArrayBuffer>> {
  let page: Promise<Uint8Array<ArrayBuffer>> | undefined;
  return (options) => {
    page ??= import('@graphql-yoga/render-graphiql').then(
      (module) => Buffer.from(module.renderGraphiQL(options)),
      (error: unknown) => {
        // A failed load is tried again by the next browser.
        page = undefined;
        throw error;
      },
    );
    return page;
  };
}
