// The pass that resolves marked fields directly knows no type or field name:
// it replaces only what a field's own mark says, leaves every other resolver
// in place, and refuses a mark its resolver does not match.

import { buildSchema, type GraphQLObjectType, graphqlSync } from 'graphql';
import { describe, expect, it } from 'vitest';
import { readsOwnProperty, resolveDirectly } from '../../src/schema/direct-resolvers.ts';

function testSchema(nodeResolver: (parent: { node: unknown }) => unknown) {
  const schema = buildSchema(`
    type Query { edge: Edge }
    type Edge { node: String  extra: String }
  `);
  const edge = schema.getType('Edge') as GraphQLObjectType;
  const fields = edge.getFields();
  Object.assign(fields.node as object, { resolve: nodeResolver, extensions: readsOwnProperty });
  // A field of the same type with a resolver of its own, and no mark.
  Object.assign(fields.extra as object, { resolve: (parent: { node: string }) => `extra for ${parent.node}` });
  (schema.getQueryType()?.getFields().edge as { resolve?: unknown }).resolve = () => ({ node: 'n1' });
  return schema;
}

describe('resolveDirectly', () => {
  it("replaces a marked field's resolver and keeps every other one", () => {
    const schema = resolveDirectly(testSchema((parent) => parent.node));
    const edge = schema.getType('Edge') as GraphQLObjectType;
    expect(edge.getFields().node?.resolve).toBeUndefined();
    expect(graphqlSync({ schema, source: '{ edge { node extra } }' })).toEqual({
      data: { edge: { node: 'n1', extra: 'extra for n1' } },
    });
  });

  it('refuses at start a marked field whose resolver does something else', () => {
    expect(() => resolveDirectly(testSchema((parent) => `${parent.node}!`))).toThrow(
      'Edge.node is marked as a field that reads its own property, but its resolver does something else: not replacing it',
    );
  });
});
