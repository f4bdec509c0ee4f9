// A cache of upstream pages in front of the client, per credential: the key
// is a keyed hash of the caller's `Authorization` with the org, page and take,
// so a page fetched with one credential is never served to another, and no
// token is ever part of a key. Fresh pages answer at once; a page past its
// freshness is served at once while one refresh per key runs in the
// background (stale-while-revalidate), or when the upstream fails with a 5xx,
// a timeout or no connection (stale-if-error); a kept ETag revalidates with
// If-None-Match, and a 304 refreshes the page without a body.
//
// A refusal of the upstream ends what the cache serves to that credential:
// after a 401 no page it was given before is served again, after a 403 or 404
// none of that org, whichever path met the refusal and on every replica that
// shares the store. What is kept holds no assistant's secret key unless
// EXPOSE_SECRET_KEYS serves them.

import { createHmac, randomUUID } from 'node:crypto';
import {
  type AssistantPageBody,
  type AssistantPageRequest,
  chargeBody,
  pageBody,
  type UpstreamClient,
} from '../upstream/client.ts';
import {
  isUpstreamDown,
  UpstreamBadResponseError,
  UpstreamBusyError,
  UpstreamCircuitOpenError,
  UpstreamStatusError,
} from '../upstream/errors.ts';
import { pageRequestKey } from '../upstream/page-request-key.ts';
import {
  type CacheWindows,
  entryTimes,
  retentionMs,
  upstreamDirectives,
  validatorRetentionMs,
} from './cache-policy.ts';
import type { CachedPage, PageStore, SharedPageStore } from './page-store.ts';

export type CacheLookup = 'hit' | 'miss' | 'stale' | 'revalidated' | 'bypass';

export interface PageCacheOptions {
  readonly windows: CacheWindows;
  readonly store: PageStore;
  /** Keys the credential's hash: the same on every replica that shares a store. */
  readonly keySecret: string | Buffer;
  /** Keep assistants' `secret_key` values (only when they are served: EXPOSE_SECRET_KEYS). */
  readonly keepSecretKeys: boolean;
  readonly now?: () => number;
  readonly onLookup?: (result: CacheLookup) => void;
  /** With a store shared by replicas: how long a cold key's fill lock lasts, and how long others wait for the fill. */
  readonly sharedFill?: { readonly lockMs: number; readonly waitMs: number; readonly onFilledByOther?: () => void };
}

/** Where one request's page is kept, and where the refusals that would end it are recorded. */
interface PageKeys {
  readonly page: string;
  /** Refusals of the credential (401), then of the credential for the org (403, 404). */
  readonly refusals: readonly [credential: string, organization: string];
}

/** What one read of the store found: the page, if still valid, and the refusals that a page kept now must carry. */
interface Found {
  readonly page: CachedPage | undefined;
  readonly refusals: string;
}

/** How often a replica waiting for another's fill looks again. */
const fillPollMs = 25;

