import { describe, expect, it } from 'vitest';
import { createSeedData } from '../../src/demo/seed.ts';
import { encodeCursor } from '../../src/paging/windows.ts';
import type { PageQuery, PageQueryVariables } from '../generated/graphql.ts';
import { graphql } from '../generated/index.ts';
import { pageQuery } from '../helpers/documents.ts';
import { dataOf, present, startTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { holdEach } from '../helpers/waits.ts';

const seed = createSeedData();
const initechIds = (seed.get('initech') ?? []).map((assistant) => assistant.id);

type Page = NonNullable<PageQuery['organization']['assistants']>;

async function page(gateway: TestGateway, variables: Omit<PageQueryVariables, 'org'>): Promise<Page> {
  const data = dataOf(await gateway.query(pageQuery, { org: 'initech', ...variables }));
  return present(data.organization.assistants, 'assistants');
}

describe('paging through a large organization', () => {
  it('walks forward over every assistant once, in order, with exact pageInfo', async () => {
    await using gateway = await startTestGateway({ env: { UPSTREAM_MAX_TAKE: '25' } });
    const seen: string[] = [];
    let after: string | null = null;
    for (let step = 0; ; step++) {
      const first = [7, 13, 1, 30][step % 4];
      const current: Page = await page(gateway, { first, after });
      expect(current.pageInfo.hasPreviousPage).toBe(seen.length > 0);
      seen.push(...current.edges.map((edge) => edge.node.restId));
      expect(current.pageInfo.hasNextPage).toBe(seen.length < initechIds.length);
      expect(current.pageInfo.endCursor).toBe(current.edges.at(-1)?.cursor);
      if (!current.pageInfo.hasNextPage) break;
      after = current.pageInfo.endCursor;
    }
    expect(seen).toEqual(initechIds);
    // The planner never asked the upstream for more than its cap.
    expect(Math.max(...gateway.upstream.requests.map((request) => Number(request.take)))).toBeLessThanOrEqual(25);
  });

  it('walks backward from the end over every assistant once, in order, with exact pageInfo', async () => {
    await using gateway = await startTestGateway();
    const end = encodeCursor('initech', initechIds.length - 1);
    // The last assistant itself, then everything before it, page by page.
    const lastOne = await page(gateway, { first: 1, after: encodeCursor('initech', initechIds.length - 2) });
    expect(lastOne.pageInfo.hasNextPage).toBe(false);
    const seen: string[] = [lastOne.edges[0]?.node.restId as string];
    let before: string | null = end;
    for (let step = 0; ; step++) {
      const last = [11, 4, 50, 9][step % 4];
      const current: Page = await page(gateway, { last, before });
      expect(current.pageInfo.hasNextPage).toBe(true);
      seen.unshift(...current.edges.map((edge) => edge.node.restId));
      expect(current.pageInfo.hasPreviousPage).toBe(seen.length < initechIds.length);
      expect(current.pageInfo.startCursor).toBe(current.edges[0]?.cursor);
      if (!current.pageInfo.hasPreviousPage) break;
      before = current.pageInfo.startCursor;
    }
    expect(seen).toEqual(initechIds);
  });

  it('serves 20 assistants without first or last', async () => {
    await using gateway = await startTestGateway();
    const current = await page(gateway, {});
    expect(current.edges.map((edge) => edge.node.restId)).toEqual(initechIds.slice(0, 20));
    expect(current.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
  });

  it('answers first: 0 with an empty page and exact flags on both sides', async () => {
    await using gateway = await startTestGateway();
    const middle = await page(gateway, { first: 0, after: encodeCursor('initech', 99) });
    expect(middle).toEqual({
      edges: [],
      pageInfo: { hasNextPage: true, hasPreviousPage: true, startCursor: null, endCursor: null },
    });
    const atEnd = await page(gateway, { first: 0, after: encodeCursor('initech', initechIds.length - 1) });
    expect(atEnd.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
    const atStart = await page(gateway, { first: 0 });
    expect(atStart.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
  });

  it('pages an empty organization', async () => {
    await using gateway = await startTestGateway();
    const data = dataOf(await gateway.query(pageQuery, { org: 'umbrella', first: 5 }));
    expect(data.organization.assistants).toEqual({
      edges: [],
      pageInfo: { hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null },
    });
  });

  it('pages with an upstream whose pages start at 0', async () => {
    await using gateway = await startTestGateway({ env: { UPSTREAM_PAGE_BASE: '0', UPSTREAM_MAX_TAKE: '10' } });
    const current = await page(gateway, { first: 15, after: encodeCursor('initech', 4) });
    expect(current.edges.map((edge) => edge.node.restId)).toEqual(initechIds.slice(5, 20));
    // Offsets 5-19 and the look-ahead at 20, in pages of at most 10 numbered from 0:
    // page 1 of 5 is offsets 5-9, page 1 of 10 is 10-19, page 20 of 1 is offset 20.
    expect(gateway.upstream.requests.map((request) => `${request.page}/${request.take}`)).toEqual([
      '1/5',
      '1/10',
      '20/1',
    ]);
  });
});

describe('bad paging arguments', () => {
  const otherOrgCursor = encodeCursor('acme', 3);
  it.each([
    ['first below 0', { first: -1 }, 'first must be from 0 to 100'],
    ['first over 100', { first: 101 }, 'first must be from 0 to 100'],
    ['last below 0', { last: -5, before: encodeCursor('initech', 10) }, 'last must be from 0 to 100'],
    ['last without before', { last: 5 }, 'the upstream reports no total'],
    ['first with last', { first: 5, last: 5, before: encodeCursor('initech', 10) }, 'not both'],
    ['a garbage cursor', { first: 5, after: 'not-a-cursor' }, 'was not issued by this connection'],
    ["another organization's cursor", { first: 5, after: otherOrgCursor }, 'was not issued by this connection'],
    [
      'a cursor with a forged offset',
      { first: 5, after: Buffer.from('assistants:v1:-3:initech').toString('base64url') },
      'was not issued',
    ],
  ])('refuses %s with BAD_USER_INPUT and makes no upstream call', async (_name, variables, message) => {
    await using gateway = await startTestGateway();
    const { data, errors } = await gateway.query(pageQuery, { org: 'initech', ...variables });
    expect(data).toEqual({ organization: { assistants: null } });
    expect(errors).toHaveLength(1);
    expect(errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(errors?.[0]?.message).toContain(message);
    expect(gateway.upstream.requests).toHaveLength(0);
  });
});

describe('upstream calls per request', () => {
  it('reads a window once however many aliases and fragments ask for it', async () => {
    await using gateway = await startTestGateway();
    const single = graphql(`
      query InitechWindow { organization(restId: "initech") { assistants(first: 30) { nodes { name } } } }
    `);
    await gateway.query(single);
    const oneWindow = gateway.upstream.requests.length;
    gateway.upstream.reset();

    const { errors } = await gateway.query(
      graphql(`
        query InitechWindowAliases {
          a: organization(restId: "initech") { assistants(first: 30) { nodes { restId } } }
          b: organization(restId: "initech") { assistants(first: 30) { edges { cursor } } }
          c: organization(restId: "initech") { assistants(first: 30) { pageInfo { hasNextPage } } }
          d: organization(restId: "initech") { ...InitechWindowNames }
        }
        fragment InitechWindowNames on Organization { assistants(first: 30) { nodes { name } } }
      `),
    );
    expect(errors).toBeUndefined();
    expect(oneWindow).toBe(1);
    expect(gateway.upstream.requests).toHaveLength(oneWindow);
  });

  it('covers a window with the fewest upstream requests under the cap', async () => {
    await using gateway = await startTestGateway({ env: { UPSTREAM_MAX_TAKE: '100' } });
    // 50 items after an offset of 30, plus one to know hasNextPage: one request of take 81 covers them.
    await page(gateway, { first: 50, after: encodeCursor('initech', 29) });
    expect(gateway.upstream.requests.map(({ page: p, take }) => ({ page: p, take }))).toEqual([
      { page: '1', take: '81' },
    ]);
  });

  it('fetches five organizations concurrently', async () => {
    await using gateway = await startTestGateway();
    // Each org's call is held at the upstream until all five have arrived.
    const calls = holdEach(gateway.upstream, ['acme', 'globex', 'initech', 'hooli', 'wayne']);
    const answer = gateway.query(
      graphql(`
          query FiveOrganizations {
            a: organization(restId: "acme") { assistants(first: 5) { nodes { restId } } }
            b: organization(restId: "globex") { assistants(first: 5) { nodes { restId } } }
            c: organization(restId: "initech") { assistants(first: 5) { nodes { restId } } }
            d: organization(restId: "hooli") { assistants(first: 5) { nodes { restId } } }
            e: organization(restId: "wayne") { assistants(first: 5) { nodes { restId } } }
          }
        `),
    );
    await calls.arrived;
    calls.release();
    const data = dataOf(await answer);
    expect(Object.keys(data)).toHaveLength(5);
    expect(gateway.upstream.requests).toHaveLength(5);
    // All five were in flight at once, not one after another.
    expect(gateway.upstream.peakConcurrency).toBe(5);
  });
});
