import type { ActionRecord } from '../upstream/records.ts';
import { builder } from './builder.ts';
import { directId } from './direct-resolvers.ts';
import { findAll, keyOfGlobalId, nodeIds } from './global-id.ts';
import { Action, Assistant } from './refs.ts';

builder.asEntity(Action, {
  key: builder.selection<{ id: string }>('id'),
  // Async, so that a malformed id fails its own entity, not the whole `_entities` list.
  resolveReference: async ({ id }, { loaders }) => nodeIds.Action.find(keyOfGlobalId(id, 'Action'), loaders),
});

builder.node(Action, {
  id: directId(nodeIds.Action.keyOf),
  loadMany: (keys, { loaders }) => findAll('Action', keys, (key) => nodeIds.Action.find(key, loaders)),
  description: 'An operation an assistant may perform through a connected service.',
  fields: (t) => ({
    restId: t.exposeID('id', { description: 'The id of the action in the REST API.' }),
    assistant: t.expose('assistant', { type: Assistant, description: 'The assistant this action belongs to.' }),
    name: t.exposeString('name', { description: 'Display name.' }),
    enabled: t.exposeBoolean('enabled', { description: 'Whether the action is switched on.' }),
    instructions: t.exposeString('instructions', {
      nullable: true,
      description: 'When and how the assistant should use it, if said.',
    }),
    actionId: t.exposeString('actionId', { description: 'Which operation of the connected service this is.' }),
    connectionId: t.exposeString('connectionId', {
      nullable: true,
      description: 'The connection it runs with, if any.',
    }),
    config: t.expose('config', { type: ActionConfig, description: 'Its input and operation definitions.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When the action was created.' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime', description: 'When the action was last changed.' }),
  }),
});

const ActionDefinition = builder
  .objectRef<ActionRecord['config']['definitions'][number]>('ActionDefinition')
  .implement({
    description: 'The definition of one operation path of an action.',
    fields: (t) => ({
      path: t.exposeString('path', { description: 'The operation path, such as `/v1/tickets`.' }),
      definition: t.expose('definition', { type: 'JSON', description: 'Its definition, as the upstream gives it.' }),
    }),
  });

const ActionConfig = builder.objectRef<ActionRecord['config']>('ActionConfig').implement({
  description: "An action's configuration.",
  fields: (t) => ({
    input: t.expose('input', { type: 'JSON', description: 'Fixed input values for the action.' }),
    definitions: t.expose('definitions', { type: [ActionDefinition], description: 'Its operation definitions.' }),
  }),
});
