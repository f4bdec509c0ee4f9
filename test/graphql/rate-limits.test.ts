// Per-caller rate limits in one gateway (counts in its own memory): each
// operation is charged before it is read, a batch item by item; upstream calls
// are charged up front and set to the calls made once the operation ran; a
// caller over a limit is refused with RATE_LIMITED (429 and Retry-After for
// application/graphql-response+json, 200 for application/json) while other
// callers go on; every answer carries RateLimit-Policy and RateLimit. The
// caller's key never shows in a log line or a metric. No test waits on the
// clock: a minute's window outlasts each test by far, and the seconds asserted
// are read from the answers themselves.

import { describe, expect, it } from 'vitest';
import { callerKeyOf, clientAddressOf } from '../../src/http/caller-key.ts';
import { createRecordingLogger, type SentRequest, startTestGateway, type TestGateway } from '../helpers/gateway.ts';

const cheap = '{ organization(restId: "globex") { restId } }';
const oneCall = '{ organization(restId: "globex") { assistants(first: 2) { nodes { restId } } } }';
const twoCalls =
  '{ a: organization(restId: "globex") { assistants(first: 1) { nodes { restId } } } b: organization(restId: "acme") { assistants(first: 1) { nodes { restId } } } }';

const graphqlResponse = 'application/graphql-response+json';

function ask(gateway: TestGateway, headers: Record<string, string>, query = cheap): Promise<SentRequest> {
  return gateway.send({ body: { query }, headers });
}

/** The RateLimit field's items, by policy: `{ r, t }`. */
function serviceLimits(response: SentRequest): Record<string, { r: number; t: number | undefined }> {
  const field = response.headers.get('ratelimit');
  expect(field, 'RateLimit').not.toBeNull();
  const items: Record<string, { r: number; t: number | undefined }> = {};
  for (const item of (field as string).split(',')) {
    const match = /^\s*"([^"]+)";r=(\d+)(?:;t=(\d+))?\s*$/.exec(item);
    expect(match, item).not.toBeNull();
    const [, policy, r, t] = match as RegExpExecArray;
    items[policy as string] = { r: Number(r), t: t === undefined ? undefined : Number(t) };
  }
  return items;
}

function codesOf(response: SentRequest): unknown[] {
  return (response.body.errors ?? []).map((error) => error.extensions?.code);
}

