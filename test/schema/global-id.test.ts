import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BadInputError } from '../../src/contract/errors.ts';
import { decodeGlobalId, encodeGlobalId, joinKey, nodeTypenames, splitKey } from '../../src/schema/global-id.ts';
import { expectBadInput } from '../helpers/bad-input.ts';

const partsFor = { Organization: 1, Assistant: 2, Integration: 3, Action: 3 } as const;
const restId = fc.oneof(
  fc.string({ minLength: 1 }),
  fc.string({ unit: 'binary', minLength: 1 }),
  fc.string({ unit: fc.constantFrom('/', '%', ':', '%2F', '%25', ' ', '.', 'a'), minLength: 1 }),
);

describe('global ids', () => {
  it.each([
    ['Organization', ['acme']],
    ['Assistant', ['acme', 'asst_1']],
    ['Integration', ['acme', 'asst_1', 'int_1']],
    ['Action', ['acme', 'asst_1', 'act_1']],
    ['Assistant', ['org/with/slashes', 'id%with%percent']],
    ['Assistant', ['ünïcødé', '😀 emoji']],
    ['Action', ['%2F', '%25', '..']],
    ['Integration', ['a:b', 'c:d', 'e/f%g']],
  ] as const)('round-trip a %s of %j', (typename, parts) => {
    const id = encodeGlobalId(typename, joinKey(parts));
    expect(id).toMatch(/^[A-Za-z0-9_-]+$/);
    const decoded = decodeGlobalId(id);
    expect(decoded.typename).toBe(typename);
    expect(splitKey(decoded.id, parts.length, typename)).toEqual(parts);
  });

  it('round-trip any REST ids of every type', () => {
    fc.assert(
      fc.property(fc.constantFrom(...nodeTypenames), fc.array(restId, { minLength: 3, maxLength: 3 }), (type, ids) => {
        const parts = ids.slice(0, partsFor[type]);
        const decoded = decodeGlobalId(encodeGlobalId(type, joinKey(parts)));
        expect(decoded.typename).toBe(type);
        expect(splitKey(decoded.id, parts.length, type)).toEqual(parts);
      }),
      { numRuns: 500 },
    );
  });

  it('keep the encoding ids always had: each REST id as encodeURIComponent writes it', () => {
    const anyId = fc.oneof(
      restId,
      fc.string({ unit: fc.constantFrom('a', 'Z', '0', '_', '-', '.', '~', '!', '*', "'") }),
    );
    fc.assert(
      fc.property(fc.array(anyId, { maxLength: 4 }), (parts) => {
        expect(joinKey(parts)).toBe(parts.map((part) => encodeURIComponent(part)).join('/'));
      }),
      { numRuns: 1_000 },
    );
  });

  it('are distinct for distinct keys', () => {
    fc.assert(
      fc.property(
        fc.array(restId, { minLength: 2, maxLength: 2 }),
        fc.array(restId, { minLength: 2, maxLength: 2 }),
        (a, b) => {
          fc.pre(a[0] !== b[0] || a[1] !== b[1]);
          expect(encodeGlobalId('Assistant', joinKey(a))).not.toBe(encodeGlobalId('Assistant', joinKey(b)));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('differ by type for the same key', () => {
    const ids = nodeTypenames.map((type) => encodeGlobalId(type, 'acme'));
    expect(new Set(ids).size).toBe(nodeTypenames.length);
  });

  it('encode number and bigint keys', () => {
    expect(decodeGlobalId(encodeGlobalId('Organization', 42))).toEqual({ typename: 'Organization', id: '42' });
    expect(decodeGlobalId(encodeGlobalId('Organization', 10n ** 30n))).toEqual({
      typename: 'Organization',
      id: `1${'0'.repeat(30)}`,
    });
  });

  const raw = (text: string) => Buffer.from(text).toString('base64url');
  it.each([
    ['garbage', 'not-a-global-id!!'],
    ['the empty string', ''],
    ['plain text', 'Assistant:acme/asst_1'],
    ['an unknown typename', raw('User:42')],
    ['a typename in the wrong case', raw('assistant:acme/asst_1')],
    ['no typename', raw(':acme')],
    ['no colon', raw('Organization')],
    ['an empty id', raw('Organization:')],
    ['padding', `${raw('Organization:acme')}=`],
    ['standard base64 padding', Buffer.from('Organization:abc').toString('base64')],
    ['whitespace inside', ` ${raw('Organization:acme')}`],
  ])('refuses %s', (_name, id) => {
    expectBadInput(() => decodeGlobalId(id));
  });

  it('refuses a non-canonical last character that decodes to the same bytes', () => {
    // 17 bytes → 23 characters, the last of which carries 2 spare bits.
    const short = raw('Organization:acme');
    expect(short.length % 4).toBe(3);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const flipped = short.slice(0, -1) + alphabet[alphabet.indexOf(short.at(-1) ?? '') ^ 1];
    expect(Buffer.from(flipped, 'base64url').toString()).toBe('Organization:acme');
    expect(decodeGlobalId(short)).toEqual({ typename: 'Organization', id: 'acme' });
    expectBadInput(() => decodeGlobalId(flipped));
  });

  it('refuses any string that is not the canonical encoding of what it decodes to', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary' })), (text) => {
        let decoded: ReturnType<typeof decodeGlobalId>;
        try {
          decoded = decodeGlobalId(text);
        } catch (error) {
          expect(error).toBeInstanceOf(BadInputError);
          return;
        }
        expect(nodeTypenames).toContain(decoded.typename);
        expect(encodeGlobalId(decoded.typename, decoded.id)).toBe(text);
      }),
      { numRuns: 500 },
    );
  });

  it('bound the echo of a long malformed id', () => {
    expect(expectBadInput(() => decodeGlobalId('!'.repeat(10_000))).message.length).toBeLessThan(200);
  });
});

describe('joinKey and splitKey', () => {
  it('percent-encode each part so that / only separates', () => {
    expect(joinKey(['a/b', 'c%d', 'e'])).toBe('a%2Fb/c%25d/e');
    expect(splitKey('a%2Fb/c%25d/e', 3, 'Action')).toEqual(['a/b', 'c%d', 'e']);
  });

  it.each<[string, string, number]>([
    ['too few parts', 'acme', 2],
    ['too many parts', 'acme/asst_1/int_1', 2],
    ['one part too many for an org', 'acme/x', 1],
    ['an empty part', 'acme//int_1', 3],
    ['an empty last part', 'acme/', 2],
    ['an empty key', '', 1],
    ['a lone percent sign', '%', 1],
    ['a bad percent escape', 'acme/%zz', 2],
    ['a truncated percent escape', 'acme/%E0%A4%A', 2],
    ['invalid UTF-8 in percent escapes', 'acme/%C3%28', 2],
  ])('refuse %s', (_name, key, count) => {
    expect(expectBadInput(() => splitKey(key, count, 'Assistant')).message).toMatch(/Assistant/);
  });

  it('refuse a key of the wrong part count end to end', () => {
    const id = encodeGlobalId('Integration', joinKey(['acme', 'asst_1']));
    expectBadInput(() => splitKey(decodeGlobalId(id).id, 3, 'Integration'));
  });
});
