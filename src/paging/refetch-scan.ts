// Refetching an assistant by its REST id: the upstream has no call for one
// assistant, so its org's list is read page by page, once for every id of
// that org asked in the same tick, a bounded number of scans at a time.

import DataLoader from 'dataloader';
import { LimitExceededError, quoteInput } from '../contract/errors.ts';
import type { ConcurrencyLimit } from '../upstream/concurrency-limit.ts';
import type { AssistantRecord } from '../upstream/records.ts';
import type { OperationStaleness } from '../upstream/staleness.ts';
import { asFailure, type PageKey } from './page-loader.ts';
import type { PageRequest, PagingOptions } from './windows.ts';

export interface AssistantKey {
  readonly orgId: string;
  readonly assistantId: string;
}

export interface RefetchScanOptions {
  readonly paging: PagingOptions;
  /** How many pages a refetch may read of one org's list before it gives up. */
  readonly maxScanPages: number;
  /** Refetch scans in flight across the process: each holds a page or so of records at a time. */
  readonly scanLimit: ConcurrencyLimit;
  readonly signal: AbortSignal | undefined;
  /** Keep a scanned page for later readers of this request (see `LoaderOptions.keepScannedPages`). */
  readonly keepScannedPages: () => boolean;
  /** A page through the request's page loader, remembered for its connections. */
  readonly loadPage: (orgId: string, request: PageRequest) => Promise<AssistantRecord[]>;
  /** A page through the request's page loader, forgotten once `forgetPage` is called. */
  readonly loadPageOnce: (key: PageKey) => Promise<AssistantRecord[]>;
  readonly forgetPage: (key: PageKey) => void;
  readonly staleness: OperationStaleness;
}

export type AssistantLoader = DataLoader<AssistantKey, AssistantRecord | null, string>;

export function createAssistantLoader(options: RefetchScanOptions): AssistantLoader {
  return new DataLoader<AssistantKey, AssistantRecord | null, string>(
    async (keys) => {
      const wantedByOrg = new Map<string, Set<string>>();
      for (const key of keys) {
        const wanted = wantedByOrg.get(key.orgId) ?? new Set<string>();
        wanted.add(key.assistantId);
        wantedByOrg.set(key.orgId, wanted);
      }
      const found = new Map<string, Map<string, AssistantRecord> | Error>();
      await Promise.all(
        [...wantedByOrg].map(async ([orgId, wanted]) => {
          const scan = () => scanOrg(orgId, wanted, options);
          found.set(orgId, await options.scanLimit.run(scan, options.signal).catch(asFailure));
        }),
      );
      return keys.map((key) => {
        const byId = found.get(key.orgId);
        return byId instanceof Error ? byId : (byId?.get(key.assistantId) ?? null);
      });
    },
    // JSON keeps the two ids apart whatever characters they hold.
    { cacheKeyFn: (key) => JSON.stringify([key.orgId, key.assistantId]) },
  );
}

/**
 * Reads the org's list page by page, at the upstream's cap, until every
 * wanted id is found or the list ends. Pages go through the page loader,
 * so what this request read before costs nothing; unless a connection of
 * the request may read them too, each is let go once scanned: the scan
 * itself holds only what it found.
 */
async function scanOrg(
  orgId: string,
  wanted: ReadonlySet<string>,
  options: RefetchScanOptions,
): Promise<Map<string, AssistantRecord>> {
  const { paging } = options;
  const byId = new Map<string, AssistantRecord>();
  const take = paging.maxTake;
  for (let index = 0; index < options.maxScanPages; index++) {
    const request = { page: paging.pageBase + index, take, offset: index * take };
    const key = { orgId, page: request.page, take };
    const keep = options.keepScannedPages();
    const items = await (keep ? options.loadPage(orgId, request) : options.loadPageOnce(key));
    for (const item of items) {
      if (!wanted.has(item.id)) continue;
      byId.set(item.id, item);
      options.staleness.noteFound(item, items);
    }
    if (!keep) options.forgetPage(key);
    if (items.length < take || byId.size === wanted.size) return byId;
  }
  throw new LimitExceededError(
    `refetch stopped after ${options.maxScanPages} pages of organization ${quoteInput(orgId)} (REFETCH_MAX_PAGES)`,
    'REFETCH_MAX_PAGES',
  );
}
