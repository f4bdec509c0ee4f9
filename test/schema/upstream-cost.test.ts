// The cost model against what the gateway does: on a list that does not
// change, a window's estimated upstream calls are the calls it makes, for
// random windows, directions, organization sizes and UPSTREAM_MAX_TAKE; a
// refetch's estimate is at least what it makes; an operation over
// MAX_UPSTREAM_CALLS is refused before any call.

import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSeedData } from '../../src/demo/seed.ts';
import type { WireAssistant } from '../../src/demo/wire.ts';
import { encodeAnchoredCursor, fingerprint, listEdge } from '../../src/paging/cursors.ts';
import { encodeGlobalId, joinKey } from '../../src/schema/global-id.ts';
import { startTestGateway, type TestGateway } from '../helpers/gateway.ts';

const template = createSeedData().get('initech') ?? [];
/** Organizations of these sizes, `sized-N`: at, around and between the page sizes below. */
const sizes = [1, 2, 6, 7, 8, 25, 26, 99, 100, 101, 250, 300];
const maxTakes = [7, 10, 25, 100];

function assistantsOf(size: number): WireAssistant[] {
  return Array.from({ length: size }, (_, i) => ({
    ...structuredClone(template[i % template.length] as WireAssistant),
    id: `a${i}`,
  }));
}

/** The cursor the gateway issues for the item at `offset` of an organization of `size`. */
function cursorAt(org: string, size: number, offset: number): string {
  const mark = (at: number) => (at < 0 || at >= size ? listEdge : fingerprint(`a${at}`));
  return encodeAnchoredCursor(org, offset, { prev: mark(offset - 1), self: mark(offset), next: mark(offset + 1) });
}

const page = `
  query Window($org: ID!, $first: Int, $after: String, $last: Int, $before: String) {
    organization(restId: $org) {
      assistants(first: $first, after: $after, last: $last, before: $before) { edges { node { restId } } }
    }
  }
`;

interface Costed {
  data?: unknown;
  errors?: { extensions?: Record<string, unknown> }[];
  extensions?: { cost?: { estimated: number; actual: number } };
}

describe('the estimated upstream calls of a window', () => {
  const gateways = new Map<number, TestGateway>();
  beforeAll(async () => {
    const data = new Map(sizes.map((size) => [`sized-${size}`, assistantsOf(size)]));
    for (const maxTake of maxTakes) {
      gateways.set(
        maxTake,
        await startTestGateway({
          env: { UPSTREAM_MAX_TAKE: String(maxTake), UPSTREAM_COALESCE: 'false' },
          upstream: { data },
        }),
      );
    }
  });
  afterAll(async () => {
    for (const gateway of gateways.values()) await gateway[Symbol.asyncDispose]();
  });

  it('are its calls, for random windows, directions, organization sizes and UPSTREAM_MAX_TAKE', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...sizes),
        fc.constantFrom(...maxTakes),
        fc.constantFrom('first', 'after', 'before'),
        fc.nat(),
        fc.integer({ min: 0, max: 100 }),
        async (size, maxTake, direction, at, count) => {
          const gateway = gateways.get(maxTake) as TestGateway;
          const org = `sized-${size}`;
          const offset = at % size;
          const variables =
            direction === 'first'
              ? { org, first: count }
              : direction === 'after'
                ? { org, first: count, after: cursorAt(org, size, offset) }
                : { org, last: count, before: cursorAt(org, size, offset) };
          gateway.upstream.reset();
          const answer = (
            await gateway.send({ body: { query: page, variables }, headers: { 'x-graphql-cost': 'true' } })
          ).body as Costed;
          expect(answer.errors).toBeUndefined();
          expect(answer.extensions?.cost).toEqual({
            estimated: gateway.upstream.requestCount,
            actual: gateway.upstream.requestCount,
          });
        },
      ),
      { numRuns: 200 },
    );
  });

  it('share the pages two aliases of one organization both read, as the request does', async () => {
    await using gateway = await startTestGateway({ env: { COST_IN_EXTENSIONS: 'true' } });
    const query = `{
      a: organization(restId: "initech") { assistants(first: 10) { nodes { restId } } }
      b: organization(restId: "initech") { assistants(first: 5) { nodes { restId } } }
      c: organization(restId: "globex") { assistants(first: 10) { nodes { restId } } }
    }`;
    const answer = (await gateway.send({ body: { query } })).body as Costed;
    expect(answer.extensions?.cost).toEqual({ estimated: 2, actual: 2 });
    expect(gateway.upstream.requestCount).toBe(2);
  });
});

describe('the estimate of a refetch', () => {
  it('is its most: REFETCH_MAX_PAGES per organization, its ids sharing one scan, never under what it makes', async () => {
    await using gateway = await startTestGateway({ env: { UPSTREAM_MAX_TAKE: '25', REFETCH_MAX_PAGES: '20' } });
    const ids = (createSeedData().get('initech') ?? []).map((assistant) => assistant.id);
    const globalIds = [ids[3], ids[300], ids[340]].map((id) =>
      encodeGlobalId('Assistant', joinKey(['initech', id as string])),
    );
    const query = 'query Refetch($ids: [ID!]!) { nodes(ids: $ids) { id } }';
    const answer = (
      await gateway.send({ body: { query, variables: { ids: globalIds } }, headers: { 'x-graphql-cost': 'true' } })
    ).body as Costed;
    expect(answer.errors).toBeUndefined();
    // 350 assistants at 25 a page: the scan reads 14 of the 20 pages it may.
    expect(answer.extensions?.cost).toEqual({ estimated: 20, actual: 14 });
  });
});

