// What each GraphQL request tells its operators: a request id (taken from
// `x-request-id` or made, and echoed), spans for the HTTP request and for
// each operation with its parse, validate and execute, the operations'
// metrics, and one log line per request. Upstream calls join the operation's
// span through the context (see graphql/context.ts).

import { randomUUID } from 'node:crypto';
import {
  propagation,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  type TextMapGetter,
  type Context as TraceContext,
  TraceFlags,
  trace,
} from '@opentelemetry/api';
import { type DocumentNode, type ExecutionResult, GraphQLError, getOperationAST } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Logger } from 'pino';
import { ownFieldsLogger } from './logger.ts';
import type { GatewayMetrics, OperationOutcome } from './metrics.ts';
import { tracer } from './tracing.ts';

export interface RequestTelemetryOptions {
  readonly metrics: GatewayMetrics;
  readonly logger: Logger;
  /** Spans are made, and error responses carry `extensions.traceId`. */
  readonly tracing: boolean;
  /** The GraphQL endpoint's path: the route of the request spans that reach it. */
  readonly graphqlEndpoint: string;
}

/** What an operation's upstream calls need to know of it. */
export interface OperationTelemetry {
  /** The id of the HTTP request it belongs to, for log lines. */
  readonly requestId: string;
  /** The trace id, when tracing is on. */
  readonly traceId: string | undefined;
  /** The operation's span, as the parent of its upstream calls' spans. */
  readonly traceParent: TraceContext | undefined;
  /** Counts one upstream call (retries are part of it). */
  upstreamCall(): void;
  /** Counts one call refused by MAX_UPSTREAM_CALLS. */
  callLimitExceeded(): void;
}

export interface RequestTelemetry extends Plugin {
  /** The telemetry of the operation whose GraphQL params these are. */
  operationOf(params: object): OperationTelemetry | undefined;
}

export const requestIdHeader = 'x-request-id';

/** A caller's request id is kept only if it is short and plain; otherwise one is made. */
const acceptableRequestId = /^[\w.:@=+/-]{1,128}$/;

interface RequestRecord {
  readonly id: string;
  readonly started: number;
  readonly span: Span | undefined;
  /** When the trace is sampled. */
  readonly traceId: string | undefined;
  readonly traceContext: TraceContext | undefined;
  readonly operations: OperationRecord[];
}

/** One operation of a request: what its metrics, log line and spans are made of. */
class OperationRecord implements OperationTelemetry {
  /** Phase spans (parse, validate, execute) not yet ended: a rule that throws skips their end. Made when traced. */
  openSpans: Set<Span> | undefined = undefined;
  /** It reached execution: only then may its name take a label of its own. */
  executed = false;
  type = 'unknown';
  name: string | undefined = undefined;
  calls = 0;
  codes: string[] = [];
  outcome: OperationOutcome | undefined = undefined;
  /** When its result was ready (before serialising): in a batch, before the others are. */
  ended: number | undefined = undefined;

  constructor(
    readonly requestId: string,
    readonly traceId: string | undefined,
    readonly traceParent: TraceContext | undefined,
    readonly started: number,
    readonly span: Span | undefined,
    private readonly metrics: GatewayMetrics,
  ) {}

  upstreamCall(): void {
    this.calls++;
  }

  callLimitExceeded(): void {
    this.metrics.upstreamCallLimitExceeded();
  }
}

const headerGetter: TextMapGetter<Headers> = {
  get: (headers, key) => headers.get(key) ?? undefined,
  keys: (headers) => [...headers.keys()],
};

