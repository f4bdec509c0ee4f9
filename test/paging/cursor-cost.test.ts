// On a list that did not change, checking a v2 cursor costs no upstream call:
// every forward window asks the upstream for exactly as many pages as the
// planner alone would (the check rides on them), and says EXACT.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createSeedData } from '../../src/demo/seed.ts';
import { encodeAnchoredCursor, fingerprint, listEdge } from '../../src/paging/cursors.ts';
import { fetchRange, planPages } from '../../src/paging/windows.ts';
import { graphql } from '../generated/index.ts';
import { dataOf, present, startTestGateway } from '../helpers/gateway.ts';

const ids = (createSeedData().get('initech') ?? []).map((assistant) => assistant.id);

/** The cursor the gateway issues for the assistant at `offset` of initech's list. */
function cursorAt(offset: number): string {
  const mark = (at: number) => {
    const id = ids[at];
    return id === undefined ? listEdge : fingerprint(id);
  };
  return encodeAnchoredCursor('initech', offset, {
    prev: mark(offset - 1),
    self: mark(offset),
    next: mark(offset + 1),
  });
}

const forwardPage = graphql(`
  query ForwardPage($first: Int!, $after: String!) {
    organization(restId: "initech") {
      assistants(first: $first, after: $after) {
        edges { cursor node { restId } }
        cursorCheck { status shift }
      }
    }
  }
`);

describe('checking a cursor on an unchanged list', () => {
  it('issues the cursors the check expects', async () => {
    await using gateway = await startTestGateway();
    const { edges } = present(
      dataOf(await gateway.query(forwardPage, { first: 3, after: cursorAt(10) })).organization.assistants,
    );
    expect(edges.map((edge) => edge.cursor)).toEqual([cursorAt(11), cursorAt(12), cursorAt(13)]);
  });

  for (const maxTake of [10, 25, 100]) {
    it(`costs the planner's calls and no more, UPSTREAM_MAX_TAKE ${maxTake}`, async () => {
      await using gateway = await startTestGateway({ env: { UPSTREAM_MAX_TAKE: String(maxTake) } });
      const paging = { pageBase: 1, maxTake };
      await fc.assert(
        fc.asyncProperty(
          fc.integer({ min: 0, max: ids.length - 2 }),
          fc.integer({ min: 0, max: 100 }),
          async (offset, first) => {
            gateway.upstream.reset();
            const answer = dataOf(await gateway.query(forwardPage, { first, after: cursorAt(offset) }));
            const connection = present(answer.organization.assistants);
            expect(connection.cursorCheck).toEqual({ status: 'EXACT', shift: null });
            expect(connection.edges.map((edge) => edge.node.restId)).toEqual(ids.slice(offset + 1, offset + 1 + first));
            const window = { start: offset + 1, end: offset + 1 + first };
            expect(gateway.upstream.requestCount).toBe(planPages(fetchRange(window), paging).length);
          },
        ),
        { numRuns: 40 },
      );
    });
  }
});
