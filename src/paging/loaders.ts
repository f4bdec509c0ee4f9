// Per-request loaders: created for one GraphQL operation from its caller's
// credentials and abort signal, so nothing one caller fetched can be served
// to another, and every upstream page is read at most once per request.
// Pages come through the page loader (page-loader.ts); a connection's window
// is planned over them here; a refetch scans them (refetch-scan.ts).

import type { ConcurrencyLimit } from '../upstream/concurrency-limit.ts';
import type { AssistantRecord } from '../upstream/records.ts';
import type { OperationStaleness } from '../upstream/staleness.ts';
import { type Anchored, anchorIn, type CursorCheck, firstRead, ListView, searchOrder, settle } from './anchoring.ts';
import type { Anchor, WindowCursor } from './cursors.ts';
import { createPageLoader, type PageKey, type PageLoader, type PageLoaderOptions } from './page-loader.ts';
import { type AssistantLoader, createAssistantLoader } from './refetch-scan.ts';
import {
  fetchRange,
  type PageRequest,
  type PageSlice,
  type PagingOptions,
  planPages,
  probeRange,
  sliceWindow,
  type Window,
} from './windows.ts';

export type { LoaderTelemetry, PageKey } from './page-loader.ts';
export type { AssistantKey } from './refetch-scan.ts';

export interface Loaders {
  /** An assistant by its REST id, found by scanning its org's list once for all ids asked. */
  readonly assistant: AssistantLoader;
  /**
   * A connection's page: the window, moved to where its cursor's item now is
   * when the list changed (anchoring.ts), each item's cursor anchor, and what
   * the check of the cursor found.
   */
  loadConnection(orgId: string, window: Window, cursor: WindowCursor | undefined): Promise<ConnectionPage>;
}

export interface ConnectionPage extends PageSlice<AssistantRecord> {
  /** The window served: the one asked for, or where the cursor's item moved. */
  readonly window: Window;
  /** Each item's fingerprint and its neighbours', for its cursor. */
  readonly anchors: readonly Anchor[];
  /** Absent without `after` or `before`. */
  readonly check?: CursorCheck;
  readonly staleAgeSeconds?: number;
}

export interface LoaderOptions extends PageLoaderOptions {
  readonly paging: PagingOptions;
  /** How many pages a refetch may read of one org's list before it gives up. */
  readonly maxScanPages: number;
  /** Refetch scans in flight across the process: each holds a page or so of records at a time. */
  readonly scanLimit: ConcurrencyLimit;
  /**
   * Keep the pages a refetch scan read, for a connection of this request that
   * may read them later; false lets each go once scanned, keeping what was found.
   * Asked as a scan reads (the operation's document is known by then).
   */
  readonly keepScannedPages: () => boolean;
  /** Upstream pages a cursor's item is looked for in, on either side, when it is not where the cursor says. */
  readonly cursorSearchPages: number;
  /** A page cache is in front: a cursor check that fails on what it kept asks the upstream again, once. */
  readonly revalidateOnFailedCheck?: boolean;
  /** Told what each cursor's check found, for the operators' metrics and log. */
  readonly onCursorCheck?: (check: CursorCheck, orgId: string, cursor: WindowCursor) => void;
}

export function createLoaders(options: LoaderOptions): Loaders {
  const page = createPageLoader(options);
  // Only pages the cache may have answered are worth asking again: not when the caller's Cache-Control already passed it.
  const revalidating =
    options.revalidateOnFailedCheck && (options.cacheMode ?? 'default') === 'default'
      ? createPageLoader({ ...options, cacheMode: 'no-cache' })
      : undefined;
  const windows = new WindowReader(page, options.paging, options.staleness, revalidating);
  const assistant = createAssistantLoader({
    ...options,
    loadPage: (orgId, request) => windows.loadPage(orgId, request),
    loadPageOnce: (key) => page.load(key),
    forgetPage: (key) => page.clear(key),
  });
  return {
    assistant,
    async loadConnection(orgId, window, cursor) {
      const page = await windows.loadConnection(orgId, window, cursor, options.cursorSearchPages);
      if (page.check && cursor) options.onCursorCheck?.(page.check, orgId, cursor);
      return page;
    },
  };
}

/** One connection's reading of an org's list. */
interface Reading {
  readonly orgId: string;
  readonly view: ListView;
  /** Every page read, for the staleness of what is served. */
  readonly pages: AssistantRecord[][];
  /** Reads go past the page cache: a check found what it kept older than the cursor. */
  fresh: boolean;
}

/** A connection's window, read over the pages that the page/take planner picks. */
class WindowReader {
  /** Pages this request has asked for, by org: a range inside one of them needs no new call. */
  private readonly requestedByOrg = new Map<string, PageRequest[]>();

