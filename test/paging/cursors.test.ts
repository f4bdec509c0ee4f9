// Cursors as clients keep them: a v2 cursor carries its assistant's
// fingerprint and its neighbours', reads back exactly, refuses what this
// connection did not issue, and a v1 cursor from before still reads (as an
// offset, with nothing to check).

import { describe, expect, it } from 'vitest';
import {
  cursorOf,
  encodeAnchoredCursor,
  encodeCursor,
  fingerprint,
  listEdge,
  notRead,
  readCursor,
} from '../../src/paging/cursors.ts';
import { expectBadInput } from '../helpers/bad-input.ts';

const anchor = { prev: listEdge, self: fingerprint('asst_1'), next: notRead };

describe('cursors', () => {
  it('write a v2 cursor the same way across deploys (clients keep them)', () => {
    expect(fingerprint('asst_1')).toBe('1curu62');
    expect(encodeAnchoredCursor('acme', 3, anchor)).toBe('YXNzaXN0YW50czp2MjozOi0uMWN1cnU2Mi5fOmFjbWU');
  });

  it('read a v2 cursor back: its offset and what stood around it', () => {
    expect(readCursor(encodeAnchoredCursor('acme', 3, anchor), 'acme')).toEqual({ offset: 3, anchor });
    const other = { prev: fingerprint('a'), self: fingerprint('b'), next: fingerprint('c') };
    expect(readCursor(encodeAnchoredCursor('ünï/cødé:😀', 999_999_999, other), 'ünï/cødé:😀')).toEqual({
      offset: 999_999_999,
      anchor: other,
    });
  });

  it('read a v1 cursor as an offset with nothing to check', () => {
    expect(readCursor(encodeCursor('acme', 7), 'acme')).toEqual({ offset: 7 });
    expect(cursorOf({ first: 3, after: encodeCursor('acme', 7) }, 'acme', 20)).toEqual({
      offset: 7,
      direction: 'after',
      size: 3,
    });
  });

  it('refuse a v2 cursor of another organization, edited, or not canonical', () => {
    const cursor = encodeAnchoredCursor('acme', 3, anchor);
    expectBadInput(() => readCursor(cursor, 'hooli'));
    const text = Buffer.from(cursor, 'base64url').toString();
    for (const edited of [
      text.replace(':3:', ':03:'),
      text.replace(':-.', ':.'),
      text.replace('.1curu62.', '.1CURU62.'),
      text.replace('._:', '._.x:'),
      text.replace(':acme', ''),
    ]) {
      expectBadInput(() => readCursor(Buffer.from(edited).toString('base64url'), 'acme'));
    }
    expectBadInput(() => readCursor(`${cursor}=`, 'acme'));
  });

  it('tell after from before', () => {
    const cursor = encodeAnchoredCursor('acme', 3, anchor);
    expect(cursorOf({ before: cursor }, 'acme', 20)).toEqual({ offset: 3, anchor, direction: 'before', size: 20 });
    expect(cursorOf({}, 'acme', 20)).toBeUndefined();
  });
});
