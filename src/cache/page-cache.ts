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
//
// An invalidation (an organization's pages, or all) moves a generation on; a
// page carries the generations it was read with, read in the same round trip
// as the page, and is served only while they are the same.

import { randomUUID } from 'node:crypto';
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
} from '../upstream/errors.ts';
import { staleAgeSeconds } from '../upstream/staleness.ts';
import {
  type CacheWindows,
  entryTimes,
  retentionMs,
  upstreamDirectives,
  validatorRetentionMs,
} from './cache-policy.ts';
import { generationKeyOf, type InvalidationTarget, type PageKeys, pageKeysOf, refusalKeyFor } from './page-keys.ts';
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
  readonly sharedFill?: SharedFill;
}

interface SharedFill {
  readonly lockMs: number;
  readonly waitMs: number;
  readonly onFilledByOther?: () => void;
}

/**
 * What one read of the store found: the page, if still valid, and the
 * refusals and generations that a page kept now must carry.
 */
interface Found {
  readonly page: CachedPage | undefined;
  readonly refusals: string;
  readonly generations: string;
}

/** The upstream through the page cache, and the cache's invalidation. */
export interface CachingClient extends UpstreamClient {
  /** Ends the target's pages, for every credential: the generation it moved to; undefined when Redis did not answer. */
  invalidate(target: InvalidationTarget): Promise<number | undefined>;
}

/** A store that lends a cold key's fill lock: one shared by replicas. */
type FillLockStore = PageStore & Pick<SharedPageStore, 'lock' | 'unlock'> & Partial<SharedPageStore>;

/** How often a replica waiting for another's fill looks again. */
const fillPollMs = 25;

export function cachePages(client: UpstreamClient, options: PageCacheOptions): CachingClient {
  const cache = new PageCache(client, options);
  return {
    fetchAssistantPage: (request) => cache.fetchAssistantPage(request),
    invalidate: (target) => cache.invalidate(target),
    close: () => client.close(),
  };
}

/** The cache's state (its clock, the refreshes under way) and the ways it answers a request. */
class PageCache {
  private readonly now: () => number;
  /** Background refreshes under way, one per key: bounded by the keys being refreshed. */
  private readonly refreshing = new Set<string>();
  /**
   * How long a refusal is recorded, the same on every replica: as long as the
   * longest a page may be kept (its windows, or the hour a page with an ETag
   * is kept to be revalidated), and no page is kept longer. A page kept before
   * a refusal is thus never used again, not even to revalidate.
   */
  private readonly refusalKeepMs: number;

  constructor(
    private readonly client: UpstreamClient,
    private readonly options: PageCacheOptions,
  ) {
    this.now = options.now ?? Date.now;
    const { windows } = options;
    this.refusalKeepMs = Math.max(
      windows.ttlMs + Math.max(windows.staleWhileRevalidateMs, windows.staleIfErrorMs),
      validatorRetentionMs,
    );
  }

  async fetchAssistantPage(request: AssistantPageRequest): Promise<AssistantPageBody> {
    const mode = request.cacheMode ?? 'default';
    const keys = pageKeysOf(request, this.options.keySecret, this.options.keepSecretKeys);
    if (mode === 'no-store') {
      this.lookup('bypass');
      // Nothing is kept, but a refusal still counts.
      return this.callUpstream(keys, request);
    }
    const found = await this.find(keys);
    const kept = found.page;
    const at = this.now();
    if (kept && mode === 'default') {
      const served = this.serveKept(keys, found, kept, request, at);
      if (served) return served;
    }
    const { store, sharedFill } = this.options;
    // A store that just failed to answer is skipped for the fill lock too: one wait on it per request at most.
    if (!kept && sharedFill && lendsFillLock(store)) {
      const filled = await this.fillShared(store, sharedFill, keys, found, request);
      if (filled) return filled;
    }
    return this.fetchAndKeep(keys, found, request, at);
  }

