// The gateway's metrics as a real Prometheus server sees them: a known mix of
// operations goes through the gateway, Prometheus scrapes its metrics
// listener, and every count is read back through PromQL and compared with
// what was sent and with what the demo upstream itself received.
//
// Needs a prometheus binary (Debian's `prometheus` package; .ci/run installs
// it). Without one the suite is skipped, except in CI, where it fails.

import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type GraphQLResponse, startTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { findPrometheus, type PrometheusServer, type Sample, startPrometheus } from '../helpers/prometheus.ts';

const binary = findPrometheus();
const inCI = Boolean(process.env.CI);
const skip = binary === undefined && !inCI;
const skipReason =
  "no prometheus binary (install Debian's `prometheus` package or set PROMETHEUS_BIN); " +
  'in CI (CI set) a missing binary fails the suite instead';
if (skip) console.warn(`test/observability/prometheus.test.ts skipped: ${skipReason}`);

const job = 'gateway';
const serviceToken = `svc-secret-${randomUUID()}`;
const callerToken = `caller-secret-${randomUUID()}`;
const badCursor = 'not-a-cursor-4711';
const badGlobalId = 'not-a-global-id-4711';
const orgIds = ['acme', 'globex', 'initech', 'wayne', 'hooli'];

const env = {
  // Pages of 50 at most: `first: 100` needs several upstream calls.
  UPSTREAM_MAX_TAKE: '50',
  UPSTREAM_RETRIES: '2',
  // `Many` asks for 6 calls; the 6th is refused as it is made (measured, not refused before it runs).
  MAX_UPSTREAM_CALLS: '5',
  DEMAND_CONTROL: 'measure',
  UPSTREAM_TOKEN: serviceToken,
};

type Outcome = 'ok' | 'partial' | 'error';

/** What one operation is meant to be, as the metrics should label it. */
interface Expectation {
  readonly type: 'query' | 'unknown';
  /** As the label shows it: `anonymous` when the document has no name or was never parsed. */
  readonly name: string;
  readonly outcome: Outcome;
  /** `extensions.code` of each error, in order. */
  readonly codes: readonly string[];
  /** This operation makes the HTTP request's upstream calls (at most one per request does). */
  readonly upstream?: boolean;
}

/** One operation as sent, with the upstream calls the demo upstream saw for it. */
interface Sent extends Expectation {
  /** Distinct pages asked for: the same page twice in one operation is a retry. */
  readonly calls: number;
  readonly retries: number;
}

const firstPage = `query FirstPage {
  organization(restId: "acme") { id assistants(first: 5) { edges { cursor node { id restId } } pageInfo { endCursor } } }
}`;
const nextPage = `query NextPage($after: String) {
  organization(restId: "acme") { assistants(first: 5, after: $after) { nodes { id restId } pageInfo { endCursor } } }
}`;
const wide = `query Wide {
  organization(restId: "initech") { assistants(first: 100) { nodes { id restId } pageInfo { hasNextPage endCursor } } }
}`;
const orgOnly = '{ organization(restId: "wayne") { id restId } }';
const twoOrgs = (other: string) => `query TwoOrgs {
  healthy: organization(restId: "acme") { assistants(first: 3) { nodes { id restId } } }
  other: organization(restId: "${other}") { assistants(first: 3) { nodes { id restId } } }
}`;
// Six different pages: one more than MAX_UPSTREAM_CALLS.
const many = `query Many {
  a1: organization(restId: "acme") { assistants(first: 1) { nodes { restId } } }
  a2: organization(restId: "acme") { assistants(first: 2) { nodes { restId } } }
  a3: organization(restId: "globex") { assistants(first: 3) { nodes { restId } } }
  a4: organization(restId: "initech") { assistants(first: 4) { nodes { restId } } }
  a5: organization(restId: "wayne") { assistants(first: 5) { nodes { restId } } }
  a6: organization(restId: "hooli") { assistants(first: 6) { nodes { restId } } }
}`;
const badCursorQuery = `query BadCursor {
  organization(restId: "acme") { assistants(first: 3, after: "${badCursor}") { nodes { restId } } }
}`;
const badIdQuery = `query BadId { node(id: "${badGlobalId}") { id } }`;
const syntaxError = 'query Broken { organization(restId: "acme") {';
const invalid = 'query Invalid { organization(restId: "acme") { nope } }';
const needsOrg = 'query NeedsOrg($org: ID!) { organization(restId: $org) { restId } }';