describe('RATE_LIMIT_OPERATIONS_PER_MINUTE', () => {
  it("refuses a caller's 6th operation of a minute at 5, 429 with Retry-After for graphql-response+json, 200 for JSON; others go on", async () => {
    const logger = createRecordingLogger('debug');
    const secret = 'test-secret';
    await using gateway = await startTestGateway({
      env: { RATE_LIMIT_OPERATIONS_PER_MINUTE: '5', CACHE_KEY_SECRET: secret },
      logger,
    });
    const alice = { authorization: 'Bearer alice-token' };
    for (let i = 1; i <= 5; i++) {
      const answer = await ask(gateway, alice);
      expect(answer.status).toBe(200);
      expect(answer.body.errors).toBeUndefined();
      expect(answer.headers.get('ratelimit-policy')).toBe('"operations";q=5;w=60');
      const { operations } = serviceLimits(answer);
      expect(operations?.r).toBe(5 - i);
      expect(operations?.t).toBeGreaterThanOrEqual(1);
      expect(operations?.t).toBeLessThanOrEqual(60);
    }

    const refused = await ask(gateway, { ...alice, accept: graphqlResponse });
    expect(refused.status).toBe(429);
    expect(refused.body.data).toBeUndefined();
    const error = refused.body.errors?.[0];
    expect(error?.extensions).toEqual({
      code: 'RATE_LIMITED',
      reason: 'RATE_LIMIT_OPERATIONS_PER_MINUTE',
      retryAfterSeconds: expect.any(Number),
    });
    expect(error?.message).toMatch(/RATE_LIMIT_OPERATIONS_PER_MINUTE/);
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBe(error?.extensions?.retryAfterSeconds);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    // Retry-After is not before the end of the window RateLimit names.
    expect(serviceLimits(refused).operations).toEqual({ r: 0, t: retryAfter });
    expect(refused.headers.get('ratelimit-policy')).toBe('"operations";q=5;w=60');

    const refusedAsJson = await ask(gateway, alice);
    expect(refusedAsJson.status).toBe(200);
    expect(codesOf(refusedAsJson)).toEqual(['RATE_LIMITED']);
    expect(refusedAsJson.headers.get('retry-after')).toBeNull();
    expect(serviceLimits(refusedAsJson).operations?.r).toBe(0);

    // Another credential, and a caller with none, each have a count of their own.
    const others: Record<string, string>[] = [{ authorization: 'Bearer bob-token' }, {}];
    for (const other of others) {
      const answer = await ask(gateway, { ...other, accept: graphqlResponse });
      expect(answer.status).toBe(200);
      expect(answer.body.errors).toBeUndefined();
      expect(serviceLimits(answer).operations?.r).toBe(4);
    }

    // Refused operations are counted with their code, and by the limit; never by the caller.
    const metrics = await gateway.metricsText();
    expect(metrics).toMatch(/^graphql_rate_limited_total\{limit="RATE_LIMIT_OPERATIONS_PER_MINUTE"\} 2$/m);
    expect(metrics).toMatch(/^graphql_errors_total\{code="RATE_LIMITED"\} 2$/m);
    const key = callerKeyOf({ key: { kind: 'credential' }, trustedProxies: [], secret })(
      new Request('http://x/', { headers: alice }),
      undefined,
    );
    expect(key).not.toBe('anonymous');
    for (const text of [metrics, logger.lines.join('\n')]) {
      expect(text).not.toContain('alice-token');
      expect(text).not.toContain(key);
    }
    expect(logger.records().filter((line) => line.msg === 'graphql request')).toHaveLength(9);
  });

  it('charges each operation of a batch: a batch of 3 takes 3, and the one past the limit alone is refused', async () => {
    await using gateway = await startTestGateway({ env: { RATE_LIMIT_OPERATIONS_PER_MINUTE: '5' } });
    const headers = { authorization: 'Bearer batcher', accept: graphqlResponse };
    const first = await gateway.send({ body: [{ query: cheap }, { query: cheap }, { query: cheap }], headers });
    expect(first.status).toBe(200);
    expect(serviceLimits(first).operations?.r).toBe(2);

    const orgs = ['globex', 'acme', 'initech'];
    const second = await gateway.send({
      body: orgs.map((org) => ({
        query: `{ organization(restId: "${org}") { assistants(first: 1) { nodes { restId } } } }`,
      })),
      headers,
    });
    // A batch answers 200 whatever its items say.
    expect(second.status).toBe(200);
    const items = second.body as unknown as SentRequest['body'][];
    const refused = items.filter((item) => item.errors?.[0]?.extensions?.code === 'RATE_LIMITED');
    expect(refused).toHaveLength(1);
    expect(refused[0]?.data).toBeUndefined();
    expect(items.filter((item) => item.errors === undefined)).toHaveLength(2);
    // The refused operation made no upstream call.
    expect(gateway.upstream.requestCount).toBe(2);
    expect(serviceLimits(second).operations?.r).toBe(0);
  });

  it('is off by default: no fields, nothing refused', async () => {
    await using gateway = await startTestGateway();
    for (let i = 0; i < 3; i++) {
      const answer = await ask(gateway, {});
      expect(answer.body.errors).toBeUndefined();
      expect(answer.headers.get('ratelimit')).toBeNull();
      expect(answer.headers.get('ratelimit-policy')).toBeNull();
    }
  });
});

