// Federation's `_entities`, made to fail entry by entry. The resolver that
// @apollo/subgraph supplies (through Pothos' federation plugin) throws for the
// whole list when one representation names no entity type, so one bad entry
// lost every good one and logged a stack trace. This wraps it: each
// representation is checked, then resolved on its own, and the list is capped.

import { type GraphQLFieldResolver, type GraphQLSchema, isUnionType, responsePathAsArray } from 'graphql';
import { BadInputError, LimitExceededError, quoteInput } from '../contract/errors.ts';
import { type Context, noteStale } from '../graphql/context.ts';

export function resolveEntitiesOneByOne(schema: GraphQLSchema, maxRepresentations: number): GraphQLSchema {
  const field = schema.getQueryType()?.getFields()._entities;
  const entity = schema.getType('_Entity');
  if (!field || !isUnionType(entity)) return schema;
  const entityTypes = new Set(entity.getTypes().map((type) => type.name));
  const resolveAll = field.resolve as GraphQLFieldResolver<unknown, unknown, { representations: unknown[] }>;

  field.resolve = (root, args: { representations: unknown[] }, context, info) => {
    const { representations } = args;
    if (representations.length > maxRepresentations) {
      throw new LimitExceededError(
        `_entities takes at most ${maxRepresentations} representations, got ${representations.length}`,
        'MAX_ENTITIES',
      );
    }
    return representations.map((representation, index) => {
      const typename = (representation as { __typename?: unknown } | null)?.__typename;
      if (typeof representation !== 'object' || representation === null || Array.isArray(representation)) {
        return new BadInputError('a representation must be an object with a __typename');
      }
      if (typeof typename !== 'string' || !entityTypes.has(typename)) {
        return new BadInputError(
          typeof typename === 'string'
            ? `${quoteInput(typename)} is not an entity type of this subgraph`
            : 'a representation needs a __typename',
        );
      }
      const [entity] = resolveAll(root, { ...args, representations: [representation] }, context, info) as unknown[];
      return Promise.resolve(entity).then((loaded) => {
        noteStale(context as Context, [...responsePathAsArray(info.path), index], loaded);
        return loaded;
      });
    });
  };
  return schema;
}
