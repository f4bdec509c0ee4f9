// Per-request loaders: created for one GraphQL operation from its caller's
// credentials and abort signal, so nothing one caller fetched can be served
// to another, and every upstream page is read at most once per request.
// Pages come through the page loader (page-loader.ts); a connection's window
// is planned over them here; a refetch scans them (refetch-scan.ts).

import type { ConcurrencyLimit } from '../upstream/concurrency-limit.ts';
import type { AssistantRecord } from '../upstream/records.ts';
import type { OperationStaleness } from '../upstream/staleness.ts';
import { oldest } from '../upstream/staleness.ts';
import { createPageLoader, type PageLoader, type PageLoaderOptions } from './page-loader.ts';
import { type AssistantLoader, createAssistantLoader } from './refetch-scan.ts';
import {
  collectRange,
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
  /** The items of a window of an org's list, with exact page flags, and how old its data is if any page was served stale. */
  loadWindow(orgId: string, window: Window): Promise<PageSlice<AssistantRecord> & { staleAgeSeconds?: number }>;
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
}

export function createLoaders(options: LoaderOptions): Loaders {
  const page = createPageLoader(options);
  const windows = new WindowReader(page, options.paging, options.staleness);
  const assistant = createAssistantLoader({
    ...options,
    loadPage: (orgId, request) => windows.loadPage(orgId, request),
    loadPageOnce: (key) => page.load(key),
    forgetPage: (key) => page.clear(key),
  });
  return { assistant, loadWindow: (orgId, window) => windows.loadWindow(orgId, window) };
}

/** A connection's window, read over the pages that the page/take planner picks. */
class WindowReader {
  /** Pages this request has asked for, by org: a range inside one of them needs no new call. */
  private readonly requestedByOrg = new Map<string, PageRequest[]>();

  constructor(
    private readonly page: PageLoader,
    private readonly paging: PagingOptions,
    private readonly staleness: OperationStaleness,
  ) {}

  loadPage(orgId: string, request: PageRequest): Promise<AssistantRecord[]> {
    const requested = this.requestedByOrg.get(orgId) ?? [];
    if (!requested.some((known) => known.page === request.page && known.take === request.take)) {
      this.requestedByOrg.set(orgId, [...requested, request]);
    }
    return this.page.load({ orgId, page: request.page, take: request.take });
  }

  async loadWindow(orgId: string, window: Window) {
    const range = await this.loadRange(orgId, fetchRange(window));
    const slice = { ...sliceWindow(window, range.items), staleAgeSeconds: range.staleAge };
    if (!slice.needsProbe) return slice;
    const first = await this.loadRange(orgId, probeRange);
    return {
      ...slice,
      hasPreviousPage: first.items.length > 0,
      needsProbe: false,
      staleAgeSeconds: oldest([range.staleAge, first.staleAge]),
    };
  }

  private async loadRange(orgId: string, range: Window): Promise<{ items: AssistantRecord[]; staleAge?: number }> {
    const covering = this.requestedByOrg
      .get(orgId)
      ?.find((request) => request.offset <= range.start && request.offset + request.take >= range.end);
    const plan = covering ? [covering] : planPages(range, this.paging);
    const pages = await Promise.all(plan.map((request) => this.loadPage(orgId, request)));
    return { items: collectRange(range, plan, pages), staleAge: this.staleness.oldestOf(pages) };
  }
}
