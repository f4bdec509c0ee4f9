// What the gateway works with once an upstream body has been decoded:
// camelCase, validated, timestamps normalised to ISO-8601 UTC instants.

export type JsonObject = { [key: string]: unknown };

export interface AssistantRecord {
  /** The org whose list this assistant was read from. */
  readonly orgId: string;
  readonly id: string;
  readonly name: string;
  readonly enabled: boolean;
  readonly secretKey: string | null;
  readonly avatarUrl: string | null;
  readonly config: AssistantConfigRecord;
  readonly integrations: readonly IntegrationRecord[];
  readonly actions: readonly ActionRecord[];
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface AssistantConfigRecord {
  readonly language: string;
  readonly model: string;
  readonly stt: { readonly model: string };
  readonly tts: { readonly model: string; readonly voiceId: string };
  readonly conversation: ConversationConfigRecord;
  readonly knowledgeScope: string;
  readonly instructions: string | null;
}

export interface ConversationConfigRecord {
  readonly threadMode: string;
  readonly enableMemories: boolean;
  readonly enableTransferToHumanTool: boolean;
  readonly welcomeBanner: string | null;
  readonly suggestedMessages: readonly string[];
  readonly autoIntroMessage: string | null;
  readonly enableEndConversationTool: boolean;
  readonly enableBlockContactTool: boolean;
  readonly enablePrivateChats: boolean;
}

export interface IntegrationRecord {
  /** The assistant whose list holds this integration. */
  readonly assistant: AssistantRecord;
  readonly id: string;
  readonly integrationId: string;
  readonly enabled: boolean;
  readonly connectionId: string | null;
  readonly config: JsonObject;
  readonly error: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface ActionRecord {
  /** The assistant whose list holds this action. */
  readonly assistant: AssistantRecord;
  readonly id: string;
  readonly name: string;
  readonly enabled: boolean;
  readonly instructions: string | null;
  readonly actionId: string;
  readonly connectionId: string | null;
  readonly config: {
    readonly input: JsonObject;
    readonly definitions: readonly { readonly path: string; readonly definition: JsonObject }[];
  };
  readonly createdAt: string;
  readonly updatedAt: string;
}
