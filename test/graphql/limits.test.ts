import { describe, expect, it } from 'vitest';
import { encodeGlobalId } from '../../src/schema/global-id.ts';
import { startTestGateway, type TestGateway } from '../helpers/gateway.ts';

async function post(gateway: TestGateway, body: string) {
  const response = await fetch(gateway.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  return {
    status: response.status,
    body: (await response.json()) as { errors?: { message: string; extensions?: { code?: string } }[] },
  };
}

async function answersNormally(gateway: TestGateway) {
  const { data, errors } = await gateway.query(
    '{ organization(restId: "acme") { assistants(first: 2) { nodes { restId } } } }',
  );
  expect(errors).toBeUndefined();
  expect(data.organization.assistants.nodes).toHaveLength(2);
}

describe('hostile requests get a clear error, cost no upstream call, and the gateway answers normally after', () => {
  it('a 5 MB body', async () => {
    await using gateway = await startTestGateway();
    const huge = JSON.stringify({ query: `{ __typename }`, variables: { padding: 'x'.repeat(5_000_000) } });
    const { status, body } = await post(gateway, huge);
    expect(status).toBe(413);
    expect(body.errors?.[0]?.message).toBe('request body is over the limit of 100000 bytes');
    expect(body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(gateway.upstream.requests).toHaveLength(0);
    // Refused before yoga, and still counted as a refused request.
    expect(await gateway.metricsText()).toMatch(/graphql_errors_total\{code="BAD_USER_INPUT"\} 1/);
    await answersNormally(gateway);
  });

  it('a body that is not JSON, which the answer does not quote back', async () => {
    await using gateway = await startTestGateway();
    const { status, body } = await post(gateway, '{"query": "{ __typename }", "secret-ish": nope');
    expect(status).toBe(400);
    expect(body.errors).toEqual([
      {
        message: 'POST body sent invalid JSON.',
        extensions: { code: 'BAD_USER_INPUT', reason: 'BAD_REQUEST', originalError: { name: 'SyntaxError' } },
      },
    ]);
    await answersNormally(gateway);
  });

  it('a body without a declared length', async () => {
    await using gateway = await startTestGateway();
    const chunks = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('{"query":"{ __typename }"}'));
        controller.close();
      },
    });
    const response = await fetch(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: chunks,
      duplex: 'half',
    } as RequestInit);
    expect(response.status).toBe(411);
    await answersNormally(gateway);
  });

  it('a query nested 200 levels deep', async () => {
    await using gateway = await startTestGateway({ env: { MAX_TOKENS: '100000' } });
    const nested = `${'assistants { nodes { organization { '.repeat(67)}restId${' } } }'.repeat(67)}`;
    const { body } = await post(gateway, JSON.stringify({ query: `{ organization(restId: "acme") { ${nested} } }` }));
    expect(body.errors?.[0]?.message).toMatch(/depth limit of 12 exceeded/);
    expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'LIMIT_EXCEEDED', reason: 'MAX_DEPTH' });
    expect(gateway.upstream.requests).toHaveLength(0);
    await answersNormally(gateway);
  });

  it('a query with 2000 aliases', async () => {
    await using gateway = await startTestGateway({ env: { MAX_TOKENS: '100000' } });
    const aliases = Array.from({ length: 2000 }, (_, i) => `a${i}:organization(restId:"o"){restId}`).join(' ');
    const { body } = await post(gateway, JSON.stringify({ query: `{ ${aliases} }` }));
    expect(body.errors?.[0]?.message).toMatch(/Aliases limit of 30 exceeded/);
    expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'LIMIT_EXCEEDED', reason: 'MAX_ALIASES' });
    expect(gateway.upstream.requests).toHaveLength(0);
    await answersNormally(gateway);
  });

  it('a query of too many tokens, with the default limits', async () => {
    await using gateway = await startTestGateway();
    const aliases = Array.from({ length: 2000 }, (_, i) => `a${i}: __typename`).join(' ');
    const { body } = await post(gateway, JSON.stringify({ query: `{ ${aliases} }` }));
    expect(body.errors?.[0]?.message).toMatch(/Token limit of 2000 exceeded/);
    expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'LIMIT_EXCEEDED', reason: 'MAX_TOKENS' });
    await answersNormally(gateway);
  });

  it('a batch of many operations', async () => {
    await using gateway = await startTestGateway();
    const batch = Array.from({ length: 500 }, (_, i) => ({
      query: `{ organization(restId: "org${i}") { assistants { nodes { restId } } } }`,
    }));
    const { status, body } = await post(gateway, JSON.stringify(batch));
    expect(status).toBe(413);
    expect(body.errors?.[0]?.message).toMatch(/Batching is limited to 10 operations/);
    expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'LIMIT_EXCEEDED', reason: 'MAX_BATCH' });
    expect(gateway.upstream.requests).toHaveLength(0);
    await answersNormally(gateway);
  });

  it.each([
    [
      'MAX_UPSTREAM_CALLS',
      { MAX_UPSTREAM_CALLS: '2' },
      '{ a: organization(restId: "acme") { assistants { nodes { name } } } g: organization(restId: "globex") { assistants { nodes { name } } } i: organization(restId: "initech") { assistants { nodes { name } } } }',
    ],
    ['MAX_DIRECTIVES', { MAX_DIRECTIVES: '1' }, '{ __typename @skip(if: false) @include(if: true) }'],
  ])('a query over %s', async (reason, env, query) => {
    await using gateway = await startTestGateway({ env });
    const { body } = await post(gateway, JSON.stringify({ query }));
    expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'LIMIT_EXCEEDED', reason });
    expect(gateway.upstream.requests).toHaveLength(0);
  });

  it('a small batch within the limit is answered operation by operation', async () => {
    await using gateway = await startTestGateway();
    const batch = ['acme', 'wayne'].map((org) => ({ query: `{ organization(restId: "${org}") { restId } }` }));
    const response = await fetch(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(batch),
    });
    expect(await response.json()).toEqual([
      { data: { organization: { restId: 'acme' } } },
      { data: { organization: { restId: 'wayne' } } },
    ]);
  });

  it('a document of many operations costs its parse, not upstream calls', async () => {
    await using gateway = await startTestGateway();
    const operations = Array.from(
      { length: 300 },
      (_, i) => `query Q${i} { organization(restId: "o${i}") { restId } }`,
    );
    const { body } = await post(gateway, JSON.stringify({ query: operations.join('\n'), operationName: 'Q1' }));
    expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'LIMIT_EXCEEDED', reason: 'MAX_TOKENS' });
    expect(gateway.upstream.requests).toHaveLength(0);
  });

  it('a connection nested in a connection, whose page sizes would multiply', async () => {
    await using gateway = await startTestGateway();
    const nested = `{ organization(restId: "initech") { assistants(first: 100) { nodes { organization {
      assistants(first: 100) { nodes { name } } } } } } }`;
    const { body } = await post(gateway, JSON.stringify({ query: nested }));
    expect(body.errors?.[0]?.message).toMatch(/^assistants is nested inside another connection/);
    expect(body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(gateway.upstream.requests).toHaveLength(0);

    // The same through fragments.
    const viaFragments = `{ organization(restId: "initech") { ...Page } }
      fragment Page on Organization { assistants(first: 100) { nodes { organization { ...Inner } } } }
      fragment Inner on Organization { assistants(first: 5) { edges { cursor } } }`;
    const second = await post(gateway, JSON.stringify({ query: viaFragments }));
    expect(second.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    await answersNormally(gateway);
  });

  describe('a request that would need more upstream calls than MAX_UPSTREAM_CALLS', () => {
    const five = ['acme', 'globex', 'initech', 'hooli', 'wayne']
      .map((org) => `${org}: organization(restId: "${org}") { assistants(first: 1) { nodes { restId } } }`)
      .join(' ');

    it('is refused whole before any call (DEMAND_CONTROL=enforce, the default)', async () => {
      await using gateway = await startTestGateway({ env: { MAX_UPSTREAM_CALLS: '3', MAX_ALIASES: '10' } });
      const { body } = await post(gateway, JSON.stringify({ query: `{ ${five} }` }));
      expect(body.errors?.map((error) => error.extensions)).toEqual([
        { code: 'LIMIT_EXCEEDED', reason: 'MAX_UPSTREAM_CALLS', cost: { estimated: 5 } },
      ]);
      expect(body.errors?.[0]?.message).toMatch(/would make at least 5 upstream calls, over MAX_UPSTREAM_CALLS \(3\)/);
      expect(gateway.upstream.requests).toHaveLength(0);
    });

    it('is stopped as its calls are made with DEMAND_CONTROL=measure', async () => {
      await using gateway = await startTestGateway({
        env: { MAX_UPSTREAM_CALLS: '3', MAX_ALIASES: '10', DEMAND_CONTROL: 'measure' },
      });
      const { body } = await post(gateway, JSON.stringify({ query: `{ ${five} }` }));
      const codes = (body.errors ?? []).map((error) => error.extensions?.code);
      expect(codes).toEqual(['LIMIT_EXCEEDED', 'LIMIT_EXCEEDED']);
      expect(body.errors?.[0]?.message).toBe('this request needs more than 3 upstream calls (MAX_UPSTREAM_CALLS)');
      expect(gateway.upstream.requests).toHaveLength(3);
    });
  });

  describe('one budget of MAX_UPSTREAM_CALLS for a whole HTTP request', () => {
    // A batch of 10 `nodes`, each with 100 ids in 100 organizations: 1,000 scans if each operation had its own budget.
    const batch = Array.from({ length: 10 }, (_, operation) => ({
      query: 'query ($ids: [ID!]!) { nodes(ids: $ids) { id } }',
      variables: {
        ids: Array.from({ length: 100 }, (_, org) => encodeGlobalId('Assistant', `org${operation}-${org}/asst_x`)),
      },
    }));

    it('shared by the operations of a batch, also for a caller without credentials', async () => {
      await using gateway = await startTestGateway({ env: { UPSTREAM_TOKEN: 'tok_default' } });
      const { status, body } = await post(gateway, JSON.stringify(batch));
      expect(status).toBe(200);
      expect(body).toHaveLength(10);
      expect(gateway.upstream.requestCount).toBe(100);
      const codes = new Set(
        (body as unknown as { errors?: { extensions?: { code?: string } }[] }[]).flatMap((one) =>
          (one.errors ?? []).map((error) => error.extensions?.code),
        ),
      );
      // Unknown orgs are NOT_FOUND until the budget runs out; the rest are refused.
      expect([...codes].sort()).toEqual(['LIMIT_EXCEEDED', 'NOT_FOUND']);
    });

    it('that retries take from too, against a failing upstream', async () => {
      // No circuit breaker: it would stop calling this upstream before the budget is spent.
      await using gateway = await startTestGateway({ env: { UPSTREAM_RETRIES: '2', UPSTREAM_BREAKER_THRESHOLD: '0' } });
      gateway.upstream.inject({ status: 503, retryAfter: '0' });
      await post(gateway, JSON.stringify(batch));
      expect(gateway.upstream.requestCount).toBe(100);
    });
  });
});
