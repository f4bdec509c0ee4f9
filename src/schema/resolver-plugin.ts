// The builder's own Pothos plugin: the resolvers that a field's mark or the
// build's options decide are set here, while Pothos builds each field, so
// that nothing sets a resolver on the built schema afterwards. builder.ts
// lists it first: its `wrapResolve` is the outermost, and sees each field's
// finished resolver.
//
// - A field marked `resolvesDirectly` gets what its mark says (direct-resolvers.ts).
// - A field marked `cappedByMaxEntities` (`_entities`, see entities.ts) refuses
//   more representations than the build's `maxEntities`, before resolving any.

import SchemaBuilder, { BasePlugin, type PothosOutputFieldConfig, type SchemaTypes } from '@pothos/core';
import type { GraphQLFieldResolver } from 'graphql';
import { LimitExceededError } from '../contract/errors.ts';
import { resolverAsMarked } from './direct-resolvers.ts';

const pluginName = 'resolvers';
export default pluginName;

/** The field extension of `_entities`: it takes at most the build's `maxEntities` representations. */
export const cappedByMaxEntities = 'cappedByMaxEntities';

/** Representations one `_entities` field takes when the build does not say (as many as `nodes` takes ids). */
const defaultMaxEntities = 100;

declare global {
  export namespace PothosSchemaTypes {
    export interface Plugins<Types extends SchemaTypes> {
      resolvers: ResolverPlugin<Types>;
    }
    export interface BuildSchemaOptions<Types extends SchemaTypes> {
      /** Most representations one `_entities` field takes (default 100). */
      maxEntities?: number;
    }
  }
}

type Resolver<Types extends SchemaTypes> = GraphQLFieldResolver<unknown, Types['Context'], object>;

export class ResolverPlugin<Types extends SchemaTypes> extends BasePlugin<Types> {
  override wrapResolve(resolver: Resolver<Types>, fieldConfig: PothosOutputFieldConfig<Types>): Resolver<Types> {
    const resolve = resolverAsMarked(resolver, fieldConfig);
    if (fieldConfig.extensions?.[cappedByMaxEntities] !== true) return resolve;
    const maxRepresentations = this.options.maxEntities ?? defaultMaxEntities;
    return (root, args, context, info) => {
      const { representations } = args as { representations: readonly unknown[] };
      if (representations.length > maxRepresentations) {
        throw new LimitExceededError(
          `_entities takes at most ${maxRepresentations} representations, got ${representations.length}`,
          'MAX_ENTITIES',
        );
      }
      return resolve(root, args, context, info);
    };
  }
}

SchemaBuilder.registerPlugin(pluginName, ResolverPlugin);
