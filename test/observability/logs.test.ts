// The log as operators read it: one JSON line per GraphQL request, with the
// request id echoed to the caller, and credentials never in any line.

import { describe, expect, it } from 'vitest';
import { createSeedData } from '../../src/demo/seed.ts';
import { startDemoUpstream } from '../../src/demo/upstream.ts';
import { ownFieldsLogger } from '../../src/observability/logger.ts';
import { createRecordingLogger, startTestGateway } from '../helpers/gateway.ts';
import { readyUrl, startMain } from '../helpers/main-process.ts';

async function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  await response.arrayBuffer();
  return response;
}

const firstPage = 'query FirstPage { organization(restId: "acme") { assistants(first: 5) { nodes { restId } } } }';

describe('one line per GraphQL request', () => {
  it('has the request id, operation, duration, upstream calls and error codes; the id is echoed', async () => {
    const logger = createRecordingLogger('info');
    await using gateway = await startTestGateway({ logger });
    gateway.upstream.inject({ orgId: 'globex', status: 403 });

    const given = await post(gateway.url, { query: firstPage }, { 'x-request-id': 'checkout-42' });
    expect(given.headers.get('x-request-id')).toBe('checkout-42');
    const made = await post(gateway.url, {
      query:
        'query TwoOrgs { a: organization(restId: "acme") { assistants { nodes { restId } } } g: organization(restId: "globex") { assistants { nodes { restId } } } }',
    });
    const madeId = made.headers.get('x-request-id');
    expect(madeId).toMatch(/^[0-9a-f-]{36}$/);
    // An id that is not short and plain is replaced, not logged.
    const odd = await post(gateway.url, { query: firstPage }, { 'x-request-id': `not plain; ${'x'.repeat(300)}` });
    expect(odd.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);

    const lines = logger.records().filter((line) => line.msg === 'graphql request');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatchObject({
      level: 'info',
      reqId: 'checkout-42',
      status: 200,
      operationType: 'query',
      operationName: 'FirstPage',
      outcome: 'ok',
      upstreamCalls: 1,
      errorCodes: [],
    });
    expect(lines[0]?.durationMs).toEqual(expect.any(Number));
    expect(lines[0]?.traceId).toBeUndefined();
    expect(lines[1]).toMatchObject({
      reqId: madeId,
      operationName: 'TwoOrgs',
      outcome: 'partial',
      upstreamCalls: 2,
      errorCodes: ['FORBIDDEN'],
    });
    // The failed call's own line carries the same request id.
    expect(logger.records().filter((line) => line.level === 'warn')).toEqual([
      expect.objectContaining({ reqId: madeId, msg: 'upstream UPSTREAM_STATUS 403' }),
    ]);
  });

  it('a batch is one line, with one entry per operation; refusals before any operation are lines too', async () => {
    const logger = createRecordingLogger('info');
    await using gateway = await startTestGateway({ logger });
    await post(gateway.url, [{ query: firstPage }, { query: '{ organization(restId: "acme") { nope } }' }]);
    await post(gateway.url, { query: '{ organization(' });
    await post(
      gateway.url,
      Array.from({ length: 11 }, () => ({ query: firstPage })),
    );

    const lines = logger.records().filter((line) => line.msg === 'graphql request');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatchObject({
      operationType: ['query', 'query'],
      operationName: ['FirstPage', null],
      outcome: ['ok', 'error'],
      upstreamCalls: 1,
      errorCodes: ['BAD_USER_INPUT'],
    });
    expect(lines[1]).toMatchObject({ operationType: 'unknown', outcome: 'error', errorCodes: ['BAD_USER_INPUT'] });
    expect(lines[2]).toMatchObject({ operationType: 'unknown', outcome: 'error', errorCodes: ['LIMIT_EXCEEDED'] });
  });

  it('a body refused before yoga reads it (413) echoes the request id, and its line carries it', async () => {
    const logger = createRecordingLogger('info');
    await using gateway = await startTestGateway({ logger, env: { MAX_BODY_BYTES: '1000' } });
    const big = { query: firstPage, variables: { pad: 'x'.repeat(5_000) } };
    const given = await post(gateway.url, big, { 'x-request-id': 'upload-7' });
    expect(given.status).toBe(413);
    expect(given.headers.get('x-request-id')).toBe('upload-7');
    const made = await post(gateway.url, big);
    expect(made.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const refused = logger.records().filter((line) => line.msg === 'request refused');
    expect(refused.map((line) => line.reqId)).toEqual(['upload-7', made.headers.get('x-request-id')]);
  });

  it('health checks and GraphiQL are not logged at info', async () => {
    const logger = createRecordingLogger('info');
    await using gateway = await startTestGateway({ logger });
    await fetch(gateway.url.replace('/graphql', '/health'));
    await fetch(gateway.url, { headers: { accept: 'text/html' } });
    expect(logger.records()).toEqual([]);
  });
});

describe('a failed upstream call', () => {
  it('names the path it was sent to when refused, base path included, as a template', async () => {
    await using upstream = await startDemoUpstream({ basePath: '/api/v2' });
    const logger = createRecordingLogger('info');
    const wrongBase = `${new URL(upstream.url).origin}/api/v1/`;
    await using gateway = await startTestGateway({
      env: { UPSTREAM_URL: wrongBase, UPSTREAM_TOKEN: 'settings-token-3f9a' },
      logger,
    });
    await post(gateway.url, { query: firstPage }, { authorization: 'Bearer caller-token-81c2' });
    const warnings = logger.records().filter((line) => line.level === 'warn');
    expect(warnings).toEqual([
      expect.objectContaining({
        msg: 'upstream UPSTREAM_STATUS 404',
        upstream: {
          failure: 'UPSTREAM_STATUS',
          status: 404,
          path: '/api/v1/orgs/{org_id}/assistants',
          orgId: 'acme',
          page: 1,
          take: 6,
        },
      }),
    ]);
    const logged = logger.lines.join('\n');
    expect(logged).not.toContain('token-');
    expect(logged).not.toContain('/orgs/acme');
  });
});

describe('credentials never reach the log', () => {
  it('not at debug, where request details are logged, and not when calls fail', async () => {
    const logger = createRecordingLogger('debug');
    const token = 'Bearer caller-token-5e3c1';
    await using gateway = await startTestGateway({
      env: { LOG_LEVEL: 'debug', UPSTREAM_RETRIES: '1', UPSTREAM_TOKEN: 'settings-token-77af' },
      logger,
    });
    gateway.upstream.inject({ orgId: 'globex', status: 401 });
    gateway.upstream.inject({ orgId: 'initech', status: 503, times: 1 });
    gateway.upstream.inject({ orgId: 'wayne', body: 'bad-item' });
    const everything =
      'query Everything { a: organization(restId: "acme") { assistants(first: 100) { nodes { restId hasSecretKey integrations { id } } } } g: organization(restId: "globex") { assistants { nodes { restId } } } i: organization(restId: "initech") { assistants { nodes { restId } } } w: organization(restId: "wayne") { assistants { nodes { restId } } } }';
    await post(gateway.url, { query: everything }, { authorization: token, cookie: 'session=cookie-secret-91' });
    await post(gateway.url, { query: everything });
    await post(gateway.url, { query: '{ nope' }, { authorization: token });

    const secretKeys = [...createSeedData().values()]
      .flat()
      .flatMap((assistant) => (assistant.secret_key ? [assistant.secret_key] : []));
    expect(secretKeys.length).toBeGreaterThan(0);
    const logged = logger.lines.join('\n');
    expect(logger.records().some((line) => line.level === 'debug')).toBe(true);
    expect(logged).toContain('[redacted]');
    for (const secret of [...secretKeys, token, 'caller-token-5e3c1', 'settings-token-77af', 'cookie-secret-91']) {
      expect(logged).not.toContain(secret);
    }
  });

  it('the request line, logged without the wildcard paths, still drops each credential named by its path', () => {
    const logger = createRecordingLogger('info');
    ownFieldsLogger(logger).info(
      { secret_key: 'sk-top-1', secretKey: 'sk-top-2', headers: { authorization: 'Bearer t-3', cookie: 'c=4' } },
      'line',
    );
    expect(logger.records()).toEqual([
      expect.objectContaining({
        msg: 'line',
        secret_key: '[redacted]',
        secretKey: '[redacted]',
        headers: { authorization: '[redacted]', cookie: '[redacted]' },
      }),
    ]);
  });
});

describe('LOG_FORMAT', () => {
  it('json by default; pretty prints lines for people', async () => {
    const json = startMain({ PORT: '0' });
    const pretty = startMain({ PORT: '0', LOG_FORMAT: 'pretty' });
    try {
      await readyUrl(json);
      await readyUrl(pretty);
      const first = json.output().split('\n')[0] ?? '';
      expect(JSON.parse(first)).toMatchObject({ level: 'info', msg: expect.any(String), time: expect.any(Number) });
      expect(pretty.output()).toMatch(/INFO.*gateway ready: http:\/\/localhost:\d+\/graphql/);
      expect(pretty.output().trimStart().startsWith('{')).toBe(false);
    } finally {
      json.child.kill('SIGTERM');
      pretty.child.kill('SIGTERM');
      expect(await json.exited).toBe(0);
      expect(await pretty.exited).toBe(0);
    }
  });
});
