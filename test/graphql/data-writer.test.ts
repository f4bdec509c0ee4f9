// A hot operation's `data` is written by code generated from its shape; the
// bytes must be exactly those of JSON.stringify, whatever the values, and a
// result that does not have the shape must still be serialised right.

import fc from 'fast-check';
import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { createSeedData } from '../../src/demo/seed.ts';
import { ByteSink } from '../../src/graphql/byte-sink.ts';
import { generateDataWriter } from '../../src/graphql/data-writer.ts';
import { exampleQuery } from '../../src/graphql/example-query.ts';
import {
  maxShapeFields,
  maxShapeKeyChars,
  type ResponseShape,
  responseShapeOf,
} from '../../src/graphql/response-shape.ts';
import { serializeJson, writeDataWith } from '../../src/graphql/result-serializer.ts';
import { encodeGlobalId } from '../../src/schema/global-id.ts';
import { createSchema } from '../../src/schema/index.ts';
import { startTestGateway } from '../helpers/gateway.ts';

const schema = createSchema({ exposeSecretKeys: false });

const leaf = { kind: 'leaf' } as const;
const any = { kind: 'any' } as const;
const list = (item: ResponseShape): ResponseShape => ({ kind: 'list', item });
const object = (...fields: [string, ResponseShape][]): ResponseShape => ({
  kind: 'object',
  fields: fields.map(([key, shape]) => ({ key, shape })),
});

/** Shapes as operations have them: objects of leaves, lists, nested objects and values of an interface. */
const shapes = fc.letrec<{ shape: ResponseShape; object: ResponseShape }>((tie) => ({
  shape: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(leaf),
    fc.constant(any),
    tie('shape').map(list),
    tie('object'),
  ),
  object: fc
    .uniqueArray(fc.tuple(fc.stringMatching(/^[_A-Za-z][_0-9A-Za-z]{0,6}$/), tie('shape')), {
      selector: ([key]) => key,
      maxLength: 5,
    })
    .filter((fields) => fields.every(([key]) => key !== '__proto__'))
    .map((fields) => object(...fields)),
}));

/** What a leaf may hold: any string (lone surrogates and control characters too), any number, a custom scalar's value. */
const leafValues = fc.oneof(
  fc.string({ unit: 'binary' }),
  fc.string({ unit: 'grapheme-ascii' }),
  fc.double(),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.date({ noInvalidDate: true }),
  fc.jsonValue(),
);

/** A value of `shape`, null wherever a value may be null. */
function valueOfShape(shape: ResponseShape): fc.Arbitrary<unknown> {
  switch (shape.kind) {
    case 'leaf':
      return leafValues;
    case 'any':
      return fc.oneof(fc.jsonValue(), fc.dictionary(fc.string(), fc.jsonValue(), { maxKeys: 4 }));
    case 'list':
      return fc.oneof(fc.constant(null), fc.array(valueOfShape(shape.item), { maxLength: 4 }));
    case 'object':
      return fc.oneof(
        { weight: 1, arbitrary: fc.constant(null) },
        {
          weight: 4,
          arbitrary: fc
            .tuple(...shape.fields.map((field) => valueOfShape(field.shape)))
            .map((values) => Object.fromEntries(shape.fields.map((field, index) => [field.key, values[index]]))),
        },
      );
  }
}

const shapeWithData = shapes.object.chain((shape) => valueOfShape(shape).map((data) => ({ shape, data })));

