// Identical upstream GETs in flight at once share one call (UPSTREAM_COALESCE,
// on by default), counted by the demo upstream itself; credentials never share.

import { describe, expect, it, vi } from 'vitest';
import { createSeedData } from '../../src/demo/seed.ts';
import { startTestGateway } from '../helpers/gateway.ts';
import { holdEach } from '../helpers/waits.ts';

const seed = createSeedData();
const firstPage = (org: string) => `{ organization(restId: "${org}") { assistants(first: 5) { nodes { restId } } } }`;
const restIds = (org: string) =>
  seed
    .get(org)
    ?.slice(0, 5)
    .map((assistant) => ({ restId: assistant.id }));

describe('coalescing identical upstream calls', () => {
  it('20 concurrent identical requests cost one upstream call, and all answer in full', async () => {
    await using gateway = await startTestGateway();
    // The one call is held at the upstream until the other 19 requests have joined it.
    const call = gateway.upstream.hold('globex');
    const asked = Array.from({ length: 20 }, () =>
      gateway.query(firstPage('globex'), {}, { authorization: 'Bearer one' }),
    );
    await call.arrived;
    await vi.waitFor(async () =>
      expect(await gateway.metricsText()).toMatch(/upstream_coalesced_total\{scope="local"\} 19/),
    );
    call.release();
    const answers = await Promise.all(asked);
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
        access: new Map([
          ['Bearer sees-acme', new Set(['acme'])],
          ['Bearer sees-globex', new Set(['globex'])],
        ]),
      },
    });
    // Both calls are held at the upstream until both have arrived: in flight at once, yet not shared.
    const calls = holdEach(gateway.upstream, ['acme', 'acme']);
    const asked = Promise.all([
      gateway.query(firstPage('acme'), {}, { authorization: 'Bearer sees-acme' }),
      gateway.query(firstPage('acme'), {}, { authorization: 'Bearer sees-globex' }),
    ]);
    await calls.arrived;
    calls.release();
    const [allowed, refused] = await asked;
    expect(allowed.data.organization.assistants.nodes).toEqual(restIds('acme'));
    expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(gateway.upstream.requests.map((request) => request.authorization).sort()).toEqual([
      'Bearer sees-acme',
      'Bearer sees-globex',
    ]);
  });

  it('a caller that goes away does not cancel the call another still waits on', async () => {
    await using gateway = await startTestGateway();
    // The call is held at the upstream until one caller has joined it and the other has gone.
    const call = gateway.upstream.hold('wayne');
    const leaving = new AbortController();
    const gone = fetch(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: firstPage('wayne') }),
      signal: leaving.signal,
    }).catch((error: unknown) => error);
    await call.arrived;
    const staying = gateway.query(firstPage('wayne'));
    // Leave only once the second caller has joined the call.
    await vi.waitFor(async () =>
      expect(await gateway.metricsText()).toMatch(/upstream_coalesced_total\{scope="local"\} 1/),
    );
    leaving.abort();
    expect(await gone).toBeInstanceOf(Error);
    // The gateway has seen the first caller go once it has finished that caller's operation.
    await vi.waitFor(async () => expect(await gateway.metricsText()).toMatch(/graphql_operations_total\{[^}]*\} 1/));
    call.release();
    const answer = await staying;
    expect(answer.errors).toBeUndefined();
    expect(answer.data.organization.assistants.nodes).toEqual(restIds('wayne'));
    expect(gateway.upstream.requestCount).toBe(1);
  });

  it('the call is cancelled once every caller has gone, and a later caller makes a new one', async () => {
    await using gateway = await startTestGateway();
    // Never released: only the gateway can end this call.
    const call = gateway.upstream.hold('hooli');
    const callers = [new AbortController(), new AbortController()];
    const gone = callers.map((caller) =>
      fetch(gateway.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: firstPage('hooli') }),
        signal: caller.signal,
      }).catch((error: unknown) => error),
    );
    await call.arrived;
    await vi.waitFor(async () =>
      expect(await gateway.metricsText()).toMatch(/upstream_coalesced_total\{scope="local"\} 1/),
    );
    for (const caller of callers) caller.abort();
    await Promise.all(gone);
    await vi.waitFor(() => expect(gateway.upstream.inFlight).toBe(0), { timeout: 3_000 });
    const later = await gateway.query(firstPage('hooli'));
    expect(later.errors).toBeUndefined();
    expect(gateway.upstream.requestCount).toBe(2);
  });

  it('UPSTREAM_COALESCE=false makes every request its own call', async () => {
    await using gateway = await startTestGateway({ env: { UPSTREAM_COALESCE: 'false' } });
    // Every call is held at the upstream until all five have arrived: in flight at once, and not shared.
    const calls = holdEach(gateway.upstream, Array(5).fill('globex'));
    const asked = Promise.all(Array.from({ length: 5 }, () => gateway.query(firstPage('globex'))));
    await calls.arrived;
    calls.release();
    await asked;
    expect(gateway.upstream.requestCount).toBe(5);
  });
});
