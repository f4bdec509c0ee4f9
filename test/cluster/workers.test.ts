// WORKERS > 1, as users start it: a primary and its worker processes on one
// port. Requests land on every worker, a killed worker is replaced while the
// rest answer and no connection is left hanging, the primary's /metrics counts
// each request once (and never less after a worker is gone) with operation
// names bounded across workers, and SIGTERM drains every worker.

import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { type AddressInfo, createServer } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createSeedData } from '../../src/demo/seed.ts';
import { startDemoUpstream } from '../../src/demo/upstream.ts';
import { readyUrl, type Started, startMain } from '../helpers/main-process.ts';
import { holdEach } from '../helpers/waits.ts';

const seed = createSeedData();
const orgs = ['acme', 'globex', 'initech', 'wayne'];
const expectedNames = (orgId: string) => (seed.get(orgId) ?? []).slice(0, 3).map((assistant) => assistant.name);

const namesQuery = (orgId: string, operationName = 'Names') =>
  `query ${operationName} { organization(restId: "${orgId}") { assistants(first: 3) { nodes { name } } } }`;

/** One GraphQL request on a connection of its own, so that the kernel may give each to either worker. */
function ask(url: string, orgId: string, operationName?: string): Promise<{ status: number; names: unknown }> {
  const body = JSON.stringify({ query: namesQuery(orgId, operationName) });
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

/** The worker pids the primary's ready line names. */
function workerPids(started: Started): number[] {
  const match = /workers \(pids (\d+), (\d+)\)/.exec(started.output());
  if (!match) throw new Error(`no worker pids in:\n${started.output()}`);
  return [Number(match[1]), Number(match[2])];
}

/** The workers started first and those that replaced them, less those that ended. */
function liveWorkerPids(started: Started): number[] {
  const output = started.output();
  const replacements = [...output.matchAll(/"workerPid":(\d+)[^\n]*"msg":"worker replaced"/g)].map((match) =>
    Number(match[1]),
  );
  return [...workerPids(started), ...replacements].filter((pid) => !output.includes(`worker ${pid} ended`));
}

/** How a connection ended: an HTTP answer, closed or reset without one, or still open at the bound. */
type Settled = 'answered' | 'closed' | 'hang';

/** Longer than any answer takes here: a connection still open by then is held, not slow. */
const hangBoundMs = 20_000;

/** One request on a connection of its own (GraphQL when given a body, else a GET). */
function attempt(url: string, body?: string): Promise<Settled> {
  return new Promise((resolve) => {
    const headers = { 'content-type': 'application/json', connection: 'close' };
    const sent = httpRequest(url, { method: body ? 'POST' : 'GET', agent: false, headers }, (response) => {
      response.resume();
      response.on('end', () => settle('answered'));
      response.on('close', () => settle(response.complete ? 'answered' : 'closed'));
    });
    const timer = setTimeout(() => {
      settle('hang');
      sent.destroy();
    }, hangBoundMs);
    const settle = (outcome: Settled) => {
      clearTimeout(timer);
      resolve(outcome);
    };
    // ECONNRESET, ECONNREFUSED, a socket hang up: closed, which is what a client can retry.
    sent.on('error', () => settle('closed'));
    sent.end(body);
  });
}

/** Requests one after another on each of `lanes` connections at a time, until stopped; every outcome kept. */
function loadOn(url: string, lanes: number) {
  const outcomes: Settled[] = [];
  let running = true;
  const body = JSON.stringify({ query: namesQuery('acme') });
  const done = Promise.all(
    Array.from({ length: lanes }, async () => {
      while (running) outcomes.push(await attempt(url, body));
    }),
  );
  return {
    answered: () => outcomes.filter((outcome) => outcome === 'answered').length,
    /** Stops starting requests; resolves with every outcome once those under way have settled. */
    stop: async () => {
      running = false;
      await done;
      return outcomes;
    },
  };
}

/** The processes `pid` has started that are alive now. */
function childPids(pid: number): number[] {
  return readdirSync(`/proc/${pid}/task`).flatMap((task) => {
    try {
      return readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').split(' ').filter(Boolean).map(Number);
    } catch {
      return []; // a thread that ended as it was listed
    }
  });
}

/** The distinct operation_name label values in Prometheus text. */
function operationNames(text: string): Set<string> {
  return new Set([...text.matchAll(/operation_name="([^"]*)"/g)].map((match) => match[1] as string));
}

/** Ports free right now, each found by binding port 0 (and let go again). */
async function freePorts(count: number): Promise<number[]> {
  const servers = Array.from({ length: count }, () => createServer().listen(0, '127.0.0.1'));
  await Promise.all(servers.map((server) => once(server, 'listening')));
  const ports = servers.map((server) => (server.address() as AddressInfo).port);
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
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
    await using upstream = await startDemoUpstream();
    const started = start({ UPSTREAM_URL: upstream.url, SHUTDOWN_DELAY_MS: '500' });
    const url = await readyUrl(started);
    const readyStatus = () => fetch(url.replace('/graphql', '/ready')).then((response) => response.status);

    // Each worker's call for an org is held at the upstream (one or two calls an org, as the requests fell).
    const calls = holdEach(upstream, [...orgs, ...orgs]);
    const inFlight = Array.from({ length: 16 }, (_, n) => ask(url, orgs[n % orgs.length] as string));
    // Sixteen connections, spread by the kernel (all on one worker: 1 in 32,768): both workers hold requests.
    // All sixteen are in: each either made a call or joined one.
    await vi.waitFor(
      async () => {
        const text = await (await fetch(metricsUrl(started))).text();
        expect(total(text, 'upstream_requests_in_flight') + total(text, 'upstream_coalesced_total')).toBe(16);
      },
      { timeout: 10_000 },
    );
    started.child.kill('SIGTERM');
    await vi.waitFor(async () => expect(await readyStatus()).toBe(503), { interval: 20 });
    // Released once both workers have stopped listening: what they answer now, they answer while draining.
    await vi.waitFor(async () => expect(await attempt(url.replace('/graphql', '/ready'))).toBe('closed'), {
      timeout: 10_000,
      interval: 20,
    });
    calls.release();

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
    // The replacement is forked after its backoff and takes seconds to start; stop the primary once it is forked.
    const survivor = workerPids(started).find((pid) => pid !== victim);
    await vi.waitFor(() =>
      expect(childPids(started.child.pid as number).filter((pid) => pid !== survivor)).toHaveLength(1),
    );
    started.child.kill('SIGTERM');
    expect(await started.exited).toBe(0);
    expect(started.output()).not.toMatch(/"msg":"worker replaced"/);
    // The surviving worker, the replacement (once it listened) and the primary.
    expect(started.output().match(/"msg":"stopped"/g)).toHaveLength(3);
  }, 60_000);

  it('a worker killed under load: every connection is answered, or closed or reset, none held', async () => {
    await using upstream = await startDemoUpstream();
    const started = start({ UPSTREAM_URL: upstream.url });
    const url = await readyUrl(started);
    const [victim] = workerPids(started);
    const load = loadOn(url, 32);
    await vi.waitFor(() => expect(load.answered()).toBeGreaterThan(200), { timeout: 15_000, interval: 20 });
    process.kill(victim as number, 'SIGKILL');
    await vi.waitFor(() => expect(started.output()).toMatch(/"msg":"worker replaced"/), { timeout: 15_000 });
    const answeredBeforeStop = load.answered();
    await vi.waitFor(() => expect(load.answered()).toBeGreaterThan(answeredBeforeStop + 100), {
      timeout: 15_000,
      interval: 20,
    });
    const outcomes = await load.stop();
    expect(outcomes.filter((outcome) => outcome === 'hang')).toEqual([]);
  }, 60_000);

  it('both workers killed: a request is refused, reset or answered at once, not held', async () => {
    await using upstream = await startDemoUpstream();
    const started = start({ UPSTREAM_URL: upstream.url });
    const ready = (await readyUrl(started)).replace('/graphql', '/ready');
    for (const pid of workerPids(started)) process.kill(pid, 'SIGKILL');
    // Right after the kills: the primary may not have seen them yet, and replacements wait out a backoff.
    const outcomes = await Promise.all(Array.from({ length: 16 }, () => attempt(ready)));
    expect(outcomes.filter((outcome) => outcome === 'hang')).toEqual([]);
    // The replacements listen on the same port.
    await vi.waitFor(() => expect(started.output().match(/"msg":"worker replaced"/g)).toHaveLength(2), {
      timeout: 15_000,
    });
    expect((await fetch(ready)).status).toBe(200);
  }, 60_000);

  it('bounds operation names across workers, restarts included, and still counts every operation', async () => {
    await using upstream = await startDemoUpstream();
    const started = start({ UPSTREAM_URL: upstream.url, METRICS_MAX_OPERATION_NAMES: '5' });
    const url = await readyUrl(started);
    let firstKept: string[] | undefined;
    /** Every operation counted; at most 5 names besides `other` and `anonymous`, the same ones throughout. */
    const scrapeAndCheck = async (operations: number) => {
      const text = await (await fetch(metricsUrl(started))).text();
      expect(total(text, 'graphql_operations_total')).toBe(operations);
      const kept = [...operationNames(text)].filter((name) => name !== 'other' && name !== 'anonymous').sort();
      expect(kept.length, kept.join(', ')).toBeLessThanOrEqual(5);
      firstKept ??= kept;
      expect(kept).toEqual(firstKept);
    };
    for (let round = 1; round <= 4; round++) {
      const names = Array.from({ length: 40 }, (_, n) => `Round${round}Name${n}`);
      const answers = await Promise.all(names.map((name, n) => ask(url, orgs[n % orgs.length] as string, name)));
      expect(answers.every((answer) => answer.status === 200)).toBe(true);
      // Scraped before the kill: a killed worker's counts are kept as of the last scrape.
      await scrapeAndCheck(40 * round);
      const [victim] = liveWorkerPids(started);
      process.kill(victim as number, 'SIGKILL');
      await vi.waitFor(() => expect(started.output().match(/"msg":"worker replaced"/g)).toHaveLength(round), {
        timeout: 15_000,
      });
      await scrapeAndCheck(40 * round);
    }
  }, 90_000);

  it('answers a scrape as soon as /health first answers: the metrics listener opens before any worker serves', async () => {
    await using upstream = await startDemoUpstream();
    const ports = await freePorts(2);
    const started = start({ UPSTREAM_URL: upstream.url, PORT: String(ports[0]), METRICS_PORT: String(ports[1]) });
    await vi.waitFor(
      async () => {
        expect(started.child.exitCode).toBeNull();
        expect((await fetch(`http://127.0.0.1:${ports[0]}/health`)).status).toBe(200);
      },
      { timeout: 15_000, interval: 5 },
    );
    const scrape = await fetch(`http://127.0.0.1:${ports[1]}/metrics`);
    expect(scrape.status).toBe(200);
    expect(await scrape.text()).toMatch(/^# HELP /m);
  }, 60_000);

  it('does not start, and says why, when its METRICS_PORT is taken, before a worker starts', async () => {
    await using upstream = await startDemoUpstream();
    const first = start({ UPSTREAM_URL: upstream.url, WORKERS: '1' });
    await readyUrl(first);
    const metricsPort = new URL(metricsUrl(first)).port;
    const second = start({ UPSTREAM_URL: upstream.url, METRICS_PORT: metricsPort });
    expect(await second.exited).toBe(1);
    expect(second.output()).toMatch(new RegExp(`cannot listen: METRICS_PORT ${metricsPort} is already in use`));
    expect(second.output()).not.toMatch(/worker ready|gateway ready/);
  }, 60_000);

  it('does not start, and says why, when its port is taken', async () => {
    await using upstream = await startDemoUpstream();
    const first = start({ UPSTREAM_URL: upstream.url, WORKERS: '1' });
    const port = new URL(await readyUrl(first)).port;
    const second = start({ UPSTREAM_URL: upstream.url, PORT: port });
    expect(await second.exited).toBe(1);
    expect(second.output()).toMatch(new RegExp(`cannot listen: PORT ${port} is already in use .*EADDRINUSE`));
    expect(second.output()).not.toMatch(/gateway ready/);
  }, 60_000);

  it('does not start, rather than share the port, when another fleet listens on it with SO_REUSEPORT', async () => {
    await using upstream = await startDemoUpstream();
    const first = start({ UPSTREAM_URL: upstream.url });
    const port = new URL(await readyUrl(first)).port;
    const second = start({ UPSTREAM_URL: upstream.url, PORT: port });
    expect(await second.exited).toBe(1);
    expect(second.output()).toMatch(new RegExp(`cannot listen: PORT ${port} is already in use .*EADDRINUSE`));
    expect(second.output()).not.toMatch(/gateway ready/);
  }, 60_000);
});