export function cachePages(client: UpstreamClient, options: PageCacheOptions): UpstreamClient {
  const now = options.now ?? Date.now;
  const lookup = (result: CacheLookup) => options.onLookup?.(result);
  /** Background refreshes under way, one per key: bounded by the keys being refreshed. */
  const refreshing = new Set<string>();
  const { windows } = options;
  /**
   * How long a refusal is recorded, the same on every replica: as long as the
   * longest a page may be kept (its windows, or the hour a page with an ETag
   * is kept to be revalidated), and no page is kept longer. A page kept before
   * a refusal is thus never used again, not even to revalidate.
   */
  const refusalKeepMs = Math.max(
    windows.ttlMs + Math.max(windows.staleWhileRevalidateMs, windows.staleIfErrorMs),
    validatorRetentionMs,
  );
  // Pages kept with and without secret keys never meet (EXPOSE_SECRET_KEYS changed, or replicas that differ).
  const secrets = options.keepSecretKeys ? 'with-secrets' : 'no-secrets';

  const keysOf = (request: AssistantPageRequest): PageKeys => {
    const credential = credentialKey(options.keySecret, request.authorization);
    return {
      page: `page:${secrets}:${credential}:${pageRequestKey(request)}`,
      refusals: [`refused:${credential}`, `refused:${credential}:${request.orgId}`],
    };
  };

  /** The page kept under these keys, unless a refusal was recorded since the call that brought it began. */
  async function find(keys: PageKeys): Promise<Found> {
    const { page, refusals } = await options.store.get(keys.page, keys.refusals);
    return { page: page?.refusals === refusals ? page : undefined, refusals };
  }

  /** The upstream's answer; a refusal is recorded before it reaches the caller. */
  async function callUpstream(keys: PageKeys, request: AssistantPageRequest): Promise<AssistantPageBody> {
    try {
      return await client.fetchAssistantPage(request);
    } catch (error) {
      const scope = refusalScope(error);
      if (scope !== undefined) {
        const refusalKey = scope === 'credential' ? keys.refusals[0] : keys.refusals[1];
        await options.store.refuse(keys.page, refusalKey, randomUUID(), refusalKeepMs);
      }
      throw error;
    }
  }

  /**
   * Keeps what the upstream answered (as its Cache-Control allows) and returns
   * the page to serve. `found` is what the store held before the call began:
   * the page it revalidated, and the refusals the kept page carries.
   */
  async function keep(
    key: string,
    found: Found,
    body: AssistantPageBody,
    request: AssistantPageRequest,
    counted: boolean,
  ): Promise<AssistantPageBody> {
    const directives = upstreamDirectives(body.cacheControl);
    const at = now();
    const kept = found.page;
    if (body.notModified) {
      // Only a caller that sent If-None-Match gets a 304 (coalescing keys on it), and it kept the page.
      if (!kept) throw new UpstreamBadResponseError('status: 304 for a page that was not asked to be revalidated');
      const times = entryTimes(at, windows, directives);
      const page = { text: kept.text, etag: body.etag ?? kept.etag, refusals: found.refusals, ...times };
      // Not awaited: a slow store must not hold the answer (Redis runs a connection's commands in order,
      // so a fill lock released after this still follows the write).
      if (!directives.noStore) keepPage(key, page, at);
      if (counted) lookup('revalidated');
      return pageBody(kept.text, request);
    }
    if (counted) lookup('miss');
    if (!directives.noStore) {
      // Decoded once before it is kept: a body that does not fit is never kept.
      body.decode();
      const text = options.keepSecretKeys ? body.text : withoutSecretKeys(body.text);
      const times = entryTimes(at, windows, directives);
      keepPage(key, { text, etag: body.etag, refusals: found.refusals, ...times }, at);
    }
    return body;
  }

  function keepPage(key: string, page: CachedPage, at: number): void {
    const keepMs = Math.min(retentionMs(page, at, page.etag !== undefined), refusalKeepMs);
    void options.store.set(key, page, keepMs);
  }

  function refreshInBackground(keys: PageKeys, found: Found, kept: CachedPage, request: AssistantPageRequest) {
    if (refreshing.has(keys.page)) return;
    refreshing.add(keys.page);
    // Nobody waits on it: no caller's abort, budgets or trace apply.
    const background: AssistantPageRequest = {
      orgId: request.orgId,
      page: request.page,
      take: request.take,
      authorization: request.authorization,
      signal: undefined,
      ifNoneMatch: kept.etag,
    };
    callUpstream(keys, background)
      .then((body) => keep(keys.page, found, body, background, false))
      // A failure leaves the page as it is, a refusal has ended it: the next request finds out for itself.
      .catch(() => undefined)
      .finally(() => refreshing.delete(keys.page));
  }

  async function fetchAssistantPage(request: AssistantPageRequest): Promise<AssistantPageBody> {
    const mode = request.cacheMode ?? 'default';
    const keys = keysOf(request);
    if (mode === 'no-store') {
      lookup('bypass');
      // Nothing is kept, but a refusal still counts.
      return callUpstream(keys, request);
    }
    const found = await find(keys);
    const kept = found.page;
    const at = now();
    if (kept && mode === 'default') {
      if (at < kept.freshUntil) {
        lookup('hit');
        return chargeBody(pageBody(kept.text, request), request);
      }
      if (at < kept.revalidateUntil) {
        lookup('stale');
        refreshInBackground(keys, found, kept, request);
        return chargeBody(staleBody(kept, request, at), request);
      }
    }
    const store = options.store as Partial<SharedPageStore> & PageStore;
    // A store that just failed to answer is skipped for the fill lock too: one wait on it per request at most.
    if (!kept && options.sharedFill && store.lock && store.unlock && store.available?.() !== false) {
      // A cold key: one replica fills it, the others wait for the fill up to a bound, then call themselves.
      const lock = await store.lock(keys.page, options.sharedFill.lockMs);
      if (lock === 'acquired') {
        try {
          return await keep(keys.page, found, await callUpstream(keys, request), request, true);
        } finally {
          void store.unlock(keys.page);
        }
      }
      const filled = lock === 'held' ? await waitForFill(keys, options.sharedFill.waitMs, request.signal) : undefined;
      if (filled) {
        options.sharedFill.onFilledByOther?.();
        lookup('hit');
        return chargeBody(pageBody(filled.text, request), request);
      }
      if (request.signal?.aborted) throw request.signal.reason;
    }
    try {
      const body = await callUpstream(keys, kept?.etag ? { ...request, ifNoneMatch: kept.etag } : request);
      return await keep(keys.page, found, body, request, true);
    } catch (error) {
      if (kept && at < kept.staleIfErrorUntil && upstreamUnavailable(error)) {
        lookup('stale');
        return chargeBody(staleBody(kept, request, at), request);
      }
      throw error;
    }
  }

  async function waitForFill(keys: PageKeys, waitMs: number, signal: AbortSignal | undefined) {
    const until = now() + waitMs;
    const store = options.store as Partial<SharedPageStore>;
    // Redis gone while waiting: go to the upstream rather than wait out the bound.
    while (now() < until && !signal?.aborted && store.available?.() !== false) {
      await new Promise((resolve) => setTimeout(resolve, fillPollMs));
      const filled = (await find(keys)).page;
      if (filled) return filled;
      // The filler let go: its page is kept by now, or it had none to keep (a failure, a no-store, a refusal).
      if (store.locked && !(await store.locked(keys.page))) return (await find(keys)).page;
    }
    return undefined;
  }

  return { fetchAssistantPage, close: () => client.close() };
}

/**
 * What an upstream refusal ends: every page of the credential (401: the
 * credential itself is refused), or its pages of the organization (403: not
 * for this org; 404: no such org).
 */
function refusalScope(error: unknown): 'credential' | 'organization' | undefined {
  if (!(error instanceof UpstreamStatusError)) return undefined;
  if (error.status === 401) return 'credential';
  if (error.status === 403 || error.status === 404) return 'organization';
  return undefined;
}

/** Stands for a secret key that was not kept: present, so `hasSecretKey` reads as it did. */
const secretKeyNotKept = 'not-kept';

/**
 * A page as it may be kept when secret keys are not served: each assistant's
 * non-empty `secret_key` replaced. The text was decoded already (an array of
 * objects), so it parses.
 */
function withoutSecretKeys(text: string): string {
  const assistants = JSON.parse(text) as Record<string, unknown>[];
  for (const assistant of assistants) {
    if (typeof assistant.secret_key === 'string' && assistant.secret_key !== '') {
      assistant.secret_key = secretKeyNotKept;
    }
  }
  return JSON.stringify(assistants);
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
