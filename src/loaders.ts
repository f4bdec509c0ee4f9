// Per-request loaders: created for one GraphQL request from its caller's
// credentials and abort signal, so nothing one caller fetched can be served
// to another, and every upstream page is read at most once per request.

import DataLoader from 'dataloader';
import {
  collectRange,
  fetchRange,
  type PageSlice,
  type PagingOptions,
  planPages,
  probeRange,
  sliceWindow,
  type Window,
} from './paging.ts';
import type { UpstreamClient } from './upstream/client.ts';
import type { AssistantRecord } from './upstream/records.ts';

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
  /** One upstream page of an org's assistant list. */
  readonly page: DataLoader<PageKey, AssistantRecord[], string>;
  /** An assistant by its REST id, found by scanning its org's list once for all ids asked. */
  readonly assistant: DataLoader<AssistantKey, AssistantRecord | null, string>;
  /** The items of a window of an org's list, with exact page flags. */
  loadWindow(orgId: string, window: Window): Promise<PageSlice<AssistantRecord>>;
}

export interface LoaderOptions {
  readonly client: UpstreamClient;
  readonly paging: PagingOptions;
  /** The `Authorization` header to send for this request's caller. */
  readonly authorization: string | undefined;
  readonly signal: AbortSignal | undefined;
}

export function createLoaders({ client, paging, authorization, signal }: LoaderOptions): Loaders {
  const page = new DataLoader<PageKey, AssistantRecord[], string>(
    (keys) =>
      // Every key is its own upstream call, all in flight together; a failed
      // call fails only its own key.
      Promise.all(
        keys.map((key) =>
          client.listAssistants({ ...key, authorization, signal }).catch((error: unknown) => toError(error)),
        ),
      ),
    { cacheKeyFn: (key) => `${key.take}:${key.page}:${key.orgId}` },
  );

  async function loadRange(orgId: string, range: Window): Promise<AssistantRecord[]> {
    const plan = planPages(range, paging);
    const pages = await Promise.all(
      plan.map((request) => page.load({ orgId, page: request.page, take: request.take })),
    );
    return collectRange(range, plan, pages);
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
          found.set(orgId, await scanOrg(orgId, wanted).catch((error: unknown) => toError(error)));
        }),
      );
      return keys.map((key) => {
        const byId = found.get(key.orgId);
        return byId instanceof Error ? byId : (byId?.get(key.assistantId) ?? null);
      });
    },
    { cacheKeyFn: (key) => `${key.assistantId}:${key.orgId}` },
  );

  /**
   * Reads the org's list page by page (through the page loader, so pages
   * read earlier in this request cost nothing) until every wanted id is
   * found or the list ends.
   */
  async function scanOrg(orgId: string, wanted: Set<string>): Promise<Map<string, AssistantRecord>> {
    const byId = new Map<string, AssistantRecord>();
    const take = paging.maxTake;
    for (let index = 0; ; index++) {
      const items = await page.load({ orgId, page: paging.pageBase + index, take });
      for (const item of items) {
        if (wanted.has(item.id)) byId.set(item.id, item);
      }
      if (items.length < take || byId.size === wanted.size) return byId;
    }
  }

  return {
    page,
    assistant,
    async loadWindow(orgId, window) {
      const slice = sliceWindow(window, await loadRange(orgId, fetchRange(window)));
      if (!slice.needsProbe) return slice;
      const first = await loadRange(orgId, probeRange);
      return { ...slice, hasPreviousPage: first.length > 0, needsProbe: false };
    },
  };
}

function toError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
