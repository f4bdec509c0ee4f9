// The one SchemaBuilder: its context and scalar types, plugins, and Relay
// and federation options. Types live in `src/schema/`.

import SchemaBuilder from '@pothos/core';
import DirectivePlugin from '@pothos/plugin-directives';
import FederationPlugin from '@pothos/plugin-federation';
import RelayPlugin from '@pothos/plugin-relay';
import SubGraphPlugin from '@pothos/plugin-sub-graph';
import { responsePathAsArray } from 'graphql';
import type { Context } from '../graphql/context.ts';
import { readsEdgeNodes, readsOwnProperty } from './direct-resolvers.ts';
import { decodeGlobalId, encodeGlobalId } from './global-id.ts';
import ResolverPlugin from './resolver-plugin.ts';

/**
 * Schema variants: `public` is what every deployment serves; `secrets` adds
 * the fields that only an explicit setting may expose.
 */
export type SchemaVariant = 'public' | 'secrets';

/** A variant, or `federation`: what only the served subgraph has (its `_entities`, see entities.ts). */
type SubGraph = SchemaVariant | 'federation';

export const builder = new SchemaBuilder<{
  Context: Context;
  Scalars: {
    ID: { Input: string; Output: string };
    DateTime: { Input: Date; Output: Date | string };
    JSON: { Input: unknown; Output: unknown };
    _Any: { Input: unknown; Output: unknown };
  };
  DefaultFieldNullability: false;
  DefaultEdgesNullability: false;
  DefaultNodeNullability: false;
  SubGraphs: SubGraph;
}>({
  // Ours first, so that it sees the resolvers the others leave; directives
  // next, so that the sub-graph filter reaches the SDL that federation
  // prints; federation last, as it wraps what the others define.
  plugins: [ResolverPlugin, DirectivePlugin, SubGraphPlugin, RelayPlugin, FederationPlugin],
  defaultFieldNullability: false,
  subGraphs: { defaultForTypes: ['public', 'secrets'], fieldsInheritFromTypes: true },
  relay: {
    cursorType: 'String',
    clientMutationId: 'omit',
    encodeGlobalID: encodeGlobalId,
    decodeGlobalID: decodeGlobalId,
    nodesOnConnection: {
      description: 'The assistants of this page, for clients that need no cursors.',
      extensions: readsEdgeNodes,
    },
    nodeTypeOptions: {
      description: 'An object with a global id that `node` and `nodes` can refetch.',
    },
    idFieldOptions: {
      description: 'A global id: opaque, stable, and refetchable through `node`.',
    },
    pageInfoTypeOptions: {
      description: 'Where a page stands in its list.',
      // Every Relay subgraph defines the same PageInfo: let a supergraph share it.
      shareable: true,
    },
    hasNextPageFieldOptions: {
      description: 'Whether an item exists after this page.',
    },
    hasPreviousPageFieldOptions: {
      description: 'Whether an item exists before this page.',
    },
    startCursorFieldOptions: {
      description: 'The cursor of the first item of the page; null when the page is empty.',
    },
    endCursorFieldOptions: {
      description: 'The cursor of the last item of the page; null when the page is empty.',
    },
    cursorFieldOptions: {
      description: 'An opaque cursor for this item, for `after` or `before` of the same connection.',
    },
    // These three serve what the connection's resolver built: see schema/direct-resolvers.ts.
    nodeFieldOptions: { description: 'The item at this edge.', extensions: readsOwnProperty },
    edgesFieldOptions: { description: 'The items of this page, each with its cursor.', extensions: readsOwnProperty },
    pageInfoFieldOptions: {
      description: 'Whether more items exist on either side of this page.',
      extensions: readsOwnProperty,
    },
    nodeQueryOptions: {
      description: 'Refetches any object by its global id; null when it no longer exists.',
      args: { id: { description: 'A global id, as an `id` field serves it.' } },
      // Demand control (IBM cost directives, for a supergraph's router): an
      // assistant's, integration's or action's id costs a scan of its org's
      // list, one upstream call at least (an organization's costs none).
      cost: 1,
      resolve: async (_root, { id }, context, info, resolveNode) => {
        const node = await resolveNode(id);
        context.staleness.noteValue(responsePathAsArray(info.path), node);
        return node;
      },
    },
    // Our own, in schema/node.ts: there, a malformed id fails only its own entry.
    nodesQueryOptions: false,
    firstArgOptions: {
      description: 'Page forward: at most this many items (0 to 100; 20 if neither first nor last is given).',
    },
    afterArgOptions: { description: 'Page forward from after the item with this cursor.' },
    lastArgOptions: { description: 'Page backward: at most this many items before `before` (0 to 100).' },
    beforeArgOptions: { description: 'Page backward from before the item with this cursor; required with `last`.' },
  },
});
