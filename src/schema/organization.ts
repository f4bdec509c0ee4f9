import { responsePathAsArray } from 'graphql';
import { BadInputError } from '../contract/errors.ts';
import type { CursorCheck } from '../paging/anchoring.ts';
import { type Anchor, encodeAnchoredCursor } from '../paging/cursors.ts';
import { defaultPageSize, resolveConnection } from '../paging/windows.ts';
import { builder } from './builder.ts';
import { CursorCheckRef } from './cursor-check.ts';
import { directId } from './direct-resolvers.ts';
import { keyOfGlobalId, markedAs, nodeIds, organizationFor } from './global-id.ts';
import { Assistant, Organization } from './refs.ts';

builder.node(Organization, {
  description: 'An organization of the Assistants API: the owner of a list of assistants.',
  id: directId(nodeIds.Organization.keyOf),
  loadOne: (key) => nodeIds.Organization.find(key).then((org) => markedAs('Organization', org)),
  fields: (t) => ({
    restId: t.exposeID('restId', { description: 'The `org_id` of the REST API.' }),
    assistants: t.connection(
      {
        type: Assistant,
        nullable: true,
        description:
          "The organization's assistants, in the upstream's order. Null, with an error, when the upstream cannot list them.",
        // Demand control (IBM cost directives, for a supergraph's router): a
        // window is read from the upstream, one call in the common case (the
        // unit: weight 1), and what it returns is priced by its size: `first`
        // or `last`, else the default page (20), sizing `edges` and `nodes`.
        cost: 1,
        listSize: {
          assumedSize: defaultPageSize,
          slicingArguments: ['first', 'last'],
          sizedFields: ['edges', 'nodes'],
          requireOneSlicingArgument: false,
        },
        resolve: async (org, args, { loaders, staleness }, info) => {
          const { window, cursor } = resolveConnection(args, org.restId);
          const page = await loaders.loadConnection(org.restId, window, cursor);
          staleness.noteAge(responsePathAsArray(info.path), page.staleAgeSeconds);
          const edges = page.items.map((node, i) => ({
            cursor: encodeAnchoredCursor(org.restId, page.window.start + i, page.anchors[i] as Anchor),
            node,
          }));
          return {
            edges,
            pageInfo: {
              hasNextPage: page.hasNextPage,
              hasPreviousPage: page.hasPreviousPage,
              startCursor: edges[0]?.cursor ?? null,
              endCursor: edges.at(-1)?.cursor ?? null,
            },
            cursorCheck: page.check ?? null,
          };
        },
      },
      {
        name: 'AssistantConnection',
        description: 'A page of assistants.',
        fields: (t) => ({
          cursorCheck: t.field({
            type: CursorCheckRef,
            nullable: true,
            description:
              'What the gateway found when it checked `after` or `before` against the list, which may have changed since the cursor was issued. Null without either.',
            resolve: (connection) => (connection as { cursorCheck?: CursorCheck | null }).cursorCheck ?? null,
          }),
        }),
      },
      { name: 'AssistantEdge', description: 'An assistant and its cursor.' },
    ),
  }),
});

builder.asEntity(Organization, {
  key: [builder.selection<{ id: string }>('id'), builder.selection<{ restId: string }>('restId')],
  // Async, so that a malformed reference fails its own entity, not the whole `_entities` list.
  resolveReference: async (reference: { id?: unknown; restId?: unknown }) => {
    if (reference.restId !== undefined) {
      if (typeof reference.restId !== 'string') throw new BadInputError('an Organization restId must be a string');
      return organizationFor(reference.restId);
    }
    return nodeIds.Organization.find(keyOfGlobalId(reference.id, 'Organization'));
  },
});

builder.queryField('organization', (t) =>
  t.field({
    type: Organization,
    description:
      'An organization by its REST `org_id`. Makes no upstream call by itself; an unknown organization shows as `NOT_FOUND` on the fields that read it.',
    args: { restId: t.arg.id({ required: true, description: 'The `org_id` of the REST API.' }) },
    resolve: (_root, { restId }) => organizationFor(restId),
  }),
);
