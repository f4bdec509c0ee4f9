// The GraphQL server (a yoga instance) over an upstream client: the schema,
// each request's context, GraphiQL, CORS, and the plugins in the order they
// must run. It never listens: http/http-server.ts serves it.

import { costLimitPlugin } from '@escape.tech/graphql-armor-cost-limit';
import { maxAliasesPlugin } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthPlugin } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesPlugin } from '@escape.tech/graphql-armor-max-directives';
import { maxTokensPlugin } from '@escape.tech/graphql-armor-max-tokens';
import { createYoga, type GraphiQLOptions, maskError, type YogaServerOptions } from 'graphql-yoga';
import type { Logger } from 'pino';
import { isGraphQLError, LimitExceededError } from '../contract/errors.ts';
import { useCompiledExecution } from '../graphql/compiled-execution.ts';
import { useConnectionNestingLimit } from '../graphql/connection-nesting.ts';
import { type Context, createContextFactory } from '../graphql/context.ts';
import { createDocumentCache } from '../graphql/document-cache.ts';
import { useDocumentFacts } from '../graphql/document-facts.ts';
import { exampleQuery } from '../graphql/example-query.ts';
import { useIntrospectionLimits } from '../graphql/introspection.ts';
import { rejectedBy, useRequestErrorCodes } from '../graphql/request-errors.ts';
import { useResultSerializer } from '../graphql/result-serializer.ts';
import { useStaleExtension } from '../graphql/stale-extension.ts';
import { corsPolicy, useVaryByOrigin } from '../http/cors.ts';
import { yogaLogger } from '../observability/logger.ts';
import type { GatewayMetrics } from '../observability/metrics.ts';
import type { useRequestTelemetry } from '../observability/request-telemetry.ts';
import { createSchema } from '../schema/index.ts';
import { assistantsPathTemplate, type UpstreamClient } from '../upstream/client.ts';
import { createConcurrencyLimit } from '../upstream/concurrency-limit.ts';
import type { GatewayConfig } from './gateway-config.ts';

export interface GraphQLServerOptions {
  readonly client: UpstreamClient;
  readonly metrics: GatewayMetrics;
  readonly logger: Logger;
  readonly telemetry: ReturnType<typeof useRequestTelemetry>;
}

export function createGraphQLServer(
  config: GatewayConfig,
  { client, metrics, logger, telemetry }: GraphQLServerOptions,
) {
  const { limits, caches } = config;
  const documentCache = createDocumentCache(caches.documentBytes);
  const compiledExecution = useCompiledExecution({
    maxBytes: caches.compiledBytes,
    compileAfterUses: caches.compileAfterUses,
  });
  const yoga = createYoga<Record<string, unknown>, Context>({
    schema: createSchema({ exposeSecretKeys: config.exposeSecretKeys, maxEntities: limits.maxEntities }),
    context: createContextFactory({
      client,
      paging: { pageBase: config.upstreamPageBase, maxTake: config.upstreamMaxTake },
      maxScanPages: config.refetchMaxPages,
      cursorSearchPages: config.cursorSearchPages,
      pageCache: config.cache.ttlMs > 0,
      countCursorCheck: (status) => metrics.cursorCheck(status),
      scanLimit: refetchScanLimit(config),
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
    renderGraphiQL: renderOnce(),
    graphiql: { title: 'Assistants GraphQL', defaultQuery: exampleQuery },
    maskedErrors: {
      // Known failures are GraphQL errors by the time they get here (see
      // contract/errors.ts): they pass as they are. Anything else is a bug or
      // an unknown failure: yoga logs it, and the caller gets a masked error.
      maskError(error, message, isDev) {
        const original = isGraphQLError(error) ? error.originalError : undefined;
        if (isGraphQLError(error) && (original === undefined || isGraphQLError(original))) return error;
        return maskError(error, message, isDev);
      },
    },
    plugins: pluginsInOrder(config, telemetry, compiledExecution),
  });
  return {
    yoga,
    /** What the server remembers of operations: each bounded by a setting. */
    cacheSizes: () => ({
      documents: documentCache
        ? { count: documentCache.count(), bytes: documentCache.bytes() }
        : { count: 0, bytes: 0 },
      compiledOperations: compiledExecution.compiled(),
    }),
  };
}

type YogaPlugins = NonNullable<YogaServerOptions<Record<string, unknown>, Context>['plugins']>;

/** The plugins in the order they run. */
function pluginsInOrder(
  { limits, introspection }: GatewayConfig,
  telemetry: GraphQLServerOptions['telemetry'],
  compiledExecution: ReturnType<typeof useCompiledExecution>,
): YogaPlugins {
  return [
    // graphql-armor's bounds on a document, each refusal naming its setting.
    maxTokensPlugin({ n: limits.maxTokens, onReject: [rejectedBy('MAX_TOKENS')] }),
    maxDepthPlugin({ n: limits.maxDepth, flattenFragments: true, onReject: [rejectedBy('MAX_DEPTH')] }),
    maxAliasesPlugin({ n: limits.maxAliases, onReject: [rejectedBy('MAX_ALIASES')] }),
    maxDirectivesPlugin({ n: limits.maxDirectives, onReject: [rejectedBy('MAX_DIRECTIVES')] }),
    costLimitPlugin({ maxCost: limits.maxCost, onReject: [rejectedBy('MAX_COST')] }),
    useVaryByOrigin(),
    useConnectionNestingLimit(),
    useDocumentFacts(),
    useIntrospectionLimits({ enabled: introspection }),
    useRequestErrorCodes(),
    useStaleExtension(),
    // After the error codes are the contract's, before the result is serialised.
    telemetry,
    compiledExecution,
    useResultSerializer(),
  ];
}

/** Refetches that scan pages run a few at a time (REFETCH_MAX_SCANS), the rest wait in a bounded line. */
function refetchScanLimit(config: GatewayConfig) {
  return createConcurrencyLimit({
    maxActive: config.refetchMaxScans,
    maxWaiting: config.refetchMaxWaiting,
    refusal: () =>
      new LimitExceededError(
        `too many refetches are waiting (REFETCH_MAX_SCANS ${config.refetchMaxScans} running, REFETCH_MAX_WAITING ${config.refetchMaxWaiting} waiting)`,
        'REFETCH_MAX_WAITING',
      ),
  });
}

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