  /**
   * Moves the target's generation on: no page read with the one before is
   * served again, by this process or (in a shared store) any replica, and a
   * call under way when it moved keeps its page under the old one.
   */
  invalidate(target: InvalidationTarget): Promise<number | undefined> {
    return this.options.store.bump(generationKeyOf(target));
  }

  private lookup(result: CacheLookup): void {
    this.options.onLookup?.(result);
  }

  /** A kept page answered at once: while fresh, or stale while one refresh runs in the background. Undefined past both. */
  private serveKept(
    keys: PageKeys,
    found: Found,
    kept: CachedPage,
    request: AssistantPageRequest,
    at: number,
  ): AssistantPageBody | undefined {
    if (at < kept.freshUntil) {
      this.lookup('hit');
      return chargeBody(pageBody(kept.text, request), request);
    }
    if (at < kept.revalidateUntil) {
      this.lookup('stale');
      this.refreshInBackground(keys, found, kept, request);
      return chargeBody(staleBody(kept, request, at), request);
    }
    return undefined;
  }

  /**
   * A cold key in a store shared by replicas: one replica fills it, the
   * others wait for the fill up to a bound. Undefined when this replica is to
   * call the upstream itself after all.
   */
  private async fillShared(
    store: FillLockStore,
    sharedFill: SharedFill,
    keys: PageKeys,
    found: Found,
    request: AssistantPageRequest,
  ): Promise<AssistantPageBody | undefined> {
    const lock = await store.lock(keys.page, sharedFill.lockMs);
    if (lock === 'acquired') {
      try {
        return await this.keep(keys.page, found, await this.callUpstream(keys, request), request, true);
      } finally {
        void store.unlock(keys.page);
      }
    }
    const filled = lock === 'held' ? await this.waitForFill(keys, sharedFill.waitMs, request.signal) : undefined;
    if (filled) {
      sharedFill.onFilledByOther?.();
      this.lookup('hit');
      return chargeBody(pageBody(filled.text, request), request);
    }
    if (request.signal?.aborted) throw request.signal.reason;
    return undefined;
  }

  private async waitForFill(keys: PageKeys, waitMs: number, signal: AbortSignal | undefined) {
    const until = this.now() + waitMs;
    const store = this.options.store as Partial<SharedPageStore>;
    // Redis gone while waiting: go to the upstream rather than wait out the bound.
    while (this.now() < until && !signal?.aborted && store.available?.() !== false) {
      await new Promise((resolve) => setTimeout(resolve, fillPollMs));
      const filled = (await this.find(keys)).page;
      if (filled) return filled;
      // The filler let go: its page is kept by now, or it had none to keep (a failure, a no-store, a refusal).
      if (store.locked && !(await store.locked(keys.page))) return (await this.find(keys)).page;
    }
    return undefined;
  }

  /** The upstream's answer, revalidating the page kept (if any) and kept in turn; the kept page if the upstream is down. */
  private async fetchAndKeep(
    keys: PageKeys,
    found: Found,
    request: AssistantPageRequest,
    at: number,
  ): Promise<AssistantPageBody> {
    const kept = found.page;
    try {
      const asked = { ...request, generations: found.generations };
      const body = await this.callUpstream(keys, kept?.etag ? { ...asked, ifNoneMatch: kept.etag } : asked);
      return await this.keep(keys.page, found, body, request, true);
    } catch (error) {
      if (kept && at < kept.staleIfErrorUntil && upstreamUnavailable(error)) {
        this.lookup('stale');
        return chargeBody(staleBody(kept, request, at), request);
      }
      throw error;
    }
  }

  private refreshInBackground(keys: PageKeys, found: Found, kept: CachedPage, request: AssistantPageRequest): void {
    if (this.refreshing.has(keys.page)) return;
    this.refreshing.add(keys.page);
    // Nobody waits on it: the caller's abort, budgets, trace and Cache-Control stay
    // the caller's. Whatever names the page (an argument added later too) goes on.
    const { signal, mayRetry, byteBudget, traceParent, cacheMode, ...page } = request;
    const background: AssistantPageRequest = {
      ...page,
      signal: undefined,
      ifNoneMatch: kept.etag,
      generations: found.generations,
    };
    this.callUpstream(keys, background)
      .then((body) => this.keep(keys.page, found, body, background, false))
      // A failure leaves the page as it is, a refusal has ended it: the next request finds out for itself.
      .catch(() => undefined)
      .finally(() => this.refreshing.delete(keys.page));
  }

