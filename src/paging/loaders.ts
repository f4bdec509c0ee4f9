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
  // Only pages the cache may have answered are worth asking again: not when the caller said no-store.
  const revalidating =
    options.revalidateOnFailedCheck && (options.cacheMode ?? 'default') !== 'no-store'
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
    const view = new ListView();
    const pages: AssistantRecord[][] = [];
    const read = (range: Window) => this.readInto(view, pages, orgId, range);
    let served = window;
    let check: CursorCheck | undefined = cursor ? { status: 'UNCHECKED' } : undefined;
    if (cursor?.anchor) {
      const anchored = await this.anchorWindow(
        view,
        pages,
        orgId,
        window,
        { ...cursor, anchor: cursor.anchor },
        searchPages,
      );
      served = anchored.window;
      check = anchored.check;
    }
    const range = fetchRange(served);
    if (!view.covers(range)) await read(range);
    let slice = sliceWindow(served, view.slice(range));
    if (slice.needsProbe) {
      if (!view.covers(probeRange)) await read(probeRange);
      slice = { ...slice, hasPreviousPage: view.at(0) !== undefined, needsProbe: false };
    }
    return {
      ...slice,
      window: served,
      anchors: slice.items.map((_, i) => view.anchorAt(served.start + i)),
      check,
      staleAgeSeconds: this.staleness.oldestOf(pages),
    };
  }

  /** Where the window goes once its cursor's item is looked for: where it is, or its neighbour, or the offset. */
  private async anchorWindow(
    view: ListView,
    pages: AssistantRecord[][],
    orgId: string,
    window: Window,
    cursor: WindowCursor & { readonly anchor: Anchor },
    searchPages: number,
  ): Promise<Anchored> {
    const { anchor, size } = cursor;
    const firstPlan = await this.readInto(view, pages, orgId, firstRead(window, cursor, this.paging));
    let anchored = anchorIn(view, cursor, anchor, size);
    // A page the page cache kept may be older than the cursor: a failed check asks the upstream, once, before searching.
    if (anchored?.check.status !== 'EXACT' && this.revalidating) {
      await this.revalidateInto(view, pages, orgId, firstPlan);
      anchored = anchorIn(view, cursor, anchor, size);
    }
    for (const request of searchOrder(view, cursor.offset, this.paging, searchPages)) {
      if (anchored) break;
      pages.push(await this.loadPage(orgId, request));
      view.addPage(request.offset, pages.at(-1) as AssistantRecord[], request.take);
      anchored = anchorIn(view, cursor, anchor, size);
    }
    return anchored ?? settle(view, cursor, anchor, size);
  }

  /** Asks the upstream again for `plan`'s pages past the page cache; what it says replaces what was read. */
  private async revalidateInto(
    view: ListView,
    pages: AssistantRecord[][],
    orgId: string,
    plan: readonly PageRequest[],
  ) {
    const revalidating = this.revalidating as PageLoader;
    const keys = plan.map((request) => ({ orgId, page: request.page, take: request.take }));
    const fresh = await Promise.all(keys.map((key) => revalidating.load(key)));
    for (const [i, request] of plan.entries()) {
      const records = fresh[i] as AssistantRecord[];
      this.page.clear(keys[i] as PageKey).prime(keys[i] as PageKey, records);
      view.addPage(request.offset, records, request.take);
    }
    pages.push(...fresh);
  }

  /** Reads the pages that cover `range` into `view` (a page this request already asked for when one covers it). */
  private async readInto(
    view: ListView,
    pages: AssistantRecord[][],
    orgId: string,
    range: Window,
  ): Promise<readonly PageRequest[]> {
    const covering = this.requestedByOrg
      .get(orgId)
      ?.find((request) => request.offset <= range.start && request.offset + request.take >= range.end);
    const plan = covering ? [covering] : planPages(range, this.paging);
    const read = await Promise.all(plan.map((request) => this.loadPage(orgId, request)));
    for (const [i, request] of plan.entries()) view.addPage(request.offset, read[i] as AssistantRecord[], request.take);
    pages.push(...read);
    return plan;
  }
}
