// A cache of upstream pages in front of the client, per credential: the key
// is a keyed hash of the caller's `Authorization` with the org, page and take,
// so a page fetched with one credential is never served to another, and no
// token is ever part of a key. Fresh pages answer at once; a page past its
// freshness is served at once while one refresh per key runs in the
// background (stale-while-revalidate), or when the upstream fails with a 5xx,
// a timeout or no connection (stale-if-error; never on 401, 403 or 404, so a
// revoked token or a deleted org is not served on); a kept ETag revalidates
// with If-None-Match, and a 304 refreshes the page without a body.

import { createHmac } from 'node:crypto';
import {
  type AssistantPageBody,
  type AssistantPageRequest,
  pageBody,
  type UpstreamClient,
} from '../upstream/client.ts';
import {
  isUpstreamDown,
  UpstreamBadResponseError,
  UpstreamBusyError,
  UpstreamBytesExhaustedError,
  UpstreamCircuitOpenError,
  UpstreamStatusError,
} from '../upstream/errors.ts';
import { type CacheWindows, type EntryTimes, entryTimes, retentionMs, upstreamDirectives } from './cache-policy.ts';
import type { SharedPageStore } from './redis-store.ts';

/** A kept page: its text as the upstream sent it, its ETag, and its times. */
export interface CachedPage extends EntryTimes {
  readonly text: string;
  readonly etag?: string;
}

/** Where pages are kept: in this process, or shared by replicas. */
export interface PageStore {
  get(key: string): Promise<CachedPage | undefined>;
  /** Keeps a page for `keepMs` at most. */
  set(key: string, page: CachedPage, keepMs: number): Promise<void>;
  delete(key: string): Promise<void>;
  /** What it holds now, in estimated bytes (for a store in this process). */
  bytes?(): number;
}

export type CacheLookup = 'hit' | 'miss' | 'stale' | 'revalidated' | 'bypass';

export interface PageCacheOptions {
  readonly windows: CacheWindows;
  readonly store: PageStore;
  /** Keys the credential's hash: the same on every replica that shares a store. */
  readonly keySecret: string | Buffer;
  readonly now?: () => number;
  readonly onLookup?: (result: CacheLookup) => void;
  /** With a store shared by replicas: how long a cold key's fill lock lasts, and how long others wait for the fill. */
  readonly sharedFill?: { readonly lockMs: number; readonly waitMs: number; readonly onFilledByOther?: () => void };
}

/** How often a replica waiting for another's fill looks again. */
const fillPollMs = 25;