interface Run {
  gateway: TestGateway;
  prometheus: PrometheusServer;
  sent: Sent[];
  /** Ids, global ids and cursors the gateway answered with. */
  seen: Set<string>;
  /** Seconds since the epoch of the first good scrape after the last operation; every query is evaluated there. */
  at: number;
}

describe.skipIf(skip)(`metrics through a real Prometheus${skip ? ` (skipped: ${skipReason})` : ''}`, () => {
  let run: Run | undefined;
  const cleanups: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    if (binary === undefined) {
      throw new Error(
        "CI is set but no prometheus binary was found: .ci/run installs Debian's `prometheus` package (or set PROMETHEUS_BIN)",
      );
    }
    const gateway = await startTestGateway({ serveMetrics: true, env });
    cleanups.unshift(() => gateway[Symbol.asyncDispose]());
    const metricsUrl = new URL(expectDefined(gateway.metricsUrl, 'metricsUrl'));
    expect(metricsUrl.hostname).toBe('127.0.0.1');
    const prometheus = await startPrometheus({ binary, jobName: job, targets: [metricsUrl.host] });
    cleanups.unshift(() => prometheus[Symbol.asyncDispose]());

    const sent: Sent[] = [];
    const seen = new Set<string>();
    await sendMix(gateway, sent, seen);
    const finished = Date.now() / 1_000;

    let at = 0;
    try {
      await vi.waitFor(
        async () => {
          // The timestamp of the latest scrape, if it succeeded: it must have started after the last answer.
          const [scrape] = await prometheus.query(`timestamp(up{job="${job}"}) and up{job="${job}"} == 1`);
          expect(scrape?.value).toBeGreaterThan(finished);
          at = expectDefined(scrape, 'scrape').value;
        },
        { timeout: 20_000, interval: 250 },
      );
    } catch (error) {
      throw new Error(
        `Prometheus did not scrape the gateway after the last operation: ${String(error)}\n` +
          `targets: ${JSON.stringify(await prometheus.targets())}\nlog:\n${prometheus.log()}`,
      );
    }
    // Evaluated just after that scrape (1 ms later, so that the rounding of seconds cannot miss it),
    // every query sees that scrape's samples, whatever later scrapes do.
    run = { gateway, prometheus, sent, seen, at: (Math.round(at * 1_000) + 1) / 1_000 };
  }, 60_000);

  afterAll(async () => {
    for (const cleanup of cleanups) await cleanup();
  }, 30_000);

  const state = (): Run => expectDefined(run, 'the run of beforeAll');
  const query = async (promql: string): Promise<Sample[]> => state().prometheus.query(promql, state().at);
  const scalar = async (promql: string): Promise<number> => {
    const samples = await query(promql);
    expect(samples, promql).toHaveLength(1);
    return expectDefined(samples[0], promql).value;
  };
  const total = (pick: (sent: Sent) => number) => state().sent.reduce((sum, one) => sum + pick(one), 0);

  it('counts operations by outcome as they were answered', async () => {
    const { sent } = state();
    expect(tally(sent.map((one) => one.outcome))).toEqual({ ok: 9, partial: 6, error: 4 });
    expect(byLabels(await query(`sum by (outcome) (graphql_operations_total{job="${job}"})`), ['outcome'])).toEqual(
      tally(sent.map((one) => one.outcome)),
    );
    expect(
      byLabels(
        await query(`sum by (operation_type, operation_name, outcome) (graphql_operations_total{job="${job}"})`),
        ['operation_type', 'operation_name', 'outcome'],
      ),
    ).toEqual(tally(sent.map((one) => `${one.type} ${one.name} ${one.outcome}`)));
    expect(await scalar(`sum(graphql_operation_duration_seconds_count{job="${job}"})`)).toBe(sent.length);
  });

  it('counts errors by code as the responses carried them', async () => {
    const codes = state().sent.flatMap((one) => one.codes);
    expect(tally(codes)).toEqual({ BAD_USER_INPUT: 6, FORBIDDEN: 2, UPSTREAM_ERROR: 1, LIMIT_EXCEEDED: 1 });
    expect(byLabels(await query(`sum by (code) (graphql_errors_total{job="${job}"})`), ['code'])).toEqual(tally(codes));
  });

  it('counts each upstream call once, its retries apart, as the upstream received them', async () => {
    const { gateway } = state();
    const calls = total((one) => one.calls);
    const retries = total((one) => one.retries);
    // The demo upstream's own count: every attempt, retries included.
    expect(gateway.upstream.requestCount).toBe(calls + retries);
    expect(gateway.upstream.requests).toHaveLength(gateway.upstream.requestCount);
    expect(retries).toBe(2);

    expect(await scalar(`sum(upstream_requests_total{job="${job}"})`)).toBe(calls);
    expect(await scalar(`sum(upstream_retries_total{job="${job}"})`)).toBe(retries);
    expect(byLabels(await query(`sum by (reason) (upstream_retries_total{job="${job}"})`), ['reason'])).toEqual({
      '503': 2,
    });
    expect(await scalar(`sum(upstream_requests_total{job="${job}"}) + sum(upstream_retries_total{job="${job}"})`)).toBe(
      gateway.upstream.requestCount,
    );
    // The faults injected: two 403s for globex, one 503 for hooli (after its retries).
    expect(
      byLabels(await query(`sum by (route, status_class, outcome) (upstream_requests_total{job="${job}"})`), [
        'route',
        'status_class',
        'outcome',
      ]),
    ).toEqual({
      '/orgs/{org_id}/assistants 2xx ok': calls - 3,
      '/orgs/{org_id}/assistants 4xx FORBIDDEN': 2,
      '/orgs/{org_id}/assistants 5xx UPSTREAM_ERROR': 1,
    });
    expect(await scalar(`sum(upstream_request_duration_seconds_count{job="${job}"})`)).toBe(calls);
    expect(await scalar(`sum(upstream_requests_in_flight{job="${job}"})`)).toBe(0);
    expect(await scalar(`sum(upstream_call_limit_exceeded_total{job="${job}"})`)).toBe(1);
    expect(await scalar(`sum(upstream_response_bytes_total{job="${job}"})`)).toBeGreaterThan(0);
  });

  it("records each operation's fan-out", async () => {
    const { sent } = state();
    const calls = total((one) => one.calls);
    expect(await scalar(`sum(upstream_calls_per_operation_sum{job="${job}"})`)).toBe(calls);
    // Every answered operation is observed, those refused before execution (parse, validation,
    // variables, a body that is not JSON) with 0 calls; those never parsed are of type `unknown`.
    expect(await scalar(`sum(upstream_calls_per_operation_count{job="${job}"})`)).toBe(sent.length);
    expect(
      byLabels(await query(`sum by (operation_type) (upstream_calls_per_operation_count{job="${job}"})`), [
        'operation_type',
      ]),
    ).toEqual(tally(sent.map((one) => one.type)));

    // The whole cumulative distribution, bucket by bucket.
    const buckets = byLabels(await query(`sum by (le) (upstream_calls_per_operation_bucket{job="${job}"})`), ['le']);
    expect(Object.keys(buckets)).toEqual(expect.arrayContaining(['0', '1', '2', '3', '5', '+Inf']));
    for (const [le, count] of Object.entries(buckets)) {
      const bound = le === '+Inf' ? Number.POSITIVE_INFINITY : Number(le);
      expect(count, `le="${le}"`).toBe(sent.filter((one) => one.calls <= bound).length);
    }
    // Operations with more than one call: the multi-page, multi-org and over-the-limit ones.
    const fannedOut = sent.filter((one) => one.calls > 1);
    expect(fannedOut.map((one) => one.name).sort()).toEqual(['Many', 'TwoOrgs', 'TwoOrgs', 'TwoOrgs', 'Wide', 'Wide']);
    expect(
      await scalar(
        `sum(upstream_calls_per_operation_count{job="${job}"}) - sum(upstream_calls_per_operation_bucket{job="${job}",le="1"})`,
      ),
    ).toBe(fannedOut.length);
    // `Wide` reads several pages of one org.
    for (const one of sent.filter((s) => s.name === 'Wide')) expect(one.calls).toBeGreaterThan(1);
  });

  it('labels no series with an org id, an object id, a cursor or a token', async () => {
    const { prometheus, at, seen } = state();
    // The scrape `at` stands just after, and the one before it.
    const series = await prometheus.series(`{job="${job}"}`, at - 1.5, at);
    const families = new Set(series.map((labels) => labels.__name__));
    for (const family of [
      'graphql_operations_total',
      'graphql_operation_duration_seconds_count',
      'graphql_errors_total',
      'upstream_requests_total',
      'upstream_request_duration_seconds_bucket',
      'upstream_retries_total',
      'upstream_requests_in_flight',
      'upstream_response_bytes_total',
      'upstream_calls_per_operation_bucket',
      'upstream_call_limit_exceeded_total',
    ]) {
      expect(families, family).toContain(family);
    }
    expect(new Set(series.flatMap((labels) => Object.keys(labels)))).toEqual(
      new Set([
        '__name__',
        'job',
        'instance',
        'operation_type',
        'operation_name',
        'outcome',
        'code',
        'route',
        'status_class',
        'reason',
        // A cursor check's status (graphql_cursor_checks_total): one of five, never the cursor.
        'status',
        // An operation's cost, estimated or actual (graphql_operation_cost).
        'measure',
        'le',
      ]),
    );
    expect(seen.size).toBeGreaterThan(100);
    const secrets = [...orgIds, serviceToken, callerToken, badCursor, badGlobalId, ...seen];
    const leaks = series.flatMap((labels) =>
      Object.entries(labels).flatMap(([label, value]) =>
        secrets
          .filter((secret) => value.includes(secret))
          .map((secret) => `${labels.__name__}{${label}="${value}"} holds ${JSON.stringify(secret)}`),
      ),
    );
    expect([...new Set(leaks)]).toEqual([]);
    expect(new Set(series.flatMap((labels) => labels.operation_name ?? []))).toEqual(
      new Set(state().sent.map((one) => one.name)),
    );
  });
});

