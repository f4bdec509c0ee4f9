// WORKERS > 1, as users start it: a primary and its worker processes on one
// port. Requests land on every worker, a killed worker is replaced while the
// rest answer, the primary's /metrics counts each request once (and never
// less after a worker is gone), and SIGTERM drains every worker.

import { request as httpRequest } from 'node:http';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createSeedData } from '../src/demo/seed.ts';
import { startDemoUpstream } from '../src/demo/upstream.ts';
import { readyUrl, type Started, startMain } from './helpers/main-process.ts';

const seed = createSeedData();
const orgs = ['acme', 'globex', 'initech', 'wayne'];
const expectedNames = (orgId: string) => (seed.get(orgId) ?? []).slice(0, 3).map((assistant) => assistant.name);

/** One GraphQL request on a connection of its own, so that the primary hands each to the next worker. */
function ask(url: string, orgId: string): Promise<{ status: number; names: unknown }> {
  const body = JSON.stringify({
    query: `query Names { organization(restId: "${orgId}") { assistants(first: 3) { nodes { name } } } }`,
  });
  return new Promise((resolve, reject) => {
    const sent = httpRequest(
      url,
      { method: 'POST', agent: false, headers: { 'content-type': 'application/json', connection: 'close' } },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          text += chunk;
        });
        response.on('end', () => {
          const parsed = JSON.parse(text) as {
            data?: { organization?: { assistants?: { nodes?: { name: string }[] } } };
          };
          resolve({
            status: response.statusCode ?? 0,
            names: parsed.data?.organization?.assistants?.nodes?.map((node) => node.name),
          });
        });
      },
    );
    sent.on('error', reject);
    sent.end(body);
  });
}

async function askEach(url: string, count: number): Promise<void> {
  const answers = await Promise.all(Array.from({ length: count }, (_, n) => ask(url, orgs[n % orgs.length] as string)));
  answers.forEach((answer, n) => {
    expect(answer.status).toBe(200);
    expect(answer.names).toEqual(expectedNames(orgs[n % orgs.length] as string));
  });
}

/** The sum of a metric's samples (every label set) in Prometheus text. */
function total(text: string, name: string): number {
  const sample = new RegExp(`^${name}(?:\\{.*\\})? (\\S+)$`, 'gm');
  return [...text.matchAll(sample)].reduce((sum, match) => sum + Number(match[1]), 0);
}

function metricsUrl(started: Started): string {
  const match = /metrics: (http:\/\/localhost:\d+\/metrics)/.exec(started.output());
  if (!match) throw new Error(`no metrics line in:\n${started.output()}`);
  return match[1] as string;
}

/** Pids of the processes that logged a GraphQL request. */
function servingPids(started: Started): Set<number> {
  const pids = started
    .output()
    .split('\n')
    .filter((line) => line.includes('"msg":"graphql request"'))
    .map((line) => (JSON.parse(line) as { pid: number }).pid);
  return new Set(pids);
}

const running: Started[] = [];
afterEach(async () => {
  for (const started of running.splice(0)) {
    if (started.child.exitCode === null) started.child.kill('SIGKILL');
    await started.exited;
  }
});

function start(env: Record<string, string>): Started {
  const started = startMain({ PORT: '0', WORKERS: '2', ...env });
  running.push(started);
  return started;
}