export function cachePages(client: UpstreamClient, options: PageCacheOptions): UpstreamClient {
  const now = options.now ?? Date.now;
  const lookup = (result: CacheLookup) => options.onLookup?.(result);
  /** Background refreshes under way, one per key: bounded by the keys being refreshed. */
  const refreshing = new Set<string>();

  const keyOf = (request: AssistantPageRequest) =>
    `page:${credentialKey(options.keySecret, request.authorization)}:${request.take}:${request.page}:${request.orgId}`;

  /** Keeps what the upstream answered (as its Cache-Control allows) and returns the page to serve. */
  async function keep(
    key: string,
    kept: CachedPage | undefined,
    body: AssistantPageBody,
    request: AssistantPageRequest,
    counted: boolean,
  ): Promise<AssistantPageBody> {
    const directives = upstreamDirectives(body.cacheControl);
    const at = now();
    if (body.notModified) {
      // Only a caller that sent If-None-Match gets a 304 (coalescing keys on it), and it kept the page.
      if (!kept) throw new UpstreamBadResponseError('status: 304 for a page that was not asked to be revalidated');
      const page = { text: kept.text, etag: body.etag ?? kept.etag, ...entryTimes(at, options.windows, directives) };
      // Not awaited: a slow store must not hold the answer (Redis runs a connection's commands in order,
      // so a fill lock released after this still follows the write).
      if (!directives.noStore) void options.store.set(key, page, retentionMs(page, at, page.etag !== undefined));
      if (counted) lookup('revalidated');
      return pageBody(kept.text, request);
    }
    if (counted) lookup('miss');
    if (!directives.noStore) {
      // Decoded once before it is kept: a body that does not fit is never served from the cache.
      body.decode();
      const page = { text: body.text, etag: body.etag, ...entryTimes(at, options.windows, directives) };
      void options.store.set(key, page, retentionMs(page, at, page.etag !== undefined));
    }
    return body;
  }

  function refreshInBackground(key: string, kept: CachedPage, request: AssistantPageRequest): void {
    if (refreshing.has(key)) return;
    refreshing.add(key);
    // Nobody waits on it: no caller's abort, budgets or trace apply.
    const background: AssistantPageRequest = {
      orgId: request.orgId,
      page: request.page,
      take: request.take,
      authorization: request.authorization,
      signal: undefined,
      ifNoneMatch: kept.etag,
    };
    client
      .fetchAssistantPage(background)
      .then((body) => keep(key, kept, body, background, false))
      .catch(async (error: unknown) => {
        // A revoked token or a deleted org: the page must not be served on.
        if (error instanceof UpstreamStatusError && [401, 403, 404].includes(error.status)) {
          await options.store.delete(key);
        }
      })
      .finally(() => refreshing.delete(key));
  }

  async function fetchAssistantPage(request: AssistantPageRequest): Promise<AssistantPageBody> {
    const mode = request.cacheMode ?? 'default';
    if (mode === 'no-store') {
      lookup('bypass');
      return client.fetchAssistantPage(request);
    }
    const key = keyOf(request);
    const kept = await options.store.get(key);
    const at = now();
    if (kept && mode === 'default') {
      if (at < kept.freshUntil) {
        lookup('hit');
        return charged(pageBody(kept.text, request), request);
      }
      if (at < kept.revalidateUntil) {
        lookup('stale');
        refreshInBackground(key, kept, request);
        return charged(staleBody(kept, request, at), request);
      }
    }
    const store = options.store as Partial<SharedPageStore> & PageStore;
    // A store that just failed to answer is skipped for the fill lock too: one wait on it per request at most.
    if (!kept && options.sharedFill && store.lock && store.unlock && store.available?.() !== false) {
      // A cold key: one replica fills it, the others wait for the fill up to a bound, then call themselves.
      const lock = await store.lock(key, options.sharedFill.lockMs);
      if (lock === 'acquired') {
        try {
          return await keep(key, undefined, await client.fetchAssistantPage(request), request, true);
        } finally {
          void store.unlock(key);
        }
      }
      const filled = lock === 'held' ? await waitForFill(key, options.sharedFill.waitMs, request.signal) : undefined;
      if (filled) {
        options.sharedFill.onFilledByOther?.();
        lookup('hit');
        return charged(pageBody(filled.text, request), request);
      }
      if (request.signal?.aborted) throw request.signal.reason;
    }
    try {
      const body = await client.fetchAssistantPage(kept?.etag ? { ...request, ifNoneMatch: kept.etag } : request);
      return await keep(key, kept, body, request, true);
    } catch (error) {
      if (kept && at < kept.staleIfErrorUntil && upstreamUnavailable(error)) {
        lookup('stale');
        return charged(staleBody(kept, request, at), request);
      }
      throw error;
    }
  }

  async function waitForFill(key: string, waitMs: number, signal: AbortSignal | undefined) {
    const until = now() + waitMs;
    const store = options.store as Partial<SharedPageStore>;
    // Redis gone while waiting: go to the upstream rather than wait out the bound.
    while (now() < until && !signal?.aborted && store.available?.() !== false) {
      await new Promise((resolve) => setTimeout(resolve, fillPollMs));
      const filled = await options.store.get(key);
      if (filled) return filled;
      // The filler let go: its page is kept by now, or it had none to keep (a failure, a no-store).
      if (store.locked && !(await store.locked(key))) return options.store.get(key);
    }
    return undefined;
  }

  return { fetchAssistantPage, close: () => client.close() };
}

/** A page from the cache costs its caller its bytes, as one from the upstream would (MAX_UPSTREAM_BYTES_PER_REQUEST). */
function charged(body: AssistantPageBody, request: AssistantPageRequest): AssistantPageBody {
  if (request.byteBudget && !request.byteBudget.take(body.bytes)) {
    throw new UpstreamBytesExhaustedError(request.byteBudget.maxBytes);
  }
  return body;
}

function staleBody(kept: CachedPage, request: AssistantPageRequest, at: number): AssistantPageBody {
  return { ...pageBody(kept.text, request), staleAgeSeconds: Math.max(0, Math.floor((at - kept.storedAt) / 1_000)) };
}

/** The upstream could not answer (see isUpstreamDown), or the gateway held the call back. Never a 4xx. */
function upstreamUnavailable(error: unknown): boolean {
  return isUpstreamDown(error) || error instanceof UpstreamCircuitOpenError || error instanceof UpstreamBusyError;
}

/** A keyed hash of a caller's `Authorization`: page keys reach the shared store, and no token may be part of one. */
function credentialKey(secret: string | Buffer, authorization: string | undefined): string {
  return createHmac('sha256', secret)
    .update(authorization ?? '')
    .digest('base64url');
}
