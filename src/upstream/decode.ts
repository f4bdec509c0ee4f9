// Raw JSON → typed records, in one pass. A value that does not fit throws
// UpstreamBadResponseError naming its path and the expected type, never the
// value itself: it could be a secret.
//
// Lenient where real upstreams are messy and the meaning is clear: a missing
// optional string is null, a null list is empty, numeric ids become strings.

import { UpstreamBadResponseError } from './errors.ts';
import type { ActionRecord, AssistantConfigRecord, AssistantRecord, IntegrationRecord, JsonObject } from './records.ts';

export function decodeAssistantList(body: unknown, orgId: string): AssistantRecord[] {
  if (!Array.isArray(body)) fail('body', 'a JSON array', body);
  const assistants = new Array<AssistantRecord>(body.length);
  for (let i = 0; i < body.length; i++) {
    assistants[i] = decodeAssistant(body[i], orgId, `[${i}]`);
  }
  return assistants;
}

function decodeAssistant(value: unknown, orgId: string, path: string): AssistantRecord {
  const raw = object(value, path);
  const integrations: IntegrationRecord[] = [];
  const actions: ActionRecord[] = [];
  const assistant: AssistantRecord = {
    orgId,
    id: identifier(raw, 'id', path),
    name: string(raw, 'name', path),
    enabled: boolean(raw, 'enabled', path),
    secretKey: optionalString(raw, 'secret_key', path),
    avatarUrl: optionalString(raw, 'avatar_url', path),
    config: decodeConfig(raw.config, `${path}.config`),
    integrations,
    actions,
    createdAt: timestamp(raw, 'created_at', path),
    updatedAt: timestamp(raw, 'updated_at', path),
  };
  // Children point back at their assistant, so `Integration.assistant` needs no lookup.
  list(raw, 'integrations', path).forEach((item, i) => {
    integrations.push(decodeIntegration(item, assistant, `${path}.integrations[${i}]`));
  });
  list(raw, 'actions', path).forEach((item, i) => {
    actions.push(decodeAction(item, assistant, `${path}.actions[${i}]`));
  });
  return assistant;
}

function decodeConfig(value: unknown, path: string): AssistantConfigRecord {
  const raw = object(value, path);
  const stt = object(raw.stt, `${path}.stt`);
  const tts = object(raw.tts, `${path}.tts`);
  const conversationPath = `${path}.conversation`;
  const conversation = object(raw.conversation, conversationPath);
  const suggested = list(conversation, 'suggested_messages', conversationPath);
  return {
    language: string(raw, 'language', path),
    model: string(raw, 'model', path),
    stt: { model: string(stt, 'model', `${path}.stt`) },
    tts: {
      model: string(tts, 'model', `${path}.tts`),
      voiceId: string(tts, 'voice_id', `${path}.tts`),
    },
    conversation: {
      threadMode: string(conversation, 'thread_mode', conversationPath),
      enableMemories: boolean(conversation, 'enable_memories', conversationPath),
      enableTransferToHumanTool: boolean(conversation, 'enable_transfer_to_human_tool', conversationPath),
      welcomeBanner: optionalString(conversation, 'welcome_banner', conversationPath),
      suggestedMessages: suggested.map((message, i) => {
        const messagePath = `${conversationPath}.suggested_messages[${i}]`;
        if (typeof message !== 'string') fail(messagePath, 'a string', message);
        return bounded(message, maxTextChars, messagePath);
      }),
      autoIntroMessage: optionalString(conversation, 'auto_intro_message', conversationPath),
      enableEndConversationTool: boolean(conversation, 'enable_end_conversation_tool', conversationPath),
      enableBlockContactTool: boolean(conversation, 'enable_block_contact_tool', conversationPath),
      enablePrivateChats: boolean(conversation, 'enable_private_chats', conversationPath),
    },
    knowledgeScope: string(raw, 'knowledge_scope', path),
    instructions: optionalString(raw, 'instructions', path),
  };
}

function decodeIntegration(value: unknown, assistant: AssistantRecord, path: string): IntegrationRecord {
  const raw = object(value, path);
  return {
    assistant,
    id: identifier(raw, 'id', path),
    integrationId: identifier(raw, 'integration_id', path),
    enabled: boolean(raw, 'enabled', path),
    connectionId: optionalIdentifier(raw, 'connection_id', path),
    config: jsonObject(raw, 'config', path),
    error: optionalString(raw, 'error', path),
    createdAt: timestamp(raw, 'created_at', path),
    updatedAt: timestamp(raw, 'updated_at', path),
  };
}

