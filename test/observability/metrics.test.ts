// The gateway's metrics against what was sent and what the upstream saw:
// exact counts, one upstream call counted once whatever its retries, the
// fan-out of each operation, and labels that never carry an id or a token.

import type { MetricObjectWithValues, MetricValue } from 'prom-client';
import { describe, expect, it, vi } from 'vitest';
import { createGatewayMetrics, histogramBatchSize } from '../../src/observability/metrics.ts';
import { manualClock, startTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { callsUnderWay } from '../helpers/waits.ts';

type Labels = Record<string, string | number>;

async function valuesOf(gateway: TestGateway, name: string): Promise<MetricValue<string>[]> {
  const metric = (await gateway.registry.getMetricsAsJSON()).find((one) => one.name === name) as
    | MetricObjectWithValues<MetricValue<string>>
    | undefined;
  return metric?.values ?? [];
}

/** The sum of a metric's series whose labels include `labels`. */
async function total(gateway: TestGateway, name: string, labels: Labels = {}): Promise<number> {
  return (await valuesOf(gateway, name))
    .filter((value) => Object.entries(labels).every(([key, wanted]) => value.labels[key] === wanted))
    .reduce((sum, value) => sum + value.value, 0);
}

const page = (name: string, org = 'acme') =>
  `query ${name} { organization(restId: "${org}") { assistants(first: 5) { nodes { restId } } } }`;

describe('operation metrics', () => {
  it('count operations by outcome and name, errors by code, and the fan-out of each', async () => {
    // Pages of 40, so that a window of 100 takes three calls.
    await using gateway = await startTestGateway({ env: { UPSTREAM_MAX_TAKE: '40' } });
    gateway.upstream.inject({ orgId: 'globex', status: 403 });
    for (let i = 0; i < 3; i++) await gateway.query(page('FirstPage'));
    await gateway.query(
      'query Partial { a: organization(restId: "acme") { assistants { nodes { restId } } } g: organization(restId: "globex") { assistants { nodes { restId } } } }',
    );
    await gateway.query('query Broken { organization(restId: "acme") { nope } }');
    await gateway.query('{ node(id: "not-an-id") { id } }');
    // 250 assistants at the upstream's cap of 100: three pages.
    await gateway.query(
      'query Deep { organization(restId: "initech") { assistants(first: 100) { nodes { restId } } } }',
    );

    expect(await total(gateway, 'graphql_operations_total', { outcome: 'ok' })).toBe(4);
    // Partial: data beside errors (a failed org; a bad id nulls only its field); error: no data at all.
    expect(await total(gateway, 'graphql_operations_total', { outcome: 'partial' })).toBe(2);
    expect(await total(gateway, 'graphql_operations_total', { outcome: 'error' })).toBe(1);
    expect(
      await total(gateway, 'graphql_operations_total', { operation_name: 'FirstPage', operation_type: 'query' }),
    ).toBe(3);
    // The unnamed refetch, and Broken: a name takes a label only once its operation runs.
    expect(await total(gateway, 'graphql_operations_total', { operation_name: 'anonymous' })).toBe(2);
    expect(await total(gateway, 'graphql_operations_total', { operation_name: 'Broken' })).toBe(0);
    expect(await total(gateway, 'graphql_errors_total', { code: 'FORBIDDEN' })).toBe(1);
    expect(await total(gateway, 'graphql_errors_total', { code: 'BAD_USER_INPUT' })).toBe(2);
    const durations = await valuesOf(gateway, 'graphql_operation_duration_seconds');
    expect(
      durations
        .filter((value) => (value as { metricName?: string }).metricName?.endsWith('_count'))
        .reduce((s, v) => s + v.value, 0),
    ).toBe(7);

    const calls = gateway.upstream.requestCount;
    expect(await total(gateway, 'upstream_requests_total')).toBe(calls);
    expect(await total(gateway, 'upstream_requests_total', { status_class: '4xx', outcome: 'FORBIDDEN' })).toBe(1);
    expect(await total(gateway, 'upstream_requests_total', { status_class: '2xx', outcome: 'ok' })).toBe(calls - 1);

    // Fan-out: every call belongs to one operation; Deep made three, the one-org queries one each.
    const fanOut = await valuesOf(gateway, 'upstream_calls_per_operation');
    const sum = fanOut.find(
      (value) => (value as { metricName?: string }).metricName === 'upstream_calls_per_operation_sum',
    )?.value;
    const count = fanOut.find(
      (value) => (value as { metricName?: string }).metricName === 'upstream_calls_per_operation_count',
    )?.value;
    expect(sum).toBe(calls);
    expect(count).toBe(7);
    const atMostTwo = fanOut.find(
      (value) => (value as { metricName?: string }).metricName?.endsWith('_bucket') && value.labels.le === 2,
    )?.value;
    expect(atMostTwo).toBe(6);
    expect(await total(gateway, 'upstream_requests_in_flight')).toBe(0);
    expect(await total(gateway, 'upstream_response_bytes_total')).toBeGreaterThan(0);
  });

  it('keep the first METRICS_MAX_OPERATION_NAMES names as labels and count the rest as other', async () => {
    await using gateway = await startTestGateway({ env: { METRICS_MAX_OPERATION_NAMES: '2' } });
    // Names of documents that never run take no place.
    for (const name of ['Junk1', 'Junk2', 'Junk3']) await gateway.query(`query ${name} { nope }`);
    for (const name of ['One', 'Two', 'Three', 'Four', 'One', 'Five']) await gateway.query(page(name));
    const names = (await valuesOf(gateway, 'graphql_operations_total')).map((value) => value.labels.operation_name);
    expect(new Set(names)).toEqual(new Set(['anonymous', 'One', 'Two', 'other']));
    expect(await total(gateway, 'graphql_operations_total', { operation_name: 'other' })).toBe(3);
    expect(await total(gateway, 'graphql_operations_total', { operation_name: 'One' })).toBe(2);
  });
});

describe('operations of one batch', () => {
  it('are each timed to their own result, not to the slowest of the batch', async () => {
    const clock = manualClock();
    await using gateway = await startTestGateway({ now: clock.now });
    const slow = gateway.upstream.hold('globex');
    const answer = fetch(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([{ query: page('Quick', 'acme') }, { query: page('Slow', 'globex') }]),
    });
    await slow.arrived;
    // Once the gateway has read acme's page, Quick's result is made before any other I/O: only Slow is left.
    await vi.waitFor(async () => expect(await callsUnderWay(gateway)).toBe(1));
    clock.advance(600);
    slow.release();
    expect((await answer).status).toBe(200);
    const countAtMost = async (name: string, le: number) =>
      (await valuesOf(gateway, 'graphql_operation_duration_seconds')).find(
        (value) =>
          (value as { metricName?: string }).metricName === 'graphql_operation_duration_seconds_bucket' &&
          value.labels.operation_name === name &&
          value.labels.le === le,
      )?.value;
    expect(await countAtMost('Quick', 0.5)).toBe(1);
    expect(await countAtMost('Slow', 0.5)).toBe(0);
  });
});

