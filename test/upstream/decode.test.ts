import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSeedData } from '../../src/demo/seed.ts';
import type { WireAction, WireAssistant, WireIntegration } from '../../src/demo/wire.ts';
import { decodeAssistantList } from '../../src/upstream/decode.ts';
import { UpstreamBadResponseError } from '../../src/upstream/errors.ts';

/**
 * A seed assistant with an integration and an action: the fixtures start from
 * it, so that a field added to the shape and the seed is in them too.
 */
const seeded = createSeedData()
  .get('hooli')
  ?.find((assistant) => assistant.integrations.length > 0 && assistant.actions.length > 0) as WireAssistant;

function wireAssistant(): WireAssistant {
  return structuredClone({
    ...seeded,
    id: 'asst_1',
    name: 'Ada — ünïcode 😀',
    enabled: true,
    secret_key: 'sk_live_visible_only_in_records',
    avatar_url: 'https://example.com/ada.png',
    config: {
      ...seeded.config,
      language: 'en',
      model: 'gpt-4o',
      stt: { ...seeded.config.stt, model: 'whisper-1' },
      tts: { ...seeded.config.tts, model: 'tts-1', voice_id: 'alloy' },
      conversation: {
        ...seeded.config.conversation,
        thread_mode: 'single',
        enable_memories: true,
        enable_transfer_to_human_tool: false,
        welcome_banner: 'Hello!',
        suggested_messages: ['Hi', 'Help me'],
        auto_intro_message: 'I am Ada',
        enable_end_conversation_tool: true,
        enable_block_contact_tool: false,
        enable_private_chats: true,
      },
      knowledge_scope: 'org',
      instructions: 'Be kind.',
    },
    integrations: [
      {
        ...(seeded.integrations[0] as WireIntegration),
        id: 'int_1',
        enabled: false,
        integration_id: 'slack',
        assistant_id: 'asst_1',
        connection_id: 'conn_1',
        config: { channel: '#general', nested: { depth: [1, 2] } },
        error: 'token expired',
        created_at: '2024-01-02T03:04:05Z',
        updated_at: '2024-01-03',
      },
    ],
    actions: [
      {
        ...(seeded.actions[0] as WireAction),
        id: 'act_1',
        enabled: true,
        name: 'Lookup',
        instructions: 'Look it up',
        action_id: 'http.get',
        assistant_id: 'asst_1',
        connection_id: null,
        config: {
          ...(seeded.actions[0] as WireAction).config,
          input: { url: 'https://example.com' },
          definitions: [{ path: '/items', definition: { type: 'object' } }],
        },
        created_at: '2024-02-01T00:00:00+01:00',
        updated_at: '2024-02-02T12:00:00.250Z',
      },
    ],
    created_at: '2023-12-25',
    updated_at: '2024-03-01T10:20:30Z',
  });
}

/** Plain JSON, to be broken in ways the wire types forbid. */
// biome-ignore lint/suspicious/noExplicitAny: these tests break the wire shape on purpose
type LooseJson = Record<string, any>;

/** A wire assistant as plain JSON. */
function json(): LooseJson {
  return structuredClone(wireAssistant()) as unknown as LooseJson;
}

function decodeOne(raw: unknown) {
  const [record] = decodeAssistantList([raw], 'org_1');
  if (!record) throw new Error('no record');
  return record;
}

function decodeError(body: unknown): UpstreamBadResponseError {
  try {
    decodeAssistantList(body, 'org_1');
  } catch (error) {
    expect(error).toBeInstanceOf(UpstreamBadResponseError);
    expect((error as UpstreamBadResponseError).code).toBe('UPSTREAM_BAD_RESPONSE');
    expect((error as UpstreamBadResponseError).status).toBe(200);
    return error as UpstreamBadResponseError;
  }
  throw new Error('expected an UpstreamBadResponseError');
}

