import type { AssistantConfigRecord, ConversationConfigRecord } from '../upstream/records.ts';
import { builder } from './builder.ts';
import { directId } from './direct-resolvers.ts';
import { findAll, keyOfGlobalId, nodeIds } from './global-id.ts';
import { Action, Assistant, Integration, Organization } from './refs.ts';

builder.asEntity(Assistant, {
  key: builder.selection<{ id: string }>('id'),
  // Async, so that a malformed id fails its own entity, not the whole `_entities` list.
  resolveReference: async ({ id }, { loaders }) => nodeIds.Assistant.find(keyOfGlobalId(id, 'Assistant'), loaders),
});

builder.node(Assistant, {
  id: directId(nodeIds.Assistant.keyOf),
  loadMany: (keys, { loaders }) => findAll('Assistant', keys, (key) => nodeIds.Assistant.find(key, loaders)),
  description: 'An AI assistant of an organization, with its configuration, integrations and actions.',
  fields: (t) => ({
    restId: t.exposeID('id', { description: 'The id of the assistant in the REST API.' }),
    organization: t.field({
      type: Organization,
      description: 'The organization the assistant belongs to.',
      resolve: (assistant) => ({ restId: assistant.orgId }),
    }),
    name: t.exposeString('name', { description: 'Display name.' }),
    enabled: t.exposeBoolean('enabled', { description: 'Whether the assistant is switched on.' }),
    avatarUrl: t.exposeString('avatarUrl', { nullable: true, description: 'URL of its avatar image, if it has one.' }),
    hasSecretKey: t.boolean({
      description: 'Whether the assistant has a secret key. The key itself is not served.',
      resolve: (assistant) => assistant.secretKey !== null && assistant.secretKey !== '',
    }),
    secretKey: t.exposeString('secretKey', {
      nullable: true,
      subGraphs: ['secrets'],
      description: 'The secret key. Served only where the deployment enables it (`EXPOSE_SECRET_KEYS`).',
    }),
    config: t.expose('config', { type: AssistantConfig, description: 'How the assistant behaves.' }),
    integrations: t.expose('integrations', {
      type: [Integration],
      description: 'Connections to other services, such as a CRM or a help desk.',
    }),
    actions: t.expose('actions', {
      type: [Action],
      description: 'Operations the assistant may perform through its integrations.',
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When the assistant was created.' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime', description: 'When the assistant was last changed.' }),
  }),
});

const AssistantConfig = builder.objectRef<AssistantConfigRecord>('AssistantConfig').implement({
  description: "An assistant's configuration.",
  fields: (t) => ({
    language: t.exposeString('language', {
      description: 'Language it speaks, as a language tag such as `en` or `pt-BR`.',
    }),
    model: t.exposeString('model', { description: 'The language model it runs on.' }),
    stt: t.expose('stt', { type: SpeechToTextConfig, description: 'Speech-to-text settings.' }),
    tts: t.expose('tts', { type: TextToSpeechConfig, description: 'Text-to-speech settings.' }),
    conversation: t.expose('conversation', { type: ConversationConfig, description: 'How conversations run.' }),
    knowledgeScope: t.exposeString('knowledgeScope', { description: 'Which knowledge the assistant may draw on.' }),
    instructions: t.exposeString('instructions', { nullable: true, description: 'Its system instructions, if any.' }),
  }),
});

const SpeechToTextConfig = builder.objectRef<AssistantConfigRecord['stt']>('SpeechToTextConfig').implement({
  description: 'Speech-to-text settings.',
  fields: (t) => ({
    model: t.exposeString('model', { description: 'The speech-to-text model.' }),
  }),
});

const TextToSpeechConfig = builder.objectRef<AssistantConfigRecord['tts']>('TextToSpeechConfig').implement({
  description: 'Text-to-speech settings.',
  fields: (t) => ({
    model: t.exposeString('model', { description: 'The text-to-speech model.' }),
    voiceId: t.exposeString('voiceId', { description: 'The voice it speaks with.' }),
  }),
});

const ConversationConfig = builder.objectRef<ConversationConfigRecord>('ConversationConfig').implement({
  description: 'How conversations with the assistant run.',
  fields: (t) => ({
    threadMode: t.exposeString('threadMode', { description: 'How messages are grouped into threads.' }),
    enableMemories: t.exposeBoolean('enableMemories', {
      description: 'Whether it remembers facts across conversations.',
    }),
    enableTransferToHumanTool: t.exposeBoolean('enableTransferToHumanTool', {
      description: 'Whether it may hand a conversation to a person.',
    }),
    welcomeBanner: t.exposeString('welcomeBanner', {
      nullable: true,
      description: 'Banner shown before the first message, if any.',
    }),
    suggestedMessages: t.exposeStringList('suggestedMessages', {
      description: 'Messages offered to start a conversation.',
    }),
    autoIntroMessage: t.exposeString('autoIntroMessage', {
      nullable: true,
      description: 'Message it opens conversations with, if any.',
    }),
    enableEndConversationTool: t.exposeBoolean('enableEndConversationTool', {
      description: 'Whether it may end a conversation.',
    }),
    enableBlockContactTool: t.exposeBoolean('enableBlockContactTool', {
      description: 'Whether it may block a contact.',
    }),
    enablePrivateChats: t.exposeBoolean('enablePrivateChats', {
      description: 'Whether private chats are allowed.',
    }),
  }),
});