describe('RATE_LIMIT_UPSTREAM_CALLS_PER_MINUTE', () => {
  it('charges the estimated calls up front and the calls made once it ran; past the limit, refused before any call', async () => {
    await using gateway = await startTestGateway({
      env: {
        RATE_LIMIT_UPSTREAM_CALLS_PER_MINUTE: '5',
        RATE_LIMIT_OPERATIONS_PER_MINUTE: '100',
        MAX_UPSTREAM_CALLS: '5',
      },
    });
    const headers = { authorization: 'Bearer caller', accept: graphqlResponse };
    const calls = () => gateway.upstream.requestCount;

    // Estimated at no call, charged none.
    const none = await ask(gateway, headers, cheap);
    expect(none.headers.get('ratelimit-policy')).toBe('"operations";q=100;w=60, "upstream-calls";q=5;w=60');
    expect(serviceLimits(none)['upstream-calls']?.r).toBe(5);
    expect(calls()).toBe(0);

    // Two calls each, estimated and made.
    expect(serviceLimits(await ask(gateway, headers, twoCalls))['upstream-calls']?.r).toBe(3);
    expect(serviceLimits(await ask(gateway, headers, twoCalls))['upstream-calls']?.r).toBe(1);
    expect(calls()).toBe(4);

    // 1 left: an operation estimated at 2 is refused before its first call.
    const refused = await ask(gateway, headers, twoCalls);
    expect(refused.status).toBe(429);
    expect(refused.body.errors?.[0]?.extensions).toMatchObject({
      code: 'RATE_LIMITED',
      reason: 'RATE_LIMIT_UPSTREAM_CALLS_PER_MINUTE',
    });
    expect(Number(refused.headers.get('retry-after'))).toBe(refused.body.errors?.[0]?.extensions?.retryAfterSeconds);
    expect(calls()).toBe(4);
    const limits = serviceLimits(refused);
    expect(limits['upstream-calls']?.r).toBe(1);
    expect(limits.operations?.r).toBe(100 - 4);

    // One estimated at 1 still fits.
    const last = await ask(gateway, headers, oneCall);
    expect(last.body.errors).toBeUndefined();
    expect(serviceLimits(last)['upstream-calls']?.r).toBe(0);
    expect(calls()).toBe(5);

    // Another caller's calls are its own.
    const other = await ask(gateway, { authorization: 'Bearer other', accept: graphqlResponse }, oneCall);
    expect(other.body.errors).toBeUndefined();
    expect(serviceLimits(other)['upstream-calls']?.r).toBe(4);
    expect(await gateway.metricsText()).toMatch(
      /^graphql_rate_limited_total\{limit="RATE_LIMIT_UPSTREAM_CALLS_PER_MINUTE"\} 1$/m,
    );
  });

  it('an operation that never runs is not charged calls, and its answer still says what is left', async () => {
    await using gateway = await startTestGateway({
      env: { RATE_LIMIT_UPSTREAM_CALLS_PER_MINUTE: '5', MAX_UPSTREAM_CALLS: '5' },
    });
    const answer = await ask(gateway, { authorization: 'Bearer caller' }, '{ organization { restId } }');
    expect(codesOf(answer)).toEqual(['BAD_USER_INPUT']);
    expect(serviceLimits(answer)).toEqual({ 'upstream-calls': { r: 5, t: undefined } });
  });
});

