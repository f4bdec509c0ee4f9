// The local fleet under steady load through a real HAProxy (Debian's
// package, running deploy/haproxy.cfg on loopback): every replica restarted
// in turn loses no request, and a replica killed outright costs at most the
// requests it held, and none once HAProxy has taken it out. Needs haproxy
// and redis-server (.ci/run installs them); without them the suite is
// skipped, except in CI, where it fails.

import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type Fleet, startFleet } from '../../deploy/local-fleet/fleet.ts';
import { haproxyBinary } from '../../deploy/local-fleet/haproxy.ts';
import { redisBinary } from '../../deploy/local-fleet/redis.ts';
import { createSeedData } from '../../src/demo/seed.ts';

const missing = [haproxyBinary ? [] : ['haproxy'], redisBinary ? [] : ['redis-server']].flat();
const skip = missing.length > 0 && !process.env.CI;
if (skip) {
  console.warn(
    `test/deploy/fleet.test.ts skipped: no ${missing.join(' or ')} (install Debian's ${missing.join(' and ')} packages)`,
  );
}

const seed = createSeedData();
const orgs = ['acme', 'globex', 'initech', 'wayne', 'hooli'];
const expectedNames = (orgId: string) => (seed.get(orgId) ?? []).slice(0, 5).map((assistant) => assistant.name);

interface Outcome {
  readonly at: number;
  readonly ok: boolean;
  readonly detail: string;
}

/**
 * `connections` loops, each sending one request after another through
 * HAProxy until stopped; an answer counts as ok only if it is a 200 with
 * exactly the org's first assistants and no error.
 */
function steadyLoad(url: string, connections: number) {
  const outcomes: Outcome[] = [];
  let running = true;
  const loop = async (lane: number) => {
    for (let n = lane; running; n += connections) {
      const orgId = orgs[n % orgs.length] as string;
      let ok = false;
      let detail = '';
      try {
        const response = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            query: `query Names { organization(restId: "${orgId}") { assistants(first: 5) { nodes { name } } } }`,
          }),
        });
        const body = (await response.json()) as {
          data?: { organization?: { assistants?: { nodes?: { name: string }[] } } };
          errors?: unknown;
        };
        const names = body.data?.organization?.assistants?.nodes?.map((node) => node.name);
        ok = response.status === 200 && body.errors === undefined && sameNames(names, expectedNames(orgId));
        detail = ok ? '' : `${response.status} ${JSON.stringify(body).slice(0, 300)}`;
      } catch (error) {
        detail = String(error);
      }
      outcomes.push({ at: Date.now(), ok, detail });
    }
  };
  const lanes = Array.from({ length: connections }, (_, lane) => loop(lane));
  return {
    outcomes,
    failures: () => outcomes.filter((outcome) => !outcome.ok),
    async stop() {
      running = false;
      await Promise.all(lanes);
    },
  };
}

function sameNames(names: string[] | undefined, expected: string[]): boolean {
  return names !== undefined && names.length === expected.length && names.every((name, i) => name === expected[i]);
}

describe.skipIf(skip)('a fleet of three behind HAProxy', () => {
  let fleet: Fleet;
  /** Requests each replica has logged, by name. */
  const served = new Map<string, number>();

  beforeAll(async () => {
    if (missing.length > 0) throw new Error(`CI is set but ${missing.join(' and ')} is missing: .ci/run installs them`);
    fleet = await startFleet({
      onLog: (replica, line) => {
        if (line.includes('"msg":"graphql request"')) served.set(replica, (served.get(replica) ?? 0) + 1);
      },
    });
    await vi.waitFor(
      async () => expect([...(await fleet.haproxy.serverStates()).values()]).toEqual(['UP', 'UP', 'UP']),
      {
        timeout: 15_000,
      },
    );
  }, 60_000);

  afterAll(async () => {
    await fleet?.stop();
  });

  const untilState = (name: string, state: RegExp) =>
    vi.waitFor(async () => expect((await fleet.haproxy.serverStates()).get(name)).toMatch(state), {
      timeout: 20_000,
      interval: 50,
    });

  it('restarts each replica in turn (SIGTERM, then started again) under load without a single failed request', async () => {
    const load = steadyLoad(fleet.url, 6);
    try {
      for (const replica of fleet.replicas) {
        const before = load.outcomes.length;
        // The drain: /ready goes 503, HAProxy takes it out within its checks, in-flight requests finish.
        expect(await replica.stop('SIGTERM')).toBe(0);
        await replica.start();
        await untilState(replica.name, /^UP$/);
        const servedBefore = served.get(replica.name) ?? 0;
        // Load went on while it was away, and reaches it again once it is back.
        await vi.waitFor(() => expect(served.get(replica.name) ?? 0).toBeGreaterThan(servedBefore), {
          timeout: 10_000,
        });
        expect(load.outcomes.length).toBeGreaterThan(before);
      }
    } finally {
      await load.stop();
    }
    expect(load.failures()).toEqual([]);
    expect(load.outcomes.length).toBeGreaterThan(100);
  }, 120_000);

  it('loses at most the requests in flight on a replica killed outright, and none once HAProxy has taken it out', async () => {
    const connections = 6;
    const load = steadyLoad(fleet.url, connections);
    const victim = fleet.replicas[1] as Fleet['replicas'][number];
    let downAt = 0;
    try {
      await vi.waitFor(() => expect(load.outcomes.length).toBeGreaterThan(50), { timeout: 20_000 });
      const killedAt = Date.now();
      await victim.stop('SIGKILL');
      await untilState(victim.name, /^DOWN/);
      downAt = Date.now();
      // Load goes on on the other two.
      const atDown = load.outcomes.length;
      await vi.waitFor(() => expect(load.outcomes.length).toBeGreaterThan(atDown + 50), { timeout: 20_000 });
      const failed = load.failures();
      console.info(
        `SIGKILL of ${victim.name} under load: ${failed.length} of ${load.outcomes.length} requests failed; HAProxy marked it DOWN ${downAt - killedAt} ms after the kill`,
      );
      // Only what the killed replica held when it died may fail: at most one request per connection.
      expect(failed.length).toBeLessThanOrEqual(connections);
      expect(failed.filter((outcome) => outcome.at > downAt)).toEqual([]);
    } finally {
      await load.stop();
      await victim.start();
    }
  }, 120_000);
});
