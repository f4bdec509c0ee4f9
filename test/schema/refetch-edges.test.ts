import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createSeedData } from '../../src/demo/seed.ts';
import type { WireAssistant } from '../../src/demo/wire.ts';
import { encodeGlobalId } from '../../src/schema/global-id.ts';
import { graphql } from '../generated/index.ts';
import { startTestGateway } from '../helpers/gateway.ts';

const seed = createSeedData();
const template = seed.get('acme')?.[0] as WireAssistant;
const named = (id: string, name: string): WireAssistant => ({ ...template, id, name, integrations: [], actions: [] });

const refetchNames = graphql(`
  query RefetchNames($ids: [ID!]!) {
    nodes(ids: $ids) { id ... on Assistant { restId name organization { restId } } }
    organization(restId: "acme") { restId }
  }
`);

const entityNames = graphql(`
  query EntityNames($representations: [_Any!]!) {
    _entities(representations: $representations) { ... on Organization { restId } ... on Assistant { name } }
  }
`);

describe('refetch edge cases', () => {
  it('keeps ids apart whatever characters they hold', async () => {
    // Assistant "a:b" of org "c", and assistant "a" of org "b:c": one id must never serve the other.
    const data = new Map([
      ['c', [named('a:b', 'of c')]],
      ['b:c', [named('a', 'of b:c')]],
      ['x/y%z', [named('p/q%r', 'of x/y%z')]],
    ]);
    await using gateway = await startTestGateway({ upstream: { data } });
    const ids = [
      encodeGlobalId('Assistant', 'c/a%3Ab'),
      encodeGlobalId('Assistant', 'b%3Ac/a'),
      encodeGlobalId('Assistant', `${encodeURIComponent('x/y%z')}/${encodeURIComponent('p/q%r')}`),
    ];
    const { data: result, errors } = await gateway.query(refetchNames, { ids });
    expect(errors).toBeUndefined();
    expect(result?.nodes).toEqual([
      { id: ids[0], restId: 'a:b', name: 'of c', organization: { restId: 'c' } },
      { id: ids[1], restId: 'a', name: 'of b:c', organization: { restId: 'b:c' } },
      { id: ids[2], restId: 'p/q%r', name: 'of x/y%z', organization: { restId: 'x/y%z' } },
    ]);
  });

  it('fails only the malformed entries of nodes, and the rest of the query still answers', async () => {
    await using gateway = await startTestGateway();
    const good = encodeGlobalId('Assistant', `acme/${template.id}`);
    const response = await gateway.query(refetchNames, { ids: [good, 'garbage!!', encodeGlobalId('Spaceship', 'x')] });
    expect(response.data).toEqual({
      nodes: [{ id: good, restId: template.id, name: template.name, organization: { restId: 'acme' } }, null, null],
      organization: { restId: 'acme' },
    });
    expect(response.errors?.map((error) => [error.path, error.extensions?.code])).toEqual([
      [['nodes', 1], 'BAD_USER_INPUT'],
      [['nodes', 2], 'BAD_USER_INPUT'],
    ]);
  });

  it('refuses more than 100 ids in one nodes, before any upstream call', async () => {
    await using gateway = await startTestGateway();
    const ids = Array.from({ length: 101 }, (_, i) => encodeGlobalId('Assistant', `org${i}/a`));
    const { errors } = await gateway.query(refetchNames, { ids });
    expect(errors?.[0]?.message).toBe('nodes takes at most 100 ids, got 101');
    expect(errors?.[0]?.extensions).toEqual({ code: 'LIMIT_EXCEEDED', reason: 'NODES_IDS' });
    expect(gateway.upstream.requests).toHaveLength(0);
  });

  it('stops a refetch scan after REFETCH_MAX_PAGES pages', async () => {
    await using gateway = await startTestGateway({ env: { REFETCH_MAX_PAGES: '2', UPSTREAM_MAX_TAKE: '10' } });
    const { data, errors } = await gateway.query(refetchNames, {
      ids: [encodeGlobalId('Assistant', 'initech/asst_not_there')],
    });
    expect(data?.nodes).toEqual([null]);
    expect(errors?.[0]?.extensions).toEqual({ code: 'LIMIT_EXCEEDED', reason: 'REFETCH_MAX_PAGES' });
    expect(errors?.[0]?.message).toMatch(/refetch stopped after 2 pages/);
    expect(gateway.upstream.requests).toHaveLength(2);
  });

  it('answers a federation reference with a missing or non-string key as BAD_USER_INPUT for that entity', async () => {
    await using gateway = await startTestGateway();
    const { data, errors } = await gateway.query(entityNames, {
      representations: [
        { __typename: 'Organization' },
        { __typename: 'Organization', restId: 42 },
        { __typename: 'Assistant', id: 42 },
        { __typename: 'Organization', restId: 'acme' },
      ],
    });
    expect(data?._entities).toEqual([null, null, null, { restId: 'acme' }]);
    expect(errors?.map((error) => [error.path, error.extensions?.code])).toEqual([
      [['_entities', 0], 'BAD_USER_INPUT'],
      [['_entities', 1], 'BAD_USER_INPUT'],
      [['_entities', 2], 'BAD_USER_INPUT'],
    ]);
  });
});

describe('an upstream that ignores paging', () => {
  it('is UPSTREAM_BAD_RESPONSE, not an endless scan', async () => {
    // Whatever page is asked for, this upstream sends the same 150 assistants.
    const everything = JSON.stringify((seed.get('initech') ?? []).slice(0, 150));
    const server = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(everything);
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    await using _server = {
      [Symbol.asyncDispose]: async () => {
        server.closeAllConnections();
        server.close();
      },
    };
    await using gateway = await startTestGateway({
      env: { UPSTREAM_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}` },
    });
    const { data, errors } = await gateway.query(refetchNames, {
      ids: [encodeGlobalId('Assistant', 'initech/asst_not_there')],
    });
    expect(data?.nodes).toEqual([null]);
    expect(errors?.[0]?.extensions).toEqual({ code: 'UPSTREAM_BAD_RESPONSE', upstreamStatus: 200 });
    expect(errors?.[0]?.message).toMatch(/expected at most 100 assistants, got 150/);
  });
});
