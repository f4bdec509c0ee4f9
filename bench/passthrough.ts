// The baseline: the least any gateway can do. For `GET /<scenario>` it makes
// that scenario's upstream requests on a keep-alive undici pool and returns
// the upstream bodies unchanged (several joined into one JSON array).

import { createServer } from 'node:http';
import { Pool } from 'undici';
import { scenarios } from './scenarios.ts';

const upstream = new URL(process.env.UPSTREAM_URL ?? 'http://127.0.0.1:8080');
const port = Number(process.env.PORT ?? 0);
const pool = new Pool(upstream.origin, { connections: 64, keepAliveTimeout: 30_000 });
const pathsByScenario = new Map(scenarios.map((scenario) => [`/${scenario.name}`, scenario.upstreamPaths]));

async function fetchBody(path: string): Promise<string> {
  const response = await pool.request({ path, method: 'GET', headers: { accept: 'application/json' } });
  return response.body.text();
}

const server = createServer(async (request, response) => {
  const paths = pathsByScenario.get(request.url ?? '');
  if (!paths) {
    response.writeHead(404).end();
    return;
  }
  try {
    const bodies = await Promise.all(paths.map(fetchBody));
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(bodies.length === 1 ? bodies[0] : `[${bodies.join(',')}]`);
  } catch {
    response.writeHead(502).end();
  }
});

server.listen(port, '127.0.0.1', () => {
  const address = server.address();
  process.send?.({ ready: typeof address === 'object' && address ? address.port : port });
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
// The bench went away without stopping us: nobody is left to measure.
process.on('disconnect', () => process.exit(0));
