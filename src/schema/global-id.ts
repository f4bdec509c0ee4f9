// Global ids, all of them: opaque to clients, `base64url(Typename:key)`
// inside, where a key joins the REST ids that locate an object (org,
// assistant, …) so that it can be refetched from the org's list alone. For
// each node type, its record → key and key → record; the type names are the
// table's. Adding a node type means a line here and the type's own file.
//
// The upstream has no get-by-id endpoint: every lookup goes through the
// org-scan loader, so all ids of one org in one request share one scan.

import { brandWithType } from '@pothos/core';
import { base64url } from '../contract/base64url.ts';
import { BadInputError, errorOfOneEntry, quoteInput } from '../contract/errors.ts';
import type { Loaders } from '../paging/loaders.ts';
import { isSendableOrgId } from '../upstream/client.ts';
import type { ActionRecord, AssistantRecord, IntegrationRecord } from '../upstream/records.ts';

/** An organization is only its REST id: nothing about it is fetched until a field needs it. */
export interface OrganizationShape {
  readonly restId: string;
}

/** Each node type: the key inside its global id, and the record a key names (null when not found). */
export const nodeIds = {
  Organization: {
    keyOf: (org: OrganizationShape) => joinKey([org.restId]),
    find: (key: string) => Promise.resolve(organizationFor(splitKey(key, 1, 'Organization')[0] as string)),
  },
  Assistant: {
    keyOf: (assistant: AssistantRecord) => joinKey([assistant.orgId, assistant.id]),
    find: (key: string, loaders: Loaders): Promise<AssistantRecord | null> => {
      const [orgId, assistantId] = splitKey(key, 2, 'Assistant') as [string, string];
      return loaders.assistant.load({ orgId, assistantId });
    },
  },
  Integration: {
    keyOf: (integration: IntegrationRecord) =>
      joinKey([integration.assistant.orgId, integration.assistant.id, integration.id]),
    find: async (key: string, loaders: Loaders): Promise<IntegrationRecord | null> => {
      const [orgId, assistantId, id] = splitKey(key, 3, 'Integration') as [string, string, string];
      const assistant = await loaders.assistant.load({ orgId, assistantId });
      return assistant?.integrations.find((integration) => integration.id === id) ?? null;
    },
  },
  Action: {
    keyOf: (action: ActionRecord) => joinKey([action.assistant.orgId, action.assistant.id, action.id]),
    find: async (key: string, loaders: Loaders): Promise<ActionRecord | null> => {
      const [orgId, assistantId, id] = splitKey(key, 3, 'Action') as [string, string, string];
      const assistant = await loaders.assistant.load({ orgId, assistantId });
      return assistant?.actions.find((action) => action.id === id) ?? null;
    },
  },
} as const;

export type NodeTypename = keyof typeof nodeIds;
export const nodeTypenames = Object.keys(nodeIds) as readonly NodeTypename[];

/** The organization for a caller-given REST id, refused if no upstream path can hold it. */
export function organizationFor(restId: string): OrganizationShape {
  if (!isSendableOrgId(restId)) {
    throw new BadInputError(`${quoteInput(restId)} cannot be an organization id: it would not stay one path segment`);
  }
  return { restId };
}

/**
 * One result per key, in key order: null for a key not found, a rejection for
 * one that is malformed or failed, which fails only its own entry. Each gets
 * an Error of its own: one failed org scan answers the keys of several types
 * (an assistant, its integrations, its actions), and an error shared between
 * entries would be changed by what is done to each.
 *
 * A found record is marked with its type before anyone sees it: Pothos' Relay
 * plugin hands the same pending result to every field of the request that
 * asks for the id (`node`, `nodes`), and marks it itself only after the first
 * of them has read it; the others would meet a record the `Node` interface
 * cannot place.
 */
export function findAll<T extends object>(
  typename: NodeTypename,
  keys: readonly string[],
  find: (key: string) => Promise<T | null>,
): Promise<T | null>[] {
  return keys.map((key) =>
    // A malformed key throws synchronously: it fails only its own entry.
    Promise.resolve()
      .then(() => find(key))
      .then((record) => record && markedAs(typename, record))
      .catch((error: unknown) => Promise.reject(errorOfOneEntry(error))),
  );
}

/** A record marked with its node type, as Pothos resolves the `Node` interface by it. */
export function markedAs<T extends object>(typename: NodeTypename, record: T): T {
  brandWithType(record, typename as Parameters<typeof brandWithType>[1]);
  return record;
}

export function encodeGlobalId(typename: string, key: string | number | bigint): string {
  return base64url(`${typename}:${key}`);
}

export function decodeGlobalId(globalId: string): { typename: NodeTypename; id: string } {
  const text = Buffer.from(globalId, 'base64url').toString();
  const colon = text.indexOf(':');
  const typename = text.slice(0, colon) as NodeTypename;
  const id = text.slice(colon + 1);
  // Re-encoding must give back the same string: that refuses garbage and
  // non-canonical spellings of an id.
  if (colon < 1 || id === '' || !nodeTypenames.includes(typename) || encodeGlobalId(typename, id) !== globalId) {
    throw new BadInputError(`${quoteInput(globalId)} is not a global id of this API`);
  }
  return { typename, id };
}

/** A key of REST ids, each percent-encoded (as `encodeURIComponent` does) so that `/` only separates. */
export function joinKey(parts: readonly string[]): string {
  let key = encodeKeyPart(parts[0] ?? '');
  for (let i = 1; i < parts.length; i++) key += `/${encodeKeyPart(parts[i] as string)}`;
  return key;
}

/** Characters `encodeURIComponent` leaves as they are (bar `!'()*`): REST ids are mostly made of them. */
const keptAsIs = /^[\w.~-]*$/;

/** A REST id made only of those needs no encoding: the common case, for several ids of every node. */
function encodeKeyPart(part: string): string {
  return keptAsIs.test(part) ? part : encodeURIComponent(part);
}

/** The REST ids of a key of `count` parts, or a BadInputError. */
export function splitKey(key: string, count: number, typename: NodeTypename): string[] {
  const parts = key.split('/');
  if (parts.length === count) {
    try {
      const decoded = parts.map(decodeURIComponent);
      if (decoded.every((part) => part !== '')) return decoded;
    } catch {
      // fall through: malformed percent-encoding
    }
  }
  throw new BadInputError(`malformed ${typename} id`);
}

/** The key inside a global id that must name an object of `typename`; any other value is bad input. */
export function keyOfGlobalId(globalId: unknown, typename: NodeTypename): string {
  if (typeof globalId !== 'string') throw new BadInputError(`the id of a ${typename} must be a string`);
  const decoded = decodeGlobalId(globalId);
  if (decoded.typename !== typename) {
    throw new BadInputError(`expected the id of a ${typename}, got the id of a ${decoded.typename}`);
  }
  return decoded.id;
}
