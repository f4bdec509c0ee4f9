// Global ids: opaque to clients, `base64url(Typename:key)` inside, where a
// key joins the REST ids that locate an object (org, assistant, …) so that
// it can be refetched from the org's list alone.

import { BadInputError, quoteInput } from './errors.ts';

export const nodeTypenames = ['Organization', 'Assistant', 'Integration', 'Action'] as const;
export type NodeTypename = (typeof nodeTypenames)[number];

export function encodeGlobalId(typename: string, key: string | number | bigint): string {
  return Buffer.from(`${typename}:${key}`).toString('base64url');
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

/** A key of REST ids, each percent-encoded so that `/` only separates. */
export function joinKey(parts: readonly string[]): string {
  return parts.map(encodeURIComponent).join('/');
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
