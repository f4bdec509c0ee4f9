// Cursors: opaque, bound to their organization, and canonical (a cursor is
// accepted only if encoding what it decodes to gives it back, which refuses
// garbage, non-canonical base64 and other organizations' cursors in one check).
//
// `v1` marks an offset. `v2`, issued now, also carries short fingerprints of
// its item and of the items on either side (or the edge of the list), so that
// a later page can find where that item went when the list changed between
// the two loads (anchoring.ts). `v1` cursors are still read, as offsets.

import { base64url } from '../contract/base64url.ts';
import { BadInputError, quoteInput } from '../contract/errors.ts';

const v1Prefix = 'assistants:v1:';
const v2Prefix = 'assistants:v2:';

/** A short fingerprint of an assistant's id (FNV-1a, base 36). */
export type Fingerprint = string;
/** In place of a neighbour's fingerprint: the list ends there. */
export const listEdge = '-';
/** In place of a neighbour's fingerprint: the neighbour was not read when the cursor was made. */
export const notRead = '_';

/** What a `v2` cursor saw: the item before its own, its own, and the one after. */
export interface Anchor {
  readonly prev: Fingerprint;
  readonly self: Fingerprint;
  readonly next: Fingerprint;
}

export interface Cursor {
  readonly offset: number;
  /** Absent for a `v1` cursor. */
  readonly anchor?: Anchor;
}

/** A cursor of `after` or `before`, as the connection was asked. */
export interface WindowCursor extends Cursor {
  readonly direction: 'after' | 'before';
  /** The page size asked (`first` or `last`): a window moved with its item keeps it. */
  readonly size: number;
}

/** The connection's cursor, if it was given one (`resolveWindow` has checked the arguments). */
export function cursorOf(
  args: {
    readonly first?: number | null;
    readonly after?: string | null;
    readonly last?: number | null;
    readonly before?: string | null;
  },
  orgId: string,
  defaultSize: number,
): WindowCursor | undefined {
  if (args.after != null)
    return { ...readCursor(args.after, orgId), direction: 'after', size: args.first ?? defaultSize };
  if (args.before != null)
    return { ...readCursor(args.before, orgId), direction: 'before', size: args.last ?? defaultSize };
  return undefined;
}

export function fingerprint(id: string): Fingerprint {
  let hash = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    hash ^= id.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(36);
}

/** A `v1` cursor for the item at `offset` of `orgId`'s list (still read; no longer issued). */
export function encodeCursor(orgId: string, offset: number): string {
  return base64url(`${v1Prefix}${offset}:${orgId}`);
}

/** A `v2` cursor: the item at `offset` of `orgId`'s list, and what surrounded it. */
export function encodeAnchoredCursor(orgId: string, offset: number, anchor: Anchor): string {
  return base64url(`${v2Prefix}${offset}:${anchor.prev}.${anchor.self}.${anchor.next}:${orgId}`);
}

const offsetText = /^(0|[1-9]\d{0,8})$/;
const fingerprintText = /^([0-9a-z]{1,7}|-|_)$/;

/** What a cursor says; refuses any cursor this org's connection did not issue. */
export function readCursor(cursor: string, orgId: string): Cursor {
  const text = Buffer.from(cursor, 'base64url').toString();
  const read = text.startsWith(v2Prefix) ? readV2(text) : text.startsWith(v1Prefix) ? readV1(text) : undefined;
  // Offsets past a billion were never issued: no org is that long.
  const reissued =
    read === undefined
      ? undefined
      : read.anchor === undefined
        ? encodeCursor(orgId, read.offset)
        : encodeAnchoredCursor(orgId, read.offset, read.anchor);
  if (read === undefined || reissued !== cursor) {
    throw new BadInputError(`cursor ${quoteInput(cursor)} was not issued by this connection`);
  }
  return read;
}

/** The offset a cursor marks, whichever its version. */
export function decodeCursor(cursor: string, orgId: string): number {
  return readCursor(cursor, orgId).offset;
}

function readV1(text: string): Cursor | undefined {
  const offset = text.slice(v1Prefix.length, text.indexOf(':', v1Prefix.length));
  return offsetText.test(offset) ? { offset: Number(offset) } : undefined;
}

function readV2(text: string): Cursor | undefined {
  const [offset, marks] = text.slice(v2Prefix.length).split(':', 2);
  const [prev, self, next, ...rest] = (marks ?? '').split('.');
  if (offset === undefined || !offsetText.test(offset) || rest.length > 0) return undefined;
  if (![prev, self, next].every((mark) => mark !== undefined && fingerprintText.test(mark))) return undefined;
  // Its own item is always read: only a neighbour may be the list's edge or unread.
  if (self === listEdge || self === notRead) return undefined;
  return { offset: Number(offset), anchor: { prev, self, next } as Anchor };
}
