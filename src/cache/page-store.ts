// What the page cache asks of wherever it keeps pages: this process's memory
// (memory-store.ts) or Redis shared by replicas (redis-store.ts). Kept apart
// from both, so that neither the cache nor a store imports the other.

import type { EntryTimes } from './cache-policy.ts';

/** A kept page: its text as the upstream sent it (less what may not be kept), its ETag, and its times. */
export interface CachedPage extends EntryTimes {
  readonly text: string;
  readonly etag?: string;
  /**
   * The refusals recorded for its credential when the call that brought it
   * began (`StoreRead.refusals`): it is served only while they are the same,
   * so a refusal recorded since ends it, whatever any clock says.
   */
  readonly refusals: string;
  /**
   * The generations of its organization and of the whole cache when the call
   * that brought it began (`StoreRead.generations`): it is served only while
   * they are the same, so an invalidation since ends it.
   */
  readonly generations: string;
}

/** One read: the page under a key, and what the refusal and generation keys asked with it hold. */
export interface StoreRead {
  readonly page: CachedPage | undefined;
  /** The refusal keys' values, joined; '' when none holds one. */
  readonly refusals: string;
  /** The generation keys' values, joined; '' when none was ever bumped. */
  readonly generations: string;
}

export interface PageStore {
  /**
   * The page under `key`, the refusals under `refusalKeys` and the generations
   * under `generationKeys`, read together (one round trip to a shared store).
   */
  get(key: string, refusalKeys: readonly string[], generationKeys: readonly string[]): Promise<StoreRead>;
  /** Keeps a page for `keepMs` at most. */
  set(key: string, page: CachedPage, keepMs: number): Promise<void>;
  /** Drops the page under `key`, and records under `refusalKey` a refusal (`value`, never used before) for `keepMs`. */
  refuse(key: string, refusalKey: string, value: string, keepMs: number): Promise<void>;
  /**
   * Moves the generation under `key` on (INCR): every page read with the one
   * before is never served again. Its new value; undefined when the store
   * could not say (Redis away: nothing was invalidated).
   */
  bump(key: string): Promise<number | undefined>;
  /** What it holds now, in estimated bytes (for a store in this process). */
  bytes?(): number;
}

/** A store shared by replicas, with the short locks that let one replica fill a cold key while the others wait. */
export interface SharedPageStore extends PageStore {
  /** Takes the fill lock of `key` for `ms`: `held` when another replica has it, `unavailable` when Redis cannot say. */
  lock(key: string, ms: number): Promise<'acquired' | 'held' | 'unavailable'>;
  /** Lets go of a lock this replica took (never one another replica took since it expired). */
  unlock(key: string): Promise<void>;
  /** Whether some replica holds the fill lock of `key`. */
  locked(key: string): Promise<boolean>;
  /** False while Redis is not answering. */
  available(): boolean;
  /** Settles once the first connection is made or has failed (at most `ms`): a replica that starts shares at once. */
  connected(ms: number): Promise<void>;
  close(): Promise<void>;
}

export const nothingKept: StoreRead = Object.freeze({ page: undefined, refusals: '', generations: '' });

/** Refusal or generation keys' values as one string (`StoreRead.refusals`, `.generations`): absent ones count as empty. */
export function joinValues(values: readonly (string | number | null | undefined)[]): string {
  return values.some((value) => value) ? values.map((value) => value ?? '').join(' ') : '';
}