  /**
   * The page kept under these keys, unless a refusal was recorded or an
   * invalidation made since the call that brought it began.
   */
  private async find(keys: PageKeys): Promise<Found> {
    const { page, refusals, generations } = await this.options.store.get(keys.page, keys.refusals, keys.generations);
    const valid = page?.refusals === refusals && page.generations === generations;
    return { page: valid ? page : undefined, refusals, generations };
  }

  /** The upstream's answer; a refusal is recorded before it reaches the caller. */
  private async callUpstream(keys: PageKeys, request: AssistantPageRequest): Promise<AssistantPageBody> {
    try {
      return await this.client.fetchAssistantPage(request);
    } catch (error) {
      const refusalKey = refusalKeyFor(keys, error);
      if (refusalKey !== undefined) {
        await this.options.store.refuse(keys.page, refusalKey, randomUUID(), this.refusalKeepMs);
      }
      throw error;
    }
  }

  /**
   * Keeps what the upstream answered (as its Cache-Control allows) and returns
   * the page to serve. `found` is what the store held before the call began:
   * the page it revalidated, and the refusals the kept page carries.
   */
  private async keep(
    key: string,
    found: Found,
    body: AssistantPageBody,
    request: AssistantPageRequest,
    counted: boolean,
  ): Promise<AssistantPageBody> {
    const { windows, keepSecretKeys } = this.options;
    const directives = upstreamDirectives(body.cacheControl);
    const at = this.now();
    const kept = found.page;
    if (body.notModified) {
      // Only a caller that sent If-None-Match gets a 304 (coalescing keys on it), and it kept the page.
      if (!kept) throw new UpstreamBadResponseError('status: 304 for a page that was not asked to be revalidated');
      const times = entryTimes(at, windows, directives);
      const { refusals, generations } = found;
      const page = { text: kept.text, etag: body.etag ?? kept.etag, refusals, generations, ...times };
      // Not awaited: a slow store must not hold the answer (Redis runs a connection's commands in order,
      // so a fill lock released after this still follows the write).
      if (!directives.noStore) this.keepPage(key, page, at);
      if (counted) this.lookup('revalidated');
      return pageBody(kept.text, request);
    }
    if (counted) this.lookup('miss');
    if (!directives.noStore) {
      // Decoded once before it is kept: a body that does not fit is never kept.
      body.decode();
      const text = keepSecretKeys ? body.text : withoutSecretKeys(body.text);
      const times = entryTimes(at, windows, directives);
      const { refusals, generations } = found;
      this.keepPage(key, { text, etag: body.etag, refusals, generations, ...times }, at);
    }
    return body;
  }

  private keepPage(key: string, page: CachedPage, at: number): void {
    const keepMs = Math.min(retentionMs(page, at, page.etag !== undefined), this.refusalKeepMs);
    void this.options.store.set(key, page, keepMs);
  }
}

/** A store that lends the fill lock now: shared by replicas, and not just failed to answer. */
function lendsFillLock(store: PageStore): store is FillLockStore {
  const shared = store as Partial<SharedPageStore>;
  return Boolean(shared.lock && shared.unlock) && shared.available?.() !== false;
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
  return { ...pageBody(kept.text, request), staleAgeSeconds: staleAgeSeconds(kept.storedAt, at) };
}

/** The upstream could not answer (see isUpstreamDown), or the gateway held the call back. Never a 4xx. */
function upstreamUnavailable(error: unknown): boolean {
  return isUpstreamDown(error) || error instanceof UpstreamCircuitOpenError || error instanceof UpstreamBusyError;
}
