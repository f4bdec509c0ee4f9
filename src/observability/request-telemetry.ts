// What each GraphQL request tells its operators: a request id (taken from
// `x-request-id` or made, and echoed), spans for the HTTP request and for
// each operation with its parse, validate and execute, the operations'
// metrics, and one log line per request. Upstream calls join the operation's
// span through the context (see graphql/context.ts).

import { randomUUID } from 'node:crypto';
import { ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { type DocumentNode, type ExecutionResult, GraphQLError, getOperationAST } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Logger } from 'pino';
import { ownFieldsLogger } from './logger.ts';
import type { GatewayMetrics } from './metrics.ts';
import {
  type OperationRecord,
  type OperationTelemetry,
  type RequestRecord,
  refusedOperation,
  startOperation,
} from './operation-record.ts';
import { endRequestSpan, sampledTraceId, startRequestSpan } from './request-span.ts';

export type { OperationTelemetry } from './operation-record.ts';

export interface RequestTelemetryOptions {
  readonly metrics: GatewayMetrics;
  readonly logger: Logger;
  /** Spans are made, and error responses carry `extensions.traceId`. */
  readonly tracing: boolean;
  /** The GraphQL endpoint's path: the route of the request spans that reach it. */
  readonly graphqlEndpoint: string;
  /** The clock durations are read from (ms; only differences count); default `performance.now`. Tests move it. */
  readonly now?: () => number;
}

export interface RequestTelemetry extends Plugin {
  /** The telemetry of the operation whose context this is (yoga's: one per operation, a batch's too). */
  operationOf(context: object): OperationTelemetry | undefined;
  /** Tells an operation's record which document it runs: its persisted id, or an arbitrary document's hash. */
  identify(context: object, identity: { readonly persistedId?: string; readonly documentHash?: string }): void;
}

export const requestIdHeader = 'x-request-id';

/** A caller's request id is kept only if it is short and plain; otherwise one is made. */
const acceptableRequestId = /^[\w.:@=+/-]{1,128}$/;

/** What the plugin's hooks share: the requests and operations under way, each forgotten with its request. */
interface TelemetryState {
  readonly options: RequestTelemetryOptions;
  /** Writes the line of each GraphQL request. */
  readonly requestLines: Logger;
  readonly requests: WeakMap<Request, RequestRecord>;
  /**
   * By each operation's context: it stays the same object from its params to
   * its result, while its params may be replaced (a persisted id by its document).
   */
  readonly operations: WeakMap<object, OperationRecord>;
  /** The clock durations are read from. */
  readonly now: () => number;
}

export function useRequestTelemetry(options: RequestTelemetryOptions): RequestTelemetry {
  const state: TelemetryState = {
    options,
    requestLines: ownFieldsLogger(options.logger),
    requests: new WeakMap(),
    operations: new WeakMap(),
    now: options.now ?? performance.now.bind(performance),
  };
  const { requests, operations } = state;
  return {
    operationOf: (context) => operations.get(context),
    identify: (context, identity) => operations.get(context)?.identify(identity),

    onRequest({ request, url }) {
      startRequest(state, request, url);
    },

    onParams({ params, request, context }) {
      const owner = requests.get(request);
      if (owner) addOperation(state, owner, params, context);
    },

    onParse({ context }) {
      const operation = operations.get(context);
      if (!operation) return;
      const span = operation.startPhase('graphql.parse');
      return ({ result }) => {
        if (isDocument(result)) readOperation(operation, result, context.params?.operationName);
        span?.end(!isDocument(result));
      };
    },

    // Only for its span: untraced, the hook would cost every request a call for nothing.
    onValidate: options.tracing
      ? ({ context }) => {
          const span = operations.get(context)?.startPhase('graphql.validate');
          if (!span) return;
          return ({ valid }) => span.end(!valid);
        }
      : undefined,

    onExecute({ args }) {
      const operation = operations.get(args.contextValue as object);
      if (operation) operation.executed = true;
      const span = operation?.startPhase('graphql.execute');
      if (!span) return;
      return { onExecuteDone: () => span.end(false) };
    },

    onExecutionResult({ context }) {
      const operation = operations.get(context);
      if (operation) operation.ended = operation.clock();
    },

    // After the request's errors have their contract codes (graphql/request-errors.ts).
    onResultProcess({ request, result, setResult }) {
      const owner = requests.get(request);
      if (!owner || Symbol.asyncIterator in result) return;
      const withIds = finishOperations(state, owner, Array.isArray(result) ? result : [result]);
      if (withIds) setResult(Array.isArray(result) ? withIds : (withIds[0] as ExecutionResult));
    },

    onResponse({ request, response }) {
      const owner = requests.get(request);
      if (owner) answered(state, owner, response);
      else answeredUnseen(options.logger, request, response);
    },
  };
}

/** Records a request as it arrives: its id, its span when traced, and (at debug) what it is. */
function startRequest({ options, requests, now }: TelemetryState, request: Request, url: URL): void {
  const id = requestIdOf(request);
  const span = options.tracing ? startRequestSpan(request, url, options.graphqlEndpoint) : undefined;
  requests.set(request, {
    id,
    now,
    started: now(),
    span,
    traceId: sampledTraceId(span),
    traceContext: span ? trace.setSpan(ROOT_CONTEXT, span) : undefined,
    operations: [],
  });
  if (options.logger.isLevelEnabled('debug')) {
    options.logger.debug(
      {
        reqId: id,
        traceId: sampledTraceId(span),
        req: { method: request.method, url: request.url, headers: Object.fromEntries(request.headers) },
      },
      'request received',
    );
  }
}