describe('decodeAssistantList: a valid assistant', () => {
  // Fields the fixture does not set (one added to the shape, say) are test/schema/mapping.test.ts's.
  it('maps the fields it is given to camelCase exactly', () => {
    const record = decodeOne(wireAssistant());
    const { integrations, actions, ...assistant } = record;
    expect(assistant).toMatchObject({
      orgId: 'org_1',
      id: 'asst_1',
      name: 'Ada — ünïcode 😀',
      enabled: true,
      secretKey: 'sk_live_visible_only_in_records',
      avatarUrl: 'https://example.com/ada.png',
      config: {
        language: 'en',
        model: 'gpt-4o',
        stt: { model: 'whisper-1' },
        tts: { model: 'tts-1', voiceId: 'alloy' },
        conversation: {
          threadMode: 'single',
          enableMemories: true,
          enableTransferToHumanTool: false,
          welcomeBanner: 'Hello!',
          suggestedMessages: ['Hi', 'Help me'],
          autoIntroMessage: 'I am Ada',
          enableEndConversationTool: true,
          enableBlockContactTool: false,
          enablePrivateChats: true,
        },
        knowledgeScope: 'org',
        instructions: 'Be kind.',
      },
      createdAt: '2023-12-25T00:00:00.000Z',
      updatedAt: '2024-03-01T10:20:30.000Z',
    });

    expect(integrations).toHaveLength(1);
    const { assistant: integrationOwner, ...integration } = integrations[0] ?? ({} as never);
    expect(integration).toMatchObject({
      id: 'int_1',
      integrationId: 'slack',
      enabled: false,
      connectionId: 'conn_1',
      config: { channel: '#general', nested: { depth: [1, 2] } },
      error: 'token expired',
      createdAt: '2024-01-02T03:04:05.000Z',
      updatedAt: '2024-01-03T00:00:00.000Z',
    });

    expect(actions).toHaveLength(1);
    const { assistant: actionOwner, ...action } = actions[0] ?? ({} as never);
    expect(action).toMatchObject({
      id: 'act_1',
      name: 'Lookup',
      enabled: true,
      instructions: 'Look it up',
      actionId: 'http.get',
      connectionId: null,
      config: {
        input: { url: 'https://example.com' },
        definitions: [{ path: '/items', definition: { type: 'object' } }],
      },
      createdAt: '2024-01-31T23:00:00.000Z',
      updatedAt: '2024-02-02T12:00:00.250Z',
    });

    // Children point back at their assistant itself, not by the id the upstream sends.
    expect(integration).not.toHaveProperty('assistantId');
    expect(action).not.toHaveProperty('assistantId');
    expect(integrationOwner).toBe(record);
    expect(actionOwner).toBe(record);
  });

  it('decodes every element of the list, in order, each with its own children', () => {
    const first = json();
    const second = json();
    second.id = 'asst_2';
    second.integrations[0].id = 'int_2';
    const records = decodeAssistantList([first, second, json()], 'org_1');
    expect(records.map((r) => r.id)).toEqual(['asst_1', 'asst_2', 'asst_1']);
    expect(records[1]?.integrations[0]?.id).toBe('int_2');
    expect(records[1]?.integrations[0]?.assistant).toBe(records[1]);
    expect(records[1]?.actions[0]?.assistant).toBe(records[1]);
    expect(records[0]?.integrations[0]?.assistant).toBe(records[0]);
  });

  it('decodes an empty list', () => {
    expect(decodeAssistantList([], 'org_1')).toEqual([]);
  });

  it('keeps unicode and very long instructions as they are', () => {
    const raw = json();
    raw.config.instructions = `${'Ünïcødé 🤖 '.repeat(20_000)}end`;
    expect(decodeOne(raw).config.instructions).toBe(raw.config.instructions);
  });
});

