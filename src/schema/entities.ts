// Federation's `_entities`, made to fail entry by entry. The one that Pothos'
// federation plugin adds in `toSubGraphSchema`, after the build and out of
// reach of any plugin hook, resolves through @apollo/subgraph, which throws
// for the whole list when one representation names no entity type: one bad
// entry lost every good one and logged a stack trace. So the field (with its
// `_Any` and `_Entity`) is declared here, and `toSubGraphSchema` keeps a
// Query field of that name over its own (test/schema/federation.test.ts
// shows it does). Each representation is checked, then resolved on its own by
// @apollo/subgraph; the resolver plugin caps the list (resolver-plugin.ts).
// All three are in the `federation` sub-graph only: the public schema has none.

import { AnyType, entitiesResolver } from '@apollo/subgraph/dist/types.js';
import { type GraphQLResolveInfo, responsePathAsArray } from 'graphql';
import { BadInputError, quoteInput } from '../contract/errors.ts';
import type { Context } from '../graphql/context.ts';
import { builder } from './builder.ts';
import { Action, Assistant, Integration, Organization } from './refs.ts';
import { cappedByMaxEntities } from './resolver-plugin.ts';

/** Every type given `builder.asEntity`: what `_entities` may answer. */
const entityTypes = [Organization, Assistant, Integration, Action];
const entityTypeNames = new Set(entityTypes.map((type) => type.name));

builder.addScalarType('_Any', AnyType, { subGraphs: ['federation'] });

const Entity = builder.unionType('_Entity', { types: entityTypes, subGraphs: ['federation'] });

builder.queryField('_entities', (t) =>
  t.field({
    type: [Entity],
    nullable: { list: false, items: true },
    subGraphs: ['federation'],
    extensions: { [cappedByMaxEntities]: true },
    args: { representations: t.arg({ type: ['_Any'], required: true }) },
    resolve: (_root, { representations }, context, info) =>
      // An Error in place fails only its own entry: graphql allows it, Pothos' types do not say so.
      representations.map((representation, index) =>
        resolveRepresentation(representation, index, context, info),
      ) as never[],
  }),
);

function resolveRepresentation(representation: unknown, index: number, context: Context, info: GraphQLResolveInfo) {
  if (typeof representation !== 'object' || representation === null || Array.isArray(representation)) {
    return new BadInputError('a representation must be an object with a __typename');
  }
  const typename = (representation as { __typename?: unknown }).__typename;
  if (typeof typename !== 'string' || !entityTypeNames.has(typename)) {
    return new BadInputError(
      typeof typename === 'string'
        ? `${quoteInput(typename)} is not an entity type of this subgraph`
        : 'a representation needs a __typename',
    );
  }
  const [entity] = entitiesResolver({ representations: [representation], context, info }) as unknown[];
  return Promise.resolve(entity).then((loaded) => {
    context.staleness.noteValue([...responsePathAsArray(info.path), index], loaded);
    return loaded;
  });
}
