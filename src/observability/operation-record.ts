// What request telemetry keeps of an HTTP request and of each GraphQL
// operation in it, until the response: the operation's metrics, its span and
// the spans of its phases (parse, validate, execute) are made from it.

import { type Span, SpanKind, SpanStatusCode, type Context as TraceContext, trace } from '@opentelemetry/api';
import type { ExecutionResult, OperationDefinitionNode } from 'graphql';
import type { GatewayMetrics, OperationOutcome } from './metrics.ts';
import { sampledTraceId } from './request-span.ts';
import { tracer } from './tracing.ts';

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
  /** The upstream calls counted so far. */
  readonly calls: number;
  /** Counts one call refused by MAX_UPSTREAM_CALLS. */
  callLimitExceeded(): void;
}

export interface RequestRecord {
  readonly id: string;
  /** The clock its times are read from (ms; only differences count). */
  readonly now: () => number;
  readonly started: number;
  readonly span: Span | undefined;
  /** When the trace is sampled. */
  readonly traceId: string | undefined;
  readonly traceContext: TraceContext | undefined;
  readonly operations: OperationRecord[];
}

/** A phase of an operation, open until it ends (or the operation does). */
export interface PhaseSpan {
  end(failed: boolean): void;
}

/** One operation of a request: what its metrics, log line and spans are made of. */
export class OperationRecord implements OperationTelemetry {
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
  /** The persisted document's id it was asked for by, if any. */
  persistedId: string | undefined = undefined;
  /** An arbitrary document's SHA-256, when PERSISTED_DOCUMENTS_MODE=log asks for it. */
  documentHash: string | undefined = undefined;

  constructor(
    readonly requestId: string,
    readonly traceId: string | undefined,
    readonly traceParent: TraceContext | undefined,
    readonly started: number,
    readonly span: Span | undefined,
    private readonly metrics: GatewayMetrics,
    /** The request's clock. */
    readonly clock: () => number,
  ) {}

  upstreamCall(): void {
    this.calls++;
  }

  callLimitExceeded(): void {
    this.metrics.upstreamCallLimitExceeded();
  }

  /** Takes its type and name from its document (never the request's `operationName`: that could be any text). */
  readDefinition(definition: OperationDefinitionNode): void {
    this.type = definition.operation;
    this.name = definition.name?.value;
    this.span?.updateName(this.name ? `${definition.operation} ${this.name}` : definition.operation);
  }

  /** Which document it runs (graphql/trusted-documents.ts). */
  identify(identity: { readonly persistedId?: string; readonly documentHash?: string }): void {
    this.persistedId = identity.persistedId ?? this.persistedId;
    this.documentHash = identity.documentHash ?? this.documentHash;
  }

  /** A phase's span, kept open on the operation until its end (or the operation's) closes it; untraced, none. */
  startPhase(name: string): PhaseSpan | undefined {
    if (!this.traceParent) return undefined;
    const span = tracer.startSpan(name, {}, this.traceParent);
    this.openSpans ??= new Set();
    const { openSpans } = this;
    openSpans.add(span);
    return {
      end(failed: boolean) {
        if (failed) span.setStatus({ code: SpanStatusCode.ERROR });
        span.end();
        openSpans.delete(span);
      },
    };
  }

  /** Ends it with its result: counts it, then ends its spans. */
  finish(result: ExecutionResult): void {
    const errors = result.errors ?? [];
    this.codes = errors.map(codeOf);
    this.outcome = errors.length === 0 ? 'ok' : result.data == null ? 'error' : 'partial';
    this.metrics.operation(
      this.type,
      this.executed ? this.name : undefined,
      this.outcome,
      ((this.ended ?? this.clock()) - this.started) / 1_000,
      this.calls,
    );
    for (const code of this.codes) this.metrics.error(code);
    this.endSpans();
  }

  /** A phase still open failed (a rule threw); the operation's span tells its outcome. */
  private endSpans(): void {
    for (const phase of this.openSpans ?? []) {
      phase.setStatus({ code: SpanStatusCode.ERROR });
      phase.end();
    }
    this.openSpans = undefined;
    const { span } = this;
    if (!span) return;
    span.setAttribute('graphql.operation.type', this.type);
    if (this.name !== undefined) span.setAttribute('graphql.operation.name', this.name);
    if (this.persistedId !== undefined) span.setAttribute('graphql.document.id', this.persistedId);
    if (this.documentHash !== undefined) span.setAttribute('graphql.document.hash', this.documentHash);
    span.setAttribute('upstream.calls', this.calls);
    if (this.outcome !== 'ok') {
      span.setAttribute('error.type', this.codes[0] ?? 'unknown');
      span.setStatus({ code: SpanStatusCode.ERROR, message: this.codes.join(', ') });
    }
    span.end();
  }
}

/** An operation of `owner` whose params were read, under its own span when the request is traced. */
export function startOperation(owner: RequestRecord, metrics: GatewayMetrics): OperationRecord {
  const span = owner.traceContext
    ? tracer.startSpan('graphql.operation', { kind: SpanKind.INTERNAL }, owner.traceContext)
    : undefined;
  return newOperation(owner, metrics, owner.now(), span);
}

/** An operation of `owner` refused before it was read: no type, no span, timed from the request's start. */
export function refusedOperation(owner: RequestRecord, metrics: GatewayMetrics): OperationRecord {
  return newOperation(owner, metrics, owner.started);
}

function newOperation(owner: RequestRecord, metrics: GatewayMetrics, started: number, span?: Span): OperationRecord {
  return new OperationRecord(
    owner.id,
    sampledTraceId(span),
    span && owner.traceContext ? trace.setSpan(owner.traceContext, span) : undefined,
    started,
    span,
    metrics,
    owner.now,
  );
}

function codeOf(error: { extensions?: Record<string, unknown> }): string {
  const code = error.extensions?.code;
  return typeof code === 'string' ? code : 'INTERNAL_SERVER_ERROR';
}
