// Deterministic demo data for the embedded upstream. It is deliberately as
// messy as real upstreams are (nulls, empty arrays, unicode, long text, mixed
// timestamp formats) so that the gateway is exercised against it by default.
// Pure: no I/O, no clock, no Math.random; every call returns fresh objects
// with the same content.

import type { WireAction, WireAssistant, WireIntegration } from './wire.ts';

/** Org id → its assistants, in the order the upstream pages them. */
export function createSeedData(): Map<string, WireAssistant[]> {
  const hooli = hooliEdgeCases();
  const ids = new UniqueIds(hooli);
  const data = new Map<string, WireAssistant[]>();
  for (const org of GENERATED_ORGS) {
    // One generator per org, so resizing one org leaves the others unchanged.
    const rng = new Rng(hashString(org.id));
    data.set(
      org.id,
      Array.from({ length: org.count }, () => generateAssistant(rng, ids, org.company)),
    );
  }
  data.set('hooli', hooli);
  data.set('umbrella', []);
  // Map order is the listing order above; consumers key by id.
  return new Map(ORG_ORDER.map((id) => [id, data.get(id) ?? []]));
}

const ORG_ORDER = ['acme', 'globex', 'initech', 'hooli', 'umbrella', 'wayne'] as const;

const GENERATED_ORGS = [
  { id: 'acme', count: 12, company: 'Acme Corp' },
  { id: 'globex', count: 45, company: 'Globex' },
  { id: 'initech', count: 350, company: 'Initech' },
  { id: 'wayne', count: 3, company: 'Wayne Enterprises' },
] as const;

// --- randomness ------------------------------------------------------------

