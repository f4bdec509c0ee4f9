import { describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from './helpers/gateway.ts';

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
    expect(body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(gateway.upstream.requests).toHaveLength(0);
    await answersNormally(gateway);
  });

  it('a query with 2000 aliases', async () => {
    await using gateway = await startTestGateway({ env: { MAX_TOKENS: '100000' } });
    const aliases = Array.from({ length: 2000 }, (_, i) => `a${i}:organization(restId:"o"){restId}`).join(' ');
    const { body } = await post(gateway, JSON.stringify({ query: `{ ${aliases} }` }));
    expect(body.errors?.[0]?.message).toMatch(/Aliases limit of 30 exceeded/);
    expect(body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(gateway.upstream.requests).toHaveLength(0);
    await answersNormally(gateway);
  });

  it('a query of too many tokens, with the default limits', async () => {
    await using gateway = await startTestGateway();
    const aliases = Array.from({ length: 2000 }, (_, i) => `a${i}: __typename`).join(' ');
    const { body } = await post(gateway, JSON.stringify({ query: `{ ${aliases} }` }));
    expect(body.errors?.[0]?.message).toMatch(/Token limit of 2000 exceeded/);
    expect(body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
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
    expect(body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(gateway.upstream.requests).toHaveLength(0);
    await answersNormally(gateway);
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
    expect(body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(gateway.upstream.requests).toHaveLength(0);
  });
});
