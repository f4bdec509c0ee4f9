// Property tests of the pure paging module against a brute-force oracle: an
// org is the array [0..N), the upstream is simulated page by page, and the
// pieces are composed as a connection without a cursor's check reads them
// (src/paging/loaders.ts, src/schema/organization.ts).

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BadInputError } from '../../src/contract/errors.ts';
import {
  type ConnectionArgs,
  collectRange,
  decodeCursor,
  encodeCursor,
  fetchRange,
  type PageRequest,
  type PagingOptions,
  planPages,
  probeRange,
  resolveWindow,
  sliceWindow,
  type Window,
} from '../../src/paging/windows.ts';

// --- the simulated upstream and gateway ---------------------------------------

interface Page {
  readonly items: number[];
  readonly cursors: string[];
  readonly hasNextPage: boolean;
  readonly hasPreviousPage: boolean;
  readonly startCursor: string | null;
  readonly endCursor: string | null;
}

/** Checks every planned request against the cap, the page base and the range it must cover. */
function expectValidPlan(range: Window, plan: readonly PageRequest[], options: PagingOptions): void {
  if (range.end <= range.start) {
    expect(plan).toEqual([]);
    return;
  }
  expect(plan.length).toBeGreaterThan(0);
  let covered = range.start;
  for (const request of plan) {
    expect(Number.isInteger(request.take)).toBe(true);
    expect(request.take).toBeGreaterThanOrEqual(1);
    expect(request.take).toBeLessThanOrEqual(options.maxTake);
    expect(Number.isInteger(request.page)).toBe(true);
    expect(request.page).toBeGreaterThanOrEqual(options.pageBase);
    // The offset is where the upstream's page really starts.
    expect(request.offset).toBe((request.page - options.pageBase) * request.take);
    // Contiguous: no gap before this request, and it makes progress.
    expect(request.offset).toBeLessThanOrEqual(covered);
    expect(request.offset + request.take).toBeGreaterThan(covered);
    covered = request.offset + request.take;
  }
  expect(covered).toBeGreaterThanOrEqual(range.end);
}

/** One Relay page of org [0..size), composed as a connection without a cursor and the resolver do. */
function simulate(size: number, orgId: string, args: ConnectionArgs, options: PagingOptions): Page {
  const org = Array.from({ length: size }, (_, i) => i);
  const upstream = (request: PageRequest): number[] => {
    const from = (request.page - options.pageBase) * request.take;
    return org.slice(from, from + request.take);
  };
  const loadRange = (range: Window): number[] => {
    const plan = planPages(range, options);
    expectValidPlan(range, plan, options);
    return collectRange(range, plan, plan.map(upstream));
  };

  const window = resolveWindow(args, orgId);
  const slice = sliceWindow(window, loadRange(fetchRange(window)));
  let { hasPreviousPage } = slice;
  if (slice.needsProbe) {
    hasPreviousPage = loadRange(probeRange).length > 0;
  }
  const cursors = slice.items.map((_, i) => encodeCursor(orgId, window.start + i));
  return {
    items: slice.items,
    cursors,
    hasNextPage: slice.hasNextPage,
    hasPreviousPage,
    startCursor: cursors[0] ?? null,
    endCursor: cursors.at(-1) ?? null,
  };
}

/** What the page must be, computed from the whole list. */
function oracle(size: number, query: Query): { items: number[]; hasNextPage: boolean; hasPreviousPage: boolean } {
  const org = Array.from({ length: size }, (_, i) => i);
  let start: number;
  let end: number;
  if (query.kind === 'forward') {
    start = query.after === undefined ? 0 : query.after + 1;
    end = start + (query.first ?? 20);
  } else {
    end = query.before;
    start = Math.max(0, end - (query.last ?? 20));
  }
  return {
    items: org.slice(start, end),
    hasNextPage: org.some((item) => item >= end),
    hasPreviousPage: org.some((item) => item < start),
  };
}

type Query =
  | { kind: 'forward'; first: number | undefined; after: number | undefined }
  | { kind: 'backward'; last: number | undefined; before: number };

