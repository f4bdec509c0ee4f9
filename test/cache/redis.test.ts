// The page cache shared through a real redis-server: replicas that share one
// cold key cost the upstream one call, a replica started later serves from
// Redis, and Redis going away never fails a request. Counted by the demo
// upstream itself. Needs Debian's redis-server (.ci/run installs it): without
// one the suite is skipped, except in CI, where it fails.

import { describe, expect, it, vi } from 'vitest';
import { redisBinary, startRedis } from '../../deploy/local-fleet/redis.ts';
import { loadConfig } from '../../src/config.ts';
import { createSeedData } from '../../src/demo/seed.ts';
import { startDemoUpstream } from '../../src/demo/upstream.ts';
import { createRecordingLogger, startTestGateway } from '../helpers/gateway.ts';
import { readyUrl, startMain } from '../helpers/main-process.ts';
import { commandCalls } from '../helpers/redis-commands.ts';

const skip = redisBinary === undefined && !process.env.CI;
if (skip) console.warn("test/cache/redis.test.ts skipped: no redis-server (install Debian's redis-server package)");

const seed = createSeedData();
const query = '{ organization(restId: "globex") { assistants(first: 4) { nodes { restId } } } }';
const expected = seed
  .get('globex')
  ?.slice(0, 4)
  .map((assistant) => ({ restId: assistant.id }));

async function ask(url: string) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer fleet' },
    body: JSON.stringify({ query }),
  });
  return (await response.json()) as {
    data?: { organization: { assistants: { nodes: unknown[] } | null } };
    errors?: unknown[];
  };
}

describe('settings', () => {
  it('REDIS_URL needs CACHE_KEY_SECRET, and a TTL', () => {
    expect(() => loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379', CACHE_TTL_MS: '1000' })).toThrow(
      /REDIS_URL needs CACHE_KEY_SECRET/,
    );
    expect(() => loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379', CACHE_KEY_SECRET: 's' })).toThrow(
      /REDIS_URL needs CACHE_TTL_MS/,
    );
    expect(() => loadConfig({ REDIS_URL: 'http://user:secret@host', CACHE_KEY_SECRET: 's' })).toThrow(
      /^REDIS_URL must be a redis:\/\/ or rediss:\/\/ URL$/,
    );
  });
});

describe.skipIf(skip)('a page cache shared on Redis', () => {
  it('three replicas, a cold key, 30 concurrent requests: one upstream call; a fourth replica started later makes none', async () => {
    await using redis = await startRedis();
    await using upstream = await startDemoUpstream();
    const env = {
      PORT: '0',
      UPSTREAM_URL: upstream.url,
      REDIS_URL: redis.url,
      CACHE_TTL_MS: '60000',
      CACHE_KEY_SECRET: 'fleet-secret',
    };
    const replicas = [startMain(env), startMain(env), startMain(env)];
    try {
      const urls = await Promise.all(replicas.map(readyUrl));
      // The one fill is held at the upstream until every request has asked Redis for the fill lock (a SET NX):
      // one got it, the other 29 wait for its page.
      const fill = upstream.hold('globex');
      const asked = Promise.all(Array.from({ length: 30 }, (_, i) => ask(urls[i % 3] as string)));
      await fill.arrived;
      await vi.waitFor(async () => expect(await commandCalls(redis.url, 'set')).toBe(30), { timeout: 10_000 });
      fill.release();
      const answers = await asked;
      for (const answer of answers) {
        expect(answer.errors).toBeUndefined();
        expect(answer.data?.organization.assistants?.nodes).toEqual(expected);
      }
      expect(upstream.requestCount).toBe(1);

      const late = startMain(env);
      replicas.push(late);
      const answer = await ask(await readyUrl(late));
      expect(answer.data?.organization.assistants?.nodes).toEqual(expected);
      expect(upstream.requestCount).toBe(1);
    } finally {
      for (const replica of replicas) replica.child.kill('SIGTERM');
      await Promise.all(replicas.map((replica) => replica.exited));
    }
  });

  it('Redis killed under load: no request fails, calls go to the upstream, and Redis is used again once it is back', async () => {
    await using redis = await startRedis();
    const logger = createRecordingLogger('info');
    await using gateway = await startTestGateway({
      env: { REDIS_URL: redis.url, CACHE_TTL_MS: '60000', CACHE_KEY_SECRET: 'fleet-secret', REDIS_TIMEOUT_MS: '200' },
      logger,
    });
    const steady = async (count: number) => {
      for (let i = 0; i < count; i++) {
        const answer = await gateway.query(query, {}, { authorization: 'Bearer fleet' });
        expect(answer.errors).toBeUndefined();
        expect(answer.data.organization.assistants.nodes).toEqual(expected);
      }
    };
    // The first request may race the first connection to Redis, and then fill the page a second time.
    await steady(5);
    const filled = gateway.upstream.requestCount;
    expect(filled).toBeLessThanOrEqual(2);

    await redis.kill();
    await steady(5);
    // Without Redis every request goes to the upstream.
    expect(gateway.upstream.requestCount).toBe(filled + 5);

    await redis.restart();
    // Back: the page is filled again, then served from Redis.
    await vi.waitFor(
      async () => {
        const before = gateway.upstream.requestCount;
        await steady(2);
        expect(gateway.upstream.requestCount - before).toBe(0);
      },
      { timeout: 10_000, interval: 200 },
    );
    expect(await gateway.metricsText()).toMatch(/cache_store_errors_total [1-9]/);
    const said = logger.records().map((line) => line.msg);
    expect(said.filter((msg) => msg.startsWith('Redis is not answering'))).toHaveLength(1);
    expect(said.filter((msg) => msg.startsWith('Redis answers again'))).toHaveLength(1);
  });
});