describe('decodeAssistantList: messy but meaningful values', () => {
  it('reads null optional strings as null', () => {
    const raw = json();
    raw.secret_key = null;
    raw.avatar_url = null;
    raw.config.instructions = null;
    raw.config.conversation.welcome_banner = null;
    raw.config.conversation.auto_intro_message = null;
    raw.integrations[0].error = null;
    raw.integrations[0].connection_id = null;
    raw.actions[0].instructions = null;
    const record = decodeOne(raw);
    expect(record.secretKey).toBeNull();
    expect(record.avatarUrl).toBeNull();
    expect(record.config.instructions).toBeNull();
    expect(record.config.conversation.welcomeBanner).toBeNull();
    expect(record.config.conversation.autoIntroMessage).toBeNull();
    expect(record.integrations[0]?.error).toBeNull();
    expect(record.integrations[0]?.connectionId).toBeNull();
    expect(record.actions[0]?.instructions).toBeNull();
  });

  it('reads missing optional strings as null', () => {
    const raw = json();
    delete raw.secret_key;
    delete raw.avatar_url;
    delete raw.config.instructions;
    delete raw.config.conversation.welcome_banner;
    delete raw.config.conversation.auto_intro_message;
    delete raw.integrations[0].error;
    delete raw.integrations[0].connection_id;
    delete raw.actions[0].instructions;
    delete raw.actions[0].connection_id;
    const record = decodeOne(raw);
    expect(record.secretKey).toBeNull();
    expect(record.avatarUrl).toBeNull();
    expect(record.config.instructions).toBeNull();
    expect(record.config.conversation.welcomeBanner).toBeNull();
    expect(record.config.conversation.autoIntroMessage).toBeNull();
    expect(record.integrations[0]?.error).toBeNull();
    expect(record.integrations[0]?.connectionId).toBeNull();
    expect(record.actions[0]?.instructions).toBeNull();
    expect(record.actions[0]?.connectionId).toBeNull();
  });

  it('keeps an empty secret key as an empty string, not as a key', () => {
    const raw = json();
    raw.secret_key = '';
    expect(decodeOne(raw).secretKey).toBe('');
  });

  it('reads null lists as empty', () => {
    const raw = json();
    raw.integrations = null;
    raw.actions = null;
    raw.config.conversation.suggested_messages = null;
    const record = decodeOne(raw);
    expect(record.integrations).toEqual([]);
    expect(record.actions).toEqual([]);
    expect(record.config.conversation.suggestedMessages).toEqual([]);
  });

  it('reads missing lists as empty', () => {
    const raw = json();
    delete raw.integrations;
    delete raw.actions;
    delete raw.config.conversation.suggested_messages;
    raw.actions = [];
    raw.actions.push({ ...json().actions[0], config: { input: null } });
    const record = decodeOne(raw);
    expect(record.integrations).toEqual([]);
    expect(record.config.conversation.suggestedMessages).toEqual([]);
    expect(record.actions[0]?.config).toEqual({ input: {}, definitions: [] });
  });

  it('reads null JSON objects as empty objects', () => {
    const raw = json();
    raw.integrations[0].config = null;
    raw.actions[0].config.input = null;
    const record = decodeOne(raw);
    expect(record.integrations[0]?.config).toEqual({});
    expect(record.actions[0]?.config.input).toEqual({});
  });

  it('reads numeric ids as strings', () => {
    const raw = json();
    raw.id = 42;
    raw.integrations[0].id = 7;
    raw.integrations[0].integration_id = 0;
    raw.integrations[0].connection_id = 9;
    raw.actions[0].id = 8;
    raw.actions[0].action_id = 123_456_789_012;
    const record = decodeOne(raw);
    expect(record.id).toBe('42');
    expect(record.integrations[0]?.id).toBe('7');
    expect(record.integrations[0]?.integrationId).toBe('0');
    expect(record.integrations[0]?.connectionId).toBe('9');
    expect(record.actions[0]?.id).toBe('8');
    expect(record.actions[0]?.actionId).toBe('123456789012');
  });
});