describe('the estimate of an operation that mixes refetched and direct parents', () => {
  const orgId = encodeGlobalId('Organization', joinKey(['initech']));
  const assistantId = encodeGlobalId(
    'Assistant',
    joinKey(['initech', (createSeedData().get('initech') ?? [])[5]?.id as string]),
  );
  it.each([
    [
      'a window under a refetched organization, and a smaller one of the same organization read directly',
      `{ node(id: "${orgId}") { ... on Organization { a: assistants(first: 50) { nodes { restId } } } }
         organization(restId: "initech") { b: assistants(first: 10) { nodes { restId } } } }`,
    ],
    [
      'a refetched assistant and a window of its organization',
      `{ node(id: "${assistantId}") { id } organization(restId: "initech") { assistants(first: 20) { nodes { restId } } } }`,
    ],
    [
      "a refetched assistant's own organization's window",
      `{ node(id: "${assistantId}") { ... on Assistant { organization { assistants(first: 5) { nodes { restId } } } } } }`,
    ],
  ])('is never under what it makes: %s', async (_, query) => {
    await using gateway = await startTestGateway({ env: { COST_IN_EXTENSIONS: 'true', UPSTREAM_COALESCE: 'false' } });
    const answer = (await gateway.send({ body: { query } })).body as Costed;
    expect(answer.errors).toBeUndefined();
    const cost = answer.extensions?.cost as { estimated: number; actual: number };
    expect(cost.actual).toBe(gateway.upstream.requestCount);
    expect(cost.estimated).toBeGreaterThanOrEqual(cost.actual);
  });

  it('refuses many refetches across organizations at once, before any call, without stalling on the estimate', async () => {
    await using gateway = await startTestGateway({ env: { MAX_ALIASES: '30' } });
    const fields = Array.from({ length: 30 }, (_, field) => `f${field}: nodes(ids: $v${field}) { id }`).join(' ');
    const declared = Array.from({ length: 30 }, (_, field) => `$v${field}: [ID!]!`).join(', ');
    const variables = Object.fromEntries(
      Array.from({ length: 30 }, (_, field) => [
        `v${field}`,
        Array.from({ length: 80 }, (_, id) => encodeGlobalId('Assistant', `org${field}-${id}/a`)),
      ]),
    );
    const answer = (await gateway.send({ body: { query: `query Many(${declared}) { ${fields} }`, variables } }))
      .body as Costed;
    expect(answer.errors?.[0]?.extensions).toMatchObject({
      reason: 'MAX_UPSTREAM_CALLS',
      cost: { estimated: 30 * 80 * 100 },
    });
    expect(gateway.upstream.requestCount).toBe(0);
  });
});

describe('an operation over MAX_UPSTREAM_CALLS', () => {
  const threeOrgs = `{
    a: organization(restId: "acme") { assistants { nodes { restId } } }
    g: organization(restId: "globex") { assistants { nodes { restId } } }
    i: organization(restId: "initech") { assistants { nodes { restId } } }
  }`;

  it('is refused whole before any call, with its estimate', async () => {
    await using gateway = await startTestGateway({ env: { MAX_UPSTREAM_CALLS: '2' } });
    const answer = (await gateway.send({ body: { query: threeOrgs } })).body as Costed;
    expect(answer.data ?? null).toBeNull();
    expect(answer.errors?.[0]?.extensions).toMatchObject({
      code: 'LIMIT_EXCEEDED',
      reason: 'MAX_UPSTREAM_CALLS',
      cost: { estimated: 3 },
    });
    expect(gateway.upstream.requestCount).toBe(0);
  });

  it('runs with DEMAND_CONTROL=measure, its calls stopped at the limit as they are made', async () => {
    await using gateway = await startTestGateway({ env: { MAX_UPSTREAM_CALLS: '2', DEMAND_CONTROL: 'measure' } });
    const answer = (await gateway.send({ body: { query: threeOrgs } })).body as Costed;
    expect(answer.errors?.map((error) => error.extensions?.reason)).toEqual(['MAX_UPSTREAM_CALLS']);
    expect(gateway.upstream.requestCount).toBe(2);
    expect(await gateway.metricsText()).toMatch(/^graphql_operation_cost_sum\{measure="estimated"\} 3$/m);
  });

  it('counts the operations of one batch together', async () => {
    await using gateway = await startTestGateway({ env: { MAX_UPSTREAM_CALLS: '2' } });
    const one = (org: string) => ({ query: `{ organization(restId: "${org}") { assistants { nodes { restId } } } }` });
    const answers = (await gateway.send({ body: [one('acme'), one('globex'), one('initech')] }))
      .body as unknown as Costed[];
    expect(answers.map((answer) => answer.errors?.[0]?.extensions?.reason ?? 'ran')).toEqual([
      'ran',
      'ran',
      'MAX_UPSTREAM_CALLS',
    ]);
    expect(gateway.upstream.requestCount).toBe(2);
  });
});
