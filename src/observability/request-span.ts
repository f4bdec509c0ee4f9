// The server span of an HTTP request, and the trace id a caller may be shown:
// only a sampled trace's, since an id that leads to no exported trace would
// mislead.

import {
  propagation,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  type TextMapGetter,
  TraceFlags,
} from '@opentelemetry/api';
import { tracer } from './tracing.ts';

const headerGetter: TextMapGetter<Headers> = {
  get: (headers, key) => headers.get(key) ?? undefined,
  keys: (headers) => [...headers.keys()],
};

/** The server span of an HTTP request, under the caller's `traceparent` when it sent one. */
export function startRequestSpan(request: Request, url: URL, graphqlEndpoint: string): Span {
  const route = url.pathname === graphqlEndpoint ? url.pathname : undefined;
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
}

export function endRequestSpan(span: Span, status: number): void {
  span.setAttribute('http.response.status_code', status);
  if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
  span.end();
}

/** A span's trace id, only if the trace is sampled. */
export function sampledTraceId(span: Span | undefined): string | undefined {
  const context = span?.spanContext();
  return context && (context.traceFlags & TraceFlags.SAMPLED) !== 0 ? context.traceId : undefined;
}