describe('a batch item that is not an object', () => {
  it('is refused as bad input, and the operations beside it are counted as they were answered', async () => {
    await using gateway = await startTestGateway();
    const response = await fetch(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([1, { query: page('BesideIt') }]),
    });
    const [refused, answered] = (await response.json()) as {
      data?: unknown;
      errors?: { extensions: { code: string } }[];
    }[];
    expect(refused?.errors?.[0]?.extensions.code).toBe('BAD_USER_INPUT');
    expect(answered?.errors).toBeUndefined();
    expect(await total(gateway, 'graphql_operations_total', { operation_name: 'BesideIt', outcome: 'ok' })).toBe(1);
    expect(await total(gateway, 'graphql_operations_total', { operation_type: 'unknown', outcome: 'error' })).toBe(1);
    expect(await total(gateway, 'graphql_errors_total', { code: 'INTERNAL_SERVER_ERROR' })).toBe(0);
  });
});

describe('upstream metrics', () => {
  it('count a retried call once, its retries by reason, and refusals by MAX_UPSTREAM_CALLS', async () => {
    // Measured, not refused before it runs: the limit stops the calls as they are made.
    await using gateway = await startTestGateway({ env: { MAX_UPSTREAM_CALLS: '4', DEMAND_CONTROL: 'measure' } });
    gateway.upstream.inject({ orgId: 'globex', status: 503, times: 1 });
    gateway.upstream.inject({ orgId: 'wayne', drop: 'before-response', times: 1 });
    await gateway.query(
      '{ g: organization(restId: "globex") { assistants { nodes { restId } } } w: organization(restId: "wayne") { assistants { nodes { restId } } } }',
    );
    // Two calls, four attempts.
    expect(gateway.upstream.requestCount).toBe(4);
    expect(await total(gateway, 'upstream_requests_total')).toBe(2);
    expect(await total(gateway, 'upstream_retries_total', { reason: '503' })).toBe(1);
    expect(await total(gateway, 'upstream_retries_total', { reason: 'connection' })).toBe(1);

    const body = await gateway.query(
      '{ a: organization(restId: "acme") { assistants { nodes { restId } } } b: organization(restId: "wayne") { assistants { nodes { restId } } } c: organization(restId: "hooli") { assistants { nodes { restId } } } d: organization(restId: "initech") { assistants { nodes { restId } } } e: organization(restId: "globex") { assistants { nodes { restId } } } }',
    );
    // Five orgs, a budget of four calls: one is refused, and makes no call.
    expect(body.errors?.map((error) => error.extensions?.reason)).toEqual(['MAX_UPSTREAM_CALLS']);
    expect(await total(gateway, 'upstream_call_limit_exceeded_total')).toBe(1);
    expect(await total(gateway, 'graphql_errors_total', { code: 'LIMIT_EXCEEDED' })).toBe(1);
  });

  it('times out as UPSTREAM_TIMEOUT with no status, and connection failures as UPSTREAM_ERROR', async () => {
    await using gateway = await startTestGateway({ env: { UPSTREAM_TIMEOUT_MS: '200', UPSTREAM_RETRIES: '0' } });
    gateway.upstream.inject({ orgId: 'acme', latencyMs: 1_000 });
    gateway.upstream.inject({ orgId: 'wayne', drop: 'before-response' });
    await gateway.query(
      '{ a: organization(restId: "acme") { assistants { nodes { restId } } } w: organization(restId: "wayne") { assistants { nodes { restId } } } }',
    );
    expect(await total(gateway, 'upstream_requests_total', { status_class: 'none', outcome: 'UPSTREAM_TIMEOUT' })).toBe(
      1,
    );
    expect(await total(gateway, 'upstream_requests_total', { status_class: 'none', outcome: 'UPSTREAM_ERROR' })).toBe(
      1,
    );
  });
});

