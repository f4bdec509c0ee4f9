// The upstream's assistant, declared once: every field by its wire name, in
// the order the upstream sends them, with its kind (field-kinds.ts). From this
// come the wire type (src/demo/wire.ts), the record type (records.ts, where a
// wire name such as `voice_id` becomes `voiceId`), the decoder (decode.ts,
// which checks fields in this order) and the assistant's schemas in
// schema/assistants.openapi.yaml (`npm run codegen`).

import {
  children,
  flag,
  id,
  json,
  list,
  object,
  optionalId,
  optionalText,
  text,
  textList,
  timestamp,
  unread,
} from './field-kinds.ts';

export const integrationShape = object('Integration', {
  id: id(),
  enabled: flag(),
  integration_id: id(),
  // The record links to its assistant itself (see `children` below).
  assistant_id: unread(id()),
  connection_id: optionalId(),
  config: json({ description: 'Settings specific to the integrated service, passed through as they are.' }),
  error: optionalText(),
  created_at: timestamp(),
  updated_at: timestamp(),
});

export const actionShape = object('Action', {
  id: id(),
  enabled: flag(),
  name: text(),
  instructions: optionalText(),
  action_id: id(),
  assistant_id: unread(id()),
  connection_id: optionalId(),
  config: object({
    input: json(),
    definitions: list(object({ path: text(), definition: json({ alwaysSent: true }) })),
  }),
  created_at: timestamp(),
  updated_at: timestamp(),
});

export const assistantShape = object('Assistant', {
  id: id(),
  name: text(),
  enabled: flag(),
  secret_key: optionalText({ description: 'A credential; the gateway never serves it unless configured to.' }),
  avatar_url: optionalText(),
  config: object('AssistantConfig', {
    language: text(),
    model: text(),
    stt: object({ model: text() }),
    tts: object({ model: text(), voice_id: text() }),
    conversation: object('ConversationConfig', {
      thread_mode: text(),
      enable_memories: flag(),
      enable_transfer_to_human_tool: flag(),
      welcome_banner: optionalText(),
      suggested_messages: textList(),
      auto_intro_message: optionalText(),
      enable_end_conversation_tool: flag(),
      enable_block_contact_tool: flag(),
      enable_private_chats: flag(),
    }),
    knowledge_scope: text(),
    instructions: optionalText(),
  }),
  // Decoded after the fields above, once the assistant's record exists to link to.
  integrations: children(integrationShape, 'assistant'),
  actions: children(actionShape, 'assistant'),
  created_at: timestamp(),
  updated_at: timestamp(),
});