/** Records one operation of `owner` as its params are read (one item of a batch, or the request's only one). */
function addOperation(
  { options, operations }: TelemetryState,
  owner: RequestRecord,
  params: unknown,
  context: object,
): void {
  // A batch item that is not an object: yoga refuses it; it is one operation of no type.
  if (typeof params !== 'object' || params === null) {
    owner.operations.push(refusedOperation(owner, options.metrics));
    return;
  }
  const operation = startOperation(owner, options.metrics);
  operations.set(context, operation);
  owner.operations.push(operation);
}

/** The operation's type and name, from the definition its document runs. */
function readOperation(operation: OperationRecord, document: DocumentNode, operationName: string | undefined): void {
  const definition = getOperationAST(document, operationName);
  if (definition) operation.readDefinition(definition);
}

/**
 * Finishes each operation of `owner` with its result. When traced, a result
 * with errors gets the trace id in each of them: the results as they are to
 * be sent then, undefined when none changed.
 */
function finishOperations(
  { options }: TelemetryState,
  owner: RequestRecord,
  results: readonly ExecutionResult[],
): ExecutionResult[] | undefined {
  // Refused before any operation was read (a batch too large, a body that is not JSON): one operation of no type.
  if (owner.operations.length === 0) owner.operations.push(refusedOperation(owner, options.metrics));
  let withIds: ExecutionResult[] | undefined;
  results.forEach((one, index) => {
    const operation = owner.operations[index];
    if (!operation) return;
    operation.finish(one);
    const traceId = operation.traceId ?? owner.traceId;
    if (traceId && one.errors?.length) {
      withIds ??= [...results];
      withIds[index] = withTraceId(one, traceId);
    }
  });
  return withIds;
}

/** A request this plugin saw, answered: its id echoed, its span ended, and its line written. */
function answered({ options, requestLines }: TelemetryState, owner: RequestRecord, response: Response): void {
  response.headers.set(requestIdHeader, owner.id);
  if (owner.span) endRequestSpan(owner.span, response.status);
  const durationMs = Math.round((owner.now() - owner.started) * 100) / 100;
  if (owner.operations.length === 0) {
    // Not a GraphQL request (an unknown path, say): nothing an operator needs at info.
    options.logger.debug({ reqId: owner.id, status: response.status, durationMs }, 'request answered');
    return;
  }
  const batched = owner.operations.length > 1;
  const pick = <T>(read: (operation: OperationRecord) => T) =>
    batched ? owner.operations.map(read) : read(owner.operations[0] as OperationRecord);
  // Only fields the gateway makes, none an object: this logger has no wildcard redaction (see ownFieldsLogger).
  requestLines.info(
    {
      reqId: owner.id,
      traceId: owner.traceId,
      status: response.status,
      durationMs,
      operationType: pick((operation) => operation.type),
      operationName: pick((operation) => operation.name ?? null),
      ...identities(owner.operations, pick),
      outcome: pick((operation) => operation.outcome ?? 'error'),
      upstreamCalls: owner.operations.reduce((sum, operation) => sum + operation.calls, 0),
      errorCodes: [...new Set(owner.operations.flatMap((operation) => operation.codes))],
    },
    'graphql request',
  );
}

/** The log line's persisted ids and document hashes, when any operation has one. */
function identities(
  operations: readonly OperationRecord[],
  pick: <T>(read: (operation: OperationRecord) => T) => T | T[],
): { persistedId?: unknown; documentHash?: unknown } {
  const fields: { persistedId?: unknown; documentHash?: unknown } = {};
  if (operations.some((operation) => operation.persistedId !== undefined)) {
    fields.persistedId = pick((operation) => operation.persistedId ?? null);
  }
  if (operations.some((operation) => operation.documentHash !== undefined)) {
    fields.documentHash = pick((operation) => operation.documentHash ?? null);
  }
  return fields;
}

/** Answered by yoga before this plugin saw it: a health check, a CORS preflight, GraphiQL's page. */
function answeredUnseen(logger: Logger, request: Request, response: Response): void {
  const id = requestIdOf(request);
  response.headers.set(requestIdHeader, id);
  logger.debug({ reqId: id, method: request.method, status: response.status }, 'request answered');
}

/** The caller's request id when it is short and plain; otherwise a new one. */
function requestIdOf(request: Request): string {
  return requestIdFrom(request.headers.get(requestIdHeader));
}

/** The request id for what a caller sent in `x-request-id` (absent: null or undefined). */
export function requestIdFrom(given: string | null | undefined): string {
  return typeof given === 'string' && acceptableRequestId.test(given) ? given : randomUUID();
}

function isDocument(value: unknown): value is DocumentNode {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'Document';
}

/** The same result, each error carrying the trace id, so a caller's report leads to the trace. */
function withTraceId(result: ExecutionResult, traceId: string): ExecutionResult {
  return {
    ...result,
    errors: result.errors?.map(
      (error) =>
        new GraphQLError(error.message, {
          nodes: error.nodes,
          source: error.source,
          positions: error.positions,
          path: error.path,
          originalError: error.originalError,
          extensions: { ...error.extensions, traceId },
        }),
    ),
  };
}