/** Sends the mix, one HTTP request at a time, and records what each operation did. */
async function sendMix(gateway: TestGateway, sent: Sent[], seen: Set<string>): Promise<void> {
  const exchange = async (
    body: string,
    expectations: readonly Expectation[],
    headers: Record<string, string> = {},
  ): Promise<GraphQLResponse[]> => {
    const before = gateway.upstream.requestCount;
    const response = await fetch(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
    });
    const parsed = (await response.json()) as GraphQLResponse | GraphQLResponse[];
    const results = Array.isArray(parsed) ? parsed : [parsed];
    expect(results, body).toHaveLength(expectations.length);
    results.forEach((result, i) => {
      const expected = expectDefined(expectations[i], 'expectation');
      expect({ outcome: outcomeOf(result), codes: codesOf(result) }, body).toEqual({
        outcome: expected.outcome,
        codes: expected.codes,
      });
      collectIds(result.data, seen);
    });
    const requests = gateway.upstream.requests.slice(before);
    const distinct = new Set(requests.map((request) => request.rawPath)).size;
    const calling = expectations.filter((expected) => expected.upstream);
    expect(calling.length, 'at most one operation of a request calls the upstream').toBeLessThanOrEqual(1);
    if (calling.length === 0) expect(requests, body).toEqual([]);
    for (const expected of expectations) {
      sent.push({
        ...expected,
        calls: expected.upstream ? distinct : 0,
        retries: expected.upstream ? requests.length - distinct : 0,
      });
    }
    return results;
  };
  const operation = (query: string, variables?: Record<string, unknown>) => JSON.stringify({ query, variables });
  const ok = (name: string, upstream = true): Expectation => ({
    type: 'query',
    name,
    outcome: 'ok',
    codes: [],
    upstream,
  });

  // ok: 4 × FirstPage (with the caller's own token), NextPage, 2 × Wide, one anonymous without upstream calls.
  let cursor: string | undefined;
  for (let i = 0; i < 4; i++) {
    const [result] = await exchange(operation(firstPage), [ok('FirstPage')], {
      authorization: `Bearer ${callerToken}`,
    });
    cursor = result?.data?.organization?.assistants?.pageInfo?.endCursor;
  }
  expect(cursor).toEqual(expect.any(String));
  await exchange(operation(nextPage, { after: cursor }), [ok('NextPage')]);
  for (let i = 0; i < 2; i++) await exchange(operation(wide), [ok('Wide')]);
  await exchange(operation(orgOnly), [ok('anonymous', false)]);

  // partial: two orgs where one fails; over MAX_UPSTREAM_CALLS; bad input on a field.
  const partial = (name: string, code: string, upstream = true): Expectation => ({
    type: 'query',
    name,
    outcome: 'partial',
    codes: [code],
    upstream,
  });
  gateway.upstream.inject({ orgId: 'globex', status: 403, times: 2 });
  for (let i = 0; i < 2; i++) await exchange(operation(twoOrgs('globex')), [partial('TwoOrgs', 'FORBIDDEN')]);
  // Fails its first try and both retries (UPSTREAM_RETRIES=2).
  gateway.upstream.inject({ orgId: 'hooli', status: 503, retryAfter: '0', times: 3 });
  await exchange(operation(twoOrgs('hooli')), [partial('TwoOrgs', 'UPSTREAM_ERROR')]);
  await exchange(operation(many), [partial('Many', 'LIMIT_EXCEEDED')]);
  await exchange(operation(badCursorQuery), [partial('BadCursor', 'BAD_USER_INPUT', false)]);
  // A batch: one partial (no upstream call) and one ok.
  await exchange(JSON.stringify([{ query: badIdQuery }, { query: firstPage }]), [
    partial('BadId', 'BAD_USER_INPUT', false),
    ok('FirstPage'),
  ]);

  // error: no data at all.
  const error = (type: Expectation['type'], name: string): Expectation => ({
    type,
    name,
    outcome: 'error',
    codes: ['BAD_USER_INPUT'],
  });
  await exchange(operation(syntaxError), [error('unknown', 'anonymous')]);
  // It never ran (validation refused it), so its name takes no label of its own.
  await exchange(operation(invalid), [error('query', 'anonymous')]);
  await exchange(operation(needsOrg), [error('query', 'NeedsOrg')]);
  await exchange('{"query": "query Truncated { organization(restId: \\"acme\\")', [error('unknown', 'anonymous')]);

  // The tokens reached the upstream, so a label holding one would have had the chance to.
  const authorizations = new Set(gateway.upstream.requests.map((request) => request.authorization));
  expect(authorizations).toEqual(new Set([`Bearer ${callerToken}`, `Bearer ${serviceToken}`]));
}

function outcomeOf(result: GraphQLResponse): Outcome {
  if (!result.errors?.length) return 'ok';
  return result.data == null ? 'error' : 'partial';
}

function codesOf(result: GraphQLResponse): string[] {
  return (result.errors ?? []).map((error) => String(error.extensions?.code));
}

/** Every id, global id and cursor in a response's data. */
function collectIds(value: unknown, into: Set<string>): void {
  if (Array.isArray(value)) {
    for (const item of value) collectIds(item, into);
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, inner] of Object.entries(value)) {
      if (typeof inner === 'string' && ['id', 'restId', 'cursor', 'startCursor', 'endCursor'].includes(key)) {
        into.add(inner);
      } else {
        collectIds(inner, into);
      }
    }
  }
}

/** Samples keyed by their values of `labels` (joined by spaces). */
function byLabels(samples: readonly Sample[], labels: readonly string[]): Record<string, number> {
  const keyed: Record<string, number> = {};
  for (const sample of samples) keyed[labels.map((label) => sample.metric[label] ?? '').join(' ')] = sample.value;
  return keyed;
}

function tally(keys: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const key of keys) counts[key] = (counts[key] ?? 0) + 1;
  return counts;
}

function expectDefined<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`${what} is undefined`);
  return value;
}
