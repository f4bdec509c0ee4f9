// GraphiQL over HTTP: a small page, revalidated by its ETag, and assets under
// content-hashed names, immutable, each in the coding the client takes.
// (test/browser/graphiql.test.ts runs it in Chromium.)

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { type RawResponse, sendRaw } from '../helpers/raw-http.ts';

const get = (url: string, headers: Record<string, string> = {}, method = 'GET'): Promise<RawResponse> =>
  sendRaw(url, { method, headers });

const html = { accept: 'text/html,application/xhtml+xml' };

describe('GraphiQL', () => {
  let gateway: TestGateway;
  let page: RawResponse;
  let links: string[];
  beforeAll(async () => {
    gateway = await startTestGateway();
    page = await get(gateway.url, { ...html, 'accept-encoding': 'gzip, deflate, br' });
    links = [...page.decoded.toString('utf8').matchAll(/(?:href|src)="([^"]+)"|"(graphiql\/[^"]+)"/g)].map(
      (match) => (match[1] ?? match[2]) as string,
    );
  });
  afterAll(() => gateway[Symbol.asyncDispose]());

  it('is a small page, compressed, revalidated every time', () => {
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['content-encoding']).toBe('br');
    expect(page.headers['cache-control']).toBe('no-cache');
    expect(page.headers.etag).toMatch(/^W\/"[0-9a-f]{16}"$/);
    expect(String(page.headers.vary)).toMatch(/Accept-Encoding/);
    expect(page.decoded.length).toBeLessThan(5_000);
    const text = page.decoded.toString('utf8');
    expect(text).toContain('<title>Assistants GraphQL</title>');
    expect(text).toContain('query FirstAssistants');
  });

  it('links its styles, script, favicon and three workers by content-hashed names beside the endpoint', () => {
    expect(links).toHaveLength(6);
    for (const link of links) expect(link).toMatch(/^graphiql\/[\w.-]+\.[0-9a-f]{16}\.(js|css|ico)$/);
  });

  it('answers 304 to its own ETag, and the page to another', async () => {
    const etag = String(page.headers.etag);
    const same = await get(gateway.url, { ...html, 'if-none-match': etag });
    expect(same.status).toBe(304);
    expect(same.raw.length).toBe(0);
    expect(same.headers.etag).toBe(etag);
    expect((await get(gateway.url, { ...html, 'if-none-match': `"other", ${etag.slice(2)}` })).status).toBe(304);
    expect((await get(gateway.url, { ...html, 'if-none-match': '*' })).status).toBe(304);
    const other = await get(gateway.url, { ...html, 'if-none-match': 'W/"0000000000000000"' });
    expect(other.status).toBe(200);
    expect(other.decoded.equals(page.decoded)).toBe(true);
  });

  it('serves each asset immutable, in brotli, gzip or as it is, each decoding to the same bytes', async () => {
    const origin = new URL(gateway.url).origin;
    for (const link of links) {
      const url = `${origin}/${link}`;
      const plain = await get(url);
      expect(plain.status, link).toBe(200);
      expect(plain.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      expect(plain.headers['content-encoding']).toBeUndefined();
      expect(plain.headers['content-type']).toMatch(/^(text\/javascript|text\/css|image\/x-icon)/);
      for (const coding of ['br', 'gzip']) {
        const encoded = await get(url, { 'accept-encoding': coding });
        expect(encoded.headers['content-encoding'], link).toBe(coding);
        expect(Number(encoded.headers['content-length'])).toBe(encoded.raw.length);
        expect(encoded.raw.length).toBeLessThan(plain.raw.length * 0.6);
        expect(encoded.decoded.equals(plain.raw), link).toBe(true);
        expect(String(encoded.headers.vary)).toMatch(/Accept-Encoding/);
      }
    }
  });

  it('serves the same assets to a page opened at the endpoint with a slash', async () => {
    const slash = await get(`${gateway.url}/`, html);
    expect(slash.status).toBe(200);
    const script = links.find((link) => link.endsWith('.js') && link.startsWith('graphiql/graphiql.'));
    const asset = await get(`${gateway.url}/${script}`, { 'accept-encoding': 'gzip' });
    expect(asset.status).toBe(200);
    expect(asset.headers['content-encoding']).toBe('gzip');
  });

  it('answers HEAD with the headers alone', async () => {
    const origin = new URL(gateway.url).origin;
    const head = await get(`${origin}/${links[0]}`, { 'accept-encoding': 'br' }, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.raw.length).toBe(0);
    expect(head.headers['content-encoding']).toBe('br');
  });

  it('knows no other name: a stale hash is not found', async () => {
    const origin = new URL(gateway.url).origin;
    expect((await get(`${origin}/graphiql/graphiql.0123456789abcdef.js`)).status).toBe(404);
  });

  it('is a GraphQL request like any other where GRAPHIQL is off', async () => {
    await using off = await startTestGateway({ env: { GRAPHIQL: 'false' } });
    const response = await get(off.url, html);
    expect(response.status).toBe(406);
    expect(response.decoded.toString('utf8')).not.toContain('<html');
    const origin = new URL(off.url).origin;
    expect((await get(`${origin}/${links[0]}`)).status).toBe(404);
  });
});
