// Compiled execution must answer exactly as graphql-js would; where it would
// not, the gateway keeps graphql-js. These pin the cases that differ.

import { buildSchema, type GraphQLObjectType, parse } from 'graphql';
import { describe, expect, it, vi } from 'vitest';
import { createSeedData } from '../../src/demo/seed.ts';
import { isCompilable } from '../../src/graphql/compiled-execution.ts';
import { exampleQuery } from '../../src/graphql/example-query.ts';
import { encodeGlobalId } from '../../src/schema/global-id.ts';
import { createSchema } from '../../src/schema/index.ts';
import { graphql } from '../generated/index.ts';
import { startTestGateway } from '../helpers/gateway.ts';
import { callsUnderWay } from '../helpers/waits.ts';

const seed = createSeedData();
const schema = createSchema({ exposeSecretKeys: false });
const acmeFirst = seed.get('acme')?.[0]?.id as string;
const wayneFirst = seed.get('wayne')?.[0]?.id as string;

const mixedNodes = graphql(`
  query MixedNodes($ids: [ID!]!) {
    nodes(ids: $ids) { id ... on Assistant { restId } ... on Organization { restId } }
    organization(restId: "wayne") { restId }
  }
`);

const mixedEntities = graphql(`
  query MixedEntities($representations: [_Any!]!) {
    _entities(representations: $representations) { ... on Assistant { restId } ... on Organization { restId } }
  }
`);

describe('which operations run compiled', () => {
  it.each([
    ['one operation', '{ organization(restId: "a") { restId } }', true],
    ['two operations', 'query A { __typename } query B { __typename }', false],
    ['nodes at the root', '{ nodes(ids: []) { id } }', true],
    ['_entities at the root', '{ _entities(representations: []) { __typename } }', false],
    [
      '_entities through a fragment on Query',
      '{ ...Q } fragment Q on Query { _entities(representations: []) { __typename } }',
      false,
    ],
    ['a connection’s nodes', '{ organization(restId: "a") { assistants { nodes { name } } } }', true],
  ])('%s', (_name, query, compiled) => {
    expect(isCompilable(schema, parse(query))).toBe(compiled);
  });

  // A list field added later whose items fail on their own, wherever it is selected.
  const testSchema = buildSchema(`
    type Query { thing: Thing  plain: [Int] }
    type Thing { parts: [Part]  settled: [Part]  strict: [Part!]! }
    type Part { name: String }
  `);
  const thing = testSchema.getType('Thing') as GraphQLObjectType;
  const resolveEach = () => [Promise.resolve({ name: 'a' })];
  Object.assign(thing.getFields().parts as object, { resolve: resolveEach });
  Object.assign(thing.getFields().settled as object, { resolve: resolveEach, extensions: { settlesListItems: true } });
  Object.assign(thing.getFields().strict as object, { resolve: resolveEach });

  it.each([
    ['a nested list of nullable items with a resolver of its own', '{ thing { parts { name } } }', false],
    ['the same through a fragment', '{ thing { ...F } } fragment F on Thing { parts { name } }', false],
    ['such a list that settles its items itself', '{ thing { settled { name } } }', true],
    ['a list of non-null items', '{ thing { strict { name } } }', true],
    ['a list read by the default resolver', '{ plain }', true],
  ])('%s', (_name, query, compiled) => {
    expect(isCompilable(testSchema, parse(query))).toBe(compiled);
  });
});