describe('WORKERS=2', () => {
  it('serves on both workers; /metrics counts each request once; a killed worker is replaced and nothing counted is lost', async () => {
    await using upstream = await startDemoUpstream();
    const started = start({ UPSTREAM_URL: upstream.url });
    const url = await readyUrl(started);
    expect(started.output()).toMatch(/2 workers \(pids \d+, \d+\)/);
    const scrape = async () => (await fetch(metricsUrl(started))).text();

    await askEach(url, 40);
    // Log lines reach stdout within 100 ms of the answers (in batches).
    await vi.waitFor(() => expect(servingPids(started).size).toBe(2));
    const firstPids = servingPids(started);
    let text = await scrape();
    // Each request once: not twice (two registries each counting all), not half (one worker's registry).
    expect(total(text, 'graphql_operations_total')).toBe(40);
    expect(total(text, 'upstream_requests_total')).toBe(upstream.requests.length);
    expect(total(text, 'upstream_calls_per_operation_count')).toBe(40);

    const [victim] = [...firstPids];
    process.kill(victim as number, 'SIGKILL');
    await vi.waitFor(() => expect(started.output()).toMatch(/"msg":"worker replaced"/), { timeout: 15_000 });
    await askEach(url, 40);
    await vi.waitFor(() => expect(servingPids(started).size).toBe(3));

    // The killed worker's counts (as of the last scrape, before it died) stay in the sums.
    text = await scrape();
    expect(total(text, 'graphql_operations_total')).toBe(80);
    expect(total(text, 'upstream_requests_total')).toBe(upstream.requests.length);
    expect(started.output()).toMatch(new RegExp(`worker ${victim} ended \\(SIGKILL\\); starting another in \\d+ ms`));
  }, 60_000);

  it('on SIGTERM to the primary: every worker drains its requests in flight, and the primary exits 0', async () => {
    await using upstream = await startDemoUpstream({ latencyMs: 1_000 });
    const started = start({ UPSTREAM_URL: upstream.url, SHUTDOWN_DELAY_MS: '500' });
    const url = await readyUrl(started);
    const readyStatus = () => fetch(url.replace('/graphql', '/ready')).then((response) => response.status);

    const inFlight = Array.from({ length: 8 }, (_, n) => ask(url, orgs[n % orgs.length] as string));
    // Eight connections, handed out in turn: both workers hold requests.
    await vi.waitFor(() => expect(upstream.inFlight).toBeGreaterThanOrEqual(4));
    started.child.kill('SIGTERM');
    await vi.waitFor(async () => expect(await readyStatus()).toBe(503), { interval: 20 });

    for (const [n, answer] of (await Promise.all(inFlight)).entries()) {
      expect(answer.status).toBe(200);
      expect(answer.names).toEqual(expectedNames(orgs[n % orgs.length] as string));
    }
    expect(await started.exited).toBe(0);
    expect(servingPids(started).size).toBe(2);
    expect(started.output().match(/"msg":"stopped"/g)).toHaveLength(3);
  }, 60_000);

  it('on SIGTERM while a replacement worker is still starting: that one drains too, and the primary exits 0', async () => {
    await using upstream = await startDemoUpstream();
    const started = start({ UPSTREAM_URL: upstream.url });
    const url = await readyUrl(started);
    await askEach(url, 8);
    await vi.waitFor(() => expect(servingPids(started).size).toBe(2));
    const [victim] = [...servingPids(started)];
    process.kill(victim as number, 'SIGKILL');
    await vi.waitFor(() => expect(started.output()).toMatch(/starting another in \d+ ms/));
    // The replacement is forked after its backoff and takes seconds to start; stop the primary meanwhile.
    await new Promise((resolve) => setTimeout(resolve, 300));
    started.child.kill('SIGTERM');
    expect(await started.exited).toBe(0);
    expect(started.output()).not.toMatch(/"msg":"worker replaced"/);
    // The surviving worker, the replacement (once it listened) and the primary.
    expect(started.output().match(/"msg":"stopped"/g)).toHaveLength(3);
  }, 60_000);

  it('does not start, and says why, when its port is taken', async () => {
    await using upstream = await startDemoUpstream();
    const first = start({ UPSTREAM_URL: upstream.url, WORKERS: '1' });
    const port = new URL(await readyUrl(first)).port;
    const second = start({ UPSTREAM_URL: upstream.url, PORT: port });
    expect(await second.exited).toBe(1);
    expect(second.output()).toMatch(/EADDRINUSE/);
    expect(second.output()).not.toMatch(/gateway ready/);
  }, 60_000);
});
