// Pure: what the upstream's and the caller's Cache-Control say, and how long
// a page stays fresh, may be served stale while it revalidates, and may be
// served stale when the upstream fails.

export interface CacheWindows {
  /** Fresh for (CACHE_TTL_MS), unless the upstream's max-age says otherwise. */
  readonly ttlMs: number;
  /** After that, served at once while one refresh runs in the background. */
  readonly staleWhileRevalidateMs: number;
  /** After freshness, served when the upstream fails (5xx, timeout, unreachable). */
  readonly staleIfErrorMs: number;
}

/** What the upstream's `Cache-Control` allows for a page. */
export interface UpstreamDirectives {
  /** Never keep it. */
  readonly noStore: boolean;
  /** Keep it, but never serve it without asking the upstream again. */
  readonly noCache: boolean;
  /** Fresh for this long, in place of the TTL. */
  readonly maxAgeMs: number | undefined;
}

export function upstreamDirectives(cacheControl: string | undefined): UpstreamDirectives {
  const directives = parse(cacheControl);
  const maxAge = directives.get('max-age');
  return {
    noStore: directives.has('no-store') || directives.has('private'),
    noCache: directives.has('no-cache'),
    maxAgeMs: maxAge !== undefined && /^\d+$/.test(maxAge) ? Number(maxAge) * 1_000 : undefined,
  };
}

/** What the caller asked: `no-store` bypasses the cache, `no-cache` skips fresh entries (revalidates). */
export type CallerCacheMode = 'default' | 'no-cache' | 'no-store';

export function callerCacheMode(cacheControl: string | null | undefined): CallerCacheMode {
  // Asked of every operation, and most callers send none.
  if (!cacheControl) return 'default';
  const directives = parse(cacheControl);
  if (directives.has('no-store')) return 'no-store';
  if (directives.has('no-cache') || directives.get('max-age') === '0') return 'no-cache';
  return 'default';
}

/** A kept page's times, all in ms since the epoch. */
export interface EntryTimes {
  readonly storedAt: number;
  readonly freshUntil: number;
  readonly revalidateUntil: number;
  readonly staleIfErrorUntil: number;
}

export function entryTimes(now: number, windows: CacheWindows, directives: UpstreamDirectives): EntryTimes {
  const freshFor = directives.noCache ? 0 : (directives.maxAgeMs ?? windows.ttlMs);
  const freshUntil = now + freshFor;
  return {
    storedAt: now,
    freshUntil,
    revalidateUntil: directives.noCache ? freshUntil : freshUntil + windows.staleWhileRevalidateMs,
    staleIfErrorUntil: freshUntil + windows.staleIfErrorMs,
  };
}

/** A page with a validator (ETag) is kept this long past its windows: a 304 can still refresh it without a body. */
export const validatorRetentionMs = 60 * 60 * 1000;

/** How long a store keeps an entry: until no window can use it, or longer for a page that can be revalidated. */
export function retentionMs(times: EntryTimes, now: number, hasValidator: boolean): number {
  const windows = Math.max(times.revalidateUntil, times.staleIfErrorUntil, times.freshUntil) - now;
  return hasValidator ? Math.max(windows, validatorRetentionMs) : windows;
}

function parse(header: string | undefined): Map<string, string | undefined> {
  const directives = new Map<string, string | undefined>();
  for (const part of (header ?? '').split(',')) {
    const [name, value] = part.split('=', 2).map((piece) => piece.trim());
    if (name) directives.set(name.toLowerCase(), value?.replace(/^"|"$/g, ''));
  }
  return directives;
}
