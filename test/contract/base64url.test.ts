// Global ids and cursors are kept by clients: the way they are written must
// never change what they are.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { base64url } from '../../src/contract/base64url.ts';

const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((code) => String.fromCharCode(code));

describe('base64url', () => {
  it('is Buffer.from(text).toString("base64url") for any text, long ones and lone surrogates included', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: 'binary', maxLength: 200 }),
          fc.string({ unit: fc.oneof(fc.constantFrom('a', 'é', '日', '😀'), loneSurrogate), maxLength: 200 }),
          // Near and past the scratch space's 4 KiB, in characters of two, three and four bytes.
          fc.string({ unit: fc.constantFrom('é', '日', '😀'), minLength: 1_000, maxLength: 1_600 }),
        ),
        (text) => {
          expect(base64url(text)).toBe(Buffer.from(text).toString('base64url'));
        },
      ),
      { numRuns: 1_000 },
    );
  });

  it('answers each text rightly when the calls before it used the scratch space', () => {
    const long = 'x'.repeat(2_000);
    expect([base64url('Assistant:acme/a1'), base64url(long), base64url('A')]).toEqual([
      Buffer.from('Assistant:acme/a1').toString('base64url'),
      Buffer.from(long).toString('base64url'),
      'QQ',
    ]);
  });
});
