// The program as users start it: a child process of `src/main.ts`.

import { once } from 'node:events';
import { type AddressInfo, connect, createServer } from 'node:net';
import { describe, expect, it, vi } from 'vitest';
import { createSeedData } from '../src/demo/seed.ts';
import { startDemoUpstream } from '../src/demo/upstream.ts';
import { encodeGlobalId } from '../src/schema/global-id.ts';
import { readyUrl, startMain as start } from './helpers/main-process.ts';
import { holdEach } from './helpers/waits.ts';

const seed = createSeedData();
const seedCount = (orgId: string) => Math.min(50, seed.get(orgId)?.length ?? 0);

describe('main', () => {
  it('stops at once with one clear line naming a bad setting', async () => {
    const started = start({ PORT: 'abc' });
    expect(await started.exited).toBe(1);
    expect(started.output().trim()).toBe('config: PORT must be a whole number from 0 to 65535, got "abc"');
  });

  it('with NODE_ENV=production and no UPSTREAM_URL, stops with one line naming UPSTREAM_URL: no demo data by accident', async () => {
    const started = start({ PORT: '0', NODE_ENV: 'production' });
    expect(await started.exited).toBe(1);
    expect(started.output().trim().split('\n')).toEqual([
      'config: UPSTREAM_URL is not set, and NODE_ENV=production serves no demo data: set UPSTREAM_URL to the REST API (or DEMO_UPSTREAM=true for the embedded demo)',
    ]);
  });

  it.each([
    ['alone', {}],
    ['with WORKERS=2, whose workers are given the demo as UPSTREAM_URL', { WORKERS: '2' }],
  ])('with NODE_ENV=production and DEMO_UPSTREAM=true, serves the demo (%s)', async (_name, env) => {
    const started = start({ PORT: '0', NODE_ENV: 'production', DEMO_UPSTREAM: 'true', ...env });
    try {
      const url = await readyUrl(started);
      expect(started.output()).toMatch(/UPSTREAM_URL is not set: serving the embedded demo upstream/);
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ organization(restId: "wayne") { assistants { nodes { restId } } } }' }),
      });
      const body = (await response.json()) as { data: { organization: { assistants: { nodes: unknown[] } } } };
      expect(body.data.organization.assistants.nodes).toHaveLength(seedCount('wayne'));
      expect((await fetch(url.replace('/graphql', '/ready'))).status).toBe(200);
    } finally {
      started.child.kill('SIGTERM');
      expect(await started.exited).toBe(0);
    }
  });

  it.each([
    ['METRICS_PORT', (port: number) => ({ METRICS_PORT: String(port), PORT: '0' })],
    ['PORT', (port: number) => ({ PORT: String(port) })],
  ])('stops with one line naming %s when that port is taken', async (name, env) => {
    const taken = createServer().listen(0, '127.0.0.1');
    await once(taken, 'listening');
    const { port } = taken.address() as AddressInfo;
    try {
      const started = start({
        UPSTREAM_URL: 'http://127.0.0.1:9',
        HOST: '127.0.0.1',
        METRICS_HOST: '127.0.0.1',
        ...env(port),
      });
      expect(await started.exited).toBe(1);
      const errors = started
        .output()
        .split('\n')
        .filter((line) => line !== '' && !line.startsWith('{'));
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatch(new RegExp(`^cannot listen: ${name} ${port} is already in use .*EADDRINUSE`));
    } finally {
      taken.close();
    }
  });

  it('serves the embedded demo upstream when UPSTREAM_URL is unset, and says so', async () => {
    const started = start({ PORT: '0' });
    try {
      const url = await readyUrl(started);
      expect(started.output()).toMatch(/UPSTREAM_URL is not set: serving the embedded demo upstream/);
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          query: '{ organization(restId: "acme") { assistants(first: 20) { nodes { name } } } }',
        }),
      });
      const body = (await response.json()) as { data: { organization: { assistants: { nodes: unknown[] } } } };
      expect(body.data.organization.assistants.nodes).toHaveLength(12);
      expect((await fetch(url.replace('/graphql', '/health'))).status).toBe(200);
    } finally {
      started.child.kill('SIGTERM');
      expect(await started.exited).toBe(0);
    }
  });

  it('on SIGTERM: /ready turns 503 at once, serves on for SHUTDOWN_DELAY_MS, finishes every request in flight, exits 0', async () => {
    await using upstream = await startDemoUpstream();
    const started = start({ PORT: '0', UPSTREAM_URL: upstream.url, SHUTDOWN_DELAY_MS: '3000' });
    const url = await readyUrl(started);
    const ready = () => fetch(url.replace('/graphql', '/ready')).then((response) => response.status);
    expect(await ready()).toBe(200);
    const ask = (orgId: string) =>
      fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          query: `{ organization(restId: "${orgId}") { assistants(first: 50) { nodes { restId } } } }`,
        }),
      }).then(async (response) => ({
        status: response.status,
        body: (await response.json()) as {
          data?: { organization: { assistants: { nodes: unknown[] } } };
          errors?: unknown;
        },
      }));
    const orgs = ['acme', 'globex', 'initech', 'wayne', 'hooli', 'acme', 'globex', 'wayne'];
    // Eight requests, five distinct pages: identical calls in flight are shared. The five calls are held at
    // the upstream, all eight requests in flight (three sharing), until the gateway has been told to stop
    // and has taken one more request.
    const calls = holdEach(upstream, [...new Set(orgs)]);
    const inFlight = orgs.map(ask);
    await calls.arrived;
    const metrics = /metrics: (http:\/\/localhost:\d+\/metrics)/.exec(started.output())?.[1] as string;
    await vi.waitFor(
      async () => expect(await (await fetch(metrics)).text()).toMatch(/^upstream_coalesced_total\{scope="local"\} 3$/m),
      { timeout: 10_000 },
    );

    started.child.kill('SIGTERM');
    await vi.waitFor(async () => expect(await ready()).toBe(503), { interval: 20 });
    // Still serving while load balancers notice: a request sent now is answered in full.
    const late = ask('wayne');
    expect((await fetch(url.replace('/graphql', '/health'))).status).toBe(200);
    calls.release();

    for (const [index, answer] of (await Promise.all([...inFlight, late])).entries()) {
      const orgId = orgs[index] ?? 'wayne';
      expect(answer.status).toBe(200);
      expect(answer.body.errors).toBeUndefined();
      expect(answer.body.data?.organization.assistants.nodes).toHaveLength(seedCount(orgId));
    }
    expect(await started.exited).toBe(0);
    expect(started.output()).toMatch(/SIGTERM: \/ready answers 503; serving for 3000 ms more/);
    expect(started.output()).toMatch(/"msg":"stopped"/);
  });

  it('on SIGINT after serving, leaves nothing but stdio holding the process when it exits: no timer, socket or server', async () => {
    // tsx, which runs the source here, writes its transform cache in the background (a file write
    // in flight at exit, an FSReqCallback): without the cache, what is left open is the gateway's own.
    const started = start({ PORT: '0', LOG_LEVEL: 'debug', TSX_DISABLE_CACHE: '1' });
    const url = await readyUrl(started);
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ organization(restId: "acme") { assistants(first: 2) { nodes { name } } } }' }),
    });
    expect(response.status).toBe(200);
    await response.arrayBuffer();
    started.child.kill('SIGINT');
    expect(await started.exited).toBe(0);
    const lines = started
      .output()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { msg: string; open?: string[] });
    const atExit = lines.find((line) => line.msg === 'still open at exit');
    expect(atExit, started.output()).toBeDefined();
    // The child's stdout and stderr are pipes to this test.
    expect(atExit?.open?.filter((resource) => resource !== 'PipeWrap')).toEqual([]);
  });

  it('on SIGINT, does not wait for a connection that never sent a request (a browser preconnect)', async () => {
    // The drain bound is ten minutes: only a stop that ignores the silent connection ends within the test.
    const started = start({ PORT: '0', SHUTDOWN_TIMEOUT_MS: '600000' });
    const { port } = new URL(await readyUrl(started));
    const silent = connect(Number(port), '127.0.0.1');
    await once(silent, 'connect');
    const closedByGateway = once(silent, 'close');
    silent.on('error', () => undefined);
    started.child.kill('SIGINT');
    expect(await started.exited).toBe(0);
    await closedByGateway;
  });

  it('cuts what is still in flight after SHUTDOWN_TIMEOUT_MS, and exits 0', async () => {
    await using upstream = await startDemoUpstream();
    // Never released: only the shutdown bound can end this request.
    const call = upstream.hold('acme');
    const started = start({ PORT: '0', UPSTREAM_URL: upstream.url, SHUTDOWN_TIMEOUT_MS: '500' });
    const url = await readyUrl(started);
    const answer = fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ organization(restId: "acme") { assistants { nodes { restId } } } }' }),
    }).then(
      () => 'answered',
      () => 'cut',
    );
    await call.arrived;
    started.child.kill('SIGTERM');
    expect(await started.exited).toBe(0);
    expect(await answer).toBe('cut');
  });

  it('serves 25 browsers opening GraphiQL at once, just started, under the heap the deployment files set', async () => {
    const started = start({ PORT: '0', NODE_OPTIONS: '--max-old-space-size=320' });
    try {
      const url = await readyUrl(started);
      const pages = await Promise.all(
        Array.from({ length: 25 }, () =>
          fetch(url, { headers: { accept: 'text/html' } }).then(async (response) => ({
            status: response.status,
            type: response.headers.get('content-type'),
            text: await response.text(),
          })),
        ),
      );
      for (const page of pages) {
        expect(page.status).toBe(200);
        expect(page.type).toMatch(/^text\/html/);
        expect(page.text).toContain('<title>Assistants GraphQL</title>');
        expect(page.text).toBe(pages[0]?.text);
      }
      expect((await fetch(url.replace('/graphql', '/health'))).status).toBe(200);
      expect(started.child.exitCode).toBeNull();
    } finally {
      started.child.kill('SIGTERM');
      await started.exited;
    }
  }, 60_000);

  it('survives a 30 MB upstream page under a 96 MB heap: that field fails, /health answers', async () => {
    await using upstream = await startDemoUpstream();
    upstream.inject({ orgId: 'globex', padTo: 30_000_000 });
    const started = start({
      PORT: '0',
      UPSTREAM_URL: upstream.url,
      NODE_OPTIONS: '--max-old-space-size=96',
    });
    try {
      const url = await readyUrl(started);
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          query:
            '{ globex: organization(restId: "globex") { assistants(first: 2) { nodes { restId } } } acme: organization(restId: "acme") { assistants(first: 2) { nodes { restId } } } }',
        }),
      });
      const body = (await response.json()) as {
        data: Record<string, { assistants: unknown } | null>;
        errors: { path: string[]; extensions: { code: string } }[];
      };
      expect(body.data.globex?.assistants).toBeNull();
      expect(body.data.acme?.assistants).not.toBeNull();
      expect(body.errors.map((error) => [error.path.join('.'), error.extensions.code])).toEqual([
        ['globex.assistants', 'UPSTREAM_BAD_RESPONSE'],
      ]);
      expect((await fetch(url.replace('/graphql', '/health'))).status).toBe(200);
      expect(started.child.exitCode).toBeNull();
    } finally {
      started.child.kill('SIGTERM');
      await started.exited;
    }
  }, 30_000);

  // Its peak memory is measured by `npm run bench:memory` (bench/bounded-memory.ts), not asserted here.
  it('answers 50 concurrent refetches of 21 ids over 7 large orgs', async () => {
    const data = createSeedData();
    const initech = data.get('initech') ?? [];
    const orgs = Array.from({ length: 7 }, (_, i) => `large${i}`);
    for (const org of orgs) data.set(org, initech);
    await using upstream = await startDemoUpstream({ data, recordRequests: false });
    const started = start({ PORT: '0', UPSTREAM_URL: upstream.url });
    try {
      const url = await readyUrl(started);
      const ids = orgs.flatMap((org) =>
        [10, 180, 340].map((i) => encodeGlobalId('Assistant', `${org}/${initech[i]?.id}`)),
      );
      const query = 'query ($ids: [ID!]!) { nodes(ids: $ids) { ... on Assistant { restId config { instructions } } } }';
      const answers = await Promise.all(
        Array.from({ length: 50 }, () =>
          fetch(url, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ query, variables: { ids } }),
          }).then((response) => response.json() as Promise<{ data: { nodes: { restId: string }[] } }>),
        ),
      );
      const wanted = orgs.flatMap(() => [10, 180, 340].map((i) => initech[i]?.id));
      for (const answer of answers) expect(answer.data.nodes.map((node) => node.restId)).toEqual(wanted);
    } finally {
      started.child.kill('SIGTERM');
      await started.exited;
    }
  }, 60_000);

  // Its peak memory is measured by `npm run bench:memory` (bench/bounded-memory.ts), not asserted here.
  it('refuses ten aliased windows on 20 MB pages field by field, and stays live', async () => {
    await using upstream = await startDemoUpstream();
    upstream.inject({ padTo: 20_000_000 });
    const started = start({ PORT: '0', UPSTREAM_URL: upstream.url });
    try {
      const url = await readyUrl(started);
      const windows = Array.from(
        { length: 10 },
        (_, i) => `w${i}: organization(restId: "initech") { assistants(first: ${i + 1}) { nodes { restId } } }`,
      );
      const answer = fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: `{ ${windows.join(' ')} }` }),
      }).then((response) => response.json() as Promise<{ errors: { extensions: { code: string } }[] }>);
      expect((await fetch(url.replace('/graphql', '/health'))).status).toBe(200);
      const { errors } = await answer;
      expect(errors.map((error) => error.extensions.code)).toEqual(Array(10).fill('UPSTREAM_BAD_RESPONSE'));
    } finally {
      started.child.kill('SIGTERM');
      await started.exited;
    }
  }, 30_000);
});
