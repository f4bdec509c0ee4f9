// The in-process store of cached pages and refusals: least recently used go
// first, bounded in bytes (CACHE_MAX_BYTES); an entry also goes once no
// window can use it.

import { LRUCache } from 'lru-cache';
import { type CachedPage, joinRefusals, type PageStore } from './page-store.ts';

/** What an entry costs beside its text: key, times, the map's own node. */
const entryOverheadBytes = 300;

/** A refusal is kept as its value; a page as itself. */
type Entry = CachedPage | string;

export function createMemoryStore(maxBytes: number): PageStore {
  const entries = new LRUCache<string, Entry>({
    maxSize: maxBytes,
    // Two bytes per character: V8 may hold the text as UTF-16.
    sizeCalculation: (entry, key) =>
      (typeof entry === 'string' ? entry.length : entry.text.length) * 2 + key.length * 2 + entryOverheadBytes,
  });
  return {
    get: async (key, refusalKeys) => {
      const page = entries.get(key);
      const refusals = refusalKeys.map((refusalKey) => {
        const value = entries.get(refusalKey);
        return typeof value === 'string' ? value : undefined;
      });
      return { page: typeof page === 'string' ? undefined : page, refusals: joinRefusals(refusals) };
    },
    set: async (key, page, keepMs) => {
      if (keepMs > 0) entries.set(key, page, { ttl: keepMs });
    },
    refuse: async (key, refusalKey, value, keepMs) => {
      entries.delete(key);
      if (keepMs > 0) entries.set(refusalKey, value, { ttl: keepMs });
    },
    bytes: () => entries.calculatedSize,
  };
}
