// Per-caller rate limits counted in a real redis-server: replicas charge one
// count, so a caller's 61st operation of a minute at 60 is refused whichever
// replica it reaches, while another caller goes on; with Redis killed nothing
// fails and each replica counts alone, and once Redis is back the count is
// shared again. Needs Debian's redis-server (.ci/run installs it): without one
// the suite is skipped, except in CI, where it fails. No test waits on the
// clock: a minute's window outlasts each by far.

import { Redis } from 'ioredis';
import { describe, expect, it, vi } from 'vitest';
import { redisBinary, startRedis } from '../../deploy/local-fleet/redis.ts';
import { loadConfig } from '../../src/config.ts';
import { startDemoUpstream } from '../../src/demo/upstream.ts';
import { createRecordingLogger, startTestGateway } from '../helpers/gateway.ts';
import { readyUrl, type Started, startMain } from '../helpers/main-process.ts';

const skip = redisBinary === undefined && !process.env.CI;
if (skip)
  console.warn("test/cache/rate-limit-store.test.ts skipped: no redis-server (install Debian's redis-server package)");

const query = '{ organization(restId: "globex") { restId } }';
const graphqlResponse = 'application/graphql-response+json';

interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly codes: unknown[];
}

async function ask(url: string, token: string, accept = 'application/json'): Promise<Answer> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, accept },
    body: JSON.stringify({ query }),
  });
  const body = (await response.json()) as { errors?: { extensions?: { code?: unknown } }[] };
  return {
    status: response.status,
    headers: response.headers,
    codes: (body.errors ?? []).map((error) => error.extensions?.code),
  };
}

/** `count` operations of `token` at once, spread over `urls`: each answer's codes. */
async function burst(urls: readonly string[], token: string, count: number): Promise<unknown[][]> {
  const answers = await Promise.all(
    Array.from({ length: count }, (_, i) => ask(urls[i % urls.length] as string, token)),
  );
  return answers.map((answer) => answer.codes);
}

function expectRefusedWithFields(answer: Answer): void {
  expect(answer.status).toBe(429);
  expect(answer.codes).toEqual(['RATE_LIMITED']);
  const retryAfter = Number(answer.headers.get('retry-after'));
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(60);
  expect(answer.headers.get('ratelimit-policy')).toBe('"operations";q=60;w=60');
  expect(answer.headers.get('ratelimit')).toBe(`"operations";r=0;t=${retryAfter}`);
}

async function rateKeys(url: string): Promise<Record<string, string | null>> {
  const client = new Redis(url, { maxRetriesPerRequest: 0 });
  try {
    const keys = await client.keys('rate:*');
    return Object.fromEntries(await Promise.all(keys.map(async (key) => [key, await client.get(key)] as const)));
  } finally {
    client.disconnect();
  }
}

describe('settings', () => {
  it('REDIS_URL with a rate limit and no cache is enough to share, and needs CACHE_KEY_SECRET', () => {
    const env = { REDIS_URL: 'redis://127.0.0.1:6379', RATE_LIMIT_OPERATIONS_PER_MINUTE: '60' };
    expect(() => loadConfig(env)).toThrow(
      /^REDIS_URL needs CACHE_KEY_SECRET: replicas that share rate-limit counts must hash credentials with the same secret$/,
    );
    expect(loadConfig({ ...env, CACHE_KEY_SECRET: 's' }).rateLimits.operationsPerMinute).toBe(60);
    expect(() => loadConfig({ REDIS_URL: env.REDIS_URL, CACHE_KEY_SECRET: 's' })).toThrow(
      /^REDIS_URL needs CACHE_TTL_MS, APQ=true or a rate limit/,
    );
  });
});

