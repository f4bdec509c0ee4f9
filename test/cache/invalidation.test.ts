// POST /cache/invalidate on the metrics listener: an organization's cached
// pages (every credential's) or all of them end, in this process, across
// replicas sharing a real redis-server (one INCR, each lookup still one
// MGET), and in every worker of WORKERS=2; a page whose call was under way
// when the invalidation came is not kept for later; bad bodies are refused
// and the GraphQL port does not serve the route; with CACHE_INVALIDATION_TOKEN
// set, a request without that bearer token is refused. Counted by the demo upstream
// itself, whose list changes so that an old page would show.

import { request as httpRequest } from 'node:http';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { redisBinary, startRedis } from '../../deploy/local-fleet/redis.ts';
import { type DemoUpstream, startDemoUpstream } from '../../src/demo/upstream.ts';
import { startTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { readyUrl, type Started, startMain } from '../helpers/main-process.ts';
import { sendRaw } from '../helpers/raw-http.ts';
import { commandCalls } from '../helpers/redis-commands.ts';

const noRedis = redisBinary === undefined && !process.env.CI;
if (noRedis)
  console.warn(
    "test/cache/invalidation.test.ts skipped: its replicas on Redis, for want of redis-server (install Debian's redis-server package)",
  );

const firstPage = (org: string) => `{ organization(restId: "${org}") { assistants(first: 3) { nodes { restId } } } }`;
/** What the upstream's first page of the org holds now. */
const current = (upstream: DemoUpstream, org: string) =>
  upstream
    .assistantsOf(org)
    .slice(0, 3)
    .map((assistant) => ({ restId: assistant.id }));
const callsFor = (upstream: DemoUpstream, org: string) =>
  upstream.requests.filter((request) => request.orgId === org).length;

interface Answer {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

async function invalidate(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: (text === '' ? {} : JSON.parse(text)) as Record<string, unknown> };
}

const invalidationUrl = (gateway: TestGateway) =>
  (gateway.metricsUrl as string).replace('/metrics', '/cache/invalidate');

async function rows(gateway: TestGateway, org: string, token = 'Bearer one') {
  const answer = await gateway.query(firstPage(org), {}, { authorization: token });
  expect(answer.errors).toBeUndefined();
  return answer.data.organization.assistants.nodes;
}

async function invalidations(text: string | Promise<string>, scope: 'org' | 'all'): Promise<number> {
  return Number(
    new RegExp(`^upstream_cache_invalidations_total\\{scope="${scope}"\\} (\\d+)$`, 'm').exec(await text)?.[1] ?? 0,
  );
}

describe('in one process (pages in memory)', () => {
  it("{org} ends that organization's pages for every credential; other organizations stay cached", async () => {
    await using gateway = await startTestGateway({ env: { CACHE_TTL_MS: '60000' }, serveMetrics: true });
    const { upstream } = gateway;
    for (const token of ['Bearer one', 'Bearer two']) {
      await rows(gateway, 'acme', token);
      await rows(gateway, 'globex', token);
    }
    expect(callsFor(upstream, 'acme')).toBe(2);
    expect(callsFor(upstream, 'globex')).toBe(2);
    upstream.remove('acme', 0);

    const answer = await invalidate(invalidationUrl(gateway), { org: 'acme' });
    expect(answer).toEqual({ status: 200, body: { invalidated: { org: 'acme' }, scope: 'process', generation: 1 } });

    for (const token of ['Bearer one', 'Bearer two']) {
      expect(await rows(gateway, 'acme', token)).toEqual(current(upstream, 'acme'));
      await rows(gateway, 'globex', token);
    }
    // Each credential's acme page read again; globex's still served from the cache.
    expect(callsFor(upstream, 'acme')).toBe(4);
    expect(callsFor(upstream, 'globex')).toBe(2);
    // And the new page is cached in turn.
    await rows(gateway, 'acme');
    expect(callsFor(upstream, 'acme')).toBe(4);

    const again = await invalidate(invalidationUrl(gateway), { org: 'acme' });
    expect(again.body.generation).toBe(2);
    expect(await invalidations(gateway.metricsText(), 'org')).toBe(2);
    expect(await invalidations(gateway.metricsText(), 'all')).toBe(0);
  });

  it('{all: true} ends every page', async () => {
    await using gateway = await startTestGateway({ env: { CACHE_TTL_MS: '60000' }, serveMetrics: true });
    const { upstream } = gateway;
    await rows(gateway, 'acme');
    await rows(gateway, 'globex');
    const answer = await invalidate(invalidationUrl(gateway), { all: true });
    expect(answer).toEqual({ status: 200, body: { invalidated: { all: true }, scope: 'process', generation: 1 } });
    await rows(gateway, 'acme');
    await rows(gateway, 'globex');
    expect(callsFor(upstream, 'acme')).toBe(2);
    expect(callsFor(upstream, 'globex')).toBe(2);
    // An org's invalidation after all's still counts on its own.
    await invalidate(invalidationUrl(gateway), { org: 'globex' });
    await rows(gateway, 'acme');
    await rows(gateway, 'globex');
    expect(callsFor(upstream, 'acme')).toBe(2);
    expect(callsFor(upstream, 'globex')).toBe(3);
    expect(await invalidations(gateway.metricsText(), 'all')).toBe(1);
  });

  it('a page whose call was under way when the invalidation came is served to its request, never kept for the next', async () => {
    await using gateway = await startTestGateway({ env: { CACHE_TTL_MS: '60000' }, serveMetrics: true });
    const { upstream } = gateway;
    const held = upstream.hold('acme');
    const pending = rows(gateway, 'acme');
    await held.arrived;
    expect((await invalidate(invalidationUrl(gateway), { org: 'acme' })).status).toBe(200);
    held.release();
    await pending;
    // Its page was kept under the generation it was asked with: the next request reads the upstream.
    await rows(gateway, 'acme');
    expect(callsFor(upstream, 'acme')).toBe(2);
    await rows(gateway, 'acme');
    expect(callsFor(upstream, 'acme')).toBe(2);
  });

  it('a request after the invalidation does not share the call under way from before it: it makes its own', async () => {
    await using gateway = await startTestGateway({ env: { CACHE_TTL_MS: '60000' }, serveMetrics: true });
    const { upstream } = gateway;
    const held = upstream.hold('acme');
    const before = rows(gateway, 'acme');
    await held.arrived;
    expect((await invalidate(invalidationUrl(gateway), { org: 'acme' })).status).toBe(200);
    // Identical calls in flight are shared (UPSTREAM_COALESCE), but not across an invalidation: the call
    // under way began before it, and what it brings is not what the list holds since.
    const after = rows(gateway, 'acme');
    await vi.waitFor(() => expect(callsFor(upstream, 'acme')).toBe(2), { timeout: 10_000, interval: 10 });
    held.release();
    await Promise.all([before, after]);
  });

  it('refuses what is not {"org": "<org_id>"} or {"all": true}, with a JSON error, and leaves the cache as it was', async () => {
    await using gateway = await startTestGateway({ env: { CACHE_TTL_MS: '60000' }, serveMetrics: true });
    await rows(gateway, 'acme');
    const url = invalidationUrl(gateway);
    const refused: [unknown, number, RegExp][] = [
      ['not json', 400, /not JSON/],
      [[], 400, /must be an object/],
      ['null', 400, /must be an object/],
      [{}, 400, /nothing else/],
      [{ org: 'acme', all: true }, 400, /nothing else/],
      [{ orgs: ['acme'] }, 400, /nothing else/],
      [{ all: false }, 400, /"all" must be true/],
      [{ all: 'true' }, 400, /"all" must be true/],
      [{ org: 42 }, 400, /"org" must be a string/],
      [{ org: null }, 400, /"org" must be a string/],
      [{ org: '' }, 400, /cannot be an organization id/],
      [{ org: '.' }, 400, /cannot be an organization id/],
      [{ org: '..' }, 400, /cannot be an organization id/],
      // A lone surrogate has no encoding at all.
      ['{"org": "\\ud800"}', 400, /cannot be an organization id/],
      [{ org: 'x'.repeat(5_000) }, 413, /over the limit of 4096 bytes/],
    ];
    for (const [body, status, message] of refused) {
      const answer = await invalidate(url, body);
      expect(answer.status, JSON.stringify(body).slice(0, 40)).toBe(status);
      expect(answer.body.error).toMatch(message);
    }
    const wrongType = await invalidate(url, { org: 'acme' }, { 'content-type': 'text/plain' });
    expect(wrongType.status).toBe(415);
    expect(wrongType.body.error).toMatch(/must be JSON/);
    const get = await sendRaw(url);
    expect(get.status).toBe(405);
    expect(get.headers.allow).toBe('POST');
    expect(JSON.parse(get.decoded.toString()).error).toMatch(/takes POST only/);
    // A body far past the bound, with no declared length: answered, not left hanging.
    const chunked = await new Promise<number>((resolve, reject) => {
      const sent = httpRequest(url, { method: 'POST', headers: { 'content-type': 'application/json' } }, (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      });
      sent.once('error', reject);
      sent.end('x'.repeat(100_000));
    });
    expect(chunked).toBe(413);

    await rows(gateway, 'acme');
    expect(callsFor(gateway.upstream, 'acme')).toBe(1);
    expect(await invalidations(gateway.metricsText(), 'org')).toBe(0);
  });

  it('the public GraphQL port does not serve it', async () => {
    await using gateway = await startTestGateway({ env: { CACHE_TTL_MS: '60000' }, serveMetrics: true });
    await rows(gateway, 'acme');
    const onGraphQLPort = gateway.url.replace('/graphql', '/cache/invalidate');
    expect((await invalidate(onGraphQLPort, { org: 'acme' })).status).toBe(404);
    expect((await invalidate(gateway.url, { org: 'acme' })).body).toMatchObject({ errors: [expect.anything()] });
    await rows(gateway, 'acme');
    expect(callsFor(gateway.upstream, 'acme')).toBe(1);
  });

  it('with CACHE_INVALIDATION_TOKEN, serves only a request that carries it; the token is in no answer', async () => {
    const token = 'invalidation-token-3f9a1c';
    await using gateway = await startTestGateway({
      env: { CACHE_TTL_MS: '60000', CACHE_INVALIDATION_TOKEN: token },
      serveMetrics: true,
    });
    await rows(gateway, 'acme');
    const url = invalidationUrl(gateway);
    const refusals = await Promise.all([
      invalidate(url, { org: 'acme' }),
      invalidate(url, { org: 'acme' }, { authorization: 'Bearer wrong-token' }),
      invalidate(url, { org: 'acme' }, { authorization: `Bearer ${token}x` }),
      invalidate(url, { org: 'acme' }, { authorization: token }),
      invalidate(url, { org: 'acme' }, { authorization: `Basic ${Buffer.from(`user:${token}`).toString('base64')}` }),
    ]);
    for (const refusal of refusals) {
      expect(refusal).toEqual({ status: 401, body: { error: expect.stringContaining('CACHE_INVALIDATION_TOKEN') } });
      expect(JSON.stringify(refusal.body)).not.toContain(token);
    }
    const unauthorised = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(unauthorised.headers.get('www-authenticate')).toBe('Bearer');
    // Nothing was invalidated: the page is still kept.
    await rows(gateway, 'acme');
    expect(callsFor(gateway.upstream, 'acme')).toBe(1);
    expect(await invalidations(gateway.metricsText(), 'org')).toBe(0);

    const answer = await invalidate(url, { org: 'acme' }, { authorization: `bearer ${token}` });
    expect(answer).toEqual({ status: 200, body: { invalidated: { org: 'acme' }, scope: 'process', generation: 1 } });
    await rows(gateway, 'acme');
    expect(callsFor(gateway.upstream, 'acme')).toBe(2);
    // Scrapers still read /metrics without it.
    expect((await fetch(gateway.metricsUrl as string)).status).toBe(200);
  });

  it('without a page cache, says there was none to invalidate', async () => {
    await using gateway = await startTestGateway({ serveMetrics: true });
    const answer = await invalidate(invalidationUrl(gateway), { org: 'acme' });
    expect(answer).toEqual({ status: 200, body: { invalidated: { org: 'acme' }, scope: 'none' } });
  });
});

/** The metrics listener a started process logged (a gateway alone, or a primary). */
function metricsUrlOf(started: Started): string {
  const match = /metrics: (http:\/\/localhost:\d+\/metrics)/.exec(started.output());
  if (!match) throw new Error(`no metrics line in:\n${started.output()}`);
  return match[1] as string;
}

/** One GraphQL request on a connection of its own (with WORKERS > 1, the kernel gives it to either worker). */
async function askOver(url: string, org: string): Promise<unknown> {
  const response = await sendRaw(url, {
    headers: { 'content-type': 'application/json', authorization: 'Bearer fleet', connection: 'close' },
    body: JSON.stringify({ query: firstPage(org) }),
  });
  const answer = JSON.parse(response.decoded.toString()) as {
    data?: { organization: { assistants: { nodes: unknown[] } } };
    errors?: unknown[];
  };
  expect(answer.errors).toBeUndefined();
  return answer.data?.organization.assistants.nodes;
}

const started: Started[] = [];
afterEach(async () => {
  for (const each of started.splice(0)) {
    if (each.child.exitCode === null) each.child.kill('SIGKILL');
    await each.exited;
  }
});

function start(env: Record<string, string>): Started {
  const main = startMain({ PORT: '0', CACHE_TTL_MS: '60000', LOG_LEVEL: 'info', ...env });
  started.push(main);
  return main;
}

describe.skipIf(noRedis)('three replicas on one Redis', () => {
  it("one POST to one replica ends the org's page on every replica: one INCR, and each lookup is still one MGET", async () => {
    await using redis = await startRedis();
    await using upstream = await startDemoUpstream();
    const env = { UPSTREAM_URL: upstream.url, REDIS_URL: redis.url, CACHE_KEY_SECRET: 'fleet-secret' };
    const replicas = [start(env), start(env), start(env)];
    const urls = await Promise.all(replicas.map(readyUrl));
    for (const url of urls) {
      await askOver(url, 'acme');
      await askOver(url, 'globex');
    }
    // One fill each, shared by the three.
    expect(callsFor(upstream, 'acme')).toBe(1);
    expect(callsFor(upstream, 'globex')).toBe(1);
    const calls = async () => ({
      mget: await commandCalls(redis.url, 'mget'),
      get: await commandCalls(redis.url, 'get'),
      eval: await commandCalls(redis.url, 'eval'),
    });
    const before = await calls();
    upstream.remove('acme', 0);

    const url = metricsUrlOf(replicas[1] as Started).replace('/metrics', '/cache/invalidate');
    const answer = await invalidate(url, { org: 'acme' });
    expect(answer, (replicas[1] as Started).output()).toEqual({
      status: 200,
      body: { invalidated: { org: 'acme' }, scope: 'fleet', generation: 1 },
    });
    expect(await commandCalls(redis.url, 'incr')).toBe(1);

    // Every replica sees the list as it is now: the first to ask fills the page again, the others share it.
    for (const replicaUrl of urls) expect(await askOver(replicaUrl, 'acme')).toEqual(current(upstream, 'acme'));
    for (const replicaUrl of urls) await askOver(replicaUrl, 'globex');
    expect(callsFor(upstream, 'acme')).toBe(2);
    expect(callsFor(upstream, 'globex')).toBe(1);
    // Six lookups since, each one MGET (page, refusals and generations together); the only other read is the
    // GET inside the one fill's lock release (its EVAL).
    const after = await calls();
    expect(after.mget - before.mget).toBe(6);
    expect(after.eval - before.eval).toBe(1);
    expect(after.get - before.get).toBe(1);

    const all = await invalidate(metricsUrlOf(replicas[2] as Started).replace('/metrics', '/cache/invalidate'), {
      all: true,
    });
    expect(all.body).toEqual({ invalidated: { all: true }, scope: 'fleet', generation: 1 });
    for (const replicaUrl of urls) await askOver(replicaUrl, 'globex');
    expect(callsFor(upstream, 'globex')).toBe(2);
    const counted = await invalidations(
      fetch(metricsUrlOf(replicas[1] as Started)).then((r) => r.text()),
      'org',
    );
    expect(counted).toBe(1);
  }, 60_000);

  it('Redis away: the invalidation is refused (503, try again), and requests are still answered', async () => {
    await using redis = await startRedis();
    await using upstream = await startDemoUpstream();
    const replica = start({
      UPSTREAM_URL: upstream.url,
      REDIS_URL: redis.url,
      CACHE_KEY_SECRET: 'fleet-secret',
      REDIS_TIMEOUT_MS: '200',
    });
    const url = await readyUrl(replica);
    await askOver(url, 'acme');
    await redis.kill();
    const answer = await invalidate(metricsUrlOf(replica).replace('/metrics', '/cache/invalidate'), { org: 'acme' });
    expect(answer.status).toBe(503);
    expect(answer.body.error).toMatch(/Redis did not answer: nothing was invalidated; try again/);
    expect(await askOver(url, 'acme')).toEqual(current(upstream, 'acme'));
  }, 30_000);
});

describe('WORKERS=2, pages in memory', () => {
  it("one POST to the primary's metrics port ends the page in both workers, with the token it asks for", async () => {
    await using upstream = await startDemoUpstream();
    const primary = start({ UPSTREAM_URL: upstream.url, WORKERS: '2', CACHE_INVALIDATION_TOKEN: 'fleet-invalidation' });
    const url = await readyUrl(primary);
    // Connections go to either worker: ask until both have filled acme's page (1 in 2^99 that one never is).
    for (let i = 0; i < 100 && callsFor(upstream, 'acme') < 2; i++) await askOver(url, 'acme');
    expect(callsFor(upstream, 'acme'), primary.output()).toBe(2);
    upstream.remove('acme', 0);

    const invalidationUrlOfPrimary = metricsUrlOf(primary).replace('/metrics', '/cache/invalidate');
    // The primary asks for the token as a gateway alone does.
    expect((await invalidate(invalidationUrlOfPrimary, { org: 'acme' })).status).toBe(401);
    const answer = await invalidate(
      invalidationUrlOfPrimary,
      { org: 'acme' },
      { authorization: 'Bearer fleet-invalidation' },
    );
    expect(answer, primary.output()).toEqual({
      status: 200,
      body: { invalidated: { org: 'acme' }, scope: 'process', generation: 1, workers: 2 },
    });
    // No worker serves the old page again; each fills it once more.
    for (let i = 0; i < 100 && callsFor(upstream, 'acme') < 4; i++) {
      expect(await askOver(url, 'acme')).toEqual(current(upstream, 'acme'));
    }
    expect(callsFor(upstream, 'acme'), primary.output()).toBe(4);
    for (let i = 0; i < 10; i++) expect(await askOver(url, 'acme')).toEqual(current(upstream, 'acme'));
    expect(callsFor(upstream, 'acme')).toBe(4);
    // Counted once, not once a worker.
    expect(
      await invalidations(
        fetch(metricsUrlOf(primary)).then((r) => r.text()),
        'org',
      ),
    ).toBe(1);
  }, 60_000);
});
