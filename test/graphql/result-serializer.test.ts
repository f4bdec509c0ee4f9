import fc from 'fast-check';
import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { serializeJson } from '../../src/graphql/result-serializer.ts';

/** Values as execution results hold them, and a few that JSON has no form for. */
const resultLike = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.string({ unit: 'binary' }),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.constant(undefined),
    fc.constant(() => 'no JSON form'),
    fc.date({ noInvalidDate: true }),
    fc.array(tie('value'), { maxLength: 40 }),
    fc.dictionary(fc.string({ unit: 'binary' }), tie('value'), { maxKeys: 8 }),
  ),
}));

describe('the result serializer', () => {
  it('writes exactly the bytes of JSON.stringify, for any value', () => {
    fc.assert(
      fc.property(resultLike.value, (value) => {
        expect(serializeJson(value).toString()).toBe(JSON.stringify(value) ?? '');
      }),
      { numRuns: 500 },
    );
  });

  it('keeps characters of every width whole across its pieces', () => {
    const wide = 'é–日本語😀'.repeat(5_000);
    const result = { data: { list: Array.from({ length: 30 }, (_, i) => ({ i, text: wide.slice(i * 2) })) } };
    expect(serializeJson(result).equals(Buffer.from(JSON.stringify(result)))).toBe(true);
  });

  it('serialises errors through their own toJSON, as JSON.stringify does', () => {
    const result = { data: null, errors: [new GraphQLError('no', { extensions: { code: 'UPSTREAM_ERROR' } })] };
    expect(serializeJson(result).toString()).toBe(JSON.stringify(result));
  });
});
