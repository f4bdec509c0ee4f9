// What a credential the upstream has refused can still get from the page
// cache shared on a real redis-server: once the upstream answers 401, 403 or
// 404 to it, no page kept before that is served to it again — not on a 503,
// not while the circuit is open, not by another replica, not for another page
// of the same organization. And what is kept holds no assistant's secret key.
// Needs Debian's redis-server (.ci/run installs it): without one the suite is
// skipped, except in CI, where it fails.

import { Redis } from 'ioredis';
import { describe, expect, it, vi } from 'vitest';
import { redisBinary, startRedis } from '../../deploy/local-fleet/redis.ts';
import { createSeedData } from '../../src/demo/seed.ts';
import { manualClock, startTestGateway } from '../helpers/gateway.ts';

const skip = redisBinary === undefined && !process.env.CI;
if (skip)
  console.warn(
    "test/cache/revoked-credentials.test.ts skipped: no redis-server (install Debian's redis-server package)",
  );

const seed = createSeedData();
const holder = 'Bearer tok_org_2';
const other = 'Bearer tok_other';
const window = (org: string, first = 4, after?: string) =>
  `{ organization(restId: "${org}") { assistants(first: ${first}${after ? `, after: "${after}"` : ''}) {
      nodes { restId } pageInfo { endCursor } } } }`;
const restIds = (org: string, from: number, count: number) =>
  (seed.get(org) ?? []).slice(from, from + count).map((assistant) => ({ restId: assistant.id }));

/**
 * Pages are fresh for 2 s, then only stale-if-error (for ten minutes) may
 * serve them; the tests move the cache's clock past freshness (`manualClock`).
 */
const cacheEnv = (redisUrl: string) => ({
  REDIS_URL: redisUrl,
  CACHE_KEY_SECRET: 'fleet-secret',
  CACHE_TTL_MS: '2000',
  CACHE_STALE_IF_ERROR_MS: '600000',
  UPSTREAM_RETRIES: '0',
  UPSTREAM_BREAKER_THRESHOLD: '3',
  UPSTREAM_BREAKER_OPEN_MS: '600000',
});

/** Who may see what at the upstream: mutable, so a test can revoke a credential. */
const accessMap = () =>
  new Map([
    [holder, new Set(['globex'])],
    [other, new Set(['acme'])],
  ]);

