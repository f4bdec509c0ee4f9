import { describe, expect, it } from 'vitest';
import type { Fault } from '../../src/demo/upstream.ts';
import { graphql } from '../generated/index.ts';
import { dataOf, startTestGateway } from '../helpers/gateway.ts';

// Two orgs in one query: the failing one must not take the other down.
const twoOrgs = graphql(`
  query TwoOrgs {
    broken: organization(restId: "acme") { restId assistants(first: 3) { nodes { restId } } }
    healthy: organization(restId: "wayne") { restId assistants(first: 3) { nodes { restId } } }
  }
`);

const fastRetries = { UPSTREAM_RETRIES: '2', UPSTREAM_TIMEOUT_MS: '3000' };

describe('each upstream failure yields its contract code, and only its own part is null', () => {
  // The last column: upstream calls for the failing org (UPSTREAM_RETRIES=2 retries what a retry can fix).
  it.each<[string, Fault, string, Record<string, unknown>, number]>([
    ['401', { status: 401 }, 'UNAUTHENTICATED', { upstreamStatus: 401 }, 1],
    ['403', { status: 403 }, 'FORBIDDEN', { upstreamStatus: 403 }, 1],
    ['404', { status: 404 }, 'NOT_FOUND', { upstreamStatus: 404 }, 1],
    ['400', { status: 400 }, 'UPSTREAM_ERROR', { upstreamStatus: 400 }, 1],
    ['500', { status: 500 }, 'UPSTREAM_ERROR', { upstreamStatus: 500 }, 1],
    ['503 every time', { status: 503, retryAfter: '0' }, 'UPSTREAM_ERROR', { upstreamStatus: 503 }, 3],
    [
      '429 every time',
      { status: 429, retryAfter: '0' },
      'RATE_LIMITED',
      { upstreamStatus: 429, retryAfterSeconds: 0 },
      3,
    ],
    ['invalid JSON', { body: 'malformed' }, 'UPSTREAM_BAD_RESPONSE', { upstreamStatus: 200 }, 1],
    ['an object instead of an array', { body: 'wrong-shape' }, 'UPSTREAM_BAD_RESPONSE', { upstreamStatus: 200 }, 1],
    ['an assistant of the wrong shape', { body: 'bad-item' }, 'UPSTREAM_BAD_RESPONSE', { upstreamStatus: 200 }, 1],
    ['a dropped connection', { drop: 'before-response' }, 'UPSTREAM_ERROR', {}, 3],
    ['a connection dropped mid-body', { drop: 'mid-body' }, 'UPSTREAM_ERROR', {}, 3],
  ])('%s', async (_name, fault, code, extensions, attempts) => {
    await using gateway = await startTestGateway({ env: fastRetries });
    gateway.upstream.inject({ orgId: 'acme', ...fault });
    const response = await gateway.query(twoOrgs);
    expect(response.data?.broken).toEqual({ restId: 'acme', assistants: null });
    expect(response.data?.healthy.assistants?.nodes).toHaveLength(3);
    expect(response.errors).toHaveLength(1);
    const [error] = response.errors ?? [];
    expect(error?.path).toEqual(['broken', 'assistants']);
    expect(error?.extensions).toEqual({ code, ...extensions });
    expect(gateway.upstream.requests.filter((request) => request.orgId === 'acme')).toHaveLength(attempts);
  });

  it('names the bad path of a body that does not fit, never its values', async () => {
    await using gateway = await startTestGateway();
    gateway.upstream.inject({ orgId: 'acme', body: 'bad-item' });
    const { errors } = await gateway.query(twoOrgs);
    expect(errors?.[0]?.message).toMatch(/\[1\]\.enabled: expected a boolean, got a string/);
    expect(errors?.[0]?.message).not.toContain('yes');
  });

  it('retries a 503 and then succeeds', async () => {
    await using gateway = await startTestGateway({ env: fastRetries });
    gateway.upstream.inject({ orgId: 'acme', status: 503, times: 1 });
    const data = dataOf(await gateway.query(twoOrgs));
    expect(data.broken.assistants?.nodes).toHaveLength(3);
    expect(gateway.upstream.requests.filter((request) => request.orgId === 'acme')).toHaveLength(2);
  });

  it('retries a 429 after its Retry-After, a 502 and a dropped connection, within UPSTREAM_RETRIES', async () => {
    await using gateway = await startTestGateway({ env: { UPSTREAM_RETRIES: '3', UPSTREAM_TIMEOUT_MS: '5000' } });
    gateway.upstream.inject({ orgId: 'acme', status: 429, retryAfter: '1', times: 1 });
    gateway.upstream.inject({ orgId: 'acme', status: 502, times: 1 });
    gateway.upstream.inject({ orgId: 'acme', drop: 'mid-body', times: 1 });
    const { errors } = await gateway.query(twoOrgs);
    expect(errors).toBeUndefined();
    expect(gateway.upstream.requests.filter((request) => request.orgId === 'acme')).toHaveLength(4);
  });

  it('gives up after UPSTREAM_RETRIES retries', async () => {
    await using gateway = await startTestGateway({ env: { UPSTREAM_RETRIES: '1' } });
    gateway.upstream.inject({ orgId: 'acme', status: 504 });
    const { errors } = await gateway.query(twoOrgs);
    expect(errors?.[0]?.extensions).toEqual({ code: 'UPSTREAM_ERROR', upstreamStatus: 504 });
    expect(gateway.upstream.requests.filter((request) => request.orgId === 'acme')).toHaveLength(2);
  });

  it('does not retry statuses that a retry cannot fix', async () => {
    await using gateway = await startTestGateway({ env: { UPSTREAM_RETRIES: '3' } });
    gateway.upstream.inject({ orgId: 'acme', status: 500 });
    await gateway.query(twoOrgs);
    expect(gateway.upstream.requests.filter((request) => request.orgId === 'acme')).toHaveLength(1);
  });

  it('ends the wait at once with RATE_LIMITED when Retry-After outlasts the deadline', async () => {
    await using gateway = await startTestGateway({ env: { UPSTREAM_TIMEOUT_MS: '2000' } });
    gateway.upstream.inject({ orgId: 'acme', status: 429, retryAfter: '120' });
    const { errors } = await gateway.query(twoOrgs);
    expect(errors?.[0]?.extensions).toEqual({ code: 'RATE_LIMITED', upstreamStatus: 429, retryAfterSeconds: 120 });
    // No second attempt was made: its wait could never have fit the deadline.
    expect(gateway.upstream.requests.filter((request) => request.orgId === 'acme')).toHaveLength(1);
  });

  it('is UPSTREAM_TIMEOUT when the upstream is slower than UPSTREAM_TIMEOUT_MS, retries included', async () => {
    await using gateway = await startTestGateway({ env: { UPSTREAM_TIMEOUT_MS: '300', UPSTREAM_RETRIES: '5' } });
    gateway.upstream.inject({ orgId: 'acme', latencyMs: 60_000 });
    const { data, errors } = await gateway.query(twoOrgs);
    expect(errors?.[0]?.extensions).toEqual({ code: 'UPSTREAM_TIMEOUT' });
    expect(data?.healthy.assistants?.nodes).toHaveLength(3);
    // A timed-out attempt is not retried: the deadline covers every attempt.
    expect(gateway.upstream.requests.filter((request) => request.orgId === 'acme')).toHaveLength(1);
  });

  it('is UPSTREAM_ERROR when nothing listens at the upstream address', async () => {
    await using gateway = await startTestGateway({
      env: { UPSTREAM_URL: 'http://127.0.0.1:9', UPSTREAM_RETRIES: '1', UPSTREAM_TIMEOUT_MS: '2000' },
    });
    const { data, errors } = await gateway.query(twoOrgs);
    expect(data).toEqual({
      broken: { restId: 'acme', assistants: null },
      healthy: { restId: 'wayne', assistants: null },
    });
    expect(errors?.map((error) => error.extensions)).toEqual([{ code: 'UPSTREAM_ERROR' }, { code: 'UPSTREAM_ERROR' }]);
  });

  it('answers with HTTP 200 whatever the upstream said', async () => {
    await using gateway = await startTestGateway();
    gateway.upstream.inject({ status: 401 });
    const response = await fetch(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
      body: JSON.stringify({ query: String(twoOrgs) }),
    });
    expect(response.status).toBe(200);
  });
});
