// Traces as a collector receives them: the program started as users start it,
// with the standard OTEL_* settings, exporting to an OTLP/HTTP receiver on
// loopback; the demo upstream records the `traceparent` it is sent.

import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type DemoUpstream, startDemoUpstream } from '../../src/demo/upstream.ts';
import { readyUrl, type Started, startMain } from '../helpers/main-process.ts';

interface OtlpValue {
  stringValue?: string;
  intValue?: number | string;
  boolValue?: boolean;
  doubleValue?: number;
}
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes?: { key: string; value: OtlpValue }[];
  events?: { name: string; attributes?: { key: string; value: OtlpValue }[] }[];
  status?: { code?: number };
}

/** A span with its attributes as a plain object. */
interface Span extends OtlpSpan {
  readonly attrs: Record<string, string | number | boolean | undefined>;
  readonly service: string | undefined;
}

const spanKind = { server: 2, client: 3 } as const;

function plain(value: OtlpValue): string | number | boolean | undefined {
  if (value.intValue !== undefined) return Number(value.intValue);
  return value.stringValue ?? value.boolValue ?? value.doubleValue;
}

function attributesOf(list: { key: string; value: OtlpValue }[] = []) {
  return Object.fromEntries(list.map(({ key, value }) => [key, plain(value)]));
}

/** An OTLP/HTTP receiver: keeps every span it is sent as JSON, and the content types of every export. */
async function startReceiver() {
  const spans: Span[] = [];
  const contentTypes: string[] = [];
  const server: Server = createServer((request: IncomingMessage, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      contentTypes.push(`${request.url} ${request.headers['content-type']}`);
      if (request.headers['content-type'] === 'application/json') {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
          resourceSpans: {
            resource?: { attributes?: { key: string; value: OtlpValue }[] };
            scopeSpans: { spans: OtlpSpan[] }[];
          }[];
        };
        for (const resource of body.resourceSpans) {
          const service = attributesOf(resource.resource?.attributes)['service.name'] as string | undefined;
          for (const scope of resource.scopeSpans) {
            for (const span of scope.spans) spans.push({ ...span, attrs: attributesOf(span.attributes), service });
          }
        }
      }
      response.writeHead(200, { 'content-type': request.headers['content-type'] ?? 'application/json' }).end('{}');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    spans,
    contentTypes,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

type Receiver = Awaited<ReturnType<typeof startReceiver>>;

async function post(url: string, query: string, headers: Record<string, string> = {}) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query }),
  });
  return {
    requestId: response.headers.get('x-request-id'),
    body: (await response.json()) as {
      data?: Record<string, unknown>;
      errors?: { message: string; extensions: Record<string, unknown> }[];
    },
  };
}

/** The spans of one trace once its server span has arrived. */
async function traceOf(receiver: Receiver, traceId: string): Promise<Span[]> {
  await vi.waitFor(
    () => expect(receiver.spans.some((span) => span.traceId === traceId && span.kind === spanKind.server)).toBe(true),
    { timeout: 10_000, interval: 50 },
  );
  return receiver.spans.filter((span) => span.traceId === traceId);
}

const persistedQuery = 'query Traced { organization(restId: "acme") { assistants(first: 1) { nodes { restId } } } }';

const twoOrgs =
  '{ a: organization(restId: "acme") { assistants(first: 2) { nodes { restId } } } w: organization(restId: "wayne") { assistants(first: 2) { nodes { restId } } } }';

