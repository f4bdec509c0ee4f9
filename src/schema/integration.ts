import { builder } from './builder.ts';
import { directId } from './direct-resolvers.ts';
import { findAll, keyOfGlobalId, nodeIds } from './global-id.ts';
import { Assistant, Integration } from './refs.ts';

builder.asEntity(Integration, {
  key: builder.selection<{ id: string }>('id'),
  // Async, so that a malformed id fails its own entity, not the whole `_entities` list.
  resolveReference: async ({ id }, { loaders }) => nodeIds.Integration.find(keyOfGlobalId(id, 'Integration'), loaders),
});

builder.node(Integration, {
  id: directId(nodeIds.Integration.keyOf),
  loadMany: (keys, { loaders }) => findAll('Integration', keys, (key) => nodeIds.Integration.find(key, loaders)),
  description: 'A connection of an assistant to another service, such as a CRM or a help desk.',
  fields: (t) => ({
    restId: t.exposeID('id', { description: 'The id of the integration in the REST API.' }),
    assistant: t.expose('assistant', { type: Assistant, description: 'The assistant this integration belongs to.' }),
    integrationId: t.exposeString('integrationId', {
      description: 'Which service this is, such as `slack` or `hubspot`.',
    }),
    enabled: t.exposeBoolean('enabled', { description: 'Whether the integration is switched on.' }),
    connectionId: t.exposeString('connectionId', {
      nullable: true,
      description: 'The connection it authenticates with, if any.',
    }),
    config: t.expose('config', { type: 'JSON', description: 'Settings specific to the service.' }),
    error: t.exposeString('error', { nullable: true, description: 'Why the integration last failed, if it did.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When the integration was created.' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime', description: 'When the integration was last changed.' }),
  }),
});