function decodeAction(value: unknown, assistant: AssistantRecord, path: string): ActionRecord {
  const raw = object(value, path);
  const configPath = `${path}.config`;
  const config = object(raw.config, configPath);
  return {
    assistant,
    id: identifier(raw, 'id', path),
    name: string(raw, 'name', path),
    enabled: boolean(raw, 'enabled', path),
    instructions: optionalString(raw, 'instructions', path),
    actionId: identifier(raw, 'action_id', path),
    connectionId: optionalIdentifier(raw, 'connection_id', path),
    config: {
      input: jsonObject(config, 'input', configPath),
      definitions: list(config, 'definitions', configPath).map((item, i) => {
        const definitionPath = `${configPath}.definitions[${i}]`;
        const definition = object(item, definitionPath);
        return {
          path: string(definition, 'path', definitionPath),
          definition: jsonObject(definition, 'definition', definitionPath),
        };
      }),
    },
    createdAt: timestamp(raw, 'created_at', path),
    updatedAt: timestamp(raw, 'updated_at', path),
  };
}

// --- field readers -----------------------------------------------------------

function fail(path: string, expected: string, got: unknown): never {
  throw new UpstreamBadResponseError(`${path}: expected ${expected}, got ${describe(got)}`);
}

/** The JSON type of a value, never the value. */
function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}

function object(value: unknown, path: string): JsonObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    fail(path, 'an object', value);
  }
  return value as JsonObject;
}

/**
 * The longest text a field may hold: above any real one (the longest
 * instructions run to a few hundred thousand characters), low enough that
 * one field cannot fill a response with many megabytes.
 */
const maxTextChars = 1_000_000;
/** The longest id: ids go into global ids and cursors. */
const maxIdChars = 1_000;

function string(raw: JsonObject, key: string, path: string): string {
  const value = raw[key];
  if (typeof value !== 'string') fail(`${path}.${key}`, 'a string', value);
  return bounded(value, maxTextChars, `${path}.${key}`);
}

function optionalString(raw: JsonObject, key: string, path: string): string | null {
  const value = raw[key];
  if (value === null || value === undefined) return null;
  if (typeof value !== 'string') fail(`${path}.${key}`, 'a string or null', value);
  return bounded(value, maxTextChars, `${path}.${key}`);
}

function bounded(value: string, maxChars: number, path: string): string {
  if (value.length > maxChars) {
    throw new UpstreamBadResponseError(
      `${path}: expected a string of at most ${maxChars} characters, got one of ${value.length}`,
    );
  }
  return value;
}

function identifier(raw: JsonObject, key: string, path: string): string {
  const value = raw[key];
  // A lone surrogate (possible through JSON's \u escapes) could not be put in a global id.
  if (typeof value === 'string' && value !== '' && value.isWellFormed())
    return bounded(value, maxIdChars, `${path}.${key}`);
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  return fail(`${path}.${key}`, 'a non-empty string or integer id', value);
}

function optionalIdentifier(raw: JsonObject, key: string, path: string): string | null {
  const value = raw[key];
  if (value === null || value === undefined || value === '') return null;
  return identifier(raw, key, path);
}

function boolean(raw: JsonObject, key: string, path: string): boolean {
  const value = raw[key];
  if (typeof value !== 'boolean') fail(`${path}.${key}`, 'a boolean', value);
  return value;
}

function list(raw: JsonObject, key: string, path: string): readonly unknown[] {
  const value = raw[key];
  if (value === null || value === undefined) return [];
  if (!Array.isArray(value)) fail(`${path}.${key}`, 'an array', value);
  return value;
}

function jsonObject(raw: JsonObject, key: string, path: string): JsonObject {
  const value = raw[key];
  if (value === null || value === undefined) return {};
  return object(value, `${path}.${key}`);
}

const isoTimestamp = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/i;

/**
 * An ISO-8601 date or date-time as a UTC instant. A date alone is midnight
 * UTC; a date-time without an offset is read as UTC, not as server-local.
 */
function timestamp(raw: JsonObject, key: string, path: string): string {
  const value = raw[key];
  if (typeof value === 'string') {
    const known = utcInstants.get(value);
    if (known !== undefined) return known;
    const instant = toUtcInstant(value);
    if (instant !== undefined) {
      // The same timestamps come back page after page: remember a bounded number.
      if (utcInstants.size >= maxRememberedInstants) utcInstants.clear();
      utcInstants.set(value, instant);
      return instant;
    }
  }
  return fail(`${path}.${key}`, 'an ISO-8601 date or date-time', value);
}

const utcInstants = new Map<string, string>();
const maxRememberedInstants = 50_000;

function toUtcInstant(value: string): string | undefined {
  const match = isoTimestamp.exec(value);
  if (!match) return undefined;
  const [, year, month, day, hour, , , zone] = match;
  const normalised = hour === undefined ? `${value}T00:00:00Z` : zone ? value : `${value}Z`;
  const instant = new Date(normalised);
  if (Number.isNaN(instant.getTime()) || !isCalendarDate(Number(year), Number(month), Number(day))) return undefined;
  return instant.toISOString();
}

/** Whether a written date exists: Date would quietly move 30 February to March. */
function isCalendarDate(year: number, month: number, day: number): boolean {
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}