describe('traces (OTLP over HTTP, JSON)', () => {
  let receiver: Receiver;
  let upstream: DemoUpstream;
  let gateway: Started;
  let url: string;
  let manifestDirectory: string;

  beforeAll(async () => {
    receiver = await startReceiver();
    upstream = await startDemoUpstream();
    // A manifest's documents meet MAX_DEPTH too: this one is shallow.
    manifestDirectory = await mkdtemp(join(tmpdir(), 'manifest-'));
    const manifest = join(manifestDirectory, 'manifest.json');
    await writeFile(manifest, JSON.stringify({ traced: persistedQuery }));
    gateway = startMain({
      PORT: '0',
      UPSTREAM_URL: upstream.url,
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_SERVICE_NAME: 'gateway-under-test',
      OTEL_BSP_SCHEDULE_DELAY: '100',
      MAX_DEPTH: '5',
      PERSISTED_DOCUMENTS: manifest,
    });
    url = await readyUrl(gateway);
  });

  afterAll(async () => {
    gateway.child.kill('SIGTERM');
    expect(await gateway.exited).toBe(0);
    await upstream.close();
    await receiver.close();
    await rm(manifestDirectory, { recursive: true, force: true });
  });

  it('one request over two orgs is one trace: the upstream calls are client spans under the operation, and their traceparent reached the upstream', async () => {
    upstream.reset();
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const { body } = await post(url, `query TwoOrgs ${twoOrgs}`, { traceparent });
    expect(body.errors).toBeUndefined();
    const spans = await traceOf(receiver, '0af7651916cd43dd8448eb211c80319c');

    const server = spans.find((span) => span.kind === spanKind.server);
    // The caller's span is the parent of ours.
    expect(server).toMatchObject({ parentSpanId: 'b7ad6b7169203331', service: 'gateway-under-test' });
    expect(server?.attrs).toMatchObject({ 'http.request.method': 'POST', 'http.response.status_code': 200 });
    const operation = spans.find((span) => span.name === 'query TwoOrgs');
    expect(operation?.parentSpanId).toBe(server?.spanId);
    expect(operation?.attrs).toMatchObject({
      'graphql.operation.type': 'query',
      'graphql.operation.name': 'TwoOrgs',
      'upstream.calls': 2,
    });
    for (const phase of ['graphql.parse', 'graphql.validate', 'graphql.execute']) {
      expect(spans.find((span) => span.name === phase)?.parentSpanId, phase).toBe(operation?.spanId);
    }

    const calls = spans.filter((span) => span.kind === spanKind.client);
    expect(calls).toHaveLength(2);
    for (const call of calls) {
      expect(call.name).toBe('GET /orgs/{org_id}/assistants');
      expect(call.parentSpanId).toBe(operation?.spanId);
      expect(call.attrs).toMatchObject({
        'http.request.method': 'GET',
        'url.template': '/orgs/{org_id}/assistants',
        'http.response.status_code': 200,
        'upstream.page': 1,
      });
      expect(call.attrs['upstream.take']).toBeGreaterThan(0);
    }
    // Each call told the upstream its own span: same trace, the client span as parent.
    const sent = upstream.requests.map((request) => request.traceparent);
    expect(sent.sort()).toEqual(calls.map((call) => `00-${call.traceId}-${call.spanId}-01`).sort());
  });

  it('a retried 503 shows its resend count and a retry event; the error carries the trace id', async () => {
    upstream.reset();
    upstream.inject({ orgId: 'globex', status: 503, times: 1 });
    upstream.inject({ orgId: 'initech', status: 403 });
    const { body, requestId } = await post(
      url,
      'query Retried { g: organization(restId: "globex") { assistants(first: 2) { nodes { restId } } } i: organization(restId: "initech") { assistants(first: 2) { nodes { restId } } } }',
    );
    expect(body.data?.g).not.toBeNull();
    const forbidden = body.errors?.[0];
    // The trace id joins the error's extensions; none of the others is lost.
    expect(forbidden?.extensions).toMatchObject({ code: 'FORBIDDEN', upstreamStatus: 403 });
    const traceId = forbidden?.extensions.traceId as string;
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);

    const calls = (await traceOf(receiver, traceId)).filter((span) => span.kind === spanKind.client);
    const retried = calls.find((span) => span.attrs['http.request.resend_count'] === 1);
    expect(retried?.attrs['http.response.status_code']).toBe(200);
    expect(retried?.events?.map((event) => event.name)).toEqual(['retry']);
    expect(attributesOf(retried?.events?.[0]?.attributes)['http.response.status_code']).toBe(503);
    const refused = calls.find((span) => span.attrs['http.response.status_code'] === 403);
    expect(refused?.attrs['error.type']).toBe('FORBIDDEN');
    expect(refused?.status?.code).toBe(2);

    // The request's log lines carry the trace id too.
    // The warn line is written while the request runs, the request line after its answer: wait for both.
    const linesOfRequest = () =>
      gateway
        .output()
        .split('\n')
        .filter((line) => line.includes(`"reqId":"${requestId}"`))
        .map((line) => JSON.parse(line) as { traceId?: string; msg: string });
    await vi.waitFor(() =>
      expect(
        linesOfRequest()
          .map((line) => line.msg)
          .sort(),
      ).toEqual(['graphql request', 'upstream UPSTREAM_STATUS 403']),
    );
    const lines = linesOfRequest();
    for (const line of lines) expect(line.traceId).toBe(traceId);
  });

  it('an operation a validation rule refuses still ends every span it started', async () => {
    const tooDeep =
      'query TooDeep { organization(restId: "acme") { assistants { edges { node { integrations { config } } } } } }';
    const { body } = await post(url, tooDeep);
    expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'LIMIT_EXCEEDED', reason: 'MAX_DEPTH' });
    const traceId = body.errors?.[0]?.extensions.traceId as string;
    const spans = await traceOf(receiver, traceId);
    const names = spans.map((span) => span.name);
    expect(names).toEqual(
      expect.arrayContaining(['POST /graphql', 'query TooDeep', 'graphql.parse', 'graphql.validate']),
    );
    expect(spans.find((span) => span.name === 'graphql.validate')?.status?.code).toBe(2);
    expect(names).not.toContain('graphql.execute');
  });

  it('a caller that does not sample its trace gets no trace id: nothing was exported to find', async () => {
    const { body } = await post(url, '{ organization(restId: "nope-org") { assistants { nodes { restId } } } }', {
      traceparent: '00-1af7651916cd43dd8448eb211c80319c-c7ad6b7169203331-00',
    });
    expect(body.errors?.[0]?.extensions.code).toBe('NOT_FOUND');
    expect(body.errors?.[0]?.extensions.traceId).toBeUndefined();
  });

  it('an operation asked for by a persisted id carries the id', async () => {
    const traceparent = '00-2af7651916cd43dd8448eb211c80319c-d7ad6b7169203331-01';
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', traceparent },
      body: JSON.stringify({ documentId: 'traced' }),
    });
    expect(((await response.json()) as { errors?: unknown }).errors).toBeUndefined();
    const spans = await traceOf(receiver, '2af7651916cd43dd8448eb211c80319c');
    const operation = spans.find((span) => span.name === 'query Traced');
    expect(operation?.attrs['graphql.document.id']).toBe('traced');
    expect(spans.find((span) => span.name === 'graphql.execute')?.parentSpanId).toBe(operation?.spanId);
  });

  it('without a traceparent, a request starts its own trace', async () => {
    const { body } = await post(
      url,
      '{ organization(restId: "nope-org") { assistants(first: 2) { nodes { restId } } } }',
    );
    const traceId = body.errors?.[0]?.extensions.traceId as string;
    const server = (await traceOf(receiver, traceId)).find((span) => span.kind === spanKind.server);
    expect(server?.parentSpanId ?? '').toBe('');
  });
});

