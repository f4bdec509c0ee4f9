import { describe, expect, it } from 'vitest';
import {
  type ConnectionArgs,
  collectRange,
  decodeCursor,
  defaultPageSize,
  encodeCursor,
  fetchRange,
  planPages,
  resolveWindow,
  sliceWindow,
} from '../../src/paging/windows.ts';
import { expectBadInput } from '../helpers/bad-input.ts';

const org = 'acme';
const cursor = (offset: number) => encodeCursor(org, offset);

describe('resolveWindow', () => {
  it.each<[string, ConnectionArgs, RegExp]>([
    ['first negative', { first: -1 }, /first/],
    ['last negative', { last: -1, before: cursor(5) }, /last/],
    ['first over 100', { first: 101 }, /first.*100/],
    ['last over 100', { last: 101, before: cursor(5) }, /last.*100/],
    ['first not an integer', { first: 1.5 }, /first/],
    ['last not an integer', { last: 2.5, before: cursor(5) }, /last/],
    ['first NaN', { first: Number.NaN }, /first/],
    ['first infinite', { first: Number.POSITIVE_INFINITY }, /first/],
    ['first and last', { first: 1, last: 1 }, /first.*last|last.*first/],
    ['first and before', { first: 1, before: cursor(5) }, /before/],
    ['last and after', { last: 1, after: cursor(5) }, /after/],
    ['after and before', { after: cursor(1), before: cursor(5) }, /after.*before|before.*after/],
    ['last without before', { last: 5 }, /before/],
    ['last: 0 without before', { last: 0 }, /before/],
    ['a garbage after cursor', { first: 1, after: 'garbage' }, /cursor/],
    ['a garbage before cursor', { last: 1, before: 'garbage' }, /cursor/],
    ['an after cursor of another org', { first: 1, after: encodeCursor('hooli', 1) }, /cursor/],
  ])('refuses %s with BAD_USER_INPUT', (_name, args, message) => {
    expect(expectBadInput(() => resolveWindow(args, org)).message).toMatch(message);
  });

  it('explains that last needs before because the upstream reports no total', () => {
    expect(expectBadInput(() => resolveWindow({ last: 5 }, org)).message).toMatch(/total/);
  });

  it.each<[string, ConnectionArgs, { start: number; end: number }]>([
    ['no arguments: the first 20', {}, { start: 0, end: 20 }],
    ['all null: the first 20', { first: null, after: null, last: null, before: null }, { start: 0, end: 20 }],
    ['after alone: 20 after the cursor', { after: cursor(4) }, { start: 5, end: 25 }],
    ['before alone: 20 before the cursor', { before: cursor(50) }, { start: 30, end: 50 }],
    ['before alone near the start', { before: cursor(7) }, { start: 0, end: 7 }],
    ['first 0', { first: 0 }, { start: 0, end: 0 }],
    ['first 100', { first: 100 }, { start: 0, end: 100 }],
    ['first 3 after 0', { first: 3, after: cursor(0) }, { start: 1, end: 4 }],
    ['first 0 after 9', { first: 0, after: cursor(9) }, { start: 10, end: 10 }],
    ['last 3 before 10', { last: 3, before: cursor(10) }, { start: 7, end: 10 }],
    ['last 100 before 10', { last: 100, before: cursor(10) }, { start: 0, end: 10 }],
    ['last 0 before 10', { last: 0, before: cursor(10) }, { start: 10, end: 10 }],
    ['last 5 before 0', { last: 5, before: cursor(0) }, { start: 0, end: 0 }],
  ])('%s', (_name, args, window) => {
    expect(resolveWindow(args, org)).toEqual(window);
  });

  it('pages 20 by default', () => {
    expect(defaultPageSize).toBe(20);
  });
});

describe('cursors', () => {
  it('round-trip', () => {
    expect(decodeCursor(encodeCursor('acme', 0), 'acme')).toBe(0);
    expect(decodeCursor(encodeCursor('ünï/cødé:😀', 42), 'ünï/cødé:😀')).toBe(42);
    expect(decodeCursor(encodeCursor('acme', 999_999_999), 'acme')).toBe(999_999_999);
  });

  const raw = (text: string) => Buffer.from(text).toString('base64url');
  it.each([
    ['the plain text of a cursor', 'assistants:v1:5:acme'],
    ['an empty string', ''],
    ['a leading zero', raw('assistants:v1:05:acme')],
    ['a negative offset', raw('assistants:v1:-1:acme')],
    ['a fractional offset', raw('assistants:v1:1.5:acme')],
    ['an exponent offset', raw('assistants:v1:1e3:acme')],
    ['an offset past the safe integers', raw('assistants:v1:9007199254740993:acme')],
    ['an offset of a billion, which no connection issues', raw('assistants:v1:1000000000:acme')],
    ['another version', raw('assistants:v2:5:acme')],
    ['no org', raw('assistants:v1:5')],
    ['a prefix of the org', raw('assistants:v1:5:acm')],
    ['an org with more', raw('assistants:v1:5:acme:x')],
  ])('refuses %s', (_name, text) => {
    expectBadInput(() => decodeCursor(text, 'acme'));
  });

  it('never echoes more than a bounded part of a long cursor', () => {
    const long = 'x'.repeat(10_000);
    expect(expectBadInput(() => decodeCursor(long, 'acme')).message.length).toBeLessThan(200);
  });
});