  constructor(
    private readonly page: PageLoader,
    private readonly paging: PagingOptions,
    private readonly staleness: OperationStaleness,
    /** The page loader that revalidates with the upstream past the page cache, when one is in front. */
    private readonly revalidating: PageLoader | undefined,
  ) {}

  loadPage(orgId: string, request: PageRequest): Promise<AssistantRecord[]> {
    const requested = this.requestedByOrg.get(orgId) ?? [];
    if (!requested.some((known) => known.page === request.page && known.take === request.take)) {
      this.requestedByOrg.set(orgId, [...requested, request]);
    }
    return this.page.load({ orgId, page: request.page, take: request.take });
  }

  async loadConnection(
    orgId: string,
    window: Window,
    cursor: WindowCursor | undefined,
    searchPages: number,
  ): Promise<ConnectionPage> {
    const reading: Reading = { orgId, view: new ListView(), pages: [], fresh: false };
    const { view } = reading;
    let served = window;
    let check: CursorCheck | undefined = cursor ? { status: 'UNCHECKED' } : undefined;
    if (cursor?.anchor) {
      const anchored = await this.anchorWindow(reading, window, { ...cursor, anchor: cursor.anchor }, searchPages);
      served = anchored.window;
      check = anchored.check;
    }
    const range = fetchRange(served);
    if (!view.covers(range)) await this.readInto(reading, range);
    let slice = sliceWindow(served, view.slice(range));
    if (slice.needsProbe) {
      // Lists have no gaps: the item just before the window, when it was read (a cursor's own), says enough.
      const precededByRead = view.at(served.start - 1) !== undefined;
      if (!precededByRead && !view.covers(probeRange)) await this.readInto(reading, probeRange);
      slice = { ...slice, hasPreviousPage: precededByRead || view.at(0) !== undefined, needsProbe: false };
    }
    return {
      ...slice,
      window: served,
      anchors: slice.items.map((_, i) => view.anchorAt(served.start + i)),
      check,
      staleAgeSeconds: this.staleness.oldestOf(reading.pages),
    };
  }

  /** Where the window goes once its cursor's item is looked for: where it is, or between its neighbours, or the offset. */
  private async anchorWindow(
    reading: Reading,
    window: Window,
    cursor: WindowCursor & { readonly anchor: Anchor },
    searchPages: number,
  ): Promise<Anchored> {
    const { view } = reading;
    const { anchor, size } = cursor;
    const firstPlan = await this.readInto(reading, firstRead(window, cursor, this.paging));
    let anchored = anchorIn(view, cursor, anchor, size);
    // A page the page cache kept may be older than the cursor: a failed check asks the upstream, once, before
    // searching, and the rest of this connection reads past the cache too, so that its pages agree.
    if (anchored?.check.status !== 'EXACT' && this.revalidating) {
      reading.fresh = true;
      await this.readPlan(reading, firstPlan);
      anchored = anchorIn(view, cursor, anchor, size);
    }
    for (const request of searchOrder(view, cursor.offset, this.paging, searchPages)) {
      if (anchored) break;
      // What the search read so far may show this page is past the list's end.
      if (view.covers({ start: request.offset, end: request.offset + request.take })) continue;
      await this.readPlan(reading, [request]);
      anchored = anchorIn(view, cursor, anchor, size);
    }
    return anchored ?? settle(view, cursor, anchor, size);
  }

  /** Reads the pages that cover `range` (a page this request already asked for when one covers it). */
  private async readInto(reading: Reading, range: Window): Promise<readonly PageRequest[]> {
    const covering = reading.fresh
      ? undefined
      : this.requestedByOrg
          .get(reading.orgId)
          ?.find((request) => request.offset <= range.start && request.offset + request.take >= range.end);
    const plan = covering ? [covering] : planPages(range, this.paging);
    await this.readPlan(reading, plan);
    return plan;
  }

  /** Reads `plan`'s pages into the connection's view; what a page says replaces what it said before. */
  private async readPlan(reading: Reading, plan: readonly PageRequest[]): Promise<void> {
    const read = await Promise.all(plan.map((request) => this.pageFor(reading, request)));
    for (const [i, request] of plan.entries())
      reading.view.addPage(request.offset, read[i] as AssistantRecord[], request.take);
    reading.pages.push(...read);
  }

  /** A page through the request's loader, or past the page cache once the connection reads fresh. */
  private async pageFor(reading: Reading, request: PageRequest): Promise<AssistantRecord[]> {
    if (!reading.fresh || !this.revalidating) return this.loadPage(reading.orgId, request);
    const key: PageKey = { orgId: reading.orgId, page: request.page, take: request.take };
    const records = await this.revalidating.load(key);
    // Later readers of this request see the page as the upstream says it now.
    this.page.clear(key).prime(key, records);
    return records;
  }
}
