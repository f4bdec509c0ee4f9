// The upstream's JSON exactly as it is sent (snake_case). Only the demo
// upstream builds these; the gateway decodes `unknown` into the records of
// `records.ts` and never trusts this shape.

export interface WireAssistant {
  id: string;
  name: string;
  enabled: boolean;
  secret_key: string | null;
  avatar_url: string | null;
  config: WireAssistantConfig;
  integrations: WireIntegration[];
  actions: WireAction[];
  created_at: string;
  updated_at: string;
}

export interface WireAssistantConfig {
  language: string;
  model: string;
  stt: { model: string };
  tts: { model: string; voice_id: string };
  conversation: {
    thread_mode: string;
    enable_memories: boolean;
    enable_transfer_to_human_tool: boolean;
    welcome_banner: string | null;
    suggested_messages: string[];
    auto_intro_message: string | null;
    enable_end_conversation_tool: boolean;
    enable_block_contact_tool: boolean;
    enable_private_chats: boolean;
  };
  knowledge_scope: string;
  instructions: string | null;
}

export interface WireIntegration {
  id: string;
  enabled: boolean;
  integration_id: string;
  assistant_id: string;
  connection_id: string | null;
  config: Record<string, unknown>;
  error: string | null;
  created_at: string;
  updated_at: string;
}

export interface WireAction {
  id: string;
  enabled: boolean;
  name: string;
  instructions: string | null;
  action_id: string;
  assistant_id: string;
  connection_id: string | null;
  config: {
    input: Record<string, unknown>;
    definitions: { path: string; definition: Record<string, unknown> }[];
  };
  created_at: string;
  updated_at: string;
}
