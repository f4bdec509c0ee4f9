import { describe, expect, it } from 'vitest';
import { startDemoUpstream } from '../../src/demo/upstream.ts';
import {
  type AssistantPageRequest,
  createUpstreamClient,
  orgPathSegment,
  type UpstreamClient,
} from '../../src/upstream/client.ts';
import { UpstreamBadResponseError, UpstreamStatusError, UpstreamTimeoutError } from '../../src/upstream/errors.ts';

const request = { orgId: 'globex', page: 1, take: 20, authorization: undefined, signal: undefined };

/** One page, fetched and decoded. */
async function listAssistants(client: UpstreamClient, page: AssistantPageRequest) {
  return (await client.fetchAssistantPage(page)).decode();
}

function clientFor(url: string, overrides: Partial<Parameters<typeof createUpstreamClient>[0]> = {}) {
  return createUpstreamClient({
    baseUrl: new URL(url),
    timeoutMs: 2_000,
    retries: 2,
    connections: 4,
    maxResponseBytes: 4 * 1024 * 1024,
    ...overrides,
  });
}

describe('upstream client', () => {
  it('decodes a page into records', async () => {
    await using upstream = await startDemoUpstream();
    const client = clientFor(upstream.url);
    const page = await listAssistants(client, request);
    expect(page).toHaveLength(20);
    expect(page[0]?.orgId).toBe('globex');
    await client.close();
  });

  it('refuses a body over its size limit as a bad response', async () => {
    await using upstream = await startDemoUpstream();
    const client = clientFor(upstream.url, { maxResponseBytes: 1_000 });
    await expect(listAssistants(client, request)).rejects.toBeInstanceOf(UpstreamBadResponseError);
    expect(upstream.requests).toHaveLength(1);
    await client.close();
  });

  it('keeps Retry-After in seconds on a 429 it may not wait for', async () => {
    await using upstream = await startDemoUpstream();
    upstream.inject({ status: 429, retryAfter: '30' });
    const client = clientFor(upstream.url);
    const failure = await listAssistants(client, request).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(UpstreamStatusError);
    expect(failure).toMatchObject({ status: 429, retryAfterSeconds: 30 });
    await client.close();
  });

  it('starts no attempt after the deadline', async () => {
    await using upstream = await startDemoUpstream();
    upstream.inject({ status: 503, latencyMs: 150 });
    // Each attempt takes 150 ms; a 400 ms deadline leaves room for three at most.
    const client = clientFor(upstream.url, { timeoutMs: 400, retries: 10, random: () => 0 });
    const failure = await listAssistants(client, request).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(UpstreamTimeoutError);
    expect(upstream.requests.length).toBeLessThanOrEqual(3);
    await client.close();
  });

  it('gives up at once when Retry-After would outlast the deadline', async () => {
    await using upstream = await startDemoUpstream();
    upstream.inject({ status: 503, retryAfter: '5' });
    const client = clientFor(upstream.url, { timeoutMs: 2_000, retries: 10 });
    const failure = await listAssistants(client, request).catch((error: unknown) => error);
    expect(failure).toMatchObject({ status: 503, retryAfterSeconds: 5 });
    expect(upstream.requests).toHaveLength(1);
    await client.close();
  });

  it('rejects the caller’s abort at once', async () => {
    await using upstream = await startDemoUpstream({ latencyMs: 30_000 });
    const client = clientFor(upstream.url, { timeoutMs: 60_000 });
    const caller = new AbortController();
    const pending = listAssistants(client, { ...request, signal: caller.signal });
    caller.abort(new Error('caller went away'));
    await expect(pending).rejects.toThrow('caller went away');
    await client.close();
  });

  it.each([
    'application/json',
    'application/json; charset=utf-8',
    'Application/JSON;charset=UTF-8',
    'application/vnd.assistants.v1+json',
  ])('decodes a 200 sent as %j', async (contentType) => {
    await using upstream = await startDemoUpstream();
    upstream.inject({ contentType });
    const client = clientFor(upstream.url);
    expect(await listAssistants(client, request)).toHaveLength(20);
    await client.close();
  });

  it.each([
    ['text/html; charset=utf-8', 'content-type: expected application/json, got "text/html"'],
    ['text/plain', 'content-type: expected application/json, got "text/plain"'],
    ['application/jsonp', 'content-type: expected application/json, got "application/jsonp"'],
    ['', 'content-type: expected application/json, got ""'],
  ])('refuses a 200 sent as %j, JSON body or not, and does not retry it', async (contentType, problem) => {
    await using upstream = await startDemoUpstream();
    upstream.inject({ contentType });
    const client = clientFor(upstream.url);
    const failure = await client.fetchAssistantPage(request).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(UpstreamBadResponseError);
    expect(failure).toMatchObject({ problem });
    expect(upstream.requests).toHaveLength(1);
    await client.close();
  });

  it.each(['', '.', '..'])('will not send %j as a path segment', (orgId) => {
    expect(() => orgPathSegment(orgId)).toThrow(RangeError);
  });
});