function toArgs(orgId: string, query: Query): ConnectionArgs {
  if (query.kind === 'forward') {
    return {
      first: query.first,
      after: query.after === undefined ? undefined : encodeCursor(orgId, query.after),
    };
  }
  return { last: query.last, before: encodeCursor(orgId, query.before) };
}

// --- arbitraries ----------------------------------------------------------------

const orgSize = fc.oneof(fc.integer({ min: 0, max: 12 }), fc.integer({ min: 0, max: 400 }));
const pageSize = fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 0, max: 100 }));
const pageBase = fc.oneof(fc.constant(0), fc.constant(1), fc.integer({ min: 0, max: 5 }));
const maxTake = fc.oneof(fc.integer({ min: 1, max: 120 }), fc.constantFrom(1, 2, 20, 100));
const options: fc.Arbitrary<PagingOptions> = fc.record({ pageBase, maxTake });
const orgId = fc.oneof(fc.constantFrom('acme', 'hooli'), fc.string({ minLength: 1, maxLength: 12 }));

/** An offset anywhere: near the start, near the end, past the end. */
function offsetIn(size: number): fc.Arbitrary<number> {
  return fc.oneof(
    fc.integer({ min: 0, max: size + 60 }),
    fc.integer({ min: -3, max: 3 }).map((delta) => Math.max(0, size + delta)),
    fc.integer({ min: 0, max: 3 }),
  );
}

function queryFor(size: number): fc.Arbitrary<Query> {
  const optional = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined, freq: 4 });
  return fc.oneof(
    fc.record({
      kind: fc.constant('forward' as const),
      first: optional(pageSize),
      after: optional(offsetIn(size)),
    }),
    fc.record({
      kind: fc.constant('backward' as const),
      last: optional(pageSize),
      before: offsetIn(size),
    }),
  );
}

const scenario = orgSize.chain((size) => fc.record({ size: fc.constant(size), query: queryFor(size), options, orgId }));

// --- the oracle for the planner --------------------------------------------------

/** The fewest (page, take) requests that cover [start, end), by exhaustive search. */
function minimumRequests(range: Window, cap: number): number {
  const memo = new Map<number, number>();
  const f = (position: number): number => {
    if (position >= range.end) return 0;
    const known = memo.get(position);
    if (known !== undefined) return known;
    let best = Number.POSITIVE_INFINITY;
    for (let take = 1; take <= cap; take++) {
      best = Math.min(best, 1 + f((Math.floor(position / take) + 1) * take));
    }
    memo.set(position, best);
    return best;
  };
  return f(range.start);
}

// --- properties ---------------------------------------------------------------

describe('a page composed from planned upstream requests', () => {
  it('holds exactly the oracle’s items, cursors and page flags', () => {
    fc.assert(
      fc.property(scenario, ({ size, query, options, orgId }) => {
        const page = simulate(size, orgId, toArgs(orgId, query), options);
        const expected = oracle(size, query);
        expect(page.items).toEqual(expected.items);
        expect(page.hasNextPage).toBe(expected.hasNextPage);
        expect(page.hasPreviousPage).toBe(expected.hasPreviousPage);
        // Each edge's cursor marks its own item.
        expect(page.cursors.map((cursor) => decodeCursor(cursor, orgId))).toEqual(expected.items);
      }),
      { numRuns: 600 },
    );
  });

  it('hasPreviousPage is exact for a stale after-cursor far past the end of the list', () => {
    // The list has 5 items and the cursor marks offset 9: items 0..4 precede the empty page.
    const page = simulate(5, 'acme', { first: 2, after: encodeCursor('acme', 9) }, { pageBase: 1, maxTake: 100 });
    expect(page.items).toEqual([]);
    expect(page.hasNextPage).toBe(false);
    expect(page.hasPreviousPage).toBe(true);
  });

  it('hasPreviousPage is exact for a stale before-cursor far past the end of the list', () => {
    const page = simulate(5, 'acme', { last: 2, before: encodeCursor('acme', 20) }, { pageBase: 1, maxTake: 100 });
    expect(page.items).toEqual([]);
    expect(page.hasNextPage).toBe(false);
    expect(page.hasPreviousPage).toBe(true);
  });
});

