// Watches each upstream call for metrics and traces: one client span per
// call (retries are events on it), named as OpenTelemetry's HTTP conventions
// name client spans, and the trace carried to the REST API in `traceparent`.

import {
  propagation,
  type Span,
  SpanKind,
  SpanStatusCode,
  type Context as TraceContext,
  trace,
} from '@opentelemetry/api';
import { type GatewayMetrics, type RetryReason, upstreamRoute } from '../observability/metrics.ts';
import { tracer } from '../observability/tracing.ts';
import { contractCodeOf } from './caller-errors.ts';
import type { CallTelemetry, StartCallTelemetry } from './client.ts';
import { UpstreamError, UpstreamStatusError } from './errors.ts';

export const upstreamSpanName = `GET ${upstreamRoute}`;

export function upstreamTelemetry(metrics: GatewayMetrics | undefined, tracing: boolean): StartCallTelemetry {
  return ({ page, take, traceParent }) => {
    const started = performance.now();
    metrics?.upstreamCallStarted();
    const span =
      tracing && traceParent
        ? tracer.startSpan(
            upstreamSpanName,
            {
              kind: SpanKind.CLIENT,
              attributes: {
                'http.request.method': 'GET',
                'url.template': upstreamRoute,
                'upstream.page': page,
                'upstream.take': take,
              },
            },
            traceParent,
          )
        : undefined;
    return new WatchedCall(started, metrics, span, traceParent);
  };
}

/** One upstream call, watched from its start to its outcome (one object a call: no closures to make). */
class WatchedCall implements CallTelemetry {
  private retries = 0;
  /** A body that arrived is judged when it is decoded, with its batch (see paging/loaders.ts). */
  private answered: { status: number | undefined; endTime: number } | undefined = undefined;

  constructor(
    private readonly started: number,
    private readonly metrics: GatewayMetrics | undefined,
    private readonly span: Span | undefined,
    private readonly traceParent: TraceContext | undefined,
  ) {}

  propagate(headers: Record<string, string>): void {
    if (this.span && this.traceParent) propagation.inject(trace.setSpan(this.traceParent, this.span), headers);
  }

  retrying(failure: UpstreamError, delayMs: number): void {
    this.retries++;
    this.metrics?.upstreamRetry(retryReason(failure));
    this.span?.addEvent('retry', {
      'http.request.resend_count': this.retries,
      'http.response.status_code': failure.status ?? 0,
      'retry.delay_ms': delayMs,
    });
  }

  ended({ status, failure, bytes }: { status: number | undefined; failure: unknown; bytes: number }): void {
    this.metrics?.upstreamCallEnded(status, (performance.now() - this.started) / 1_000);
    if (bytes > 0) this.metrics?.upstreamBytesRead(bytes);
    const endTime = performance.timeOrigin + performance.now();
    if (failure === undefined) this.answered = { status, endTime };
    else this.settle(status, failure, endTime);
  }

  decoded(failure: unknown): void {
    const { answered } = this;
    if (answered) this.settle(answered.status, failure, answered.endTime);
    this.answered = undefined;
  }

  /** Counts the call once its outcome is known, and closes its span at the time its answer ended. */
  private settle(status: number | undefined, failure: unknown, endTime: number): void {
    const outcome = failure === undefined ? 'ok' : outcomeOf(failure);
    this.metrics?.upstreamCallSettled(status, outcome);
    const { span } = this;
    if (!span) return;
    if (status !== undefined) span.setAttribute('http.response.status_code', status);
    if (this.retries > 0) span.setAttribute('http.request.resend_count', this.retries);
    if (failure !== undefined) {
      span.setAttribute('error.type', outcome);
      span.setStatus({ code: SpanStatusCode.ERROR, message: outcome });
    }
    span.end(endTime);
  }
}

/** The contract's code of a failed call; `cancelled` when its caller went away first (nobody is answered). */
function outcomeOf(failure: unknown): string {
  if (failure instanceof UpstreamError) return contractCodeOf(failure);
  return failure instanceof Error && failure.name === 'AbortError' ? 'cancelled' : 'INTERNAL_SERVER_ERROR';
}

function retryReason(failure: UpstreamError): RetryReason {
  return failure instanceof UpstreamStatusError ? (String(failure.status) as RetryReason) : 'connection';
}
