// startGateway is what main.ts runs and what the tests run: started, it
// serves on its ports; failing to start, it leaves nothing open behind it.

import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { startDemoUpstream } from '../../src/demo/upstream.ts';
import { startGateway } from '../../src/gateway/start-gateway.ts';
import { createLogger } from '../../src/observability/logger.ts';

/** A port that some other program holds, closed with the test. */
async function takenPort() {
  const holder = createServer();
  holder.listen(0, '127.0.0.1');
  await once(holder, 'listening');
  return { port: (holder.address() as AddressInfo).port, close: () => new Promise((done) => holder.close(done)) };
}

/** Whether anything accepts connections on the port. */
async function listening(port: number): Promise<boolean> {
  const probe = createServer();
  probe.listen(port, '127.0.0.1');
  const bound = await Promise.race([once(probe, 'listening').then(() => true), once(probe, 'error').then(() => false)]);
  if (bound) await new Promise((done) => probe.close(done));
  return !bound;
}

describe('startGateway', () => {
  it('serves GraphQL and its metrics on the ports it reports, and closes both', async () => {
    await using upstream = await startDemoUpstream();
    const config = loadConfig({ LOG_LEVEL: 'silent' });
    const running = await startGateway(
      {
        ...config,
        upstreamUrl: new URL(upstream.url),
        port: 0,
        host: '127.0.0.1',
        observability: { ...config.observability, metricsPort: 0, metricsHost: '127.0.0.1' },
      },
      { logger: createLogger({ level: 'silent', format: 'json' }) },
    );
    const answer = await fetch(`http://127.0.0.1:${running.port}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ organization(restId: "wayne") { assistants(first: 1) { nodes { name } } } }' }),
    });
    expect(answer.status).toBe(200);
    const metrics = await fetch(`http://127.0.0.1:${running.metricsPort}/metrics`);
    expect(await metrics.text()).toMatch(/^graphql_operations_total\{/m);
    await running.close(0);
    await running.closeMetrics();
    expect(await listening(running.port)).toBe(false);
    expect(await listening(running.metricsPort as number)).toBe(false);
  });

  it('fails to start on a taken METRICS_PORT, naming it, and leaves its GraphQL port closed', async () => {
    await using upstream = await startDemoUpstream();
    const taken = await takenPort();
    const graphqlPort = await takenPort();
    // A port known to be free a moment ago: the gateway must let it go again when it fails.
    await graphqlPort.close();
    const config = loadConfig({ LOG_LEVEL: 'silent' });
    const start = startGateway(
      {
        ...config,
        upstreamUrl: new URL(upstream.url),
        port: graphqlPort.port,
        host: '127.0.0.1',
        observability: { ...config.observability, metricsPort: taken.port, metricsHost: '127.0.0.1' },
      },
      { logger: createLogger({ level: 'silent', format: 'json' }) },
    );
    await expect(start).rejects.toThrow(`METRICS_PORT ${taken.port} is already in use`);
    expect(await listening(graphqlPort.port)).toBe(false);
    await taken.close();
  });
});