describe('decodeAssistantList: timestamps', () => {
  // A zone-less date-time must be read as UTC, not server-local: run these
  // in a zone far from UTC so that reading it as local time would show.
  const savedZone = process.env.TZ;
  beforeAll(() => {
    process.env.TZ = 'America/New_York';
  });
  afterAll(() => {
    if (savedZone === undefined) delete process.env.TZ;
    else process.env.TZ = savedZone;
  });

  it('runs in a zone other than UTC', () => {
    expect(new Date(2024, 0, 1).getTimezoneOffset()).not.toBe(0);
  });

  it.each([
    ['a date alone: midnight UTC', '2023-12-25', '2023-12-25T00:00:00.000Z'],
    ['a leap day', '2024-02-29', '2024-02-29T00:00:00.000Z'],
    ['UTC', '2024-03-01T10:20:30Z', '2024-03-01T10:20:30.000Z'],
    ['fractional seconds', '2024-03-01T10:20:30.123456Z', '2024-03-01T10:20:30.123Z'],
    ['a positive offset', '2024-03-01T10:20:30+02:00', '2024-03-01T08:20:30.000Z'],
    ['a negative half-hour offset', '2024-03-01T10:20:30-05:30', '2024-03-01T15:50:30.000Z'],
    ['an offset across midnight', '2024-03-01T01:00:00+03:00', '2024-02-29T22:00:00.000Z'],
    ['no zone: read as UTC', '2024-03-01T10:20:30', '2024-03-01T10:20:30.000Z'],
    ['no zone, no seconds: read as UTC', '2024-07-01T10:20', '2024-07-01T10:20:00.000Z'],
    ['a space instead of T, no zone', '2024-07-01 10:20:30', '2024-07-01T10:20:30.000Z'],
  ])('%s: %s → %s', (_name, wire, iso) => {
    const raw = json();
    raw.created_at = wire;
    raw.integrations[0].updated_at = wire;
    raw.actions[0].created_at = wire;
    const record = decodeOne(raw);
    expect(record.createdAt).toBe(iso);
    expect(record.integrations[0]?.updatedAt).toBe(iso);
    expect(record.actions[0]?.createdAt).toBe(iso);
  });

  it.each([
    ['not a date', 'yesterday'],
    ['empty', ''],
    ['month 13', '2024-13-01'],
    ['month 0', '2024-00-10'],
    ['day 32', '2024-01-32'],
    ['hour 25', '2024-03-01T25:00:00Z'],
    ['minute 60', '2024-03-01T10:60:00Z'],
    ['trailing text', '2024-03-01T10:20:30Zjunk'],
    ['a number', 1_709_288_430],
    ['null', null],
  ])('refuses %s', (_name, wire) => {
    const raw = json();
    raw.updated_at = wire;
    expect(decodeError([raw]).message).toContain('[0].updated_at');
  });

  // These match the pattern, but no such day exists; V8 would roll them over
  // into the next month, silently serving a different date.
  it.each([
    ['30 February', '2024-02-30'],
    ['29 February of a common year', '2023-02-29T10:00:00Z'],
    ['31 April', '2024-04-31'],
  ])('refuses %s', (_name, wire) => {
    const raw = json();
    raw.created_at = wire;
    expect(decodeError([raw]).message).toContain('[0].created_at');
  });
});