/** mulberry32: a tiny, well-mixed 32-bit PRNG; plenty for demo data. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** FNV-1a, to derive a per-org seed from its id. */
function hashString(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

class Rng {
  readonly #next: () => number;

  constructor(seed: number) {
    this.#next = mulberry32(seed);
  }

  /** Integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.#next() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.#next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty list');
    return items[this.int(0, items.length - 1)] as T;
  }

  /** `count` distinct items, in random order. */
  sample<T>(items: readonly T[], count: number): T[] {
    const pool = [...items];
    const out: T[] = [];
    while (out.length < count && pool.length > 0) {
      out.push(pool.splice(this.int(0, pool.length - 1), 1)[0] as T);
    }
    return out;
  }

  chars(alphabet: string, length: number): string {
    let out = '';
    for (let i = 0; i < length; i++) out += alphabet[this.int(0, alphabet.length - 1)];
    return out;
  }
}

const BASE36 = '0123456789abcdefghijklmnopqrstuvwxyz';
const BASE62 = `${BASE36}ABCDEFGHIJKLMNOPQRSTUVWXYZ`;
const HEX = '0123456789abcdef';

/** Ids unique across every org, as a real upstream's would be. */
class UniqueIds {
  readonly #seen = new Set<string>();

  /** Reserves the ids of hand-written assistants and their children. */
  constructor(reserved: readonly WireAssistant[]) {
    for (const assistant of reserved) {
      this.#seen.add(assistant.id);
      for (const child of [...assistant.integrations, ...assistant.actions]) this.#seen.add(child.id);
    }
  }

  next(rng: Rng, prefix: string, length: number): string {
    for (;;) {
      const id = `${prefix}${rng.chars(BASE36, length)}`;
      if (!this.#seen.has(id)) {
        this.#seen.add(id);
        return id;
      }
    }
  }
}

// --- timestamps ------------------------------------------------------------

const DAY_MS = 86_400_000;
const EPOCH_2023 = Date.UTC(2023, 0, 1);
const OFFSETS_MIN = [120, -300, 330, 540, -180, 60, 0];

/** One instant, written the way some upstream component happened to write it. */
function formatTimestamp(rng: Rng, ms: number): string {
  const roll = rng.int(1, 100);
  if (roll <= 15) return new Date(ms).toISOString().slice(0, 10);
  if (roll <= 60) return `${new Date(ms).toISOString().slice(0, 19)}Z`;
  if (roll <= 85) return new Date(ms).toISOString();
  const offset = rng.pick(OFFSETS_MIN);
  const local = new Date(ms + offset * 60_000).toISOString().slice(0, 19);
  const sign = offset < 0 ? '-' : '+';
  const hours = String(Math.floor(Math.abs(offset) / 60)).padStart(2, '0');
  const minutes = String(Math.abs(offset) % 60).padStart(2, '0');
  return `${local}${sign}${hours}:${minutes}`;
}

/** created_at/updated_at with created <= updated even after date-only truncation. */
function timestamps(rng: Rng, notBefore: number): { created_at: string; updated_at: string } {
  const created = notBefore + rng.int(0, 120) * DAY_MS + rng.int(0, DAY_MS - 1);
  const updated = rng.chance(0.2) ? created : created + rng.int(1, 200 * DAY_MS);
  const created_at = formatTimestamp(rng, created);
  let updated_at = formatTimestamp(rng, updated);
  // A date-only or second-precision `updated_at` can land before a precise `created_at`.
  if (Date.parse(updated_at) < Date.parse(created_at)) updated_at = created_at;
  return { created_at, updated_at };
}

// --- vocabularies ----------------------------------------------------------

const LANGUAGES = ['en', 'en', 'en', 'en', 'de', 'fr', 'es', 'ja', 'pt-BR'] as const;
type Language = (typeof LANGUAGES)[number];

const ROLES = [
  'Support',
  'Billing',
  'Onboarding',
  'Sales',
  'Returns',
  'IT Helpdesk',
  'HR',
  'Booking',
  'Order Status',
  'Tech Support',
  'Customer Success',
  'Lead Qualification',
  'Appointment',
  'Claims',
  'Shipping',
  'Recruiting',
];
const KINDS = ['Concierge', 'Assistant', 'Agent', 'Bot', 'Helper', 'Guide', 'Desk', 'Copilot'];
const NAME_SUFFIXES = [' (EU)', ' – Night Shift', ' v2', ' [staging]', ' (beta)', ' US', ' 2.0'];

const LOCAL_NAMES: Record<Exclude<Language, 'en'>, readonly string[]> = {
  de: ['Kundenservice-Assistent', 'Rechnungshilfe', 'Terminbuchung'],
  fr: ['Assistant Service Client', 'Conseiller Facturation', 'Aide à la réservation'],
  es: ['Asistente de Soporte', 'Agente de Devoluciones', 'Ayuda con Pedidos'],
  ja: ['サポートアシスタント', '請求サポート', '予約コンシェルジュ'],
  'pt-BR': ['Assistente de Atendimento', 'Suporte Financeiro', 'Agendamento Rápido'],
};

const BANNERS: Record<Language, readonly string[]> = {
  en: ['Hi! How can I help you today?', 'Welcome back 👋', 'Questions about your order? Ask me.'],
  de: ['Hallo! Wie kann ich helfen?', 'Willkommen zurück!'],
  fr: ['Bonjour ! Comment puis-je vous aider ?', 'Bienvenue 👋'],
  es: ['¡Hola! ¿En qué puedo ayudarte?', '¡Bienvenido de nuevo!'],
  ja: ['こんにちは！ご用件をお聞かせください。', 'いらっしゃいませ'],
  'pt-BR': ['Olá! Como posso ajudar?', 'Bem-vindo de volta!'],
};

const SUGGESTIONS: Record<Language, readonly string[]> = {
  en: [
    'Where is my order?',
    'I want to return an item',
    'Talk to a human',
    'Update my billing address',
    'What are your opening hours?',
    'Cancel my subscription',
  ],
  de: ['Wo ist meine Bestellung?', 'Ich möchte etwas zurückgeben', 'Mit einem Menschen sprechen'],
  fr: ['Où est ma commande ?', 'Je veux retourner un article', 'Parler à un conseiller'],
  es: ['¿Dónde está mi pedido?', 'Quiero devolver un artículo', 'Hablar con una persona'],
  ja: ['注文はどこですか？', '返品したい', 'オペレーターと話したい'],
  'pt-BR': ['Onde está meu pedido?', 'Quero devolver um item', 'Falar com um atendente'],
};

const MODELS = [
  'gpt-4o',
  'gpt-4o',
  'gpt-4o-mini',
  'gpt-4.1',
  'gpt-4.1-mini',
  'claude-3-5-sonnet',
  'claude-3-5-haiku',
  'claude-3-7-sonnet',
  'gemini-1.5-pro',
];
const STT_MODELS = ['whisper-1', 'gpt-4o-transcribe', 'deepgram-nova-2', 'deepgram-nova-3'];
// TTS models come with the voice ids their vendor uses.
const TTS = [
  { models: ['tts-1', 'tts-1-hd', 'gpt-4o-mini-tts'], voices: ['alloy', 'echo', 'fable', 'onyx', 'nova', 'shimmer'] },
  {
    models: ['eleven_multilingual_v2', 'eleven_turbo_v2_5'],
    voices: ['21m00Tcm4TlvDq8ikWAM', 'EXAVITQu4vr4xnSDxMaL', 'pNInz6obpgDQGcFmaJgB', 'ErXwobaYiN019PkySvjV'],
  },
];
const THREAD_MODES = ['single', 'multi'];
const KNOWLEDGE_SCOPES = ['organization', 'organization', 'assistant', 'none'];

const RULES = [
  'Never promise refunds; hand refund requests to a human agent.',
  'Always confirm the order number before discussing an order.',
  'Keep answers under 80 words unless the customer asks for detail.',
  'If the customer is upset, apologise once and offer a human handoff.',
  'Do not share internal ticket ids with customers.',
  'Use the knowledge base before answering product questions.',
  'Quote prices including VAT for EU customers.',
  'Collect name, email and company before booking a demo.',
  'Escalate anything about data deletion (GDPR) to privacy@ immediately.',
  "Answer in the customer's language when you can detect it.",
];

// --- integrations and actions ----------------------------------------------

interface IntegrationKind {
  id: string;
  config: (rng: Rng, company: string) => Record<string, unknown>;
  errors: readonly string[];
}

const slug = (company: string) => company.toLowerCase().replace(/[^a-z0-9]+/g, '-');

const INTEGRATIONS: readonly IntegrationKind[] = [
  {
    id: 'slack',
    config: (rng, company) => ({
      workspace: `${slug(company)}-hq`,
      channel: rng.pick(['#support', '#cx-escalations', '#sales-leads', '#bot-alerts']),
      notify: { on_handoff: rng.chance(0.7), on_error: rng.chance(0.5), mention: rng.chance(0.3) ? '@oncall' : null },
      thread_replies: rng.chance(0.5),
    }),
    errors: ['token_revoked: the Slack app was uninstalled from the workspace', 'channel_not_found'],
  },
  {
    id: 'hubspot',
    config: (rng) => ({
      portal_id: rng.int(1_000_000, 9_999_999),
      pipeline: { id: 'default', stages: ['appointmentscheduled', 'qualifiedtobuy', 'closedwon'] },
      sync: { contacts: true, deals: rng.chance(0.5), properties: ['email', 'firstname', 'lifecyclestage'] },
    }),
    errors: ['401 Unauthorized: OAuth refresh token expired', 'Rate limit exceeded (100 requests / 10 s)'],
  },
  {
    id: 'zendesk',
    config: (rng, company) => ({
      subdomain: slug(company),
      ticket_defaults: {
        priority: rng.pick(['low', 'normal', 'high']),
        tags: rng.sample(['ai-handoff', 'bot', 'tier-1', 'vip'], rng.int(0, 3)),
        group_id: rng.int(10_000, 99_999),
      },
      sync_macros: rng.chance(0.4),
    }),
    errors: ['Couldn’t authenticate you (Zendesk 401)'],
  },
  {
    id: 'salesforce',
    config: (rng, company) => ({
      instance_url: `https://${slug(company)}.my.salesforce.com`,
      api_version: rng.pick(['v58.0', 'v59.0', 'v60.0']),
      object_mappings: { lead: { email: 'Email', company: 'Company', source: 'LeadSource' } },
    }),
    errors: ['INVALID_SESSION_ID: Session expired or invalid'],
  },
  {
    id: 'google_calendar',
    config: (rng) => ({
      calendar_id: 'primary',
      working_hours: {
        start: '09:00',
        end: rng.pick(['17:00', '17:30', '18:00']),
        timezone: rng.pick(['Europe/Berlin', 'America/New_York', 'Asia/Tokyo']),
      },
      buffer_minutes: rng.pick([0, 10, 15, 30]),
    }),
    errors: ['invalid_grant: Token has been expired or revoked.'],
  },
  {
    id: 'shopify',
    config: (rng, company) => ({
      shop_domain: `${slug(company)}.myshopify.com`,
      scopes: ['read_orders', 'read_customers', ...(rng.chance(0.3) ? ['write_returns'] : [])],
      order_lookup: { require_email_match: rng.chance(0.8), max_age_days: rng.pick([30, 90, 365]) },
    }),
    errors: ['[API] This action requires merchant approval for write_returns scope.'],
  },
  {
    id: 'intercom',
    config: (rng) => ({
      app_id: rng.chars(BASE36, 8),
      inbox: {
        assignee_id: rng.chance(0.5) ? null : rng.int(1000, 9999),
        team: rng.pick(['Tier 1', 'Billing', 'EMEA']),
      },
    }),
    errors: ['workspace_suspended'],
  },
  {
    id: 'twilio',
    config: (rng) => ({
      phone_number: `+1415555${rng.chars('0123456789', 4)}`,
      messaging_service_sid: `MG${rng.chars(HEX, 32)}`,
      sms_fallback: rng.chance(0.5),
    }),
    errors: ['21610: Attempt to send to unsubscribed recipient'],
  },
];

interface ActionKind {
  name: string;
  action_id: string;
  instructions: string;
  input: (rng: Rng) => Record<string, unknown>;
  definitions: readonly { path: string; definition: Record<string, unknown> }[];
}

const pathParam = (name: string) => ({ name, in: 'path', required: true, schema: { type: 'string' } });

const ACTIONS: readonly ActionKind[] = [
  {
    name: 'Create support ticket',
    action_id: 'zendesk.create_ticket',
    instructions: 'Create a ticket when the customer asks for a human or the issue is unresolved after two tries.',
    input: (rng) => ({ priority: rng.pick(['normal', 'high']), tags: ['created-by-assistant'] }),
    definitions: [
      {
        path: '/v1/tickets',
        definition: {
          method: 'POST',
          summary: 'Create a ticket',
          request_body: {
            type: 'object',
            required: ['subject', 'requester_email'],
            properties: { subject: { type: 'string' }, requester_email: { type: 'string', format: 'email' } },
          },
          responses: { '201': { description: 'Created' } },
        },
      },
    ],
  },
  {
    name: 'Look up order',
    action_id: 'shopify.get_order',
    instructions: 'Use when the customer gives an order number. Never reveal the full address.',
    input: (rng) => ({ include_line_items: rng.chance(0.6) }),
    definitions: [
      {
        path: '/v1/orders/{order_id}',
        definition: { method: 'GET', summary: 'Fetch one order', parameters: [pathParam('order_id')] },
      },
      {
        path: '/v1/orders/{order_id}/items',
        definition: { method: 'GET', summary: 'List order items', parameters: [pathParam('order_id')] },
      },
    ],
  },
  {
    name: 'Book a meeting',
    action_id: 'google_calendar.create_event',
    instructions: 'Offer three slots within working hours before booking.',
    input: (rng) => ({ duration_minutes: rng.pick([15, 30, 45]), send_invite: true }),
    definitions: [
      {
        path: '/v1/calendar/events',
        definition: {
          method: 'POST',
          summary: 'Create an event',
          request_body: {
            type: 'object',
            properties: { start: { type: 'string', format: 'date-time' }, attendees: { type: 'array' } },
          },
        },
      },
    ],
  },
  {
    name: 'Refund payment',
    action_id: 'stripe.create_refund',
    instructions: 'Only for orders under 100 EUR; above that, hand off to billing.',
    input: (rng) => ({ max_amount: { value: rng.pick([50, 100]), currency: 'EUR' }, reason: 'requested_by_customer' }),
    definitions: [
      {
        path: '/v1/payments/{payment_id}/refunds',
        definition: { method: 'POST', summary: 'Refund a payment', parameters: [pathParam('payment_id')] },
      },
    ],
  },
  {
    name: 'Check shipment status',
    action_id: 'shipping.track',
    instructions: 'Ask for the tracking number if the customer does not have an order number.',
    input: () => ({ carriers: ['dhl', 'ups', 'fedex'] }),
    definitions: [
      {
        path: '/v1/shipments/{tracking_number}',
        definition: {
          method: 'GET',
          parameters: [pathParam('tracking_number')],
          responses: { '404': { description: 'Unknown tracking number' } },
        },
      },
    ],
  },
  {
    name: 'Update CRM contact',
    action_id: 'hubspot.update_contact',
    instructions: 'Only update fields the customer explicitly confirmed.',
    input: () => ({ allowed_fields: ['phone', 'company', 'jobtitle'] }),
    definitions: [
      {
        path: '/v1/contacts/{contact_id}',
        definition: {
          method: 'PATCH',
          parameters: [pathParam('contact_id')],
          request_body: { type: 'object', additionalProperties: true },
        },
      },
    ],
  },
  {
    name: 'Search knowledge base',
    action_id: 'kb.search',
    instructions: 'Search before answering any product question.',
    input: (rng) => ({ top_k: rng.pick([3, 5, 8]), filters: { locale: null, published: true } }),
    definitions: [
      {
        path: '/v1/kb/search',
        definition: {
          method: 'GET',
          parameters: [{ name: 'q', in: 'query', required: true, schema: { type: 'string' } }],
        },
      },
    ],
  },
];

// --- generation ------------------------------------------------------------

function generateAssistant(rng: Rng, ids: UniqueIds, company: string): WireAssistant {
  const id = ids.next(rng, 'asst_', 12);
  const language = rng.pick(LANGUAGES);
  const name =
    language !== 'en' && rng.chance(0.3)
      ? rng.pick(LOCAL_NAMES[language])
      : `${rng.pick(ROLES)} ${rng.pick(KINDS)}${rng.chance(0.15) ? rng.pick(NAME_SUFFIXES) : ''}`;
  const tts = rng.pick(TTS);
  const times = timestamps(rng, EPOCH_2023 + rng.int(0, 700) * DAY_MS);
  const childrenNotBefore = Date.parse(times.created_at);

  return {
    id,
    name,
    enabled: rng.chance(0.8),
    secret_key: secretKey(rng),
    avatar_url: rng.chance(0.3)
      ? null
      : rng.pick([
          `https://cdn.example.com/avatars/${id}.png`,
          `https://images.example.net/a/${rng.chars(HEX, 16)}?s=256&v=3`,
        ]),
    config: {
      language,
      model: rng.pick(MODELS),
      stt: { model: rng.pick(STT_MODELS) },
      tts: { model: rng.pick(tts.models), voice_id: rng.pick(tts.voices) },
      conversation: {
        thread_mode: rng.pick(THREAD_MODES),
        enable_memories: rng.chance(0.5),
        enable_transfer_to_human_tool: rng.chance(0.6),
        welcome_banner: rng.chance(0.25) ? null : rng.pick(BANNERS[language]),
        suggested_messages: rng.sample(SUGGESTIONS[language], rng.int(0, 4)),
        auto_intro_message: rng.chance(0.4) ? null : `Hi, I'm ${name}, ${company}'s virtual assistant.`,
        enable_end_conversation_tool: rng.chance(0.5),
        enable_block_contact_tool: rng.chance(0.2),
        enable_private_chats: rng.chance(0.3),
      },
      knowledge_scope: rng.pick(KNOWLEDGE_SCOPES),
      instructions: rng.chance(0.15) ? null : instructions(rng, name, company),
    },
    integrations: rng
      .sample(INTEGRATIONS, rng.int(0, 3))
      .map((kind) => generateIntegration(rng, ids, id, kind, company, childrenNotBefore)),
    actions: rng.sample(ACTIONS, rng.int(0, 3)).map((kind) => generateAction(rng, ids, id, kind, childrenNotBefore)),
    ...times,
  };
}

function secretKey(rng: Rng): string | null {
  const roll = rng.int(1, 100);
  if (roll <= 8) return null;
  if (roll <= 13) return '';
  return `${roll <= 25 ? 'sk_test_' : 'sk_live_'}${rng.chars(BASE62, 24)}`;
}

function instructions(rng: Rng, name: string, company: string): string {
  const rules = rng.sample(RULES, rng.int(1, 6)).map((rule) => `- ${rule}`);
  return [`You are ${name} for ${company}. Be friendly, precise and brief.`, '', 'Rules:', ...rules].join('\n');
}

function generateIntegration(
  rng: Rng,
  ids: UniqueIds,
  assistantId: string,
  kind: IntegrationKind,
  company: string,
  notBefore: number,
): WireIntegration {
  const error = rng.chance(0.12) ? rng.pick(kind.errors) : null;
  return {
    id: ids.next(rng, 'int_', 16),
    // A failing integration is usually switched off, but not always.
    enabled: error ? rng.chance(0.3) : rng.chance(0.85),
    integration_id: kind.id,
    assistant_id: assistantId,
    connection_id: rng.chance(0.15) ? null : ids.next(rng, 'conn_', 16),
    config: kind.config(rng, company),
    error,
    ...timestamps(rng, notBefore),
  };
}

function generateAction(
  rng: Rng,
  ids: UniqueIds,
  assistantId: string,
  kind: ActionKind,
  notBefore: number,
): WireAction {
  return {
    id: ids.next(rng, 'act_', 16),
    enabled: rng.chance(0.85),
    name: kind.name,
    instructions: rng.chance(0.25) ? null : kind.instructions,
    action_id: kind.action_id,
    assistant_id: assistantId,
    connection_id: rng.chance(0.2) ? null : ids.next(rng, 'conn_', 16),
    config: { input: kind.input(rng), definitions: structuredClone([...kind.definitions]) },
    ...timestamps(rng, notBefore),
  };
}

// --- hooli: hand-written edge cases -----------------------------------------

function hooliEdgeCases(): WireAssistant[] {
  return [everyOptionalAbsent(), unicodeEverywhere(), veryLongInstructions(), messyChildren(), rightToLeft()];
}

/** A conversation config with every switch off, but for `overrides`. */
function hooliConversation(
  overrides: Partial<WireAssistant['config']['conversation']>,
): WireAssistant['config']['conversation'] {
  return {
    thread_mode: 'single',
    enable_memories: false,
    enable_transfer_to_human_tool: false,
    welcome_banner: null,
    suggested_messages: [],
    auto_intro_message: null,
    enable_end_conversation_tool: false,
    enable_block_contact_tool: false,
    enable_private_chats: false,
    ...overrides,
  };
}

// Every optional value absent.
function everyOptionalAbsent(): WireAssistant {
  return {
    id: 'asst_hooliedge001',
    name: 'Bare Minimum',
    enabled: false,
    secret_key: null,
    avatar_url: null,
    config: {
      language: 'en',
      model: 'gpt-4o-mini',
      stt: { model: 'whisper-1' },
      tts: { model: 'tts-1', voice_id: 'alloy' },
      conversation: hooliConversation({}),
      knowledge_scope: 'none',
      instructions: null,
    },
    integrations: [],
    actions: [],
    created_at: '2023-12-25',
    updated_at: '2023-12-25',
  };
}

// Unicode everywhere: emoji (incl. ZWJ sequences and flags), CJK, RTL
// Arabic, and a combining accent (decomposed "é", not U+00E9).
function unicodeEverywhere(): WireAssistant {
  return {
    id: 'asst_hooliedge002',
    name: '🤖 客服助手 · مساعد الدعم · Zoe\u0301',
    enabled: true,
    secret_key: '',
    avatar_url: 'https://cdn.example.com/avatars/%E5%AE%A2%E6%9C%8D.png',
    config: {
      language: 'ja',
      model: 'claude-3-5-sonnet',
      stt: { model: 'gpt-4o-transcribe' },
      tts: { model: 'eleven_multilingual_v2', voice_id: 'EXAVITQu4vr4xnSDxMaL' },
      conversation: hooliConversation({
        thread_mode: 'multi',
        enable_memories: true,
        welcome_banner: '👋 مرحبا! 欢迎! Bienvenue\u00a0! Cafe\u0301 ☕',
        suggested_messages: [
          '¿Dónde está mi pedido? 📦',
          'إلغاء الاشتراك',
          '注文をキャンセルしたい',
          '👨‍👩‍👧‍👦 family plan',
        ],
        auto_intro_message: 'こんにちは、Zoe\u0301です。مرحبا بك 🇯🇵🇸🇦',
      }),
      knowledge_scope: 'assistant',
      instructions:
        'Réponds en français si on te parle français.\n日本語のお客様には日本語で対応してください。\nأجب باللغة العربية عند الحاجة.\nנא לענות בעברית אם צריך.\nEmoji are fine: ✅ 🚚 👨‍💻',
    },
    integrations: [],
    actions: [],
    created_at: '2024-03-01T10:20:30+02:00',
    updated_at: '2024-03-01T10:20:30Z',
  };
}

// Very long instructions, as some customers paste whole policy manuals.
function veryLongInstructions(): WireAssistant {
  return {
    id: 'asst_hooliedge003',
    name: 'Encyclopedic Policy Bot',
    enabled: true,
    secret_key: 'sk_live_H00l1P0l1cyB0tS3cr3tK3yX',
    avatar_url: 'https://cdn.example.com/avatars/asst_hooliedge003.png',
    config: {
      language: 'en',
      model: 'gpt-4.1',
      stt: { model: 'deepgram-nova-3' },
      tts: { model: 'gpt-4o-mini-tts', voice_id: 'nova' },
      conversation: hooliConversation({
        welcome_banner: 'Ask me anything about our policies.',
        suggested_messages: ['What is the return window?'],
        enable_end_conversation_tool: true,
      }),
      knowledge_scope: 'organization',
      instructions: longPolicy(),
    },
    integrations: [],
    actions: [],
    created_at: '2024-01-15T08:00:00Z',
    updated_at: '2024-06-30T23:59:59.999Z',
  };
}

// Children with nulls, empty configs and a failing integration.
function messyChildren(): WireAssistant {
  return {
    id: 'asst_hooliedge004',
    name: 'Integration Edge Cases',
    enabled: true,
    secret_key: 'sk_test_EdgeCaseTestKey0000000',
    avatar_url: null,
    config: {
      language: 'de',
      model: 'gpt-4o',
      stt: { model: 'whisper-1' },
      tts: { model: 'tts-1-hd', voice_id: 'onyx' },
      conversation: hooliConversation({ enable_transfer_to_human_tool: true }),
      knowledge_scope: 'organization',
      instructions: '',
    },
    integrations: [
      {
        id: 'int_hooli00000000001',
        enabled: false,
        integration_id: 'webhook',
        assistant_id: 'asst_hooliedge004',
        connection_id: null,
        config: {},
        error: null,
        created_at: '2022-02-28',
        updated_at: '2022-02-28',
      },
      {
        id: 'int_hooli00000000002',
        enabled: true,
        integration_id: 'hubspot',
        assistant_id: 'asst_hooliedge004',
        connection_id: 'conn_hooli0000000001',
        config: { a: { b: { c: { d: [1, { e: null }, 'ü'] } } }, flags: [], note: '' },
        error: '401 Unauthorized: OAuth refresh token expired',
        created_at: '2023-05-01T12:00:00+05:30',
        updated_at: '2024-02-29T23:30:00-05:00',
      },
    ],
    actions: [
      {
        id: 'act_hooli00000000001',
        enabled: false,
        name: 'Noop',
        instructions: null,
        action_id: 'custom.noop',
        assistant_id: 'asst_hooliedge004',
        connection_id: null,
        config: { input: {}, definitions: [] },
        created_at: '2022-02-28',
        updated_at: '2022-03-01T00:00:00.000Z',
      },
      {
        id: 'act_hooli00000000002',
        enabled: true,
        name: 'Look up order ✨',
        instructions: 'Bestellnummer zuerst bestätigen.',
        action_id: 'shopify.get_order',
        assistant_id: 'asst_hooliedge004',
        connection_id: 'conn_hooli0000000002',
        config: {
          input: { nested: { deeper: { list: [{ x: 1 }, { x: null }] } } },
          definitions: [
            { path: '/v1/orders/{order_id}', definition: { method: 'GET', parameters: [pathParam('order_id')] } },
          ],
        },
        created_at: '2023-12-25',
        updated_at: '2024-03-01T10:20:30+02:00',
      },
    ],
    created_at: '2022-02-28',
    updated_at: '2024-02-29T23:30:00-05:00',
  };
}

// Right-to-left name and text.
function rightToLeft(): WireAssistant {
  return {
    id: 'asst_hooliedge005',
    name: 'مساعد المبيعات',
    enabled: true,
    secret_key: 'sk_live_RtlSalesAssistantKey00000',
    avatar_url: 'https://cdn.example.com/avatars/asst_hooliedge005.png',
    config: {
      language: 'ar',
      model: 'claude-3-7-sonnet',
      stt: { model: 'whisper-1' },
      tts: { model: 'eleven_turbo_v2_5', voice_id: 'pNInz6obpgDQGcFmaJgB' },
      conversation: hooliConversation({
        thread_mode: 'multi',
        welcome_banner: 'مرحبا! كيف يمكنني مساعدتك اليوم؟',
        suggested_messages: ['ما هي الأسعار؟', 'أريد التحدث مع موظف'],
      }),
      knowledge_scope: 'assistant',
      instructions: 'أجب دائما باللغة العربية الفصحى. لا تعد بخصومات.',
    },
    integrations: [],
    actions: [],
    created_at: '2023-12-25',
    updated_at: '2024-03-01T10:20:30+02:00',
  };
}

/** A >20,000 character instructions text, built deterministically. */
function longPolicy(): string {
  const sections: string[] = [];
  for (let i = 1; sections.join('\n\n').length < 24_000; i++) {
    const rule = RULES[i % RULES.length];
    sections.push(
      `§${i}. ${rule} This clause applies to all regions, channels and customer tiers unless a later clause overrides it; when in doubt, hand off to a human agent and note clause §${i} in the ticket.`,
    );
  }
  return `Company policy manual (v47 — do not edit by hand)\n\n${sections.join('\n\n')}\n\nEnd of manual. 終わり. انتهى.`;
}
