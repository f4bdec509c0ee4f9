// The in-process store of cached pages: least recently used go first, bounded
// in bytes (CACHE_MAX_BYTES); an entry also goes once no window can use it.

import { LRUCache } from 'lru-cache';
import type { CachedPage, PageStore } from './page-cache.ts';

/** What an entry costs beside its text: key, times, the map's own node. */
const entryOverheadBytes = 300;

export function createMemoryStore(maxBytes: number): PageStore {
  const entries = new LRUCache<string, CachedPage>({
    maxSize: maxBytes,
    // Two bytes per character: V8 may hold the text as UTF-16.
    sizeCalculation: (page, key) => page.text.length * 2 + key.length * 2 + entryOverheadBytes,
  });
  return {
    get: async (key) => entries.get(key),
    set: async (key, page, keepMs) => {
      if (keepMs > 0) entries.set(key, page, { ttl: keepMs });
    },
    delete: async (key) => {
      entries.delete(key);
    },
    bytes: () => entries.calculatedSize,
  };
}