describe.skipIf(skip)('a credential the upstream refused, with pages shared on Redis', () => {
  it('403 then 503: the refused credential gets the 503, not its stale page', async () => {
    await using redis = await startRedis();
    const access = accessMap();
    const clock = manualClock();
    await using gateway = await startTestGateway({ env: cacheEnv(redis.url), upstream: { access }, now: clock.now });
    const cached = await gateway.query(window('globex'), {}, { authorization: holder });
    expect(cached.data.organization.assistants.nodes).toEqual(restIds('globex', 0, 4));
    clock.advance(2_500);

    access.set(holder, new Set());
    const refused = await gateway.query(window('globex'), {}, { authorization: holder });
    expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

    gateway.upstream.inject({ orgId: 'globex', status: 503 });
    const outage = await gateway.query(window('globex'), {}, { authorization: holder });
    expect(outage.data.organization.assistants).toBeNull();
    expect(outage.errors?.[0]?.extensions).toMatchObject({ code: 'UPSTREAM_ERROR', upstreamStatus: 503 });
    expect(outage.extensions).toBeUndefined();
  });

  it('403 then a circuit opened by another credential: no stale page, and the upstream sees no call', async () => {
    await using redis = await startRedis();
    const access = accessMap();
    const clock = manualClock();
    await using gateway = await startTestGateway({ env: cacheEnv(redis.url), upstream: { access }, now: clock.now });
    await gateway.query(window('globex'), {}, { authorization: holder });
    clock.advance(2_500);
    access.set(holder, new Set());
    expect((await gateway.query(window('globex'), {}, { authorization: holder })).errors?.[0]?.extensions?.code).toBe(
      'FORBIDDEN',
    );

    gateway.upstream.inject({ orgId: 'acme', status: 503 });
    for (let i = 0; i < 3; i++) await gateway.query(window('acme'), {}, { authorization: other });
    const calls = gateway.upstream.requestCount;
    const whileOpen = await gateway.query(window('globex'), {}, { authorization: holder });
    expect(whileOpen.data.organization.assistants).toBeNull();
    expect(whileOpen.errors?.[0]?.extensions?.code).toBe('UPSTREAM_ERROR');
    expect(whileOpen.extensions).toBeUndefined();
    expect(gateway.upstream.requestCount).toBe(calls);
  });

  it('a refusal met by one replica holds on another, and for every page of that org the credential had', async () => {
    await using redis = await startRedis();
    const access = accessMap();
    const clock = manualClock();
    await using first = await startTestGateway({ env: cacheEnv(redis.url), upstream: { access }, now: clock.now });
    await using second = await startTestGateway({
      env: { ...cacheEnv(redis.url), UPSTREAM_URL: first.upstream.url },
      now: clock.now,
    });
    const page1 = await first.query(window('globex', 3), {}, { authorization: holder });
    const after = page1.data.organization.assistants.pageInfo.endCursor as string;
    const page2 = await first.query(window('globex', 3, after), {}, { authorization: holder });
    expect(page2.data.organization.assistants.nodes).toEqual(restIds('globex', 3, 3));
    clock.advance(2_500);

    access.set(holder, new Set());
    const refused = await first.query(window('globex', 3), {}, { authorization: holder });
    expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

    first.upstream.inject({ orgId: 'globex', status: 503 });
    for (const gateway of [first, second]) {
      for (const query of [window('globex', 3), window('globex', 3, after)]) {
        const outage = await gateway.query(query, {}, { authorization: holder });
        expect(outage.data.organization.assistants).toBeNull();
        expect(outage.errors?.[0]?.extensions?.code).toBe('UPSTREAM_ERROR');
        expect(outage.extensions).toBeUndefined();
      }
    }
  });

  it('a 401 covers every organization of that credential; other credentials keep their stale pages', async () => {
    await using redis = await startRedis();
    const access = new Map([
      [holder, new Set(['globex', 'acme'])],
      [other, new Set(['acme'])],
    ]);
    const clock = manualClock();
    await using gateway = await startTestGateway({ env: cacheEnv(redis.url), upstream: { access }, now: clock.now });
    for (const org of ['globex', 'acme']) await gateway.query(window(org), {}, { authorization: holder });
    await gateway.query(window('acme'), {}, { authorization: other });
    clock.advance(2_500);

    access.delete(holder);
    const unknown = await gateway.query(window('globex'), {}, { authorization: holder });
    expect(unknown.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');

    gateway.upstream.inject({ orgId: 'acme', status: 503 });
    const revoked = await gateway.query(window('acme'), {}, { authorization: holder });
    expect(revoked.data.organization.assistants).toBeNull();
    expect(revoked.extensions).toBeUndefined();
    const kept = await gateway.query(window('acme'), {}, { authorization: other });
    expect(kept.data.organization.assistants.nodes).toEqual(restIds('acme', 0, 4));
    expect(kept.extensions?.stale).toHaveLength(1);
  });
});

describe.skipIf(skip)('refusals that race or go around the cache', () => {
  it('a call that began before a refusal cannot keep its page past it, though its answer arrives after', async () => {
    await using redis = await startRedis();
    const access = accessMap();
    const clock = manualClock();
    await using gateway = await startTestGateway({ env: cacheEnv(redis.url), upstream: { access }, now: clock.now });
    // The first window's call is held at the upstream while a second window of the org meets a 403.
    const held = gateway.upstream.hold('globex');
    const slow = gateway.query(window('globex', 3), {}, { authorization: holder });
    await held.arrived;
    access.set(holder, new Set());
    const refused = await gateway.query(window('globex', 5), {}, { authorization: holder });
    expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    // Allowed again by the time the held call is answered: its page is served, but not kept as valid.
    access.set(holder, new Set(['globex']));
    held.release();
    expect((await slow).data.organization.assistants.nodes).toEqual(restIds('globex', 0, 3));
    clock.advance(2_500);

    gateway.upstream.inject({ orgId: 'globex', status: 503 });
    const outage = await gateway.query(window('globex', 3), {}, { authorization: holder });
    expect(outage.data.organization.assistants).toBeNull();
    expect(outage.extensions).toBeUndefined();
  });

  it("a refusal met by a caller's no-store request still ends the credential's kept pages", async () => {
    await using redis = await startRedis();
    const access = accessMap();
    await using gateway = await startTestGateway({
      env: { ...cacheEnv(redis.url), CACHE_TTL_MS: '600000' },
      upstream: { access },
    });
    await gateway.query(window('globex'), {}, { authorization: holder });
    access.delete(holder);
    const bypass = await gateway.query(window('globex'), {}, { authorization: holder, 'cache-control': 'no-store' });
    expect(bypass.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const fresh = await gateway.query(window('globex'), {}, { authorization: holder });
    expect(fresh.data.organization.assistants).toBeNull();
    expect(fresh.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });
});

describe.skipIf(skip)('what Redis holds', () => {
  const secretsOf = (org: string) =>
    (seed.get(org) ?? []).map((assistant) => assistant.secret_key).filter((key): key is string => !!key);
  const selection = '{ organization(restId: "hooli") { assistants(first: 50) { nodes { restId hasSecretKey } } } }';

  async function keptValues(redisUrl: string): Promise<string[]> {
    const redis = new Redis(redisUrl);
    try {
      const keys = await redis.keys('page:*');
      return (await Promise.all(keys.map((key) => redis.get(key)))).filter((value): value is string => !!value);
    } finally {
      redis.disconnect();
    }
  }

  it('no secret key: served pages say hasSecretKey as the upstream did, from Redis too', async () => {
    await using redis = await startRedis();
    const env = { ...cacheEnv(redis.url), CACHE_TTL_MS: '60000' };
    await using gateway = await startTestGateway({ env });
    const fetched = await gateway.query(selection);
    // The page is written as the answer goes out, not before.
    await vi.waitFor(async () => expect(await keptValues(redis.url)).toHaveLength(1));
    const values = await keptValues(redis.url);
    const secrets = secretsOf('hooli');
    expect(secrets.length).toBeGreaterThan(0);
    expect(secrets.filter((secret) => values[0]?.includes(secret))).toEqual([]);

    const hit = await gateway.query(selection);
    expect(gateway.upstream.requestCount).toBe(1);
    expect(hit.data).toEqual(fetched.data);
    const expected = (seed.get('hooli') ?? []).map((assistant) => ({
      restId: assistant.id,
      hasSecretKey: !!assistant.secret_key,
    }));
    expect(hit.data.organization.assistants.nodes).toEqual(expected);
    expect(expected.some((node) => node.hasSecretKey) && expected.some((node) => !node.hasSecretKey)).toBe(true);
  });

  it('with EXPOSE_SECRET_KEYS=true the keys are kept, and served from Redis', async () => {
    await using redis = await startRedis();
    const env = { ...cacheEnv(redis.url), CACHE_TTL_MS: '60000', EXPOSE_SECRET_KEYS: 'true' };
    await using gateway = await startTestGateway({ env });
    const query = '{ organization(restId: "hooli") { assistants(first: 50) { nodes { secretKey } } } }';
    await gateway.query(query);
    const hit = await gateway.query(query);
    expect(gateway.upstream.requestCount).toBe(1);
    expect(hit.data.organization.assistants.nodes).toEqual(
      (seed.get('hooli') ?? []).map((assistant) => ({ secretKey: assistant.secret_key })),
    );
    const [value] = await keptValues(redis.url);
    expect(secretsOf('hooli').filter((secret) => !value?.includes(secret))).toEqual([]);
  });

  it('replicas that differ in EXPOSE_SECRET_KEYS never serve each other pages', async () => {
    await using redis = await startRedis();
    const env = { ...cacheEnv(redis.url), CACHE_TTL_MS: '60000' };
    await using without = await startTestGateway({ env });
    await using exposing = await startTestGateway({
      env: { ...env, EXPOSE_SECRET_KEYS: 'true', UPSTREAM_URL: without.upstream.url },
    });
    await without.query(selection);
    await vi.waitFor(async () => expect(await keptValues(redis.url)).toHaveLength(1));
    const query = '{ organization(restId: "hooli") { assistants(first: 50) { nodes { secretKey } } } }';
    const served = await exposing.query(query);
    expect(served.data.organization.assistants.nodes).toEqual(
      (seed.get('hooli') ?? []).map((assistant) => ({ secretKey: assistant.secret_key })),
    );
    expect(without.upstream.requestCount).toBe(2);
  });
});