describe('a data writer', () => {
  it('writes exactly the bytes of JSON.stringify for any data of its shape', () => {
    fc.assert(
      fc.property(shapeWithData, ({ shape, data }) => {
        const result = { data, extensions: { cost: 1 } };
        writeDataWith(data, generateDataWriter(shape).write);
        expect(serializeJson(result).toString()).toBe(JSON.stringify(result));
      }),
      { numRuns: 400 },
    );
  });

  it.each([
    ['a key missing', { a: 'x' }],
    ['a key with no JSON form', { a: 'x', b: undefined }],
    ['an object where a list is', { a: 'x', b: { 0: 1 } }],
    ['a list item with no JSON form', { a: 'x', b: [() => 1] }],
    ['a string where an object is', { a: 'x', b: 'no' }],
  ])('writes what JSON.stringify does for data not of its shape: %s', (_name, data) => {
    const shape = object(['a', leaf], ['b', list(object(['c', leaf]))]);
    const result = { data };
    writeDataWith(data, generateDataWriter(shape).write);
    expect(serializeJson(result).toString()).toBe(JSON.stringify(result));
  });

  it("writes the shape's keys in the shape's order, whatever order the data holds them in, and no other", () => {
    // graphql-jit builds `{ ...F id }` with `id` first; the spec, and the shape, keep the document's order.
    const shape = object(['restId', leaf], ['id', leaf]);
    const data = { id: 'b', extra: 'not asked', restId: 'a' };
    writeDataWith(data, generateDataWriter(shape).write);
    expect(serializeJson({ data }).toString()).toBe('{"data":{"restId":"a","id":"b"}}');
  });

  it('falls back where a value of an interface has no JSON form, as it falls back for a missing key', () => {
    const data = { node: () => 'no JSON form' };
    writeDataWith(data, generateDataWriter(object(['node', any])).write);
    expect(serializeJson({ data }).toString()).toBe(JSON.stringify({ data }));
  });

  it('keeps characters of every width whole, however long the string', () => {
    const wide = 'é–日本語😀\u0001"\\'.repeat(20_000);
    const data = {
      items: Array.from({ length: 30 }, (_, i) => ({ text: wide.slice(i * 3), ascii: 'a'.repeat(i * 5_000) })),
    };
    writeDataWith(data, generateDataWriter(object(['items', list(object(['text', leaf], ['ascii', leaf]))])).write);
    expect(serializeJson({ data }).equals(Buffer.from(JSON.stringify({ data })))).toBe(true);
  });
});

describe("an operation's response shape", () => {
  const shapeOf = (document: string, operationName?: string) => responseShapeOf(schema, parse(document), operationName);

  it('lists keys in execution order: first occurrence wins, fragments inlined where their type matches', () => {
    const shape = shapeOf(`
      query {
        organization(restId: "a") {
          ... on Organization { restId }
          ...Org
          id
          ... on Node { id other: id }
          ... on Assistant { name }
        }
      }
      fragment Org on Organization { __typename restId }
    `);
    expect(shape).toEqual(
      object(['organization', object(['restId', leaf], ['__typename', leaf], ['id', leaf], ['other', leaf])]),
    );
  });

  it('merges the sub-selections of fields under one key', () => {
    const shape = shapeOf('{ organization(restId: "a") { restId } organization(restId: "a") { id } }');
    expect(shape).toEqual(object(['organization', object(['restId', leaf], ['id', leaf])]));
  });

  it('decides @skip and @include with a literal, and skips what they exclude', () => {
    const shape = shapeOf(
      '{ a: __typename @skip(if: true) b: __typename @include(if: true) c: __typename @include(if: false) }',
    );
    expect(shape).toEqual(object(['b', leaf]));
  });

  it('gives values of an interface no keys of their own, and introspection none', () => {
    expect(shapeOf('{ node(id: "x") { id } nodes(ids: []) { id } __schema { queryType { name } } }')).toEqual(
      object(['node', any], ['nodes', list(any)], ['__schema', any]),
    );
  });

  it.each([
    ['keys that depend on a variable', 'query ($on: Boolean!) { __typename @include(if: $on) }', undefined],
    ['a mutation', 'mutation { __typename }', undefined],
    ['an operation name that names none', 'query A { __typename }', 'B'],
    ['several operations and no name', 'query A { __typename } query B { __typename }', undefined],
    ['a key that names the prototype', '{ __proto__: __typename }', undefined],
  ])('is not certain for %s', (_name, document, operationName) => {
    expect(shapeOf(document, operationName)).toBeUndefined();
  });

  it('is not planned past its bound of keys, however few tokens ask for them', () => {
    // Each level asks for the next four times under other keys: 4^6 organizations from seven short fragments.
    const aliases = ['w', 'x', 'y', 'z'];
    const level = (n: number) =>
      `fragment L${n} on Organization { restId ${aliases
        .map((alias) => `${alias}: assistants(first: 1) { nodes { organization { ...L${n + 1} } } }`)
        .join(' ')} }`;
    const fragments = [...Array.from({ length: 6 }, (_, n) => level(n)), 'fragment L6 on Organization { restId }'];
    expect(4 ** 6).toBeGreaterThan(maxShapeFields);
    expect(shapeOf(`{ organization(restId: "a") { ...L0 } } ${fragments.join(' ')}`)).toBeUndefined();
    expect(shapeOf(`{ organization(restId: "a") { ...L4 } } ${fragments.join(' ')}`)).toBeDefined();
    // One long alias, spread at every level: few keys, but long ones.
    const long = 'k'.repeat(maxShapeKeyChars / 4);
    const longLevels = Array.from(
      { length: 5 },
      (_, n) =>
        `fragment M${n} on Organization { ${long}: restId w: assistants(first: 1) { nodes { organization { ...M${n + 1} } } } }`,
    );
    expect(
      shapeOf(`{ organization(restId: "a") { ...M0 } } ${longLevels.join(' ')} fragment M5 on Organization { restId }`),
    ).toBeUndefined();
  });
});

