import { getIntrospectionQuery } from 'graphql';
import { describe, expect, it } from 'vitest';
import { startTestGateway } from '../helpers/gateway.ts';

describe('introspection', () => {
  it('answers the introspection query GraphiQL and codegen send', async () => {
    await using gateway = await startTestGateway();
    const { data, errors } = await gateway.query(getIntrospectionQuery());
    expect(errors).toBeUndefined();
    expect(data.__schema.queryType.name).toBe('Query');
  });

  it('refuses 30 aliased schema walks in one document, with LIMIT_EXCEEDED', async () => {
    await using gateway = await startTestGateway();
    const aliases = Array.from({ length: 30 }, (_, i) => `s${i}: __schema { types { name fields { name } } }`);
    const { data, errors } = await gateway.query(`{ ${aliases.join(' ')} }`);
    expect(data).toBeUndefined();
    expect(errors?.map((error) => [error.extensions?.code, error.extensions?.reason])).toEqual([
      ['LIMIT_EXCEEDED', 'INTROSPECTION'],
    ]);
    expect(errors?.[0]?.message).toBe('a document may ask for __schema at most 1 time(s)');
  });

  it('refuses aliases inside introspection, in fragments too', async () => {
    await using gateway = await startTestGateway();
    const inside = `{ __schema { ${Array.from({ length: 29 }, (_, i) => `t${i}: types { name fields { name } }`).join(' ')} } }`;
    const viaFragment = '{ __schema { types { ...T } } } fragment T on __Type { a: name b: name }';
    for (const query of [inside, viaFragment]) {
      const { data, errors } = await gateway.query(query);
      expect(data, query).toBeUndefined();
      expect(errors?.map((error) => [error.extensions?.code, error.extensions?.reason, error.message])).toEqual([
        ['LIMIT_EXCEEDED', 'INTROSPECTION', 'introspection fields may not be aliased'],
      ]);
    }
    // Aliases elsewhere are fine.
    expect((await gateway.query('{ t: __typename }')).errors).toBeUndefined();
  });

  it('answers a few types by name, and refuses more than ten', async () => {
    await using gateway = await startTestGateway();
    const types = (count: number) =>
      `{ ${Array.from({ length: count }, (_, i) => `t${i}: __type(name: "Assistant") { name }`).join(' ')} }`;
    expect((await gateway.query(types(10))).errors).toBeUndefined();
    expect((await gateway.query(types(11))).errors?.[0]?.extensions?.code).toBe('LIMIT_EXCEEDED');
  });

  it('is off with INTROSPECTION=false, __typename aside', async () => {
    await using gateway = await startTestGateway({ env: { INTROSPECTION: 'false' } });
    for (const query of ['{ __schema { queryType { name } } }', '{ __type(name: "Assistant") { name } }']) {
      const { data, errors } = await gateway.query(query);
      expect(data, query).toBeUndefined();
      expect(errors?.[0]?.message).toMatch(/introspection/i);
      expect(errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    }
    expect(await gateway.query('{ __typename }')).toEqual({ data: { __typename: 'Query' } });
  });
});
