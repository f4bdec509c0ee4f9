// Pure paging: Relay windows (first/after, last/before) ↔ the upstream's
// page/take requests, and the cursors that mark positions in an org's list.
// A position is an item's 0-based offset in the org's assistant list.

import { BadInputError } from '../contract/errors.ts';
import { cursorOf, type WindowCursor } from './cursors.ts';

export interface ConnectionArgs {
  readonly first?: number | null | undefined;
  readonly after?: string | null | undefined;
  readonly last?: number | null | undefined;
  readonly before?: string | null | undefined;
}

export interface PagingOptions {
  /** Number of the upstream's first page (1, or 0 on some deployments). */
  readonly pageBase: number;
  /** The upstream's page-size cap; no request asks for more. */
  readonly maxTake: number;
}

/** The items of a page: offsets `start` (inclusive) to `end` (exclusive). */
export interface Window {
  readonly start: number;
  readonly end: number;
}

/** One upstream request: `page` is as the upstream numbers it. */
export interface PageRequest {
  readonly page: number;
  readonly take: number;
  /** Offset of the page's first item. */
  readonly offset: number;
}

export const defaultPageSize = 20;
export const maxPageSize = 100;

// --- cursors: see cursors.ts -------------------------------------------------

export { decodeCursor, encodeCursor } from './cursors.ts';

// --- windows -----------------------------------------------------------------

/** The Relay arguments as a window of offsets, or a BadInputError that says why not. */
export function resolveWindow(args: ConnectionArgs, orgId: string): Window {
  return resolveConnection(args, orgId).window;
}

/** The Relay arguments as a window of offsets and the cursor it was read from (read once), or a BadInputError. */
export function resolveConnection(args: ConnectionArgs, orgId: string): { window: Window; cursor?: WindowCursor } {
  const { first, after, last, before } = args;
  checkSize('first', first);
  checkSize('last', last);
  if (first != null && last != null) {
    throw new BadInputError('pass either first or last, not both');
  }
  if (first != null && before != null) {
    throw new BadInputError('first pages forward and goes with after, not before');
  }
  if (last != null && after != null) {
    throw new BadInputError('last pages backward and goes with before, not after');
  }
  if (after != null && before != null) {
    throw new BadInputError('pass either after or before, not both');
  }
  const cursor = cursorOf(args, orgId, defaultPageSize);
  if (cursor?.direction === 'before') {
    return { window: { start: Math.max(0, cursor.offset - cursor.size), end: cursor.offset }, cursor };
  }
  if (last != null) {
    throw new BadInputError('last needs before: the upstream reports no total, so the end of the list is unknown');
  }
  const start = cursor === undefined ? 0 : cursor.offset + 1;
  return { window: { start, end: start + (first ?? defaultPageSize) }, cursor };
}

function checkSize(name: string, value: number | null | undefined): void {
  if (value == null) return;
  if (!Number.isInteger(value) || value < 0 || value > maxPageSize) {
    throw new BadInputError(`${name} must be from 0 to ${maxPageSize}, got ${value}`);
  }
}

/**
 * What to read for a window: its items plus the one after it, whose presence
 * makes `hasNextPage` exact without a total count.
 */
export function fetchRange(window: Window): Window {
  return { start: window.start, end: window.end + 1 };
}

// --- the planner -------------------------------------------------------------

/**
 * The fewest upstream requests that cover `range`, none over `maxTake`.
 * Greedy: from the first uncovered offset, a page that covers the rest if one
 * exists (the smallest such, to fetch least), else the page that reaches
 * furthest. Reaching further never needs more requests later, so the count is
 * minimal.
 */
export function planPages(range: Window, options: PagingOptions): PageRequest[] {
  const plan: PageRequest[] = [];
  let position = range.start;
  while (position < range.end) {
    let best: { take: number; index: number; reach: number } | undefined;
    for (let take = 1; take <= options.maxTake; take++) {
      const index = Math.floor(position / take);
      const reach = (index + 1) * take;
      if (reach >= range.end) {
        best = { take, index, reach };
        break;
      }
      if (!best || reach > best.reach) best = { take, index, reach };
    }
    // maxTake ≥ 1, so the loop always chose a page.
    const { take, index, reach } = best as NonNullable<typeof best>;
    plan.push({ page: options.pageBase + index, take, offset: index * take });
    position = reach;
  }
  return plan;
}

/**
 * The items of `range` from the planned pages' answers, in order. A page
 * shorter than its take is the end of the list: nothing after it counts.
 */
export function collectRange<T>(range: Window, plan: readonly PageRequest[], pages: readonly (readonly T[])[]): T[] {
  const items: T[] = [];
  for (let p = 0; p < plan.length; p++) {
    const request = plan[p] as PageRequest;
    const page = pages[p] ?? [];
    // Planned pages are in order and may overlap: take each offset once.
    for (let i = range.start + items.length - request.offset; i < page.length; i++) {
      if (request.offset + i >= range.end) break;
      items.push(page[i] as T);
    }
    if (page.length < request.take) break;
  }
  return items;
}

export interface PageSlice<T> {
  readonly items: T[];
  readonly hasNextPage: boolean;
  /** Known when `start > 0` and the read found items; otherwise see `needsProbe`. */
  readonly hasPreviousPage: boolean;
  /**
   * True when the window starts past the list's end (a stale cursor): only a
   * read of the list's first item can tell whether anything precedes it.
   */
  readonly needsProbe: boolean;
}

/**
 * What to read when `needsProbe`: the list's first item. Lists have no gaps,
 * so something precedes any `start > 0` exactly when a first item exists.
 */
export const probeRange: Window = Object.freeze({ start: 0, end: 1 });

/** A window's page and exact flags from the items read over `fetchRange(window)`. */
export function sliceWindow<T>(window: Window, fetched: readonly T[]): PageSlice<T> {
  const size = window.end - window.start;
  const items = fetched.slice(0, size);
  const needsProbe = window.start > 0 && fetched.length === 0;
  return {
    items,
    hasNextPage: fetched.length > size,
    // Lists are contiguous: an item at `start` means one exists at `start - 1`.
    hasPreviousPage: window.start > 0 && fetched.length > 0,
    needsProbe,
  };
}
