// Re-anchoring a cursor over a list that changed between two page loads.
// The upstream pages by offset, so an assistant inserted or deleted before a
// cursor's item moves it: read at the old offset, the next page would repeat
// an item or skip one. A `v2` cursor knows its item's fingerprint and its
// neighbours' (cursors.ts); here the item is looked for where the cursor says,
// then in what the request has read, then in up to CURSOR_SEARCH_PAGES more
// upstream pages on either side, nearest first, and the window moves with it.
// If the item is gone, its neighbour in the paging direction carries the walk;
// if that is gone too, the offset is all there is.

import type { AssistantRecord } from '../upstream/records.ts';
import { type Anchor, type Fingerprint, fingerprint, listEdge, notRead, type WindowCursor } from './cursors.ts';
import { fetchRange, type PageRequest, type PagingOptions, planPages, type Window } from './windows.ts';

export type CursorCheckStatus = 'UNCHECKED' | 'EXACT' | 'SHIFTED' | 'SUCCESSOR' | 'NOT_FOUND';

/** What a connection tells its caller about its cursor (`AssistantConnection.cursorCheck`). */
export interface CursorCheck {
  readonly status: CursorCheckStatus;
  /** SHIFTED: how many positions the cursor's item moved (negative: towards the start). */
  readonly shift?: number;
}

/** What a request has read of one org's list: items by offset, and where the list ends once a short page showed it. */
export class ListView {
  private readonly items = new Map<number, AssistantRecord>();
  /** Each item's fingerprint, made once: an edge's cursor names three, and a search compares every item. */
  private readonly marks = new Map<AssistantRecord, Fingerprint>();
  /** The list's length, once a page shorter than its take was read. */
  length: number | undefined;

  /** One page's items, at its offset; a page shorter than its take ends the list. */
  addPage(offset: number, items: readonly AssistantRecord[], take: number): void {
    // A page read again (revalidated) replaces what it said before.
    if (this.items.size > 0) for (let at = offset; at < offset + take; at++) this.items.delete(at);
    for (const [i, item] of items.entries()) this.items.set(offset + i, item);
    // Items past the end it knew: the list grew since (a revalidated page shows it).
    if (this.length !== undefined && items.length > 0 && offset + items.length > this.length) this.length = undefined;
    if (items.length < take) this.length = Math.min(this.length ?? Number.POSITIVE_INFINITY, offset + items.length);
  }

  at(offset: number): AssistantRecord | undefined {
    return this.items.get(offset);
  }

  /** Whether every offset of `range` is either read or known to be past the end. */
  covers(range: Window): boolean {
    for (let offset = range.start; offset < range.end; offset++) {
      if (this.length !== undefined && offset >= this.length) return true;
      if (!this.items.has(offset)) return false;
    }
    return true;
  }

  /** The items of `range` that exist, in order (call once `covers(range)`). */
  slice(range: Window): AssistantRecord[] {
    const found: AssistantRecord[] = [];
    for (let offset = range.start; offset < range.end; offset++) {
      const item = this.items.get(offset);
      if (item === undefined) break;
      found.push(item);
    }
    return found;
  }

  /** The offset of the read item with this fingerprint nearest to `near`, if any. */
  find(mark: string, near: number): number | undefined {
    if (mark === listEdge || mark === notRead) return undefined;
    let best: number | undefined;
    for (const [offset, item] of this.items) {
      if (this.markOf(item) !== mark) continue;
      if (best === undefined || Math.abs(offset - near) < Math.abs(best - near)) best = offset;
    }
    return best;
  }

  /** The cursor anchor of the item at `offset`: its fingerprint and its neighbours'. */
  anchorAt(offset: number): Anchor {
    const mark = (at: number) => {
      if (at < 0 || (this.length !== undefined && at >= this.length)) return listEdge;
      const item = this.items.get(at);
      return item === undefined ? notRead : this.markOf(item);
    };
    return { prev: mark(offset - 1), self: mark(offset), next: mark(offset + 1) };
  }

  private markOf(item: AssistantRecord): Fingerprint {
    let mark = this.marks.get(item);
    if (mark === undefined) {
      mark = fingerprint(item.id);
      this.marks.set(item, mark);
    }
    return mark;
  }
}

