// Stable cursors as a real client meets them: Apollo Client's InMemoryCache
// with `relayStylePagination()` pages through an organization with `fetchMore`
// while assistants are inserted and deleted between two pages, the cursor's
// own assistant once. The policy splices each page in after the edge whose
// cursor it asked with, and never checks what it is given, so the cache's list
// is only as right as the gateway's pages: with v2 cursors every assistant
// that stayed is in it exactly once, in order. The same walk with the v1
// offset cursors the gateway issued before (and still reads) repeats and
// skips assistants: that is why v2 exists.

import { ApolloClient, HttpLink, InMemoryCache } from '@apollo/client';
import { relayStylePagination } from '@apollo/client/utilities';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor } from '../../src/paging/cursors.ts';
import { present, startTestGateway, type TestGateway } from '../helpers/gateway.ts';

const org = 'globex';
const pageSize = 7;

interface CursorCheck {
  status: string;
  shift: number | null;
}

interface WalkData {
  organization: {
    id: string;
    assistants: {
      edges: { cursor: string; node: { id: string; restId: string } }[];
      pageInfo: { hasNextPage: boolean; endCursor: string | null };
      cursorCheck: CursorCheck | null;
    } | null;
  } | null;
}

// Parsed here rather than tagged: codegen types only `graphql(…)` documents,
// and would take Apollo's `gql` for one of them.
const walkPage: TypedDocumentNode<WalkData, { first: number; after?: string | null }> = parse(/* GraphQL */ `
  query ApolloWalk($first: Int!, $after: String) {
    organization(restId: "${org}") {
      id
      assistants(first: $first, after: $after) {
        edges { cursor node { id restId } }
        pageInfo { hasNextPage endCursor }
        cursorCheck { status shift }
      }
    }
  }
`);

/** One change to the list, at a position counted from the cursor's assistant as it stood after the last page. */
type Edit = { insert: number } | { remove: number };

/**
 * What changes between page n and page n + 1. Each gap's edits are applied
 * from the end of the list backwards, so an edit never moves the positions of
 * the ones after it in this table. At least one of the cursor's neighbours
 * stays each time, and each gap moves the cursor's assistant by less than
 * what the gateway's search covers.
 */
const gaps: ((cursor: number) => Edit[])[] = [
  // Two inserted before the cursor, one after it: its assistant moves down by 2.
  (cursor) => [{ insert: cursor + 2 }, { insert: cursor - 1 }, { insert: 0 }],
  // Two already seen deleted, and one not seen yet: it moves up by 2.
  (cursor) => [{ remove: cursor + 3 }, { remove: cursor - 2 }, { remove: 1 }],
  // The cursor's own assistant deleted, one inserted and one deleted after it.
  (cursor) => [{ remove: cursor + 4 }, { insert: cursor + 2 }, { remove: cursor }],
  // Two inserted just before the cursor, one not seen yet deleted: it moves down by 2.
  (cursor) => [{ remove: cursor + 3 }, { insert: cursor - 3 }, { insert: cursor - 3 }],
];

interface Walk {
  /** The restIds of the cached connection's edges, in the cache's order. */
  readonly cached: string[];
  /** Each `fetchMore` page's cursorCheck, as it came: the cache keeps only the latest. */
  readonly checks: (CursorCheck | null)[];
  /** Ids there when the walk began and never deleted: each must be in the cache exactly once. */
  readonly survivors: Set<string>;
  /** Ids inserted after the cursor, where the walk had still to go: each must be in the cache too. */
  readonly ahead: string[];
  /** The organization's list at the end. */
  readonly list: string[];
}