describe('traces (OTLP over HTTP, protobuf: the default)', () => {
  it('exports protobuf to /v1/traces when no protocol is named', async () => {
    const receiver = await startReceiver();
    await using upstream = await startDemoUpstream();
    const gateway = startMain({
      PORT: '0',
      UPSTREAM_URL: upstream.url,
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${receiver.url}/v1/traces`,
      OTEL_BSP_SCHEDULE_DELAY: '100',
    });
    try {
      await post(await readyUrl(gateway), twoOrgs);
      await vi.waitFor(() => expect(receiver.contentTypes).toContain('/v1/traces application/x-protobuf'), {
        timeout: 10_000,
      });
      expect(upstream.requests.length).toBeGreaterThan(0);
      for (const request of upstream.requests) expect(request.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    } finally {
      gateway.child.kill('SIGTERM');
      expect(await gateway.exited).toBe(0);
      await receiver.close();
    }
  });

  it('sends no traceparent and exports nothing when no endpoint is set', async () => {
    await using upstream = await startDemoUpstream();
    const gateway = startMain({ PORT: '0', UPSTREAM_URL: upstream.url });
    try {
      const { body } = await post(
        await readyUrl(gateway),
        '{ organization(restId: "nope-org") { assistants(first: 2) { nodes { restId } } } }',
      );
      expect(body.errors?.[0]?.extensions.traceId).toBeUndefined();
      expect(upstream.requests.map((request) => request.traceparent)).toEqual([undefined]);
    } finally {
      gateway.child.kill('SIGTERM');
      expect(await gateway.exited).toBe(0);
    }
  });
});
