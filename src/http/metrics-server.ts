// The metrics listener: Prometheus text at `/metrics`, on a port of its own
// (METRICS_PORT) so that it is never served on the public GraphQL port.

import { createServer, type Server } from 'node:http';

/** Scrapers are few; anything more is not a scraper. */
const maxScrapeConnections = 32;

/** Where the text comes from: a prom-client registry, or the workers' metrics summed (cluster/cluster-metrics.ts). */
export interface MetricsSource {
  readonly contentType: string;
  metrics(): Promise<string>;
}

export function createMetricsServer(registry: MetricsSource): Server {
  const server = createServer({ headersTimeout: 5_000, requestTimeout: 10_000 }, (request, response) => {
    const path = (request.url ?? '').split('?')[0];
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
