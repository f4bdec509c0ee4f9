// Per-request loaders: created for one GraphQL request from its caller's
// credentials and abort signal, so nothing one caller fetched can be served
// to another, and every upstream page is read at most once per request.

import type { Context as TraceContext } from '@opentelemetry/api';
import DataLoader from 'dataloader';
import { cancelledGraphQLError, LimitExceededError, quoteInput } from '../contract/errors.ts';
import { upstreamGraphQLError } from '../upstream/caller-errors.ts';
import type { ByteBudget, UpstreamClient } from '../upstream/client.ts';
import type { ConcurrencyLimit } from '../upstream/concurrency-limit.ts';
import { UpstreamError } from '../upstream/errors.ts';
import { pageRequestKey } from '../upstream/page-request-key.ts';
import type { AssistantRecord } from '../upstream/records.ts';
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

export interface PageKey {
  readonly orgId: string;
  readonly page: number;
  readonly take: number;
}

export interface AssistantKey {
  readonly orgId: string;
  readonly assistantId: string;
}

export interface Loaders {
  /** An assistant by its REST id, found by scanning its org's list once for all ids asked. */
  readonly assistant: DataLoader<AssistantKey, AssistantRecord | null, string>;
  /** How old a record a refetch found is, if it came from a page served past its freshness. */
  staleAgeOf(value: unknown): number | undefined;
  /** The items of a window of an org's list, with exact page flags, and how old its data is if any page was served stale. */
  loadWindow(orgId: string, window: Window): Promise<PageSlice<AssistantRecord> & { staleAgeSeconds?: number }>;
}

export interface LoaderOptions {
  readonly client: UpstreamClient;
  readonly paging: PagingOptions;
  /** How many pages a refetch may read of one org's list before it gives up. */
  readonly maxScanPages: number;
  /** The upstream calls (retries included) and bytes this HTTP request may still use, shared by its operations. */
  readonly budget: RequestBudget;
  /** The `Authorization` header to send for this request's caller. */
  readonly authorization: string | undefined;
  readonly signal: AbortSignal | undefined;
  /** Refetch scans in flight across the process: each holds a page or so of records at a time. */
  readonly scanLimit: ConcurrencyLimit;
  /**
   * Keep the pages a refetch scan read, for a connection of this request that
   * may read them later; false lets each go once scanned, keeping what was found.
   * Asked as a scan reads (the operation's document is known by then).
   */
  readonly keepScannedPages: () => boolean;
  /** Told of every failed upstream call, for the operators' log. */
  readonly onUpstreamFailure?: (failure: UpstreamError, key: PageKey) => void;
  /** Told of the calls this operation makes, and where their spans belong. */
  readonly telemetry?: LoaderTelemetry;
  /** What the caller's `Cache-Control` asked of the page cache. */
  readonly cacheMode?: 'default' | 'no-cache' | 'no-store';
}

/** What the operation's metrics and trace need from its loaders. */
export interface LoaderTelemetry {
  readonly traceParent: TraceContext | undefined;
  /** One upstream call made (its retries are part of it). */
  upstreamCall(): void;
  /** One upstream call refused by MAX_UPSTREAM_CALLS. */
  callLimitExceeded(): void;
}

/** What one HTTP request may still ask of the upstream: every call and retry takes a call, every chunk its bytes. */
export interface RequestBudget {
  readonly maxCalls: number;
  /** Takes one call; false when none is left. */
  takeCall(): boolean;
  readonly bytes: ByteBudget;
}

export function createRequestBudget(maxCalls: number, maxBytes: number): RequestBudget {
  let calls = maxCalls;
  let bytes = maxBytes;
  return {
    maxCalls,
    takeCall: () => {
      if (calls === 0) return false;
      calls--;
      return true;
    },
    bytes: {
      maxBytes,
      take: (wanted) => {
        if (wanted > bytes) return false;
        bytes -= wanted;
        return true;
      },
    },
  };
}

