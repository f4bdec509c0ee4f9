// The metrics listener: Prometheus text at `/metrics`, and the operators'
// `POST /cache/invalidate` (cache-invalidation.ts), on a port of its own
// (METRICS_PORT) so that neither is ever served on the public GraphQL port.

import { createServer, type Server } from 'node:http';
import { type InvalidateCache, invalidationPath, serveInvalidation } from './cache-invalidation.ts';

/** Scrapers are few; anything more is not a scraper. */
const maxScrapeConnections = 32;

/** Where the text comes from: a prom-client registry, or the workers' metrics summed (cluster/cluster-metrics.ts). */
export interface MetricsSource {
  readonly contentType: string;
  metrics(): Promise<string>;
}

export interface MetricsServerOptions {
  /** Serves `POST /cache/invalidate`: this gateway's page cache, or (in the primary of WORKERS > 1) every worker's. */
  readonly invalidateCache?: InvalidateCache;
  /** When set, `POST /cache/invalidate` takes only `Authorization: Bearer <it>` (CACHE_INVALIDATION_TOKEN). */
  readonly invalidationToken?: string;
}

export function createMetricsServer(registry: MetricsSource, options: MetricsServerOptions = {}): Server {
  const { invalidateCache, invalidationToken } = options;
  const server = createServer({ headersTimeout: 5_000, requestTimeout: 10_000 }, (request, response) => {
    const path = (request.url ?? '').split('?')[0];
    if (path === invalidationPath && invalidateCache) {
      serveInvalidation(request, response, invalidateCache, invalidationToken);
      return;
    }
    if (path !== '/metrics' || (request.method !== 'GET' && request.method !== 'HEAD')) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found: metrics are at /metrics\n');
      return;
    }
    registry.metrics().then(
      (text) => {
        response.writeHead(200, { 'content-type': registry.contentType, 'content-length': Buffer.byteLength(text) });
        response.end(request.method === 'HEAD' ? undefined : text);
      },
      () => response.writeHead(500, { 'content-type': 'text/plain' }).end('metrics could not be collected\n'),
    );
  });
  server.maxConnections = maxScrapeConnections;
  return server;
}
