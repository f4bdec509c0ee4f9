// What one request may read from the upstream: each body is bounded, the
// bodies of one HTTP request together are bounded, and so is every string.

import { describe, expect, it } from 'vitest';
import { startTestGateway } from '../helpers/gateway.ts';

const fourOrgs = ['acme', 'globex', 'initech', 'wayne'];
const query = `{ ${fourOrgs
  .map((org) => `${org}: organization(restId: "${org}") { assistants(first: 3) { nodes { restId } } }`)
  .join(' ')} }`;

describe('upstream bytes', () => {
  it('refuses a body over UPSTREAM_MAX_BODY_BYTES; the rest of the query answers', async () => {
    await using gateway = await startTestGateway({ env: { UPSTREAM_MAX_BODY_BYTES: '200000' } });
    gateway.upstream.inject({ orgId: 'globex', padTo: 1_000_000 });
    const { data, errors } = await gateway.query(query);
    expect(data.globex.assistants).toBeNull();
    expect(data.acme.assistants.nodes).toHaveLength(3);
    expect(errors?.map((error) => [error.path?.join('.'), error.extensions?.code, error.message])).toEqual([
      [
        'globex.assistants',
        'UPSTREAM_BAD_RESPONSE',
        'upstream sent a body that does not fit: body: expected at most 200000 bytes, got more',
      ],
    ]);
  });

  it('stops reading at MAX_UPSTREAM_BYTES_PER_REQUEST across the calls of one request', async () => {
    await using gateway = await startTestGateway({ env: { MAX_UPSTREAM_BYTES_PER_REQUEST: '200000' } });
    gateway.upstream.inject({ padTo: 90_000 });
    const { data, errors } = await gateway.query(query);
    // 4 pages of 90 KB against 200 KB: some are refused, each on its own field.
    expect(errors?.length).toBeGreaterThan(0);
    for (const error of errors ?? []) {
      expect(error.extensions).toEqual({ code: 'LIMIT_EXCEEDED', reason: 'MAX_UPSTREAM_BYTES_PER_REQUEST' });
      expect(error.path?.[1]).toBe('assistants');
    }
    const failed = new Set(errors?.map((error) => error.path?.[0]));
    for (const org of fourOrgs) {
      if (!failed.has(org)) expect(data[org].assistants.nodes).toHaveLength(3);
    }
  });

  it('counts a body without a declared length as it streams, against both bounds', async () => {
    await using perCall = await startTestGateway({ env: { UPSTREAM_MAX_BODY_BYTES: '200000' } });
    perCall.upstream.inject({ orgId: 'globex', padTo: 1_000_000, chunked: true });
    const oneBody = await perCall.query(query);
    expect(oneBody.errors?.map((error) => [error.path?.[0], error.extensions?.code])).toEqual([
      ['globex', 'UPSTREAM_BAD_RESPONSE'],
    ]);

    await using perRequest = await startTestGateway({ env: { MAX_UPSTREAM_BYTES_PER_REQUEST: '200000' } });
    perRequest.upstream.inject({ padTo: 90_000, chunked: true });
    const { errors } = await perRequest.query(query);
    expect(errors?.length).toBeGreaterThan(0);
    for (const error of errors ?? []) {
      expect(error.extensions).toEqual({ code: 'LIMIT_EXCEEDED', reason: 'MAX_UPSTREAM_BYTES_PER_REQUEST' });
    }
  });

  it('refuses a string over its bound, naming its path and not its value', async () => {
    await using gateway = await startTestGateway();
    gateway.upstream.inject({ orgId: 'acme', padTo: 1_100_000 });
    const { errors } = await gateway.query(query);
    expect(errors).toHaveLength(1);
    expect(errors?.[0]?.extensions?.code).toBe('UPSTREAM_BAD_RESPONSE');
    expect(errors?.[0]?.message).toMatch(
      /\[0\]\.config\.instructions: expected a string of at most 1000000 characters, got one of \d+$/,
    );
  });
});