describe('labels', () => {
  it('never hold an org id, an assistant id, a token or a cursor', async () => {
    await using gateway = await startTestGateway();
    const token = 'Bearer label-token-1';
    const first = await gateway.query(
      '{ organization(restId: "acme") { assistants(first: 2) { pageInfo { endCursor } nodes { id restId } } } }',
      {},
      { authorization: token },
    );
    const connection = first.data.organization.assistants;
    await gateway.query(
      `query ($after: String) { organization(restId: "acme") { assistants(first: 2, after: $after) { nodes { restId } } } }`,
      { after: connection.pageInfo.endCursor },
      { authorization: token },
    );
    gateway.upstream.inject({ orgId: 'globex', status: 404 });
    await gateway.query('{ organization(restId: "globex") { assistants { nodes { restId } } } }');

    const forbidden = [
      'acme',
      'globex',
      token,
      'label-token-1',
      connection.pageInfo.endCursor,
      ...connection.nodes.flatMap((node: { id: string; restId: string }) => [node.id, node.restId]),
    ];
    const text = await gateway.metricsText();
    const labelValues = [...text.matchAll(/="([^"]*)"/g)].map((match) => match[1]);
    expect(labelValues.length).toBeGreaterThan(10);
    for (const value of labelValues) expect(forbidden).not.toContain(value);
    for (const value of forbidden) expect(text).not.toContain(value);
  });
});