describe('planPages', () => {
  const range = fc
    .record({ start: fc.integer({ min: 0, max: 450 }), length: fc.integer({ min: 0, max: 102 }) })
    .map(({ start, length }): Window => ({ start, end: start + length }));

  it('asks only for pages within the cap, from the page base on, covering the range contiguously', () => {
    fc.assert(
      fc.property(range, options, (r, o) => {
        expectValidPlan(r, planPages(r, o), o);
      }),
      { numRuns: 400 },
    );
  });

  it('uses the fewest requests any choice of (page, take) could', () => {
    fc.assert(
      fc.property(range, options, (r, o) => {
        expect(planPages(r, o).length).toBe(minimumRequests(r, o.maxTake));
      }),
      { numRuns: 400 },
    );
  });

  it('does not depend on the page base except in page numbers', () => {
    fc.assert(
      fc.property(range, maxTake, fc.integer({ min: 0, max: 5 }), (r, cap, base) => {
        const zero = planPages(r, { pageBase: 0, maxTake: cap });
        const shifted = planPages(r, { pageBase: base, maxTake: cap });
        expect(shifted).toEqual(zero.map((request) => ({ ...request, page: request.page + base })));
      }),
      { numRuns: 200 },
    );
  });
});

describe('walking a whole list', () => {
  const walk = fc.record({
    size: orgSize,
    sizes: fc.array(fc.integer({ min: 1, max: 100 }), { minLength: 1, maxLength: 8 }),
    options,
    orgId,
  });

  it('forward along endCursor visits every item once, in order, and stops exactly at the end', () => {
    fc.assert(
      fc.property(walk, ({ size, sizes, options, orgId }) => {
        const seen: number[] = [];
        let after: string | undefined;
        for (let step = 0; ; step++) {
          expect(step).toBeLessThanOrEqual(size + 1);
          const page = simulate(size, orgId, { first: sizes[step % sizes.length], after }, options);
          expect(page.hasPreviousPage).toBe(step > 0);
          seen.push(...page.items);
          if (!page.hasNextPage) break;
          expect(page.endCursor).not.toBeNull();
          after = page.endCursor ?? undefined;
        }
        expect(seen).toEqual(Array.from({ length: size }, (_, i) => i));
      }),
      { numRuns: 150 },
    );
  });

  it('backward along startCursor visits every item once, in order, and stops exactly at the start', () => {
    fc.assert(
      fc.property(walk, ({ size, sizes, options, orgId }) => {
        const pages: number[][] = [];
        // The position just past the last item: the only way in for last/before.
        let before = encodeCursor(orgId, size);
        for (let step = 0; ; step++) {
          expect(step).toBeLessThanOrEqual(size + 1);
          const page = simulate(size, orgId, { last: sizes[step % sizes.length], before }, options);
          expect(page.hasNextPage).toBe(step > 0);
          pages.unshift(page.items);
          if (!page.hasPreviousPage) break;
          expect(page.startCursor).not.toBeNull();
          before = page.startCursor ?? '';
        }
        expect(pages.flat()).toEqual(Array.from({ length: size }, (_, i) => i));
      }),
      { numRuns: 150 },
    );
  });
});

// --- cursors ------------------------------------------------------------------

function expectBadInput(run: () => unknown): void {
  let caught: unknown;
  try {
    run();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(BadInputError);
  expect((caught as BadInputError).code).toBe('BAD_USER_INPUT');
}

const anyOrgId = fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.string({ unit: 'grapheme' }));
const anyOffset = fc.oneof(fc.nat(1_000), fc.integer({ min: 0, max: 999_999_999 }));
const base64urlChar = fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_');