export function createLoaders(options: LoaderOptions): Loaders {
  const { client, paging, authorization, signal, budget, telemetry } = options;
  const traceParent = telemetry?.traceParent;

  const failed = (key: PageKey, error: unknown): Error => {
    if (error instanceof UpstreamError) options.onUpstreamFailure?.(error, key);
    return asFailure(error);
  };
  const page = new DataLoader<PageKey, AssistantRecord[], string>(
    async (keys) => {
      // Every key is its own upstream call, all in flight together; a failed
      // call fails only its own key, with the contract's error.
      const bodies = await Promise.all(
        keys.map((key) => {
          // However the query or the batch is shaped, one HTTP request costs a bounded number of calls.
          if (!budget.takeCall()) {
            telemetry?.callLimitExceeded();
            return new LimitExceededError(
              `this request needs more than ${budget.maxCalls} upstream calls (MAX_UPSTREAM_CALLS)`,
              'MAX_UPSTREAM_CALLS',
            );
          }
          telemetry?.upstreamCall();
          return client
            .fetchAssistantPage({
              ...key,
              authorization,
              signal,
              mayRetry: budget.takeCall,
              byteBudget: budget.bytes,
              traceParent,
              cacheMode: options.cacheMode,
            })
            .catch((error: unknown) => failed(key, error));
        }),
      );
      // Parsed only once the whole batch is in: records made as each page
      // arrived would wait for the slowest, long enough to outlive a
      // young-generation collection and be copied; raw text waits cheaply.
      return bodies.map((body, i) => {
        if (body instanceof Error) return body;
        try {
          const records = body.decode();
          if (body.staleAgeSeconds !== undefined) {
            staleAges ??= new WeakMap();
            staleAges.set(records, body.staleAgeSeconds);
          }
          return records;
        } catch (error) {
          return failed(keys[i] as PageKey, error);
        }
      });
    },
    // take and page are integers, so the org id, last, cannot blur the key.
    { cacheKeyFn: pageRequestKey },
  );

  /** Pages served past their freshness by the page cache, and how old they were. */
  // Made only once a stale page arrives: most requests never see one.
  let staleAges: WeakMap<AssistantRecord[], number> | undefined;
  /** Records a refetch found on such pages, with what they hold (integrations, actions), and how old they were. */
  let staleRecords: WeakMap<object, number> | undefined;
  const markStale = (record: AssistantRecord, age: number) => {
    staleRecords ??= new WeakMap();
    staleRecords.set(record, age);
    for (const part of [...record.integrations, ...record.actions]) staleRecords.set(part, age);
  };

  /** Pages this request has asked for, by org: a range inside one of them needs no new call. */
  const requestedByOrg = new Map<string, PageRequest[]>();

  function loadPage(orgId: string, request: PageRequest): Promise<AssistantRecord[]> {
    const requested = requestedByOrg.get(orgId) ?? [];
    if (!requested.some((known) => known.page === request.page && known.take === request.take)) {
      requestedByOrg.set(orgId, [...requested, request]);
    }
    return page.load({ orgId, page: request.page, take: request.take });
  }

  async function loadRange(orgId: string, range: Window): Promise<{ items: AssistantRecord[]; staleAge?: number }> {
    const covering = requestedByOrg
      .get(orgId)
      ?.find((request) => request.offset <= range.start && request.offset + request.take >= range.end);
    const plan = covering ? [covering] : planPages(range, paging);
    const pages = await Promise.all(plan.map((request) => loadPage(orgId, request)));
    const ages = pages.flatMap((page) => staleAges?.get(page) ?? []);
    return { items: collectRange(range, plan, pages), staleAge: ages.length > 0 ? Math.max(...ages) : undefined };
  }

  /**
   * Reads the org's list page by page, at the upstream's cap, until every
   * wanted id is found or the list ends. Pages go through the page loader,
   * so what this request read before costs nothing; unless a connection of
   * the request may read them too, each is let go once scanned: the scan
   * itself holds only what it found.
   */
  async function scanOrg(orgId: string, wanted: ReadonlySet<string>): Promise<Map<string, AssistantRecord>> {
    const byId = new Map<string, AssistantRecord>();
    const take = paging.maxTake;
    for (let index = 0; index < options.maxScanPages; index++) {
      const request = { page: paging.pageBase + index, take, offset: index * take };
      const key = { orgId, page: request.page, take };
      const keep = options.keepScannedPages();
      const items = await (keep ? loadPage(orgId, request) : page.load(key));
      const staleAge = staleAges?.get(items);
      for (const item of items) {
        if (!wanted.has(item.id)) continue;
        byId.set(item.id, item);
        if (staleAge !== undefined) markStale(item, staleAge);
      }
      if (!keep) page.clear(key);
      if (items.length < take || byId.size === wanted.size) return byId;
    }
    throw new LimitExceededError(
      `refetch stopped after ${options.maxScanPages} pages of organization ${quoteInput(orgId)} (REFETCH_MAX_PAGES)`,
      'REFETCH_MAX_PAGES',
    );
  }

  const assistant = new DataLoader<AssistantKey, AssistantRecord | null, string>(
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
          found.set(
            orgId,
            await options.scanLimit
              .run(() => scanOrg(orgId, wanted), signal)
              .catch((error: unknown) => asFailure(error)),
          );
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

  return {
    assistant,
    staleAgeOf: (value) => (typeof value === 'object' && value !== null ? staleRecords?.get(value) : undefined),
    async loadWindow(orgId, window) {
      const range = await loadRange(orgId, fetchRange(window));
      const slice = { ...sliceWindow(window, range.items), staleAgeSeconds: range.staleAge };
      if (!slice.needsProbe) return slice;
      const first = await loadRange(orgId, probeRange);
      const ages = [range.staleAge, first.staleAge].filter((age) => age !== undefined);
      return {
        ...slice,
        hasPreviousPage: first.items.length > 0,
        needsProbe: false,
        staleAgeSeconds: ages.length > 0 ? Math.max(...ages) : undefined,
      };
    },
  };
}

/** A failure as the caller will see it: upstream failures carry the contract's code. */
function asFailure(error: unknown): Error {
  if (error instanceof UpstreamError) return upstreamGraphQLError(error);
  // The caller went away: nobody will read this, and it is no fault to log.
  if (error instanceof Error && error.name === 'AbortError') return cancelledGraphQLError();
  return error instanceof Error ? error : new Error(String(error));
}