describe('decodeAssistantList: bodies that do not fit', () => {
  it.each<[string, unknown, string]>([
    ['an object body', { assistants: [] }, 'body'],
    ['a null body', null, 'body'],
    ['a string body', 'sk_live_body', 'body'],
    ['an element that is not an object', [json(), 'sk_live_elem'], '[1]'],
    ['an element that is an array', [['sk_live_arr']], '[0]'],
  ])('refuses %s, naming %s', (_name, body, path) => {
    const error = decodeError(body);
    expect(error.message).toContain(path);
    expect(error.message).not.toContain('sk_live');
  });

  type Break = (raw: LooseJson) => void;
  it.each<[string, Break, string]>([
    [
      'enabled "yes"',
      (raw) => {
        raw.enabled = 'yes-sk_live_enabled';
      },
      '[1].enabled',
    ],
    [
      'a missing config',
      (raw) => {
        delete raw.config;
      },
      '[1].config',
    ],
    [
      'a null config',
      (raw) => {
        raw.config = null;
      },
      '[1].config',
    ],
    [
      'a missing name',
      (raw) => {
        delete raw.name;
      },
      '[1].name',
    ],
    [
      'an empty id',
      (raw) => {
        raw.id = '';
      },
      '[1].id',
    ],
    [
      'a fractional id',
      (raw) => {
        raw.id = 1.5;
      },
      '[1].id',
    ],
    [
      'a missing tts voice',
      (raw) => {
        delete raw.config.tts.voice_id;
      },
      '[1].config.tts.voice_id',
    ],
    [
      'a missing conversation',
      (raw) => {
        delete raw.config.conversation;
      },
      '[1].config.conversation',
    ],
    [
      'a string flag in the conversation',
      (raw) => {
        raw.config.conversation.enable_memories = 'true';
      },
      '[1].config.conversation.enable_memories',
    ],
    [
      'a number among the suggested messages',
      (raw) => {
        raw.config.conversation.suggested_messages = ['ok', 42];
      },
      '[1].config.conversation.suggested_messages[1]',
    ],
    [
      'integrations that are an object',
      (raw) => {
        raw.integrations = { sk: 'sk_live_integrations' };
      },
      '[1].integrations',
    ],
    [
      'an integration config that is a string',
      (raw) => {
        raw.integrations[0].config = 'sk_live_config';
      },
      '[1].integrations[0].config',
    ],
    [
      'an action without an action_id',
      (raw) => {
        delete raw.actions[0].action_id;
      },
      '[1].actions[0].action_id',
    ],
    [
      'an action definition without a path',
      (raw) => {
        raw.actions[0].config.definitions = [{ definition: {} }];
      },
      '[1].actions[0].config.definitions[0].path',
    ],
  ])('refuses %s, naming its path', (_name, breakIt, path) => {
    const raw = json();
    breakIt(raw);
    const error = decodeError([json(), raw]);
    expect(error.message).toContain(path);
    expect(error.message).not.toContain('sk_live');
  });

  it('names a wrong-typed secret_key without its value', () => {
    const raw = json();
    raw.secret_key = 12345;
    const error = decodeError([raw]);
    expect(error.message).toContain('[0].secret_key');
    expect(error.message).not.toContain('12345');
  });

  it('names an object-valued name without the secret inside it', () => {
    const raw = json();
    raw.name = { secret: 'sk_live_abc' };
    const error = decodeError([raw]);
    expect(error.message).toContain('[0].name');
    expect(error.message).not.toContain('sk_live_abc');
    expect(error.message).not.toContain('secret');
    expect(error.problem).not.toContain('sk_live_abc');
  });

  it('names a bad timestamp without its value', () => {
    const raw = json();
    raw.created_at = 'sk_live_not_a_date';
    const error = decodeError([raw]);
    expect(error.message).toContain('[0].created_at');
    expect(error.message).not.toContain('sk_live');
  });

  it('accepts any string as secret_key', () => {
    const raw = json();
    raw.secret_key = 'sk_live_ok';
    expect(decodeOne(raw).secretKey).toBe('sk_live_ok');
  });
});

describe('decodeAssistantList: every string is bounded', () => {
  const text = (length: number) => 'x'.repeat(length);
  it.each<[string, (raw: LooseJson, value: string) => void, string, number]>([
    ['a text', (raw, value) => Object.assign(raw, { name: value }), '[0].name', 1_000_000],
    [
      'an optional text',
      (raw, value) => Object.assign(raw.config, { instructions: value }),
      '[0].config.instructions',
      1_000_000,
    ],
    [
      'a text in a list',
      (raw, value) => Object.assign(raw.config.conversation, { suggested_messages: ['ok', value] }),
      '[0].config.conversation.suggested_messages[1]',
      1_000_000,
    ],
    ['an id', (raw, value) => Object.assign(raw, { id: value }), '[0].id', 1_000],
    [
      'an optional id',
      (raw, value) => Object.assign(raw.integrations[0], { connection_id: value }),
      '[0].integrations[0].connection_id',
      1_000,
    ],
  ])('takes %s at its bound, and refuses it one character longer, naming its path', (_name, set, path, bound) => {
    const atBound = json();
    set(atBound, text(bound));
    expect(() => decodeOne(atBound)).not.toThrow();
    const over = json();
    set(over, text(bound + 1));
    expect(decodeError([over]).message).toContain(
      `${path}: expected a string of at most ${bound} characters, got one of ${bound + 1}`,
    );
  });
});