describe('cursors', () => {
  it('decode to the offset they were issued for, for any org id', () => {
    fc.assert(
      fc.property(anyOrgId, anyOffset, (org, offset) => {
        const cursor = encodeCursor(org, offset);
        expect(decodeCursor(cursor, org)).toBe(offset);
      }),
      { numRuns: 500 },
    );
  });

  it('of another organization are refused', () => {
    fc.assert(
      fc.property(anyOrgId, anyOrgId, anyOffset, (issuer, reader, offset) => {
        fc.pre(issuer !== reader);
        expectBadInput(() => decodeCursor(encodeCursor(issuer, offset), reader));
      }),
      { numRuns: 500 },
    );
  });

  it('are refused when garbage, unless the garbage happens to be this org’s canonical cursor', () => {
    const garbage = fc.oneof(
      fc.string(),
      fc.string({ unit: 'binary' }),
      fc.array(base64urlChar, { maxLength: 40 }).map((chars) => chars.join('')),
    );
    fc.assert(
      fc.property(garbage, orgId, (text, org) => {
        let offset: number | undefined;
        try {
          offset = decodeCursor(text, org);
        } catch (error) {
          expect(error).toBeInstanceOf(BadInputError);
          expect((error as BadInputError).code).toBe('BAD_USER_INPUT');
          return;
        }
        expect(encodeCursor(org, offset)).toBe(text);
      }),
      { numRuns: 500 },
    );
  });

  it('are refused when mutated, unless the mutation is itself a canonical cursor of this org', () => {
    const mutation = fc.oneof(
      fc.record({ kind: fc.constant('replace' as const), at: fc.nat(), char: base64urlChar }),
      fc.record({
        kind: fc.constant('insert' as const),
        at: fc.nat(),
        char: fc.string({ minLength: 1, maxLength: 2 }),
      }),
      fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), char: fc.constant('') }),
    );
    fc.assert(
      fc.property(orgId, fc.nat(500), mutation, (org, offset, { kind, at, char }) => {
        const cursor = encodeCursor(org, offset);
        const i = at % (cursor.length + 1);
        const mutated =
          kind === 'insert'
            ? cursor.slice(0, i) + char + cursor.slice(i)
            : cursor.slice(0, i) + (kind === 'replace' ? char : '') + cursor.slice(i + 1);
        fc.pre(mutated !== cursor);
        let decoded: number | undefined;
        try {
          decoded = decodeCursor(mutated, org);
        } catch (error) {
          expect(error).toBeInstanceOf(BadInputError);
          expect((error as BadInputError).code).toBe('BAD_USER_INPUT');
          return;
        }
        expect(decoded).not.toBe(offset);
        expect(encodeCursor(org, decoded)).toBe(mutated);
      }),
      { numRuns: 500 },
    );
  });

  it('are refused in any non-canonical base64 spelling of the same bytes', () => {
    fc.assert(
      fc.property(anyOrgId, anyOffset, fc.constantFrom(' ', '.', '\n', '!'), fc.nat(), (org, offset, junk, at) => {
        const cursor = encodeCursor(org, offset);
        const bytes = Buffer.from(cursor, 'base64url');
        const variants = [
          `${cursor}=`,
          `${cursor}==`,
          bytes.toString('base64'),
          cursor.slice(0, at % cursor.length) + junk + cursor.slice(at % cursor.length),
          ` ${cursor}`,
        ];
        // Flip a padding bit of the last character when it has any: same bytes, other text.
        const unusedBits = cursor.length % 4 === 2 ? 4 : cursor.length % 4 === 3 ? 2 : 0;
        if (unusedBits > 0) {
          const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
          const last = alphabet.indexOf(cursor.at(-1) ?? '');
          const flipped = cursor.slice(0, -1) + alphabet[last ^ 1];
          expect(Buffer.from(flipped, 'base64url').equals(bytes)).toBe(true);
          variants.push(flipped);
        }
        for (const variant of variants) {
          if (variant === cursor) continue;
          expectBadInput(() => decodeCursor(variant, org));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('are refused by resolveWindow with BAD_USER_INPUT, whether after or before', () => {
    fc.assert(
      fc.property(orgId, orgId, fc.nat(500), (issuer, reader, offset) => {
        fc.pre(issuer !== reader);
        const cursor = encodeCursor(issuer, offset);
        expectBadInput(() => resolveWindow({ first: 5, after: cursor }, reader));
        expectBadInput(() => resolveWindow({ last: 5, before: cursor }, reader));
      }),
      { numRuns: 100 },
    );
  });
});
