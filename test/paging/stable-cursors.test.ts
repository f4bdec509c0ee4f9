// Stable cursors by example: a v1 cursor still pages on, unchecked; a moved
// assistant is found and counted and logged; one moved further than the
// search reaches is NOT_FOUND, never a wrong EXACT; and the search's calls
// come out of the request's MAX_UPSTREAM_CALLS.

import { describe, expect, it } from 'vitest';
import { encodeCursor } from '../../src/paging/cursors.ts';
import { createRecordingLogger, dataOf, present, startTestGateway, type TestGateway } from '../helpers/gateway.ts';

const walkPage = `
  query WalkPage($first: Int, $after: String) {
    organization(restId: "initech") {
      assistants(first: $first, after: $after) {
        edges { cursor node { restId } }
        cursorCheck { status shift }
      }
    }
  }
`;

type Connection = {
  edges: { cursor: string; node: { restId: string } }[];
  cursorCheck: { status: string; shift: number | null } | null;
};

async function page(gateway: TestGateway, first: number, after?: string): Promise<Connection> {
  return present(dataOf(await gateway.query(walkPage, { first, after })).organization.assistants) as Connection;
}

async function cursorChecks(gateway: TestGateway, status: string): Promise<number> {
  const line = new RegExp(`^graphql_cursor_checks_total\\{status="${status}"\\} (\\d+)$`, 'm').exec(
    await gateway.metricsText(),
  );
  return Number(line?.[1] ?? 0);
}