export function useRequestTelemetry(options: RequestTelemetryOptions): RequestTelemetry {
  const { metrics, logger, tracing } = options;
  const requestLines = ownFieldsLogger(logger);
  const requests = new WeakMap<Request, RequestRecord>();
  const operations = new WeakMap<object, OperationRecord>();

  /** An operation of `owner`, under `span` when traced; with neither, one that was refused before it was read. */
  const newOperation = (owner: RequestRecord, started: number, span?: Span): OperationRecord =>
    new OperationRecord(
      owner.id,
      sampledTraceId(span),
      span && owner.traceContext ? trace.setSpan(owner.traceContext, span) : undefined,
      started,
      span,
      metrics,
    );

  /** The server span of an HTTP request, under the caller's `traceparent` when it sent one. */
  const requestSpan = (request: Request, url: URL): Span => {
    const route = url.pathname === options.graphqlEndpoint ? url.pathname : undefined;
    return tracer.startSpan(
      // Named by the route, never the raw path: a scanner's paths must not each make a span name.
      route ? `${request.method} ${route}` : request.method,
      {
        kind: SpanKind.SERVER,
        attributes: {
          'http.request.method': request.method,
          'url.path': url.pathname,
          ...(route ? { 'http.route': route } : {}),
        },
      },
      propagation.extract(ROOT_CONTEXT, request.headers, headerGetter),
    );
  };

  /** A phase of the operation, kept open on it until its end (or the operation's) closes it. */
  const phaseSpan = (name: string, operation: OperationRecord | undefined) => {
    if (!operation?.traceParent) return undefined;
    const span = tracer.startSpan(name, {}, operation.traceParent);
    operation.openSpans ??= new Set();
    const { openSpans } = operation;
    openSpans.add(span);
    return {
      end(failed: boolean) {
        if (failed) span.setStatus({ code: SpanStatusCode.ERROR });
        span.end();
        openSpans.delete(span);
      },
    };
  };

  function finishOperation(operation: OperationRecord, result: ExecutionResult): void {
    const errors = result.errors ?? [];
    operation.codes = errors.map(codeOf);
    operation.outcome = errors.length === 0 ? 'ok' : result.data == null ? 'error' : 'partial';
    metrics.operation(
      operation.type,
      operation.executed ? operation.name : undefined,
      operation.outcome,
      ((operation.ended ?? performance.now()) - operation.started) / 1_000,
      operation.calls,
    );
    for (const code of operation.codes) metrics.error(code);
    for (const phase of operation.openSpans ?? []) {
      phase.setStatus({ code: SpanStatusCode.ERROR });
      phase.end();
    }
    operation.openSpans = undefined;
    const { span } = operation;
    if (!span) return;
    span.setAttribute('graphql.operation.type', operation.type);
    if (operation.name !== undefined) span.setAttribute('graphql.operation.name', operation.name);
    span.setAttribute('upstream.calls', operation.calls);
    if (operation.outcome !== 'ok') {
      span.setAttribute('error.type', operation.codes[0] ?? 'unknown');
      span.setStatus({ code: SpanStatusCode.ERROR, message: operation.codes.join(', ') });
    }
    span.end();
  }

  return {
    operationOf: (params) => operations.get(params),

    onRequest({ request, url }) {
      const id = requestIdOf(request);
      const span = tracing ? requestSpan(request, url) : undefined;
      requests.set(request, {
        id,
        started: performance.now(),
        span,
        traceId: sampledTraceId(span),
        traceContext: span ? trace.setSpan(ROOT_CONTEXT, span) : undefined,
        operations: [],
      });
      if (logger.isLevelEnabled('debug')) {
        logger.debug(
          {
            reqId: id,
            traceId: sampledTraceId(span),
            req: { method: request.method, url: request.url, headers: Object.fromEntries(request.headers) },
          },
          'request received',
        );
      }
    },

    onParams({ params, request }) {
      const owner = requests.get(request);
      if (!owner) return;
      // A batch item that is not an object: yoga refuses it; it is one operation of no type.
      if (typeof params !== 'object' || params === null) {
        owner.operations.push(newOperation(owner, owner.started));
        return;
      }
      const span = owner.traceContext
        ? tracer.startSpan('graphql.operation', { kind: SpanKind.INTERNAL }, owner.traceContext)
        : undefined;
      const operation = newOperation(owner, performance.now(), span);
      operations.set(params, operation);
      owner.operations.push(operation);
    },

    onParse({ context }) {
      const operation = operations.get(context.params ?? {});
      if (!operation) return;
      const span = phaseSpan('graphql.parse', operation);
      return ({ result }) => {
        if (isDocument(result)) {
          // The name is the document's, not the request's `operationName`: that could be any text.
          const ast = getOperationAST(result, context.params?.operationName);
          if (ast) {
            operation.type = ast.operation;
            operation.name = ast.name?.value;
            operation.span?.updateName(operation.name ? `${ast.operation} ${operation.name}` : ast.operation);
          }
        }
        span?.end(!isDocument(result));
      };
    },

    // Only for its span: untraced, the hook would cost every request a call for nothing.
    onValidate: tracing
      ? ({ context }) => {
          const span = phaseSpan('graphql.validate', operations.get(context.params ?? {}));
          if (!span) return;
          return ({ valid }) => span.end(!valid);
        }
      : undefined,

    onExecute({ args }) {
      const params = (args.contextValue as { params?: object }).params;
      const operation = params ? operations.get(params) : undefined;
      if (operation) operation.executed = true;
      const span = phaseSpan('graphql.execute', operation);
      if (!span) return;
      return { onExecuteDone: () => span.end(false) };
    },

    onExecutionResult({ context }) {
      const operation = operations.get(context.params);
      if (operation) operation.ended = performance.now();
    },

    // After the request's errors have their contract codes (graphql/request-errors.ts).
    onResultProcess({ request, result, setResult }) {
      const owner = requests.get(request);
      if (!owner || Symbol.asyncIterator in result) return;
      const results = Array.isArray(result) ? result : [result];
      // Refused before any operation was read (a batch too large, a body that is not JSON): one operation of no type.
      if (owner.operations.length === 0) owner.operations.push(newOperation(owner, owner.started));
      let withIds: ExecutionResult[] | undefined;
      results.forEach((one, index) => {
        const operation = owner.operations[index];
        if (!operation) return;
        finishOperation(operation, one);
        const traceId = operation.traceId ?? owner.traceId;
        if (traceId && one.errors?.length) {
          withIds ??= [...results];
          withIds[index] = withTraceId(one, traceId);
        }
      });
      if (withIds) setResult(Array.isArray(result) ? withIds : (withIds[0] as ExecutionResult));
    },

    onResponse({ request, response }) {
      const owner = requests.get(request);
      if (!owner) {
        // Answered by yoga before this plugin saw it: a health check, a CORS preflight, GraphiQL's page.
        const id = requestIdOf(request);
        response.headers.set(requestIdHeader, id);
        logger.debug({ reqId: id, method: request.method, status: response.status }, 'request answered');
        return;
      }
      response.headers.set(requestIdHeader, owner.id);
      const { span } = owner;
      if (span) {
        span.setAttribute('http.response.status_code', response.status);
        if (response.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
        span.end();
      }
      const durationMs = Math.round((performance.now() - owner.started) * 100) / 100;
      if (owner.operations.length === 0) {
        // Not a GraphQL request (an unknown path, say): nothing an operator needs at info.
        logger.debug({ reqId: owner.id, status: response.status, durationMs }, 'request answered');
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
          outcome: pick((operation) => operation.outcome ?? 'error'),
          upstreamCalls: owner.operations.reduce((sum, operation) => sum + operation.calls, 0),
          errorCodes: [...new Set(owner.operations.flatMap((operation) => operation.codes))],
        },
        'graphql request',
      );
    },
  };
}

/** The caller's request id when it is short and plain; otherwise a new one. */
function requestIdOf(request: Request): string {
  return requestIdFrom(request.headers.get(requestIdHeader));
}

/** The request id for what a caller sent in `x-request-id` (absent: null or undefined). */
export function requestIdFrom(given: string | null | undefined): string {
  return typeof given === 'string' && acceptableRequestId.test(given) ? given : randomUUID();
}

/** A span's trace id, only if the trace is sampled: an id that leads to no exported trace would mislead. */
function sampledTraceId(span: Span | undefined): string | undefined {
  const context = span?.spanContext();
  return context && (context.traceFlags & TraceFlags.SAMPLED) !== 0 ? context.traceId : undefined;
}

function isDocument(value: unknown): value is DocumentNode {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'Document';
}

function codeOf(error: { extensions?: Record<string, unknown> }): string {
  const code = error.extensions?.code;
  return typeof code === 'string' ? code : 'INTERNAL_SERVER_ERROR';
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