/** Where the window goes, and what the check found; undefined while the item is not yet found. */
export interface Anchored {
  readonly window: Window;
  readonly check: CursorCheck;
}

/**
 * The window after the cursor's item is found in `view`, or undefined when it
 * is not there (read more, then ask `settle`). `size` is the window's length.
 */
export function anchorIn(view: ListView, cursor: WindowCursor, anchor: Anchor, size: number): Anchored | undefined {
  const { offset } = cursor;
  const at = view.find(anchor.self, offset);
  if (at === undefined) {
    // Forward, the item after the cursor's standing where it should says the walk goes on aligned.
    if (cursor.direction === 'after' && view.at(offset) === undefined && alignedAfter(view, offset, anchor)) {
      return { window: forward(offset, size), check: { status: 'EXACT' } };
    }
    return undefined;
  }
  const check: CursorCheck = at === offset ? { status: 'EXACT' } : { status: 'SHIFTED', shift: at - offset };
  return { window: cursor.direction === 'after' ? forward(at, size) : backward(at, size), check };
}

/**
 * Once the search is over and the cursor's item is gone: the walk resumes
 * where it stood, between its neighbours. Past the one the walk has already
 * returned (before it, going forward; after it, going backward), so that what
 * was added between them is returned too; else up to the other one; else the
 * offset is all there is.
 */
export function settle(view: ListView, cursor: WindowCursor, anchor: Anchor, size: number): Anchored {
  const { offset } = cursor;
  const successor: Anchored['check'] = { status: 'SUCCESSOR' };
  const prev = anchor.prev === listEdge ? -1 : view.find(anchor.prev, offset);
  const next = anchor.next === listEdge ? view.length : view.find(anchor.next, offset);
  if (cursor.direction === 'after') {
    if (prev !== undefined) return { window: forward(prev, size), check: successor };
    if (next !== undefined) return { window: { start: next, end: next + size }, check: successor };
    return { window: forward(offset, size), check: { status: 'NOT_FOUND' } };
  }
  if (next !== undefined) return { window: backward(next, size), check: successor };
  if (prev !== undefined) return { window: backward(prev + 1, size), check: successor };
  return { window: backward(offset, size), check: { status: 'NOT_FOUND' } };
}

/** The item after the cursor's is where it was: nothing moved the walk's next item. */
function alignedAfter(view: ListView, offset: number, anchor: Anchor): boolean {
  if (anchor.next === listEdge || anchor.next === notRead) return false;
  const next = view.at(offset + 1);
  return next !== undefined && fingerprint(next.id) === anchor.next;
}

function forward(itemAt: number, size: number): Window {
  return { start: itemAt + 1, end: itemAt + 1 + size };
}

function backward(itemAt: number, size: number): Window {
  return { start: Math.max(0, itemAt - size), end: itemAt };
}

/**
 * What a cursor's page reads first. Forward, the window's own read, widened to
 * the cursor's item when the planner covers that with no more calls (the check
 * then rides on the read); backward, the window's read ends at the item anyway.
 */
export function firstRead(window: Window, cursor: WindowCursor, paging: PagingOptions): Window {
  const range = fetchRange(window);
  if (cursor.direction === 'before' || cursor.offset >= range.start) return range;
  const widened = { start: cursor.offset, end: range.end };
  // Issued at the list's end, the cursor has no next item to be checked by: its own must be read.
  if (cursor.anchor?.next === listEdge) return widened;
  return planPages(widened, paging).length <= planPages(range, paging).length ? widened : range;
}

/**
 * The upstream pages to look in when the item is not where the cursor says:
 * pages of the upstream's largest size, the one holding the cursor's offset,
 * then up to `perSide` on either side of it, nearest first, each unless what
 * was read covers it. An item that moved by up to `perSide` pages is found.
 */
export function searchOrder(view: ListView, offset: number, paging: PagingOptions, perSide: number): PageRequest[] {
  if (perSide === 0) return [];
  const take = paging.maxTake;
  const center = Math.floor(offset / take);
  const indexes = [center];
  for (let k = 1; k <= perSide; k++) indexes.push(center + k, center - k);
  return indexes
    .filter((index) => index >= 0 && !view.covers({ start: index * take, end: (index + 1) * take }))
    .map((index) => ({ page: paging.pageBase + index, take, offset: index * take }));
}
