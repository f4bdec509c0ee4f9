import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createSeedData } from '../../src/demo/seed.ts';
import { graphql } from '../generated/index.ts';
import { createRecordingLogger, dataOf, present, startTestGateway } from '../helpers/gateway.ts';

const seed = createSeedData();

const orgAssistants = graphql(`
  query OrgAssistantRestIds($org: ID!) { organization(restId: $org) { assistants { nodes { restId } } } }
`);

describe('org ids reach the upstream as one encoded path segment', () => {
  it.each(['../x', 'a/b', 'a?take=1000', '%2e%2e', 'a#b', '..%2f..', 'ünï cödé', ' x '])('%j', async (orgId) => {
    await using gateway = await startTestGateway();
    const { errors } = await gateway.query(orgAssistants, { org: orgId });
    // The demo upstream knows no such org: the request reached it intact.
    expect(errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const [request] = gateway.upstream.requests;
    expect(request?.rawPath).toBe(`/orgs/${encodeURIComponent(orgId)}/assistants?page=1&take=21`);
    expect(request?.orgId).toBe(orgId);
  });

  it.each(['.', '..', '', '\ud800', 'a\udc00b'])(
    'refuses %j with BAD_USER_INPUT and no upstream call',
    async (orgId) => {
      await using gateway = await startTestGateway();
      const { data, errors } = await gateway.query(orgAssistants, { org: orgId });
      expect(data).toBeNull();
      expect(errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(gateway.upstream.requests).toHaveLength(0);
    },
  );

  it('keeps the upstream base path in front of every request', async () => {
    await using gateway = await startTestGateway({ upstream: { basePath: '/api/v2' } });
    const url = `${gateway.upstream.url}`;
    expect(url.endsWith('/api/v2')).toBe(true);
    await using withBase = await startTestGateway({ env: { UPSTREAM_URL: `${url}/` } });
    const { errors } = await withBase.query(orgAssistants, { org: 'a/../../b' });
    expect(errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect(gateway.upstream.requests[0]?.rawPath).toBe('/api/v2/orgs/a%2F..%2F..%2Fb/assistants?page=1&take=21');
  });
});

/**
 * An upstream that serves each caller assistants named after its Authorization
 * header, and answers nobody until `overlapping` different headers have asked:
 * those callers' calls are then in flight at once.
 */
async function startPerCallerUpstream({ overlapping = 1 } = {}) {
  const template = seed.get('acme')?.[0];
  const seen: (string | undefined)[] = [];
  let waiting: (() => void)[] = [];
  const server = createServer((request, response) => {
    seen.push(request.headers.authorization);
    waiting.push(() => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify([{ ...template, name: `for ${request.headers.authorization ?? 'nobody'}` }]));
    });
    if (new Set(seen).size < overlapping) return;
    for (const answer of waiting) answer();
    waiting = [];
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    [Symbol.asyncDispose]: async () => {
      server.closeAllConnections();
      server.close();
    },
  };
}

describe('credentials', () => {
  const query = graphql(`
    query FirstAcmeAssistantName { organization(restId: "acme") { assistants(first: 1) { nodes { name } } } }
  `);

  it('never serves one caller what was fetched with another caller’s token', async () => {
    await using upstream = await startPerCallerUpstream({ overlapping: 4 });
    await using gateway = await startTestGateway({ env: { UPSTREAM_URL: upstream.url } });
    const callers = Array.from({ length: 20 }, (_, i) => `Bearer token-${i % 4}`);
    const answers = await Promise.all(callers.map((authorization) => gateway.query(query, {}, { authorization })));
    answers.forEach((answer, i) => {
      expect(present(dataOf(answer).organization.assistants).nodes).toEqual([{ name: `for ${callers[i]}` }]);
    });
    // Overlapping calls with the same token may share one (UPSTREAM_COALESCE); every token made its own.
    expect(new Set(upstream.seen)).toEqual(
      new Set(['Bearer token-0', 'Bearer token-1', 'Bearer token-2', 'Bearer token-3']),
    );
    expect(upstream.seen.length).toBeLessThanOrEqual(20);
  });

  it('without coalescing, every caller makes its own call', async () => {
    await using upstream = await startPerCallerUpstream({ overlapping: 4 });
    await using gateway = await startTestGateway({ env: { UPSTREAM_URL: upstream.url, UPSTREAM_COALESCE: 'false' } });
    const callers = Array.from({ length: 20 }, (_, i) => `Bearer token-${i % 4}`);
    await Promise.all(callers.map((authorization) => gateway.query(query, {}, { authorization })));
    expect(upstream.seen).toHaveLength(20);
  });

  it('forwards the caller’s Authorization as is, and UPSTREAM_TOKEN only for callers who send none', async () => {
    await using upstream = await startPerCallerUpstream();
    await using gateway = await startTestGateway({
      env: { UPSTREAM_URL: upstream.url, UPSTREAM_TOKEN: 'service-token' },
    });
    const own = await gateway.query(query, {}, { authorization: 'Basic dXNlcjpwYXNz' });
    const none = await gateway.query(query);
    expect(present(dataOf(own).organization.assistants).nodes[0]?.name).toBe('for Basic dXNlcjpwYXNz');
    expect(present(dataOf(none).organization.assistants).nodes[0]?.name).toBe('for Bearer service-token');
  });

  it('sends no Authorization when neither the caller nor the settings give one', async () => {
    await using gateway = await startTestGateway();
    await gateway.query(query);
    expect(gateway.upstream.requests[0]?.authorization).toBeUndefined();
  });
});

describe('secrets stay out of the log', () => {
  it('logs no secret key and no token, whatever fails', async () => {
    const logger = createRecordingLogger();
    await using gateway = await startTestGateway({ env: { LOG_LEVEL: 'debug', UPSTREAM_RETRIES: '0' }, logger });
    const token = 'Bearer caller-token-XYZ-123';
    gateway.upstream.inject({ orgId: 'acme', body: 'bad-item' });
    gateway.upstream.inject({ orgId: 'globex', status: 500 });
    gateway.upstream.inject({ orgId: 'initech', body: 'malformed' });
    const body = await gateway.query(
      graphql(`
        query FailuresWithSecrets($badId: ID!) {
          a: organization(restId: "acme") { assistants { nodes { name hasSecretKey } } }
          b: organization(restId: "globex") { assistants { nodes { name } } }
          c: organization(restId: "initech") { assistants { nodes { name } } }
          d: organization(restId: "hooli") { assistants { nodes { name hasSecretKey } } }
          e: node(id: $badId) { id }
        }
      `),
      { badId: 'bad' },
      { authorization: token },
    );
    expect(body.errors?.length).toBeGreaterThanOrEqual(3);
    const secrets = [...seed.values()]
      .flat()
      .flatMap((assistant) => (assistant.secret_key ? [assistant.secret_key] : []));
    const logged = logger.lines.join('\n');
    // Operators see what failed, and where.
    const warnings = logger.records().filter((line) => line.level === 'warn');
    expect(warnings).toContainEqual(
      expect.objectContaining({
        msg: 'upstream UPSTREAM_STATUS 500',
        upstream: { failure: 'UPSTREAM_STATUS', status: 500, orgId: 'globex', page: 1, take: 21 },
      }),
    );
    expect(warnings).toContainEqual(
      expect.objectContaining({
        msg: 'upstream UPSTREAM_BAD_RESPONSE 200',
        upstream: expect.objectContaining({ orgId: 'acme' }),
      }),
    );
    // At debug the request's headers are logged, its credential redacted.
    expect(logger.records()).toContainEqual(
      expect.objectContaining({
        msg: 'request received',
        req: expect.objectContaining({ headers: expect.objectContaining({ authorization: '[redacted]' }) }),
      }),
    );
    const answered = JSON.stringify(body);
    for (const secret of [...secrets, token, 'caller-token-XYZ-123']) {
      expect(logged).not.toContain(secret);
      expect(answered).not.toContain(secret);
    }
  });
});