const seed = createSeedData();
const acmeFirst = seed.get('acme')?.[0]?.id as string;

describe('through the gateway, a compiled operation answers byte for byte as graphql-js did', () => {
  const documents: [string, string, Record<string, unknown>?][] = [
    ['every field of a page', exampleQuery],
    [
      'aliases, repeated fields and fragments',
      `query Mixed { o: organization(restId: "acme") { ...O restId id ... on Node { id } x: assistants(first: 2) { e: edges { cursor } nodes { name restId name } } } }
       fragment O on Organization { restId __typename }`,
    ],
    [
      'values of an interface, one of them an error',
      'query Refetch($ids: [ID!]!) { nodes(ids: $ids) { id __typename ... on Assistant { restId name config { instructions } } } }',
      { ids: [encodeGlobalId('Assistant', `acme/${acmeFirst}`), encodeGlobalId('Organization', 'acme'), 'garbage'] },
    ],
    [
      'keys decided by a variable',
      'query Maybe($on: Boolean!) { organization(restId: "acme") { restId id @include(if: $on) } }',
      { on: true },
    ],
    [
      'introspection beside data',
      '{ __typename organization(restId: "wayne") { restId } __type(name: "Action") { name fields { name } } }',
    ],
    [
      'an upstream call that fails: its part null',
      `{ acme: organization(restId: "acme") { assistants(first: 3) { nodes { restId name } } }
        globex: organization(restId: "globex") { assistants(first: 3) { nodes { restId name } } } }`,
    ],
    [
      'a failing call in a document of CRLF lines',
      '{\r\n  acme: organization(restId: "acme") { restId }\r\n\r\n  globex: organization(restId: "globex") {\r\n    assistants(first: 2) { nodes { restId } } } }',
    ],
  ];

  it.each(documents)('%s', async (_name, query, variables) => {
    await using gateway = await startTestGateway({ env: { COMPILE_AFTER_USES: '1' } });
    gateway.upstream.inject({ orgId: 'globex', status: 500, times: 2 });
    const ask = async () => {
      const response = await fetch(gateway.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query, variables }),
      });
      return response.text();
    };
    const onGraphqlJs = await ask();
    expect(gateway.cacheSizes().compiledOperations.count).toBe(0);
    const compiled = await ask();
    expect(gateway.cacheSizes().compiledOperations.count).toBe(1);
    // Errors too: with their locations, before the data.
    expect(compiled).toBe(onGraphqlJs);
    const before = JSON.parse(onGraphqlJs) as { data: unknown; errors?: { locations?: unknown[] }[] };
    for (const error of before.errors ?? []) expect(error.locations).toHaveLength(1);
    // The writer the compiled operation has fits the data graphql-js answered: it is used, not fallen back from.
    const shape = responseShapeOf(schema, parse(query));
    expect(shape === undefined).toBe(variables?.on !== undefined);
    if (shape) {
      const sink = new ByteSink();
      expect(generateDataWriter(shape).write(before.data, sink)).toBe(true);
      expect(sink.written().toString()).toBe(JSON.stringify(before.data));
    }
  });
});