describe('the metrics listener', () => {
  it('serves Prometheus text at /metrics on its own port, and nothing else; the GraphQL port has no /metrics', async () => {
    await using gateway = await startTestGateway({ serveMetrics: true });
    await gateway.query(page('Listened'));
    const metricsUrl = gateway.metricsUrl as string;
    const response = await fetch(metricsUrl);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(await response.text()).toMatch(
      /graphql_operations_total\{operation_type="query",operation_name="Listened",outcome="ok"\} 1/,
    );
    expect((await fetch(metricsUrl.replace('/metrics', '/'))).status).toBe(404);
    expect((await fetch(gateway.url.replace('/graphql', '/metrics'))).status).toBe(404);
  });
});

describe('a body that does not decode', () => {
  it('counts its call as UPSTREAM_BAD_RESPONSE (once), though its status was 200', async () => {
    await using gateway = await startTestGateway();
    gateway.upstream.inject({ orgId: 'acme', body: 'bad-item' });
    gateway.upstream.inject({ orgId: 'wayne', body: 'malformed' });
    await gateway.query(
      '{ a: organization(restId: "acme") { assistants { nodes { restId } } } w: organization(restId: "wayne") { assistants { nodes { restId } } } g: organization(restId: "globex") { assistants { nodes { restId } } } }',
    );
    expect(await total(gateway, 'upstream_requests_total')).toBe(3);
    expect(
      await total(gateway, 'upstream_requests_total', { status_class: '2xx', outcome: 'UPSTREAM_BAD_RESPONSE' }),
    ).toBe(2);
    expect(await total(gateway, 'upstream_requests_total', { status_class: '2xx', outcome: 'ok' })).toBe(1);
  });
});

describe('histograms', () => {
  it('hold every observation, whether handed to prom-client by a full batch or by a scrape', async () => {
    const metrics = createGatewayMetrics({ maxOperationNames: 10 });
    const read = async () => {
      const metric = (await metrics.registry.getMetricsAsJSON()).find(
        (one) => one.name === 'graphql_operation_duration_seconds',
      ) as MetricObjectWithValues<MetricValue<string>>;
      const series = (suffix: string, le?: number | string) =>
        metric.values.find(
          (value) =>
            (value as { metricName?: string }).metricName === `graphql_operation_duration_seconds${suffix}` &&
            value.labels.operation_name === 'Timed' &&
            (le === undefined || value.labels.le === le),
        )?.value;
      return {
        count: series('_count'),
        sum: series('_sum'),
        fast: series('_bucket', 0.005),
        all: series('_bucket', '+Inf'),
      };
    };
    // More than a batch, then a scrape part-way through the next one.
    const observed = histogramBatchSize + 37;
    for (let i = 0; i < observed; i++) metrics.operation('query', 'Timed', 'ok', i % 2 === 0 ? 0.001 : 0.2, 1);
    expect(await read()).toEqual({
      count: observed,
      sum: expect.closeTo(Math.ceil(observed / 2) * 0.001 + Math.floor(observed / 2) * 0.2, 6),
      fast: Math.ceil(observed / 2),
      all: observed,
    });
    metrics.operation('query', 'Timed', 'ok', 0.001, 1);
    expect((await read()).count).toBe(observed + 1);
  });
});
