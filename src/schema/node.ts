// `nodes`: refetch by global ids, where each id stands or fails alone. (Relay's
// `node` comes from the relay plugin; its one id fails only itself anyway.)

import { resolveNodes } from '@pothos/plugin-relay';
import { responsePathAsArray } from 'graphql';
import { LimitExceededError } from '../contract/errors.ts';
import { settlesListItems } from '../graphql/compiled-execution.ts';
import { builder } from './builder.ts';
import { decodeGlobalId } from './global-id.ts';

/** Refetch is a scan of each org's list: bound how many ids one field may ask for. */
export const maxNodeIds = 100;

builder.queryField('nodes', (t) =>
  t.field({
    type: [builder.nodeInterfaceRef()],
    nullable: { list: false, items: true },
    // Every id is settled before the list answers (see below): compiled execution keeps failed ones in place.
    extensions: { [settlesListItems]: true },
    // Demand control (IBM cost directives, for a supergraph's router): an
    // assistant's, integration's or action's id costs a scan of its org's
    // list, one call at least (an organization's costs none; ids of one org
    // share a scan). Routers multiply the weight by the list's size, which is
    // at most `maxNodeIds`: the estimate is the worst case, every id of
    // another organization.
    cost: 1,
    listSize: { assumedSize: maxNodeIds },
    description:
      'Refetches objects by their global ids, in the order given: null for each that no longer exists, and an error for each id that is malformed. Ids of one organization share one scan of its list.',
    args: {
      ids: t.arg.idList({
        required: true,
        description: `Global ids, as \`id\` fields serve them (at most ${maxNodeIds}).`,
      }),
    },
    resolve: async (_root, { ids }, context, info) => {
      if (ids.length > maxNodeIds) {
        throw new LimitExceededError(`nodes takes at most ${maxNodeIds} ids, got ${ids.length}`, 'NODES_IDS');
      }
      // Each id on its own: a malformed id, or one whose load fails, fails
      // only its own entry. Loads of the same tick still batch in the loaders.
      return Promise.all(
        ids.map(async (id, index) => {
          try {
            const [node] = await resolveNodes(builder, context, info, [decodeGlobalId(id)]);
            // A node loaded earlier in this request comes back as its (maybe rejected) promise.
            const loaded = await node;
            context.staleness.noteValue([...responsePathAsArray(info.path), index], loaded);
            return loaded;
          } catch (error) {
            return error instanceof Error ? error : new Error(String(error));
          }
        }),
      );
    },
  }),
);
