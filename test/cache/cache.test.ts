// The page cache in one process (CACHE_TTL_MS and its windows), counted by
// the demo upstream itself: hits cost no call, credentials never share an
// entry, the upstream's and the caller's Cache-Control are honoured, ETags
// revalidate, and stale pages are served (and said to be) only when allowed.

import { describe, expect, it, vi } from 'vitest';
import { createSeedData } from '../../src/demo/seed.ts';
import { encodeGlobalId } from '../../src/schema/global-id.ts';
import { manualClock, startTestGateway } from '../helpers/gateway.ts';
import { callsUnderWay } from '../helpers/waits.ts';

const seed = createSeedData();
const firstPage = (org: string) => `{ organization(restId: "${org}") { assistants(first: 3) { nodes { restId } } } }`;
const restIds = (org: string) =>
  seed
    .get(org)
    ?.slice(0, 3)
    .map((assistant) => ({ restId: assistant.id }));
const lookups = async (gateway: { metricsText(): Promise<string> }, result: string) =>
  Number(
    new RegExp(`upstream_cache_lookups_total\\{result="${result}"\\} (\\d+)`).exec(await gateway.metricsText())?.[1] ??
      0,
  );

describe('with CACHE_TTL_MS', () => {
  it('the second identical request costs no upstream call', async () => {
    await using gateway = await startTestGateway({ env: { CACHE_TTL_MS: '60000' } });
    for (let i = 0; i < 3; i++) {
      const answer = await gateway.query(firstPage('acme'));
      expect(answer.data.organization.assistants.nodes).toEqual(restIds('acme'));
      expect(answer.extensions).toBeUndefined();
    }
    expect(gateway.upstream.requestCount).toBe(1);
    expect(await lookups(gateway, 'miss')).toBe(1);
    expect(await lookups(gateway, 'hit')).toBe(2);
  });

  it('another token costs its own calls and never sees what the first one fetched', async () => {
    await using gateway = await startTestGateway({
      env: { CACHE_TTL_MS: '60000' },
      upstream: {
        access: new Map([
          ['Bearer sees-acme', new Set(['acme'])],
          ['Bearer sees-globex', new Set(['globex'])],
        ]),
      },
    });
    const allowed = await gateway.query(firstPage('acme'), {}, { authorization: 'Bearer sees-acme' });
    expect(allowed.data.organization.assistants.nodes).toEqual(restIds('acme'));
    const other = await gateway.query(firstPage('acme'), {}, { authorization: 'Bearer sees-globex' });
    expect(other.data.organization.assistants).toBeNull();
    expect(other.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(gateway.upstream.requests.map((request) => request.authorization)).toEqual([
      'Bearer sees-acme',
      'Bearer sees-globex',
    ]);
  });

  it("honours the upstream's no-store, and its max-age over the TTL", async () => {
    await using gateway = await startTestGateway({ env: { CACHE_TTL_MS: '60000' } });
    gateway.upstream.inject({ orgId: 'acme', cacheControl: 'no-store' });
    gateway.upstream.inject({ orgId: 'wayne', cacheControl: 'max-age=0' });
    for (let i = 0; i < 2; i++) {
      await gateway.query(firstPage('acme'));
      await gateway.query(firstPage('wayne'));
    }
    expect(gateway.upstream.requests.map((request) => request.orgId)).toEqual(['acme', 'wayne', 'acme', 'wayne']);
    // wayne's page was kept with its ETag, so the second call was a revalidation.
    expect(await lookups(gateway, 'revalidated')).toBe(1);
  });

  it("a caller's no-cache revalidates (a 304 from the ETag), and its no-store bypasses the cache", async () => {
    await using gateway = await startTestGateway({ env: { CACHE_TTL_MS: '60000' } });
    await gateway.query(firstPage('acme'));
    const revalidated = await gateway.query(firstPage('acme'), {}, { 'cache-control': 'no-cache' });
    expect(revalidated.data.organization.assistants.nodes).toEqual(restIds('acme'));
    expect(await lookups(gateway, 'revalidated')).toBe(1);
    await gateway.query(firstPage('acme'), {}, { 'cache-control': 'no-store' });
    expect(await lookups(gateway, 'bypass')).toBe(1);
    expect(gateway.upstream.requestCount).toBe(3);
    await gateway.query(firstPage('acme'));
    expect(gateway.upstream.requestCount).toBe(3);
  });

  it('after expiry, a kept ETag makes the upstream answer 304, and the page is fresh again', async () => {
    const clock = manualClock();
    await using gateway = await startTestGateway({ env: { CACHE_TTL_MS: '100' }, now: clock.now });
    await gateway.query(firstPage('globex'));
    clock.advance(150);
    const again = await gateway.query(firstPage('globex'));
    expect(again.data.organization.assistants.nodes).toEqual(restIds('globex'));
    expect(again.extensions).toBeUndefined();
    expect(await lookups(gateway, 'revalidated')).toBe(1);
    expect(gateway.upstream.requestCount).toBe(2);
  });
});

describe('stale-while-revalidate', () => {
  it('answers at once from the stale page, says so, and sends exactly one refresh under 20 concurrent requests', async () => {
    // Without coalescing, so that only the cache's own rule (one refresh per page) holds the refreshes to one.
    const clock = manualClock();
    await using gateway = await startTestGateway({
      env: { CACHE_TTL_MS: '100', CACHE_STALE_WHILE_REVALIDATE_MS: '60000', UPSTREAM_COALESCE: 'false' },
      now: clock.now,
    });
    await gateway.query(firstPage('initech'));
    clock.advance(150);
    // The refresh is held at the upstream: every answer below comes from the stale page while it is under way.
    const refresh = gateway.upstream.hold('initech');
    const answers = await Promise.all(Array.from({ length: 20 }, () => gateway.query(firstPage('initech'))));
    await refresh.arrived;
    refresh.release();
    for (const answer of answers) {
      expect(answer.data.organization.assistants.nodes).toEqual(restIds('initech'));
      expect(answer.extensions?.stale).toEqual([
        { path: ['organization', 'assistants'], ageSeconds: expect.any(Number) },
      ]);
    }
    // The refresh is over once the gateway has read its answer.
    await vi.waitFor(async () => expect(await callsUnderWay(gateway)).toBe(0));
    expect(gateway.upstream.requestCount).toBe(2);
    expect(await lookups(gateway, 'stale')).toBe(20);
    // Refreshed: fresh again, no call, nothing stale.
    const after = await gateway.query(firstPage('initech'));
    expect(after.extensions).toBeUndefined();
    expect(gateway.upstream.requestCount).toBe(2);
  });
});

describe('what is never served from the cache', () => {
  it('a page whose background refresh meets 401, 403 or 404 is dropped: the next request gets the error', async () => {
    const clock = manualClock();
    await using gateway = await startTestGateway({
      env: { CACHE_TTL_MS: '100', CACHE_STALE_WHILE_REVALIDATE_MS: '60000' },
      now: clock.now,
    });
    await gateway.query(firstPage('globex'));
    clock.advance(150);
    gateway.upstream.inject({ orgId: 'globex', status: 403 });
    const stale = await gateway.query(firstPage('globex'));
    expect(stale.extensions?.stale).toHaveLength(1);
    await vi.waitFor(() => expect(gateway.upstream.requestCount).toBe(2));
    await vi.waitFor(async () => {
      const refused = await gateway.query(firstPage('globex'));
      expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      expect(refused.extensions).toBeUndefined();
    });
  });

  it('once a request met a 403, a page of that org is not served stale while it revalidates: the upstream is asked first', async () => {
    const access = new Map([['Bearer holder', new Set(['globex'])]]);
    const clock = manualClock();
    await using gateway = await startTestGateway({
      env: { CACHE_TTL_MS: '100', CACHE_STALE_WHILE_REVALIDATE_MS: '600000' },
      upstream: { access },
      now: clock.now,
    });
    const holder = { authorization: 'Bearer holder' };
    await gateway.query(firstPage('globex'), {}, holder);
    clock.advance(150);
    access.set('Bearer holder', new Set());
    const asked = await gateway.query(firstPage('globex'), {}, { ...holder, 'cache-control': 'no-cache' });
    expect(asked.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const next = await gateway.query(firstPage('globex'), {}, holder);
    expect(next.data.organization.assistants).toBeNull();
    expect(next.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(next.extensions).toBeUndefined();
    expect(gateway.upstream.requestCount).toBe(3);
  });

  it('a body that does not decode is not kept', async () => {
    await using gateway = await startTestGateway({ env: { CACHE_TTL_MS: '60000' } });
    gateway.upstream.inject({ orgId: 'acme', body: 'malformed', times: 1 });
    const broken = await gateway.query(firstPage('acme'));
    expect(broken.errors?.[0]?.extensions?.code).toBe('UPSTREAM_BAD_RESPONSE');
    const fine = await gateway.query(firstPage('acme'));
    expect(fine.data.organization.assistants.nodes).toEqual(restIds('acme'));
    expect(gateway.upstream.requestCount).toBe(2);
  });
});

describe('stale-if-error', () => {
  const env = {
    CACHE_TTL_MS: '100',
    CACHE_STALE_IF_ERROR_MS: '60000',
    UPSTREAM_RETRIES: '0',
    UPSTREAM_TIMEOUT_MS: '300',
  };

  it('serves the stale page when the upstream answers 503, times out, or cannot be reached', async () => {
    const clock = manualClock();
    await using gateway = await startTestGateway({ env, now: clock.now });
    await gateway.query(firstPage('acme'));
    clock.advance(150);
    for (const fault of [{ status: 503 }, { latencyMs: 1_000 }]) {
      gateway.upstream.inject({ orgId: 'acme', times: 1, ...fault });
      const answer = await gateway.query(firstPage('acme'));
      expect(answer.errors).toBeUndefined();
      expect(answer.data.organization.assistants.nodes).toEqual(restIds('acme'));
      expect(answer.extensions?.stale).toEqual([
        { path: ['organization', 'assistants'], ageSeconds: expect.any(Number) },
      ]);
    }
    await gateway.upstream.close();
    const unreachable = await gateway.query(firstPage('acme'));
    expect(unreachable.data.organization.assistants.nodes).toEqual(restIds('acme'));
    expect(unreachable.extensions?.stale).toHaveLength(1);
  });

  it('lists refetched objects served from a stale page: node, each entry of nodes, each entity', async () => {
    const clock = manualClock();
    await using gateway = await startTestGateway({ env, now: clock.now });
    const [first, second] = (seed.get('acme') ?? []).map((assistant) =>
      encodeGlobalId('Assistant', `acme/${assistant.id}`),
    );
    const refetch = `{ node(id: "${first}") { id } nodes(ids: ["${first}", "${second}"]) { id }
      _entities(representations: [{ __typename: "Assistant", id: "${second}" }]) { ... on Assistant { id } } }`;
    const fresh = await gateway.query(refetch);
    expect(fresh.errors).toBeUndefined();
    expect(fresh.extensions).toBeUndefined();
    clock.advance(150);
    gateway.upstream.inject({ orgId: 'acme', status: 503 });
    const stale = await gateway.query(refetch);
    expect(stale.errors).toBeUndefined();
    expect(stale.data.nodes.map((node: { id: string }) => node.id)).toEqual([first, second]);
    const age = { ageSeconds: expect.any(Number) };
    expect(stale.extensions?.stale).toEqual(
      expect.arrayContaining([
        { path: ['node'], ...age },
        { path: ['nodes', 0], ...age },
        { path: ['nodes', 1], ...age },
        { path: ['_entities', 0], ...age },
      ]),
    );
    expect(stale.extensions?.stale).toHaveLength(4);
  });

  it('never serves a stale page on 401, 403 or 404: a revoked token or a deleted org is not served on', async () => {
    const clock = manualClock();
    await using gateway = await startTestGateway({ env, now: clock.now });
    for (const [org, status, code] of [
      ['acme', 401, 'UNAUTHENTICATED'],
      ['globex', 403, 'FORBIDDEN'],
      ['wayne', 404, 'NOT_FOUND'],
    ] as const) {
      await gateway.query(firstPage(org));
      clock.advance(150);
      gateway.upstream.inject({ orgId: org, status });
      const answer = await gateway.query(firstPage(org));
      expect(answer.data.organization.assistants).toBeNull();
      expect(answer.errors?.[0]?.extensions?.code).toBe(code);
      expect(answer.extensions).toBeUndefined();
    }
  });
});