describe('fetchRange', () => {
  it('reads one item past the window, to know whether a next page exists', () => {
    expect(fetchRange({ start: 5, end: 10 })).toEqual({ start: 5, end: 11 });
    expect(fetchRange({ start: 3, end: 3 })).toEqual({ start: 3, end: 4 });
  });
});

describe('planPages', () => {
  it.each([
    ['the default first page and its probe item', { start: 0, end: 21 }, 1, 100, [{ page: 1, take: 21, offset: 0 }]],
    ['the same with page base 0', { start: 0, end: 21 }, 0, 100, [{ page: 0, take: 21, offset: 0 }]],
    [
      'the second default page: one page from offset 0',
      { start: 20, end: 41 },
      1,
      100,
      [{ page: 1, take: 41, offset: 0 }],
    ],
    [
      'a window wider than the cap needs two',
      { start: 150, end: 251 },
      1,
      100,
      [
        { page: 3, take: 75, offset: 150 },
        { page: 9, take: 28, offset: 224 },
      ],
    ],
    [
      'the same with page base 0',
      { start: 150, end: 251 },
      0,
      100,
      [
        { page: 2, take: 75, offset: 150 },
        { page: 8, take: 28, offset: 224 },
      ],
    ],
    [
      'first 100 and its probe item',
      { start: 0, end: 101 },
      1,
      100,
      [
        { page: 1, take: 100, offset: 0 },
        { page: 101, take: 1, offset: 100 },
      ],
    ],
    [
      'a small cap',
      { start: 37, end: 58 },
      0,
      10,
      [
        { page: 4, take: 9, offset: 36 },
        { page: 5, take: 9, offset: 45 },
        { page: 9, take: 6, offset: 54 },
      ],
    ],
    [
      'cap 1: one request per item',
      { start: 3, end: 6 },
      1,
      1,
      [
        { page: 4, take: 1, offset: 3 },
        { page: 5, take: 1, offset: 4 },
        { page: 6, take: 1, offset: 5 },
      ],
    ],
    ['a single item', { start: 9, end: 10 }, 1, 100, [{ page: 10, take: 1, offset: 9 }]],
    ['an empty range', { start: 5, end: 5 }, 1, 100, []],
  ])('%s', (_name, range, pageBase, maxTake, plan) => {
    expect(planPages(range, { pageBase, maxTake })).toEqual(plan);
  });
});

describe('collectRange', () => {
  it('takes each offset once from overlapping pages, in order', () => {
    const plan = [
      { page: 4, take: 9, offset: 36 },
      { page: 5, take: 9, offset: 45 },
      { page: 9, take: 6, offset: 54 },
    ];
    const pages = plan.map((p) => Array.from({ length: p.take }, (_, i) => p.offset + i));
    expect(collectRange({ start: 37, end: 58 }, plan, pages)).toEqual(Array.from({ length: 21 }, (_, i) => 37 + i));
  });

  it('stops at a short page: the end of the list', () => {
    const plan = [
      { page: 1, take: 3, offset: 0 },
      { page: 2, take: 3, offset: 3 },
      { page: 3, take: 3, offset: 6 },
    ];
    // The second page is short, so whatever the third says is not read.
    expect(collectRange({ start: 1, end: 9 }, plan, [[0, 1, 2], [3], [99, 99, 99]])).toEqual([1, 2, 3]);
  });

  it('is empty when the range starts past the end', () => {
    expect(collectRange({ start: 10, end: 12 }, [{ page: 1, take: 12, offset: 0 }], [[0, 1, 2]])).toEqual([]);
  });
});

describe('sliceWindow', () => {
  it('has a next page when the probe item was read', () => {
    expect(sliceWindow({ start: 0, end: 2 }, ['a', 'b', 'c'])).toEqual({
      items: ['a', 'b'],
      hasNextPage: true,
      hasPreviousPage: false,
      needsProbe: false,
    });
  });

  it('has no next page at the end of the list', () => {
    expect(sliceWindow({ start: 3, end: 6 }, ['d', 'e'])).toEqual({
      items: ['d', 'e'],
      hasNextPage: false,
      hasPreviousPage: true,
      needsProbe: false,
    });
  });

  it('first: 0 still reports both flags', () => {
    expect(sliceWindow({ start: 4, end: 4 }, ['e'])).toEqual({
      items: [],
      hasNextPage: true,
      hasPreviousPage: true,
      needsProbe: false,
    });
  });

  it('asks for a probe when the window starts past the end', () => {
    expect(sliceWindow({ start: 4, end: 6 }, [])).toMatchObject({ items: [], hasNextPage: false, needsProbe: true });
  });

  it('needs no probe at the start of the list', () => {
    expect(sliceWindow({ start: 0, end: 5 }, [])).toEqual({
      items: [],
      hasNextPage: false,
      hasPreviousPage: false,
      needsProbe: false,
    });
  });
});
