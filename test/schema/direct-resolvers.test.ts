// The resolver plugin resolves marked fields directly while Pothos builds
// them, knowing no type or field name: it replaces only what a field's own
// mark says, leaves every other resolver in place, and refuses a mark its
// resolver does not match.

import SchemaBuilder from '@pothos/core';
import { type GraphQLObjectType, graphqlSync } from 'graphql';
import { describe, expect, it } from 'vitest';
import { readsOwnProperty } from '../../src/schema/direct-resolvers.ts';
import ResolverPlugin from '../../src/schema/resolver-plugin.ts';

/** A schema of its own builder, with the plugin alone: `Edge.node` is marked, resolved by `nodeResolver`. */
function testSchema(nodeResolver: (parent: { node: string }) => string) {
  const builder = new SchemaBuilder({ plugins: [ResolverPlugin] });
  const Edge = builder.objectRef<{ node: string }>('Edge').implement({
    fields: (t) => ({
      node: t.string({ nullable: true, extensions: readsOwnProperty, resolve: nodeResolver }),
      // A field of the same type with a resolver of its own, and no mark.
      extra: t.string({ nullable: true, resolve: (parent) => `extra for ${parent.node}` }),
    }),
  });
  builder.queryType({
    fields: (t) => ({ edge: t.field({ type: Edge, nullable: true, resolve: () => ({ node: 'n1' }) }) }),
  });
  return builder.toSchema();
}

describe('the resolver plugin', () => {
  it("replaces a marked field's resolver and keeps every other one", () => {
    const schema = testSchema((parent) => parent.node);
    const edge = schema.getType('Edge') as GraphQLObjectType;
    expect(edge.getFields().node?.resolve).toBeUndefined();
    expect(graphqlSync({ schema, source: '{ edge { node extra } }' })).toEqual({
      data: { edge: { node: 'n1', extra: 'extra for n1' } },
    });
  });

  it('refuses at start a marked field whose resolver does something else', () => {
    expect(() => testSchema((parent) => `${parent.node}!`)).toThrow(
      'Edge.node is marked as a field that reads its own property, but its resolver does something else: not replacing it',
    );
  });
});