describe.skipIf(skip)('rate limits counted in Redis', () => {
  it("three replicas charge one count: a caller's 61st operation is refused on each, another caller's are not; Redis killed, each replica counts alone and nothing fails", async () => {
    await using redis = await startRedis();
    await using upstream = await startDemoUpstream();
    const env = {
      PORT: '0',
      UPSTREAM_URL: upstream.url,
      REDIS_URL: redis.url,
      CACHE_KEY_SECRET: 'fleet-secret',
      RATE_LIMIT_OPERATIONS_PER_MINUTE: '60',
      // Only a dead Redis may send a replica to its own count: a busy machine's slow answer must not.
      REDIS_TIMEOUT_MS: '5000',
    };
    const replicas: Started[] = [startMain(env), startMain(env), startMain(env)];
    try {
      const urls = await Promise.all(replicas.map(readyUrl));
      // 60 at once across the three: each is charged in the one count, none is refused.
      expect((await burst(urls, 'alice', 60)).flat()).toEqual([]);
      for (const url of urls) expectRefusedWithFields(await ask(url, 'alice', graphqlResponse));
      for (const url of urls) expect((await ask(url, 'bob', graphqlResponse)).codes).toEqual([]);
      // No token and no credential's hash in Redis: one key a caller, under its keyed hash.
      const keys = await rateKeys(redis.url);
      expect(Object.values(keys).sort()).toEqual(['3', '63']);
      expect(Object.keys(keys).join()).not.toMatch(/alice|bob/);

      await redis.kill();
      // Each replica counts alone, afresh: 60 more of alice's on one of them, then it refuses; the others still serve her.
      const [first, ...others] = urls as [string, ...string[]];
      expect((await burst([first], 'alice', 60)).flat()).toEqual([]);
      expectRefusedWithFields(await ask(first, 'alice', graphqlResponse));
      for (const url of others) expect((await ask(url, 'alice')).codes).toEqual([]);
      // Each tells it once, as its log reaches stdout (lines go out in batches).
      for (const replica of replicas) {
        await vi.waitFor(
          () => {
            const told = replica
              .output()
              .match(/Redis is not answering: rate limits are counted by each replica alone/g);
            expect(told, replica.output()).toHaveLength(1);
          },
          { timeout: 10_000, interval: 50 },
        );
      }
    } finally {
      for (const replica of replicas) replica.child.kill('SIGTERM');
      await Promise.all(replicas.map((replica) => replica.exited));
    }
  });

  it('Redis killed and back: counted in the process meanwhile (each count a store error, the outage told once), then in Redis again', async () => {
    await using redis = await startRedis();
    const logger = createRecordingLogger('info');
    await using gateway = await startTestGateway({
      env: {
        REDIS_URL: redis.url,
        CACHE_KEY_SECRET: 'fleet-secret',
        REDIS_TIMEOUT_MS: '5000',
        RATE_LIMIT_OPERATIONS_PER_MINUTE: '3',
      },
      logger,
    });
    const codes = async (count: number) => (await burst([gateway.url], 'carol', count)).flat();
    expect(await codes(3)).toEqual([]);
    expect(await codes(1)).toEqual(['RATE_LIMITED']);
    expect(Object.values(await rateKeys(redis.url))).toEqual(['4']);

    await redis.kill();
    expect(await codes(3)).toEqual([]);
    expect(await codes(1)).toEqual(['RATE_LIMITED']);
    expect(await gateway.metricsText()).toMatch(/^cache_store_errors_total [1-9]/m);

    await redis.restart();
    await vi.waitFor(
      () => expect(logger.records().some((line) => line.msg.startsWith('Redis answers again: rate limits'))).toBe(true),
      { timeout: 10_000, interval: 100 },
    );
    // Redis came back empty: the count starts there afresh.
    const back = await ask(gateway.url, 'carol', graphqlResponse);
    expect(back.codes).toEqual([]);
    expect(back.headers.get('ratelimit')).toMatch(/^"operations";r=2;t=\d+$/);
    expect(Object.values(await rateKeys(redis.url))).toEqual(['1']);
    const said = logger.records().map((line) => line.msg);
    expect(said.filter((msg) => msg.startsWith('Redis is not answering: rate limits'))).toHaveLength(1);
    expect(said.filter((msg) => msg.startsWith('Redis answers again: rate limits'))).toHaveLength(1);
  });
});