describe('RATE_LIMIT_KEY', () => {
  it('header:x-client-id counts by the client id, whatever the credential; without one, as anonymous', async () => {
    const logger = createRecordingLogger('info');
    await using gateway = await startTestGateway({
      env: { RATE_LIMIT_KEY: 'header:x-client-id', RATE_LIMIT_OPERATIONS_PER_MINUTE: '2' },
      logger,
    });
    const client = (id: string, token: string) => ({ 'x-client-id': id, authorization: `Bearer ${token}` });
    expect(codesOf(await ask(gateway, client('mobile-app-7', 'one')))).toEqual([]);
    expect(codesOf(await ask(gateway, client('mobile-app-7', 'two')))).toEqual([]);
    expect(codesOf(await ask(gateway, client('mobile-app-7', 'three')))).toEqual(['RATE_LIMITED']);
    expect(codesOf(await ask(gateway, client('web-app-1', 'one')))).toEqual([]);
    expect(codesOf(await ask(gateway, { authorization: 'Bearer one' }))).toEqual([]);
    expect(codesOf(await ask(gateway, {}))).toEqual([]);
    expect(codesOf(await ask(gateway, {}))).toEqual(['RATE_LIMITED']);
    const seen = `${logger.lines.join('\n')}${await gateway.metricsText()}`;
    expect(seen).not.toContain('mobile-app-7');
    expect(seen).not.toContain('web-app-1');
  });

  it('ip behind a trusted proxy: the right-most untrusted hop of X-Forwarded-For, not what the client wrote left of it', async () => {
    const logger = createRecordingLogger('info');
    await using gateway = await startTestGateway({
      env: { RATE_LIMIT_KEY: 'ip', TRUSTED_PROXIES: '10.0.0.0/8,127.0.0.1', RATE_LIMIT_OPERATIONS_PER_MINUTE: '2' },
      logger,
    });
    const via = (forwardedFor: string) => ({ 'x-forwarded-for': forwardedFor });
    expect(codesOf(await ask(gateway, via('203.0.113.7')))).toEqual([]);
    // Through one more trusted proxy: the same client.
    expect(codesOf(await ask(gateway, via('203.0.113.7, 10.1.2.3')))).toEqual([]);
    // A client that writes another address of its own is still known by the hop its proxy added.
    expect(codesOf(await ask(gateway, via('198.51.100.99, 203.0.113.7')))).toEqual(['RATE_LIMITED']);
    expect(codesOf(await ask(gateway, via('203.0.113.8')))).toEqual([]);
    const seen = `${logger.lines.join('\n')}${await gateway.metricsText()}`;
    expect(seen).not.toContain('203.0.113.7');
  });

  it('ip from an untrusted peer: its X-Forwarded-For is ignored, whatever it says', async () => {
    await using gateway = await startTestGateway({
      env: { RATE_LIMIT_KEY: 'ip', TRUSTED_PROXIES: '10.0.0.0/8', RATE_LIMIT_OPERATIONS_PER_MINUTE: '2' },
    });
    const via = (forwardedFor: string) => ({ 'x-forwarded-for': forwardedFor });
    expect(codesOf(await ask(gateway, via('203.0.113.1')))).toEqual([]);
    expect(codesOf(await ask(gateway, via('203.0.113.2')))).toEqual([]);
    // The peer, 127.0.0.1, has used its 2.
    expect(codesOf(await ask(gateway, via('203.0.113.3')))).toEqual(['RATE_LIMITED']);
    expect(codesOf(await ask(gateway, {}))).toEqual(['RATE_LIMITED']);
  });
});

describe('the client address behind proxies', () => {
  const address = clientAddressOf(['10.0.0.0/8', '192.0.2.1', 'fd00::/8']);
  it.each([
    ['an untrusted peer: itself, its X-Forwarded-For unread', '203.0.113.5', '198.51.100.1', '203.0.113.5'],
    ['a trusted peer without X-Forwarded-For: the peer', '10.0.0.1', null, '10.0.0.1'],
    ['a trusted peer: the hop it added', '10.0.0.1', '198.51.100.1', '198.51.100.1'],
    [
      'a chain of trusted proxies: the first hop from the right none of them is',
      '10.0.0.1',
      '198.51.100.1, 192.0.2.1, 10.9.9.9',
      '198.51.100.1',
    ],
    [
      'hops the client wrote, left of the real one, are never read',
      '10.0.0.1',
      '1.1.1.1, 2.2.2.2, 198.51.100.1',
      '198.51.100.1',
    ],
    ['only trusted hops: the left-most', '10.0.0.1', '10.0.0.2, 10.0.0.3', '10.0.0.2'],
    ['a hop that is no address: its client, as written, not the proxy', '10.0.0.1', 'nonsense, 10.0.0.2', 'nonsense'],
    ['a hop with its port: the address', '10.0.0.1', '203.0.113.7:5555', '203.0.113.7'],
    ['an IPv6 hop in brackets with its port: the address', '10.0.0.1', '[2001:db8::1]:443', '2001:db8::1'],
    ['an IPv4-mapped peer is its IPv4 address', '::ffff:10.0.0.1', '198.51.100.1', '198.51.100.1'],
    ['IPv6 ranges', 'fd00::1', '2001:db8::7', '2001:db8::7'],
    ['no peer at all', undefined, '198.51.100.1', undefined],
  ] as const)('%s', (_name, peer, forwardedFor, expected) => {
    expect(address(peer, forwardedFor)).toBe(expected);
  });
});