/** Walks `org` from the start with `fetchMore`, editing the demo's list between pages as `gaps` says. */
async function walk(gateway: TestGateway, fetch: typeof globalThis.fetch): Promise<Walk> {
  const client = new ApolloClient({
    link: new HttpLink({ uri: gateway.url, fetch }),
    cache: new InMemoryCache({ typePolicies: { Organization: { fields: { assistants: relayStylePagination() } } } }),
    devtools: { enabled: false },
  });
  const idsOf = () => gateway.upstream.assistantsOf(org).map((assistant) => assistant.id);
  const survivors = new Set(idsOf());
  const ahead: string[] = [];
  const variables = { first: pageSize };
  const cachedConnection = () =>
    present(present(client.readQuery({ query: walkPage, variables })?.organization).assistants);
  try {
    const first = await client.query({ query: walkPage, variables });
    expect(first.data?.organization?.assistants?.cursorCheck).toBeNull();
    const observable = client.watchQuery({ query: walkPage, variables });
    const checks: (CursorCheck | null)[] = [];
    for (let page = 1; cachedConnection().pageInfo.hasNextPage; page++) {
      expect(page, 'the walk ends').toBeLessThan(50);
      const { endCursor } = cachedConnection().pageInfo;
      const cursorId = present(cachedConnection().edges.at(-1)).node.restId;
      const cursor = idsOf().indexOf(cursorId);
      for (const edit of gaps[page - 1]?.(cursor) ?? []) {
        if (!('insert' in edit)) survivors.delete(gateway.upstream.remove(org, edit.remove));
        else if (edit.insert > cursor) ahead.push(gateway.upstream.insert(org, edit.insert));
        else gateway.upstream.insert(org, edit.insert);
      }
      const next = await observable.fetchMore({ variables: { after: endCursor } });
      checks.push(present(next.data?.organization?.assistants).cursorCheck);
    }
    const cached = cachedConnection().edges.map((edge) => edge.node.restId);
    return { cached, checks, survivors, ahead, list: idsOf() };
  } finally {
    client.stop();
  }
}

/** The survivors as the list has them, and as the cache has them. */
function survivorsIn({ cached, survivors, list }: Walk) {
  return { expected: list.filter((id) => survivors.has(id)), cached: cached.filter((id) => survivors.has(id)) };
}

/**
 * Node's fetch, with every cursor of the answer turned into the v1 offset
 * cursor of the same position: the gateway as it was before v2, for the client.
 */
const offsetCursorFetch: typeof globalThis.fetch = async (input, init) => {
  const response = await fetch(input, init);
  const asV1 = (key: string, value: unknown) =>
    ['cursor', 'startCursor', 'endCursor'].includes(key) && typeof value === 'string'
      ? encodeCursor(org, decodeCursor(value, org))
      : value;
  return Response.json(JSON.parse(await response.text(), asV1), { status: response.status });
};

describe('Apollo Client paging with relayStylePagination while the list changes', () => {
  it('caches every assistant that stayed exactly once, in order, with v2 cursors', async () => {
    await using gateway = await startTestGateway();
    const result = await walk(gateway, fetch);
    const { expected, cached } = survivorsIn(result);
    expect(cached).toEqual(expected);
    expect(expected.length).toBeGreaterThan(30);
    expect(result.cached.filter((id) => result.ahead.includes(id))).toEqual(
      result.list.filter((id) => result.ahead.includes(id)),
    );
    expect(result.ahead).toHaveLength(2);
    // The gaps' edits, as the pages said them; the pages after the last edit follow on exactly.
    expect(result.checks.slice(0, gaps.length)).toEqual([
      { __typename: 'CursorCheck', status: 'SHIFTED', shift: 2 },
      { __typename: 'CursorCheck', status: 'SHIFTED', shift: -2 },
      { __typename: 'CursorCheck', status: 'SUCCESSOR', shift: null },
      { __typename: 'CursorCheck', status: 'SHIFTED', shift: 2 },
    ]);
    expect(result.checks.slice(gaps.length).map((check) => check?.status)).toEqual(['EXACT', 'EXACT']);
  });

  it('repeats and skips assistants with v1 offset cursors under the same edits', async () => {
    await using gateway = await startTestGateway();
    const result = await walk(gateway, offsetCursorFetch);
    expect(new Set(result.checks.map((check) => check?.status))).toEqual(new Set(['UNCHECKED']));
    const { expected, cached } = survivorsIn(result);
    const repeated = expected.filter((id) => cached.filter((seen) => seen === id).length > 1);
    const skipped = expected.filter((id) => !cached.includes(id));
    // Inserts before the offset repeat what it had passed (2 in the first gap,
    // 2 in the fourth); deletes before it skip what it had not reached (2 in
    // the second gap, and the cursor's own assistant's successor in the third).
    expect({ repeated: repeated.length, skipped: skipped.length }).toEqual({ repeated: 4, skipped: 3 });
  });
});
