// Where the page cache keeps one request's page, where it records the
// upstream refusals that end it (both built on a keyed hash of the caller's
// `Authorization`, so a page fetched with one credential is never served to
// another and no token is ever part of a key), and the generations that an
// invalidation moves on: one per organization, one for the whole cache.

import { createHmac } from 'node:crypto';
import type { AssistantPageRequest } from '../upstream/client.ts';
import { UpstreamStatusError } from '../upstream/errors.ts';
import { pageRequestKey } from '../upstream/page-request-key.ts';

/** Where one request's page is kept, and where the refusals that would end it are recorded. */
export interface PageKeys {
  readonly page: string;
  /** Refusals of the credential (401), then of the credential for the org (403, 404). */
  readonly refusals: readonly [credential: string, organization: string];
  /** The generations the page is read with: of the whole cache, of its organization (whatever the credential). */
  readonly generations: readonly [all: string, organization: string];
}

/** What an invalidation ends: one organization's pages, for every credential, or every page. */
export type InvalidationTarget = { readonly org: string } | { readonly all: true };

const allGenerationKey = 'generation:all';
// The org id comes last: it is the one part that may hold any character.
const orgGenerationKey = (orgId: string) => `generation:org:${orgId}`;

export function pageKeysOf(
  request: AssistantPageRequest,
  keySecret: string | Buffer,
  keepSecretKeys: boolean,
): PageKeys {
  const credential = credentialKey(keySecret, request.authorization);
  // Pages kept with and without secret keys never meet (EXPOSE_SECRET_KEYS changed, or replicas that differ).
  const secrets = keepSecretKeys ? 'with-secrets' : 'no-secrets';
  return {
    page: `page:${secrets}:${credential}:${pageRequestKey(request)}`,
    refusals: [`refused:${credential}`, `refused:${credential}:${request.orgId}`],
    generations: [allGenerationKey, orgGenerationKey(request.orgId)],
  };
}

/** The generation key an invalidation moves on. */
export function generationKeyOf(target: InvalidationTarget): string {
  return 'org' in target ? orgGenerationKey(target.org) : allGenerationKey;
}

/** The refusal key an upstream error is recorded under; undefined for an error that is no refusal. */
export function refusalKeyFor(keys: PageKeys, error: unknown): string | undefined {
  const scope = refusalScope(error);
  if (scope === undefined) return undefined;
  return scope === 'credential' ? keys.refusals[0] : keys.refusals[1];
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

/** A keyed hash of a caller's `Authorization`: page keys reach the shared store, and no token may be part of one. */
function credentialKey(secret: string | Buffer, authorization: string | undefined): string {
  return createHmac('sha256', secret)
    .update(authorization ?? '')
    .digest('base64url');
}
