import { describe, expect, it } from 'vitest';
import { encodeCursor } from '../../src/paging/windows.ts';
import { graphql } from '../generated/index.ts';
import { startTestGateway } from '../helpers/gateway.ts';

const nestedWindows = graphql(`
  query NestedWindows($org: ID!) {
    organization(restId: $org) {
      wide: assistants(first: 30) { nodes { restId } }
      narrow: assistants(first: 10) { nodes { restId } }
    }
  }
`);

const stalePage = graphql(`
  query StalePage($org: ID!, $after: String) {
    organization(restId: $org) {
      assistants(first: 5, after: $after) { nodes { restId } pageInfo { hasPreviousPage hasNextPage } }
    }
  }
`);

const calls = (gateway: { upstream: { requests: readonly { page: string | null; take: string | null }[] } }) =>
  gateway.upstream.requests.map((request) => `${request.page}/${request.take}`);

describe('pages a request has already asked for', () => {
  it('serve any later window inside them, with no new upstream call', async () => {
    await using gateway = await startTestGateway();
    const { data, errors } = await gateway.query(nestedWindows, { org: 'initech' });
    expect(errors).toBeUndefined();
    expect(data?.organization.narrow?.nodes).toEqual(data?.organization.wide?.nodes.slice(0, 10));
    expect(calls(gateway)).toEqual(['1/31']);
  });

  it('answer a stale cursor exactly, probing the list’s first item only when no page holds it', async () => {
    await using gateway = await startTestGateway();
    const { data } = await gateway.query(stalePage, { org: 'wayne', after: encodeCursor('wayne', 50) });
    expect(data?.organization.assistants).toEqual({
      nodes: [],
      pageInfo: { hasPreviousPage: true, hasNextPage: false },
    });
    // The window [51, 57) is past wayne's 3 assistants; one more call reads its first item.
    expect(calls(gateway)).toEqual(['6/10', '1/1']);

    const { data: empty } = await gateway.query(stalePage, { org: 'umbrella', after: encodeCursor('umbrella', 7) });
    expect(empty?.organization.assistants?.pageInfo).toEqual({ hasPreviousPage: false, hasNextPage: false });
  });
});
