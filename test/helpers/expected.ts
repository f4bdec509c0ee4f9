// An independent mapping of the upstream's wire JSON to what the contract
// says the gateway serves: the oracle for the field-mapping tests.

import type { WireAction, WireAssistant, WireIntegration } from '../../src/demo/wire.ts';

/** ISO-8601 UTC as the DateTime scalar serves it; a bare date is midnight UTC. */
export function utcInstant(value: string): string {
  return new Date(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value).toISOString();
}

export function expectedAssistant(orgId: string, wire: WireAssistant) {
  return {
    restId: wire.id,
    organization: { restId: orgId },
    name: wire.name,
    enabled: wire.enabled,
    avatarUrl: wire.avatar_url,
    hasSecretKey: Boolean(wire.secret_key),
    config: {
      language: wire.config.language,
      model: wire.config.model,
      stt: { model: wire.config.stt.model },
      tts: { model: wire.config.tts.model, voiceId: wire.config.tts.voice_id },
      conversation: {
        threadMode: wire.config.conversation.thread_mode,
        enableMemories: wire.config.conversation.enable_memories,
        enableTransferToHumanTool: wire.config.conversation.enable_transfer_to_human_tool,
        welcomeBanner: wire.config.conversation.welcome_banner,
        suggestedMessages: wire.config.conversation.suggested_messages,
        autoIntroMessage: wire.config.conversation.auto_intro_message,
        enableEndConversationTool: wire.config.conversation.enable_end_conversation_tool,
        enableBlockContactTool: wire.config.conversation.enable_block_contact_tool,
        enablePrivateChats: wire.config.conversation.enable_private_chats,
      },
      knowledgeScope: wire.config.knowledge_scope,
      instructions: wire.config.instructions,
    },
    integrations: wire.integrations.map((integration: WireIntegration) => ({
      restId: integration.id,
      assistant: { restId: wire.id },
      integrationId: integration.integration_id,
      enabled: integration.enabled,
      connectionId: integration.connection_id,
      config: integration.config,
      error: integration.error,
      createdAt: utcInstant(integration.created_at),
      updatedAt: utcInstant(integration.updated_at),
    })),
    actions: wire.actions.map((action: WireAction) => ({
      restId: action.id,
      assistant: { restId: wire.id },
      name: action.name,
      enabled: action.enabled,
      instructions: action.instructions,
      actionId: action.action_id,
      connectionId: action.connection_id,
      config: action.config,
      createdAt: utcInstant(action.created_at),
      updatedAt: utcInstant(action.updated_at),
    })),
    createdAt: utcInstant(wire.created_at),
    updatedAt: utcInstant(wire.updated_at),
  };
}

/** Drops the opaque global ids, which tests check separately. */
export function withoutGlobalIds(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutGlobalIds);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([key]) => key !== 'id')
        .map(([key, inner]) => [
          key,
          key === 'config' && !('language' in (inner as object)) ? inner : withoutGlobalIds(inner),
        ]),
    );
  }
  return value;
}
