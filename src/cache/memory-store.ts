// The in-process store of cached pages and refusals: least recently used go
// first, bounded in bytes (CACHE_MAX_BYTES); an entry also goes once no
// window can use it. The generations of cache invalidation are kept beside
// the entries, never evicted with them.

import { LRUCache } from 'lru-cache';
import { type CachedPage, joinValues, type PageStore } from './page-store.ts';

/** What an entry costs beside its text: key, times, the map's own node. */
const entryOverheadBytes = 300;

/**
 * Generations kept at most (one an organization invalidated): past that they
 * all start again under a new epoch, which ends every page kept before, a
 * safe excess.
 */
const maxGenerations = 10_000;

/** A refusal is kept as its value; a page as itself. */
type Entry = CachedPage | string;

export function createMemoryStore(maxBytes: number): PageStore {
  const entries = new LRUCache<string, Entry>({
    maxSize: maxBytes,
    // Two bytes per character: V8 may hold the text as UTF-16.
    sizeCalculation: (entry, key) =>
      (typeof entry === 'string' ? entry.length : entry.text.length) * 2 + key.length * 2 + entryOverheadBytes,
  });
  const generations = new Map<string, number>();
  let epoch = 0;
  return {
    get: async (key, refusalKeys, generationKeys) => {
      const page = entries.get(key);
      const refusals = refusalKeys.map((refusalKey) => {
        const value = entries.get(refusalKey);
        return typeof value === 'string' ? value : undefined;
      });
      const bumped = joinValues(generationKeys.map((generationKey) => generations.get(generationKey)));
      return {
        page: typeof page === 'string' ? undefined : page,
        refusals: joinValues(refusals),
        // No epoch before the first reset: pages read before any invalidation carry ''.
        generations: epoch === 0 ? bumped : `${epoch}:${bumped}`,
      };
    },
    set: async (key, page, keepMs) => {
      if (keepMs > 0) entries.set(key, page, { ttl: keepMs });
    },
    refuse: async (key, refusalKey, value, keepMs) => {
      entries.delete(key);
      if (keepMs > 0) entries.set(refusalKey, value, { ttl: keepMs });
    },
    bump: async (key) => {
      if (!generations.has(key) && generations.size >= maxGenerations) {
        generations.clear();
        epoch++;
      }
      const generation = (generations.get(key) ?? 0) + 1;
      generations.set(key, generation);
      return generation;
    },
    bytes: () => entries.calculatedSize,
  };
}
