// Watches each upstream call for metrics and traces: one client span per
// call (retries are events on it), named as OpenTelemetry's HTTP conventions
// name client spans, and the trace carried to the REST API in `traceparent`.

import { propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { contractCodeOf } from '../graphql/errors.ts';
import type { CallTelemetry, StartCallTelemetry } from '../upstream/client.ts';
import { UpstreamError, UpstreamStatusError } from '../upstream/errors.ts';
import { type GatewayMetrics, type RetryReason, upstreamRoute } from './metrics.ts';
import { tracer } from './tracing.ts';

export const upstreamSpanName = `GET ${upstreamRoute}`;

export function upstreamTelemetry(metrics: GatewayMetrics | undefined, tracing: boolean): StartCallTelemetry {
  return ({ page, take, traceParent }): CallTelemetry => {
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
    let retries = 0;
    let answered: { status: number | undefined; endTime: number } | undefined;

    /** Counts the call once its outcome is known, and closes its span at the time its answer ended. */
    const settle = (status: number | undefined, failure: unknown, endTime: number) => {
      const outcome = failure === undefined ? 'ok' : outcomeOf(failure);
      metrics?.upstreamCallSettled(status, outcome);
      if (!span) return;
      if (status !== undefined) span.setAttribute('http.response.status_code', status);
      if (retries > 0) span.setAttribute('http.request.resend_count', retries);
      if (failure !== undefined) {
        span.setAttribute('error.type', outcome);
        span.setStatus({ code: SpanStatusCode.ERROR, message: outcome });
      }
      span.end(endTime);
    };

    return {
      propagate(headers) {
        if (span && traceParent) propagation.inject(trace.setSpan(traceParent, span), headers);
      },
      retrying(failure, delayMs) {
        retries++;
        metrics?.upstreamRetry(retryReason(failure));
        span?.addEvent('retry', {
          'http.request.resend_count': retries,
          'http.response.status_code': failure.status ?? 0,
          'retry.delay_ms': delayMs,
        });
      },
      ended({ status, failure, bytes }) {
        metrics?.upstreamCallEnded(status, (performance.now() - started) / 1_000);
        if (bytes > 0) metrics?.upstreamBytesRead(bytes);
        const endTime = performance.timeOrigin + performance.now();
        // A body that arrived is judged when it is decoded, with its batch (see paging/loaders.ts).
        if (failure === undefined) answered = { status, endTime };
        else settle(status, failure, endTime);
      },
      decoded(failure) {
        if (answered) settle(answered.status, failure, answered.endTime);
        answered = undefined;
      },
    };
  };
}

/** The contract's code of a failed call; `cancelled` when its caller went away first (nobody is answered). */
function outcomeOf(failure: unknown): string {
  if (failure instanceof UpstreamError) return contractCodeOf(failure);
  return failure instanceof Error && failure.name === 'AbortError' ? 'cancelled' : 'INTERNAL_SERVER_ERROR';
}

function retryReason(failure: UpstreamError): RetryReason {
  return failure instanceof UpstreamStatusError ? (String(failure.status) as RetryReason) : 'connection';
}
