// The GraphQL server (a yoga instance) over an upstream client: the schema,
// each request's context, GraphiQL, CORS, and the plugins in the order they
// must run. It never listens: http/http-server.ts serves it.

import { maxAliasesPlugin } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthPlugin } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesPlugin } from '@escape.tech/graphql-armor-max-directives';
import { maxTokensPlugin } from '@escape.tech/graphql-armor-max-tokens';
import { createYoga, maskError, type YogaServerOptions } from 'graphql-yoga';
import type { Logger } from 'pino';
import { isGraphQLError, LimitExceededError } from '../contract/errors.ts';
import { persistedIdParameters } from '../contract/persisted-ids.ts';
import { useCompiledExecution } from '../graphql/compiled-execution.ts';
import { useConnectionNestingLimit } from '../graphql/connection-nesting.ts';
import { type Context, createContextFactory } from '../graphql/context.ts';
import { type DemandControl, useDemandControl } from '../graphql/demand-control.ts';
import { createDocumentCache } from '../graphql/document-cache.ts';
import { useDocumentFacts } from '../graphql/document-facts.ts';
import { exampleQuery } from '../graphql/example-query.ts';
import { useIntrospectionLimits } from '../graphql/introspection.ts';
import { rejectedBy, useRequestErrorCodes } from '../graphql/request-errors.ts';
import { useResultSerializer } from '../graphql/result-serializer.ts';
import { useStaleExtension } from '../graphql/stale-extension.ts';
import { useCompression } from '../http/compression.ts';
import { corsPolicy, useVaryByOrigin } from '../http/cors.ts';
import { useGraphiQL } from '../http/graphiql.ts';
import { yogaLogger } from '../observability/logger.ts';
import type { GatewayMetrics } from '../observability/metrics.ts';
import type { RequestTelemetry } from '../observability/request-telemetry.ts';
import { createSchema } from '../schema/index.ts';
import { estimateUpstreamCost } from '../schema/upstream-cost.ts';
import { assistantsPathTemplate, type UpstreamClient } from '../upstream/client.ts';
import { createConcurrencyLimit } from '../upstream/concurrency-limit.ts';
import type { GatewayConfig } from './gateway-config.ts';
import { createRateLimits, type RateLimitsSetup } from './rate-limits.ts';
import { createTrustedDocuments, type TrustedDocumentsSetup } from './trusted-documents.ts';

export interface GraphQLServerOptions {
  readonly client: UpstreamClient;
  readonly metrics: GatewayMetrics;
  readonly logger: Logger;
  readonly telemetry: RequestTelemetry;
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
  const trustedDocuments = createTrustedDocuments(config, { metrics, logger, telemetry, compiledExecution });
  const demandControl = demandControlOf(config, metrics, telemetry);
  const rateLimits = rateLimitsOf(config, { metrics, logger, telemetry }, demandControl);
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
    // How clients name a persisted document (graphql/trusted-documents.ts): not refused as unknown parameters.
    extraParamNames: [...persistedIdParameters],
    // http/http-server.ts refuses an oversized or unbounded body before yoga sees it;
    // yoga's own check would pipe every body through a second stream to count it again.
    maxRequestBodySize: false,
    // GraphiQL is http/graphiql.ts's (first of the plugins): a small page and its assets, each compressed once.
    graphiql: false,
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
    // GraphiQL answers before any other plugin sees the request; compression sees the response last.
    plugins: [
      graphiql(config),
      ...pluginsInOrder(config, { telemetry, compiledExecution, trustedDocuments, demandControl, rateLimits }),
      ...(config.compression ? [useCompression()] : []),
    ],
  });
  trustedDocuments.attach(yoga);
  return {
    yoga,
    trustedDocuments,
    rateLimits,
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

/** The plugins made with the server, each of which other parts also reach. */
interface ServerPlugins {
  readonly telemetry: RequestTelemetry;
  readonly compiledExecution: ReturnType<typeof useCompiledExecution>;
  readonly trustedDocuments: TrustedDocumentsSetup;
  readonly demandControl: DemandControl;
  readonly rateLimits: RateLimitsSetup;
}

/** The plugins in the order they run. */
function pluginsInOrder(
  { limits, introspection }: GatewayConfig,
  { telemetry, compiledExecution, trustedDocuments, demandControl, rateLimits }: ServerPlugins,
): YogaPlugins {
  return [
    // graphql-armor's bounds on a document, each refusal naming its setting.
    maxTokensPlugin({ n: limits.maxTokens, onReject: [rejectedBy('MAX_TOKENS')] }),
    maxDepthPlugin({ n: limits.maxDepth, flattenFragments: true, onReject: [rejectedBy('MAX_DEPTH')] }),
    maxAliasesPlugin({ n: limits.maxAliases, onReject: [rejectedBy('MAX_ALIASES')] }),
    maxDirectivesPlugin({ n: limits.maxDirectives, onReject: [rejectedBy('MAX_DIRECTIVES')] }),
    useVaryByOrigin(),
    useConnectionNestingLimit(),
    useDocumentFacts(),
    useIntrospectionLimits({ enabled: introspection }),
    useRequestErrorCodes(),
    useStaleExtension(),
    // After the error codes are the contract's, before the result is serialised.
    telemetry,
    // After telemetry (an operation it refuses is counted with its code), before a document is looked up.
    rateLimits.operations,
    // After telemetry: it records each operation before a persisted id may replace its params, or refuse it.
    ...trustedDocuments.plugins,
    // Priced before it runs: an operation refused here makes no call.
    demandControl,
    // Once priced: its calls are charged to the caller's per-minute count, or it is refused without a call.
    rateLimits.upstreamCalls,
    compiledExecution,
    useResultSerializer(),
  ];
}

/** Operations priced in upstream calls before they run, with what they took counted by their telemetry. */
function demandControlOf(config: GatewayConfig, metrics: GatewayMetrics, telemetry: RequestTelemetry): DemandControl {
  const costOptions = {
    paging: { pageBase: config.upstreamPageBase, maxTake: config.upstreamMaxTake },
    refetchMaxPages: config.refetchMaxPages,
    maxEntities: config.limits.maxEntities,
  };
  return useDemandControl({
    mode: config.demandControl.mode,
    maxUpstreamCalls: config.limits.maxUpstreamCalls,
    costInExtensions: config.demandControl.costInExtensions,
    estimate: (schema, document, variables, operationName) =>
      estimateUpstreamCost(schema, document, variables, operationName, costOptions),
    actualCalls: (context) => telemetry.operationOf(context)?.calls,
    observe: metrics.operationCost,
  });
}

/**
 * Per-caller rate limits (RATE_LIMIT_*): an operation is charged before it
 * runs the calls it makes whatever the lists hold (demand control's
 * estimate), then what its telemetry counted it made.
 */
function rateLimitsOf(
  config: GatewayConfig,
  { metrics, logger, telemetry }: Omit<GraphQLServerOptions, 'client'>,
  demandControl: DemandControl,
) {
  return createRateLimits(config, {
    metrics,
    logger,
    actualUpstreamCalls: (context) => telemetry.operationOf(context)?.calls ?? 0,
    estimateUpstreamCalls: (context) => demandControl.estimateOf(context)?.minimum,
  });
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

/** GraphiQL in a browser at `/graphql`, opening on the example query (GRAPHIQL turns it off). */
function graphiql(config: GatewayConfig) {
  return useGraphiQL({ enabled: config.graphiql, title: 'Assistants GraphQL', defaultQuery: exampleQuery });
}