describe('stable cursors', () => {
  it('page on from a v1 cursor issued before them, unchecked', async () => {
    await using gateway = await startTestGateway();
    const ids = gateway.upstream.assistantsOf('initech').map((assistant) => assistant.id);
    const next = await page(gateway, 5, encodeCursor('initech', 9));
    expect(next.cursorCheck).toEqual({ status: 'UNCHECKED', shift: null });
    expect(next.edges.map((edge) => edge.node.restId)).toEqual(ids.slice(10, 15));
    expect(await cursorChecks(gateway, 'UNCHECKED')).toBe(1);
  });

  it('say nothing of a page without a cursor', async () => {
    await using gateway = await startTestGateway();
    expect((await page(gateway, 3)).cursorCheck).toBeNull();
  });

  it('find a moved assistant, page on from where it is, count it and log it at debug', async () => {
    const logger = createRecordingLogger('debug');
    await using gateway = await startTestGateway({ logger, env: { LOG_LEVEL: 'debug' } });
    const first = await page(gateway, 10);
    const cursor = present(first.edges.at(-1)).cursor;
    for (const at of [0, 3, 5]) gateway.upstream.insert('initech', at);
    const ids = gateway.upstream.assistantsOf('initech').map((assistant) => assistant.id);
    const next = await page(gateway, 10, cursor);
    expect(next.cursorCheck).toEqual({ status: 'SHIFTED', shift: 3 });
    expect(next.edges.map((edge) => edge.node.restId)).toEqual(ids.slice(13, 23));
    expect(await cursorChecks(gateway, 'SHIFTED')).toBe(1);
    const line = logger.records().find((record) => record.msg === 'cursor SHIFTED');
    expect(line?.cursor).toMatchObject({
      orgId: 'initech',
      offset: 9,
      direction: 'after',
      status: 'SHIFTED',
      shift: 3,
    });
  });

  it('carry the walk on from the neighbour of an assistant that is gone', async () => {
    await using gateway = await startTestGateway();
    const first = await page(gateway, 10);
    const cursor = present(first.edges.at(-1)).cursor;
    const gone = gateway.upstream.remove('initech', 9);
    expect(gone).toBe(present(first.edges.at(-1)).node.restId);
    const ids = gateway.upstream.assistantsOf('initech').map((assistant) => assistant.id);
    const next = await page(gateway, 10, cursor);
    expect(next.cursorCheck).toEqual({ status: 'SUCCESSOR', shift: null });
    expect(next.edges.map((edge) => edge.node.restId)).toEqual(ids.slice(9, 19));
  });

  it('return what was added where a gone assistant stood, and go on from there', async () => {
    await using gateway = await startTestGateway();
    const first = await page(gateway, 10);
    const cursor = present(first.edges.at(-1)).cursor;
    const added = gateway.upstream.insert('initech', 10, 'Added right after the cursor');
    gateway.upstream.remove('initech', 9);
    const ids = gateway.upstream.assistantsOf('initech').map((assistant) => assistant.id);
    const next = await page(gateway, 3, cursor);
    expect(next.cursorCheck).toEqual({ status: 'SUCCESSOR', shift: null });
    expect(next.edges.map((edge) => edge.node.restId)).toEqual([added, ...ids.slice(10, 12)]);
  });

  it('keep seeing assistants appended after the last one, even when that one is gone', async () => {
    await using gateway = await startTestGateway();
    const all = await present(dataOf(await gateway.query(walkPage.replaceAll('initech', 'acme'), { first: 12 })));
    const end = present((all.organization.assistants as Connection).edges.at(-1)).cursor;
    const appended = gateway.upstream.insert('acme', 12, 'Appended');
    gateway.upstream.remove('acme', 11);
    const next = present(
      dataOf(await gateway.query(walkPage.replaceAll('initech', 'acme'), { first: 12, after: end })).organization
        .assistants,
    ) as Connection;
    expect(next.cursorCheck).toEqual({ status: 'SUCCESSOR', shift: null });
    expect(next.edges.map((edge) => edge.node.restId)).toEqual([appended]);
  });

  it('say NOT_FOUND, never EXACT, when the list moved further than CURSOR_SEARCH_PAGES reach', async () => {
    await using gateway = await startTestGateway({ env: { UPSTREAM_MAX_TAKE: '5', CURSOR_SEARCH_PAGES: '1' } });
    const first = await page(gateway, 5);
    const cursor = present(first.edges.at(-1)).cursor;
    // Twenty before it: four pages of five, where the search reads one on either side.
    for (let i = 0; i < 20; i++) gateway.upstream.insert('initech', 0);
    const next = await page(gateway, 5, cursor);
    expect(next.cursorCheck).toEqual({ status: 'NOT_FOUND', shift: null });
    expect(await cursorChecks(gateway, 'NOT_FOUND')).toBe(1);
  });

  it('count the search’s calls against MAX_UPSTREAM_CALLS', async () => {
    await using gateway = await startTestGateway({
      env: { UPSTREAM_MAX_TAKE: '5', CURSOR_SEARCH_PAGES: '2', MAX_UPSTREAM_CALLS: '2' },
    });
    const cursor = present((await page(gateway, 5)).edges.at(-1)).cursor;
    for (let i = 0; i < 20; i++) gateway.upstream.insert('initech', 0);
    const { errors } = await gateway.query(walkPage, { first: 5, after: cursor });
    expect(errors?.[0]?.extensions).toMatchObject({ code: 'LIMIT_EXCEEDED', reason: 'MAX_UPSTREAM_CALLS' });
  });
});

describe('stable cursors over the page cache', () => {
  it('revalidate a kept page on which the check failed, once, before searching', async () => {
    await using gateway = await startTestGateway({ env: { CACHE_TTL_MS: '600000' } });
    // Kept: offsets 0 to 4 as they are now (first 4 reads five: the window and the one after it).
    await page(gateway, 4);
    gateway.upstream.insert('initech', 0);
    const ids = gateway.upstream.assistantsOf('initech').map((assistant) => assistant.id);
    // A cursor issued on the changed list, past the cache: its assistant stands at 1.
    const fresh = present(
      dataOf(await gateway.query(walkPage, { first: 2 }, { 'cache-control': 'no-cache' })).organization.assistants,
    ) as Connection;
    const cursor = present(fresh.edges[1]).cursor;
    // Its next page reads the kept page of offsets 0 to 4, older than the cursor: it asks again.
    gateway.upstream.reset();
    const next = await page(gateway, 2, cursor);
    expect(next.cursorCheck).toEqual({ status: 'EXACT', shift: null });
    expect(next.edges.map((edge) => edge.node.restId)).toEqual(ids.slice(2, 4));
    // One call: the kept page asked for again, and no search.
    expect(gateway.upstream.requests.map(({ page, take }) => ({ page, take }))).toEqual([{ page: '1', take: '5' }]);
  });
});
