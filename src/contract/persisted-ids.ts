// How a client names a persisted document instead of sending its text, by
// POST (in the JSON body) or GET (in the URL), in each form clients use:
// automatic persisted queries' `extensions.persistedQuery.sha256Hash`
// (Apollo Client, urql), the GraphQL-over-HTTP draft's `documentId`, and
// Relay's `doc_id` or `id`.

/** A persisted document's id as a request carries it. */
export interface PersistedId {
  readonly id: string;
  /** `apq`: an APQ hash, which a client may register; `listed`: an id only a manifest can know. */
  readonly kind: 'apq' | 'listed';
}

/** Request parameters besides the four of GraphQL over HTTP that carry an id. */
export const persistedIdParameters = ['documentId', 'doc_id', 'id'] as const;

/** Longest id accepted: hashes are 64 characters; Relay's and custom ids are shorter still. */
export const maxIdLength = 256;

/**
 * The id a request's params carry, if any. `search` is the URL's query for a
 * GET (yoga's params keep only the GraphQL-over-HTTP four there).
 */
export function persistedIdOf(
  params: Readonly<Record<string, unknown>>,
  search?: URLSearchParams,
): PersistedId | undefined {
  const hash = apqHashOf(params.extensions);
  if (hash !== undefined) return { id: hash, kind: 'apq' };
  for (const name of persistedIdParameters) {
    const value = params[name] ?? search?.get(name) ?? undefined;
    if (typeof value === 'string' && value !== '' && value.length <= maxIdLength) {
      return { id: canonicalId(value), kind: 'listed' };
    }
  }
  return undefined;
}

function apqHashOf(extensions: unknown): string | undefined {
  if (typeof extensions !== 'object' || extensions === null) return undefined;
  const persisted = (extensions as { persistedQuery?: unknown }).persistedQuery;
  if (typeof persisted !== 'object' || persisted === null) return undefined;
  const { version, sha256Hash } = persisted as { version?: unknown; sha256Hash?: unknown };
  return version === 1 && typeof sha256Hash === 'string' ? sha256Id(sha256Hash) : undefined;
}

/**
 * A SHA-256 id in one spelling, bare lowercase hex, whichever a client or
 * tool wrote (graphql-codegen and the GraphQL-over-HTTP draft prefix
 * `sha256:`); undefined for anything that is no such hash.
 */
export function sha256Id(id: string): string | undefined {
  const hash = /^(?:sha256:)?([0-9a-f]{64})$/i.exec(id)?.[1];
  return hash?.toLowerCase();
}

/** An id as the gateway keeps it: a SHA-256 in one spelling, any other id as it is. */
export function canonicalId(id: string): string {
  return sha256Id(id) ?? id;
}