// Compiled at once, and compiled only from the second use (the default): the
// first run of each document is graphql-js's.
describe.each([
  ['compiled from the first use', '0'],
  ['on graphql-js first', '1'],
])('answers that must not depend on the executor, %s', (_mode, compileAfterUses) => {
  const env = { COMPILE_AFTER_USES: compileAfterUses };

  it('runs the operation the operation name picks, in a document of several', async () => {
    await using gateway = await startTestGateway({ env });
    const document =
      'query A { a: organization(restId: "acme") { restId } } query B { b: organization(restId: "wayne") { restId } }';
    const ask = async (operationName: string) => {
      const response = await fetch(gateway.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: document, operationName }),
      });
      return response.json();
    };
    expect(await ask('A')).toEqual({ data: { a: { restId: 'acme' } } });
    expect(await ask('B')).toEqual({ data: { b: { restId: 'wayne' } } });
  });

  it('keeps each nodes entry in its place when some fail, whatever fails first', async () => {
    await using gateway = await startTestGateway({ env });
    // globex fails at once; wayne answers last; one id is malformed; one Organization id is refused.
    gateway.upstream.inject({ orgId: 'globex', status: 404 });
    const wayne = gateway.upstream.hold('wayne');
    const ids = [
      encodeGlobalId('Assistant', 'globex/asst_x'),
      encodeGlobalId('Assistant', `wayne/${wayneFirst}`),
      'garbage',
      encodeGlobalId('Organization', '..'),
      encodeGlobalId('Assistant', `acme/${acmeFirst}`),
    ];
    const answer = gateway.query(mixedNodes, { ids });
    await wayne.arrived;
    // Released once the gateway has read every other answer.
    await vi.waitFor(async () => expect(await callsUnderWay(gateway)).toBe(1));
    wayne.release();
    const { data, errors } = await answer;
    expect(data).toEqual({
      nodes: [null, { id: ids[1], restId: wayneFirst }, null, null, { id: ids[4], restId: acmeFirst }],
      organization: { restId: 'wayne' },
    });
    const byPath = [...(errors ?? [])].sort((a, b) => String(a.path).localeCompare(String(b.path)));
    expect(byPath.map((error) => [error.path, error.extensions?.code])).toEqual([
      [['nodes', 0], 'NOT_FOUND'],
      [['nodes', 2], 'BAD_USER_INPUT'],
      [['nodes', 3], 'BAD_USER_INPUT'],
    ]);
  });

  it('answers _entities with one entry per representation, in order, when some fail', async () => {
    await using gateway = await startTestGateway({ env });
    gateway.upstream.inject({ orgId: 'globex', status: 404 });
    const wayne = gateway.upstream.hold('wayne');
    const answer = gateway.query(mixedEntities, {
      representations: [
        { __typename: 'Assistant', id: encodeGlobalId('Assistant', 'globex/asst_x') },
        { __typename: 'Assistant', id: encodeGlobalId('Assistant', `wayne/${wayneFirst}`) },
        { __typename: 'Assistant', id: 'garbage' },
        { __typename: 'Organization', restId: 'acme' },
      ],
    });
    await wayne.arrived;
    // Released once the gateway has read globex's answer.
    await vi.waitFor(async () => expect(await callsUnderWay(gateway)).toBe(1));
    wayne.release();
    const { data, errors } = await answer;
    expect(data?._entities).toEqual([null, { restId: wayneFirst }, null, { restId: 'acme' }]);
    const byPath = [...(errors ?? [])].sort((a, b) => String(a.path).localeCompare(String(b.path)));
    expect(byPath.map((error) => [error.path, error.extensions?.code])).toEqual([
      [['_entities', 0], 'NOT_FOUND'],
      [['_entities', 2], 'BAD_USER_INPUT'],
    ]);
  });

  it.each([
    ['a missing required variable', {}],
    ['a string for an Int', { org: 'acme', first: 'x' }],
    ['an Int out of range', { org: 'acme', first: 1e12 }],
    ['a float for an ID', { org: 4.5 }],
  ])('refuses %s with BAD_USER_INPUT, never a server error', async (_name, variables) => {
    await using gateway = await startTestGateway({ env });
    const response = await fetch(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        query:
          'query ($org: ID!, $first: Int) { organization(restId: $org) { assistants(first: $first) { nodes { restId } } } }',
        variables,
      }),
    });
    expect(response.status).toBeLessThan(500);
    const body = (await response.json()) as { errors?: { extensions?: { code?: string } }[] };
    expect(body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(gateway.upstream.requests).toHaveLength(0);
  });
});

describe('compiled execution of hot documents, within its bound', () => {
  const everyField = (n: number) =>
    exampleQuery
      .replace('query FirstAssistants', `query Hot${n}`)
      .replace('assistants(first: 20)', `assistants(first: ${1 + (n % 20)})`);
  const post = async (url: string, query: string) => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query }),
    });
    return response.json();
  };

  it('compiles a document on its second use, and answers exactly as graphql-js did', async () => {
    await using gateway = await startTestGateway();
    const onGraphqlJs = await post(gateway.url, everyField(19));
    expect(gateway.cacheSizes().compiledOperations.count).toBe(0);
    const compiled = await post(gateway.url, everyField(19));
    expect(gateway.cacheSizes().compiledOperations.count).toBe(1);
    expect(compiled).toEqual(onGraphqlJs);
    expect(JSON.stringify(compiled)).toBe(JSON.stringify(onGraphqlJs));
  });

  it('never holds more compiled operations or documents than its bounds, however many distinct documents come', async () => {
    await using gateway = await startTestGateway({ env: { COMPILED_CACHE_MB: '1', DOCUMENT_CACHE_MB: '1' } });
    const mebibyte = 1024 * 1024;
    let mostCompiled = 0;
    for (let n = 0; n < 40; n++) {
      // Each document twice: every one of them turns hot and is compiled.
      for (const _use of [1, 2]) expect((await post(gateway.url, everyField(n))).errors).toBeUndefined();
      const { documents, compiledOperations } = gateway.cacheSizes();
      expect(compiledOperations.bytes).toBeLessThanOrEqual(mebibyte);
      expect(documents.bytes).toBeLessThanOrEqual(mebibyte);
      mostCompiled = Math.max(mostCompiled, compiledOperations.count);
    }
    expect(mostCompiled).toBeGreaterThan(0);
    expect(gateway.cacheSizes().compiledOperations.count).toBeLessThan(10);
  });

  it('finds a compiled operation by its text when the document is parsed again, and answers as graphql-js', async () => {
    await using compiled = await startTestGateway({ env: { DOCUMENT_CACHE_MB: '0', COMPILE_AFTER_USES: '0' } });
    await using reference = await startTestGateway({ env: { COMPILED_CACHE_MB: '0' } });
    const expected = await post(reference.url, everyField(7));
    for (const _use of [1, 2, 3]) expect(await post(compiled.url, everyField(7))).toEqual(expected);
    expect(compiled.cacheSizes().compiledOperations.count).toBe(1);
    expect(compiled.cacheSizes().documents.count).toBe(0);
  });

  it('runs everything on graphql-js when its cache is off', async () => {
    await using gateway = await startTestGateway({ env: { COMPILED_CACHE_MB: '0' } });
    for (const _use of [1, 2, 3]) expect((await post(gateway.url, everyField(3))).errors).toBeUndefined();
    expect(gateway.cacheSizes().compiledOperations.count).toBe(0);
  });
});
