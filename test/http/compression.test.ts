// Compressed answers, on the wire: which coding a client's Accept-Encoding
// gets, the size below which nothing is compressed, and that what arrives
// decodes to the very bytes a client that asked for none gets. Node's own
// client (node:http, which decodes nothing) reads the raw bytes.

import { createSchema, createYoga } from 'graphql-yoga';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assistantFields } from '../../src/graphql/assistant-fields.generated.ts';
import { compressionDefaults, useCompression } from '../../src/http/compression.ts';
import { negotiateCoding } from '../../src/http/content-coding.ts';
import { startTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { type RawResponse, sendRaw as send } from '../helpers/raw-http.ts';

function post(gateway: TestGateway, payload: unknown, headers: Record<string, string> = {}): Promise<RawResponse> {
  return send(gateway.url, {
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(payload),
  });
}

/** A page of 100 assistants, every field: about 300 KB plain. */
const hundredAssistants = {
  query: `query Hundred {
    organization(restId: "initech") {
      id restId
      assistants(first: 100) { edges { cursor node { ...AssistantFields } } pageInfo { hasNextPage endCursor } }
    }
  }
  ${assistantFields}`,
};
const small = { query: '{ organization(restId: "wayne") { restId } }' };

const varyOf = (response: RawResponse) =>
  String(response.headers.vary ?? '')
    .split(',')
    .map((name) => name.trim().toLowerCase());

describe('negotiating a coding from Accept-Encoding', () => {
  it.each([
    [undefined, 'identity'],
    ['', 'identity'],
    ['gzip', 'gzip'],
    ['br', 'br'],
    ['gzip, deflate, br, zstd', 'br'],
    ['gzip, deflate', 'gzip'],
    ['deflate, zstd', 'identity'],
    ['br;q=0.5, gzip', 'gzip'],
    ['gzip;q=0.8, br;q=0.9', 'br'],
    ['br;q=0, gzip', 'gzip'],
    ['br;q=0, gzip;q=0', 'identity'],
    ['br;q=0, *', 'gzip'],
    ['*', 'br'],
    ['*;q=0', 'identity'],
    ['*;q=0, gzip', 'gzip'],
    ['identity', 'identity'],
    ['identity;q=0.9, gzip;q=0.5', 'identity'],
    ['identity;q=0.1, gzip', 'gzip'],
    ['identity;q=0, *;q=0', 'identity'],
    ['GZIP', 'gzip'],
    ['  gzip ; Q=0.7 ,  br ; q=0.6 ', 'gzip'],
    ['x-gzip', 'gzip'],
    ['br;q=2, gzip', 'gzip'],
    ['br;q=abc, gzip;q=0.1', 'gzip'],
    ['br;q=0.001', 'br'],
    [',,', 'identity'],
  ])('%j → %s', (header, expected) => {
    expect(negotiateCoding(header)).toBe(expected);
  });
});

describe('the compression plugin, in process', () => {
  const { fetchAPI } = createYoga({ schema: createSchema({ typeDefs: 'type Query { a: Int }' }) });
  const json = Buffer.from(JSON.stringify({ data: { text: 'assistant '.repeat(1000) } }));

  /** The plugin's onResponse over one JSON body, as yoga calls it: the response it leaves. */
  async function through(plugin: ReturnType<typeof useCompression>, accepted: string): Promise<Response> {
    const request = new fetchAPI.Request('http://localhost/graphql', { headers: { 'accept-encoding': accepted } });
    let response = new fetchAPI.Response(new Uint8Array(json), {
      headers: { 'content-type': 'application/json', 'content-length': String(json.length) },
    });
    const onResponse = plugin.onResponse as (payload: unknown) => Promise<void> | undefined;
    await onResponse({
      request,
      response,
      serverContext: {},
      fetchAPI,
      setResponse: (next: Response) => (response = next),
    });
    return response;
  }

  it('sends a body plain rather than queue it past maxWaiting', async () => {
    const plugin = useCompression({ maxActive: 1, maxWaiting: 0 });
    const [first, second] = await Promise.all([through(plugin, 'gzip'), through(plugin, 'gzip')]);
    expect(first?.headers.get('content-encoding')).toBe('gzip');
    expect(second?.headers.get('content-encoding')).toBeNull();
    expect(Buffer.from(await (second as Response).arrayBuffer()).equals(json)).toBe(true);
    // Once the first is done, the next one takes its turn.
    expect((await through(plugin, 'gzip')).headers.get('content-encoding')).toBe('gzip');
  });
});

describe('compressed answers from a gateway', () => {
  let gateway: TestGateway;
  let plain: RawResponse;
  beforeAll(async () => {
    gateway = await startTestGateway();
    plain = await post(gateway, hundredAssistants);
  });
  afterAll(() => gateway[Symbol.asyncDispose]());

  it('sends a page of 100 assistants plain to a client that asks for no coding', () => {
    expect(plain.status).toBe(200);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.raw.length).toBeGreaterThan(250_000);
    expect(Number(plain.headers['content-length'])).toBe(plain.raw.length);
    expect(varyOf(plain)).toContain('accept-encoding');
    const body = JSON.parse(plain.raw.toString('utf8')) as { data: unknown; errors?: unknown };
    expect(body.errors).toBeUndefined();
  });

  it.each(['br', 'gzip'] as const)(
    'sends it in %s, decoding to the same bytes, several times smaller',
    async (coding) => {
      const response = await post(gateway, hundredAssistants, { 'accept-encoding': coding });
      expect(response.status).toBe(200);
      expect(response.headers['content-encoding']).toBe(coding);
      expect(Number(response.headers['content-length'])).toBe(response.raw.length);
      expect(response.raw.length).toBeLessThan(plain.raw.length / 4);
      expect(response.decoded.equals(plain.raw)).toBe(true);
      expect(varyOf(response)).toEqual(expect.arrayContaining(['accept-encoding', 'origin']));
      expect(response.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    },
  );

  it.each([
    ['gzip, deflate, br, zstd', 'br'],
    ['gzip;q=1, br;q=0.5', 'gzip'],
    ['br;q=0, *', 'gzip'],
    ['gzip;q=0, br;q=0', undefined],
    ['identity', undefined],
    ['deflate', undefined],
    ['*;q=0', undefined],
  ])('answers Accept-Encoding %j in %s over the wire', async (accepted, coding) => {
    const response = await post(gateway, hundredAssistants, { 'accept-encoding': accepted });
    expect(response.headers['content-encoding']).toBe(coding);
    expect(response.decoded.equals(plain.raw)).toBe(true);
  });

  it('sends everything plain with COMPRESSION=false', async () => {
    await using uncompressed = await startTestGateway({ env: { COMPRESSION: 'false' } });
    const response = await post(uncompressed, hundredAssistants, { 'accept-encoding': 'br, gzip' });
    expect(response.headers['content-encoding']).toBeUndefined();
    expect(response.raw.equals(plain.raw)).toBe(true);
  });

  it(`leaves a body under ${compressionDefaults.minBytes} bytes plain, still saying that it varies`, async () => {
    const response = await post(gateway, small, { 'accept-encoding': 'br, gzip' });
    expect(response.status).toBe(200);
    expect(response.raw.length).toBeLessThan(compressionDefaults.minBytes);
    expect(response.headers['content-encoding']).toBeUndefined();
    expect(JSON.parse(response.raw.toString('utf8'))).toEqual({ data: { organization: { restId: 'wayne' } } });
    expect(varyOf(response)).toContain('accept-encoding');
  });

  it('compresses from the threshold on: the first page that reaches it, not the one before', async () => {
    const page = (first: number) => ({
      query: `{ organization(restId: "initech") { assistants(first: ${first}) { nodes { restId } } } }`,
    });
    const plainLength = async (first: number) => (await post(gateway, page(first))).raw.length;
    let first = 1;
    while ((await plainLength(first)) < compressionDefaults.minBytes) first++;
    const under = await post(gateway, page(first - 1), { 'accept-encoding': 'gzip' });
    const over = await post(gateway, page(first), { 'accept-encoding': 'gzip' });
    expect(under.raw.length).toBeLessThan(compressionDefaults.minBytes);
    expect(under.headers['content-encoding']).toBeUndefined();
    expect(over.decoded.length).toBeGreaterThanOrEqual(compressionDefaults.minBytes);
    expect(over.decoded.length).toBeLessThan(compressionDefaults.minBytes + 100);
    expect(over.headers['content-encoding']).toBe('gzip');
    expect(over.raw.length).toBeLessThan(over.decoded.length);
  });

  it('compresses a large answer of errors, which decodes to the same errors', async () => {
    const unknown = Array.from({ length: 40 }, (_, k) => `missingField${k}`).join(' ');
    const query = { query: `{ organization(restId: "acme") { ${unknown} } }` };
    const asIs = await post(gateway, query);
    const compressed = await post(gateway, query, { 'accept-encoding': 'br' });
    expect(asIs.raw.length).toBeGreaterThan(compressionDefaults.minBytes);
    expect(compressed.status).toBe(asIs.status);
    expect(compressed.headers['content-encoding']).toBe('br');
    const errors = (JSON.parse(compressed.decoded.toString('utf8')) as { errors: { extensions: { code: string } }[] })
      .errors;
    expect(errors).toHaveLength(40);
    expect(errors[0]?.extensions.code).toBe('BAD_USER_INPUT');
    expect(JSON.parse(compressed.decoded.toString('utf8'))).toEqual(JSON.parse(asIs.raw.toString('utf8')));
  });

  it('compresses a batch, which decodes to the same answers', async () => {
    const batch = [hundredAssistants, small];
    const asIs = await post(gateway, batch);
    const compressed = await post(gateway, batch, { 'accept-encoding': 'gzip' });
    expect(compressed.headers['content-encoding']).toBe('gzip');
    const answers = JSON.parse(compressed.decoded.toString('utf8')) as unknown[];
    expect(answers).toHaveLength(2);
    expect(answers).toEqual(JSON.parse(asIs.raw.toString('utf8')));
  });

  it('compresses the answer to a GET', async () => {
    const url = `${gateway.url}?query=${encodeURIComponent(hundredAssistants.query)}`;
    const response = await send(url, { headers: { 'accept-encoding': 'br', accept: 'application/json' } });
    expect(response.status).toBe(200);
    expect(response.headers['content-encoding']).toBe('br');
    expect(response.decoded.equals(plain.raw)).toBe(true);
  });

  it('answers a HEAD without a body and without compressing', async () => {
    const url = `${gateway.url}?query=${encodeURIComponent(hundredAssistants.query)}`;
    const response = await send(url, {
      method: 'HEAD',
      headers: { 'accept-encoding': 'br', accept: 'application/json' },
    });
    expect(response.raw.length).toBe(0);
    expect(response.headers['content-encoding']).toBeUndefined();
    // The connection still serves.
    expect((await post(gateway, small, { 'accept-encoding': 'br' })).status).toBe(200);
  });

  it('leaves a stream as it is: server-sent events are never compressed', async () => {
    const response = await send(gateway.url, {
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', 'accept-encoding': 'br, gzip' },
      body: JSON.stringify(hundredAssistants),
    });
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/event-stream/);
    // Yoga marks its streams `Content-Encoding: none`, so that no proxy holds them back to compress them.
    expect(['none', undefined]).toContain(response.headers['content-encoding']);
    expect(response.raw.toString('utf8')).toContain('event: next');
  });

  it('answers a refused body plain, as before', async () => {
    const response = await send(gateway.url, {
      headers: { 'content-type': 'application/json', 'accept-encoding': 'br, gzip' },
      body: Buffer.alloc(2_000_000, ' '),
    });
    expect(response.status).toBe(413);
    expect(response.headers['content-encoding']).toBeUndefined();
    expect(response.raw.toString('utf8')).toContain('"code":"BAD_USER_INPUT"');
  });
});
