// Identical upstream GETs in flight at once share one call (UPSTREAM_COALESCE,
// on by default), counted by the demo upstream itself; credentials never share.

import { describe, expect, it, vi } from 'vitest';
import { createSeedData } from '../../src/demo/seed.ts';
import { startTestGateway } from '../helpers/gateway.ts';

const seed = createSeedData();
const firstPage = (org: string) => `{ organization(restId: "${org}") { assistants(first: 5) { nodes { restId } } } }`;
const restIds = (org: string) =>
  seed
    .get(org)
    ?.slice(0, 5)
    .map((assistant) => ({ restId: assistant.id }));

describe('coalescing identical upstream calls', () => {
  it('20 concurrent identical requests cost one upstream call, and all answer in full', async () => {
    await using gateway = await startTestGateway({ upstream: { latencyMs: 200 } });
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => gateway.query(firstPage('globex'), {}, { authorization: 'Bearer one' })),
    );
    for (const answer of answers) {
      expect(answer.errors).toBeUndefined();
      expect(answer.data.organization.assistants.nodes).toEqual(restIds('globex'));
    }
    expect(gateway.upstream.requestCount).toBe(1);
    expect(await gateway.metricsText()).toMatch(/upstream_coalesced_total\{scope="local"\} 19/);
  });

  it('never shares a call between credentials: each sees what its own token may', async () => {
    await using gateway = await startTestGateway({
      upstream: {
        latencyMs: 200,
        access: new Map([
          ['Bearer sees-acme', new Set(['acme'])],
          ['Bearer sees-globex', new Set(['globex'])],
        ]),
      },
    });
    const [allowed, refused] = await Promise.all([
      gateway.query(firstPage('acme'), {}, { authorization: 'Bearer sees-acme' }),
      gateway.query(firstPage('acme'), {}, { authorization: 'Bearer sees-globex' }),
    ]);
    expect(allowed.data.organization.assistants.nodes).toEqual(restIds('acme'));
    expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(gateway.upstream.requests.map((request) => request.authorization).sort()).toEqual([
      'Bearer sees-acme',
      'Bearer sees-globex',
    ]);
  });

  it('a caller that goes away does not cancel the call another still waits on', async () => {
    await using gateway = await startTestGateway({ upstream: { latencyMs: 400 } });
    const leaving = new AbortController();
    const gone = fetch(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: firstPage('wayne') }),
      signal: leaving.signal,
    }).catch((error: unknown) => error);
    await vi.waitFor(() => expect(gateway.upstream.inFlight).toBe(1));
    const staying = gateway.query(firstPage('wayne'));
    // Leave only once the second caller has joined the call.
    await vi.waitFor(async () =>
      expect(await gateway.metricsText()).toMatch(/upstream_coalesced_total\{scope="local"\} 1/),
    );
    leaving.abort();
    expect(await gone).toBeInstanceOf(Error);
    const answer = await staying;
    expect(answer.errors).toBeUndefined();
    expect(answer.data.organization.assistants.nodes).toEqual(restIds('wayne'));
    expect(gateway.upstream.requestCount).toBe(1);
  });

  it('the call is cancelled once every caller has gone, and a later caller makes a new one', async () => {
    await using gateway = await startTestGateway();
    // Slow enough that only a cancelled call is over within the wait below.
    gateway.upstream.inject({ orgId: 'hooli', latencyMs: 10_000, times: 1 });
    const callers = [new AbortController(), new AbortController()];
    const gone = callers.map((caller) =>
      fetch(gateway.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: firstPage('hooli') }),
        signal: caller.signal,
      }).catch((error: unknown) => error),
    );
    await vi.waitFor(() => expect(gateway.upstream.inFlight).toBe(1));
    for (const caller of callers) caller.abort();
    await Promise.all(gone);
    await vi.waitFor(() => expect(gateway.upstream.inFlight).toBe(0), { timeout: 3_000 });
    const later = await gateway.query(firstPage('hooli'));
    expect(later.errors).toBeUndefined();
    expect(gateway.upstream.requestCount).toBe(2);
  });

  it('UPSTREAM_COALESCE=false makes every request its own call', async () => {
    await using gateway = await startTestGateway({ env: { UPSTREAM_COALESCE: 'false' }, upstream: { latencyMs: 200 } });
    await Promise.all(Array.from({ length: 5 }, () => gateway.query(firstPage('globex'))));
    expect(gateway.upstream.requestCount).toBe(5);
  });
});
