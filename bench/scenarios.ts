// The benchmark's scenarios: what each target is asked, and how to tell that
// both answered with the same assistants.

import { createSeedData } from '../src/demo/seed.ts';
// Every field of an assistant: the fragment AssistantFields that GraphiQL and the tests use too.
import { assistantFields } from '../src/graphql/assistant-fields.generated.ts';
import { encodeAnchoredCursor, encodeCursor, fingerprint, listEdge } from '../src/paging/cursors.ts';
import { encodeGlobalId } from '../src/schema/global-id.ts';

export interface Scenario {
  readonly name: string;
  readonly description: string;
  /** The GraphQL operation sent to the gateway. */
  readonly query: string;
  readonly variables?: Record<string, unknown>;
  /**
   * For a build that refuses `variables` as bad input (one from before the
   * cursor it sends): the same request in that build's terms. bench:compare
   * uses it for such a build, so both do the same work.
   */
  readonly olderVariables?: Record<string, unknown>;
  /**
   * The upstream requests the passthrough makes: the very ones the gateway's
   * planner makes, so that the two differ only in what sits between.
   */
  readonly upstreamPaths: readonly string[];
  /** Assistant ids in the gateway's answer. */
  gatewayIds(body: unknown): string[];
  /** The same assistants, read from the upstream bodies the passthrough returns. */
  upstreamIds(pages: { id: string }[][]): string[];
  /** Runs against a gateway with the page cache on (CACHE_TTL_MS); the passthrough still calls every time. */
  readonly cached?: boolean;
  /** Runs against a gateway of this many worker processes (WORKERS); the passthrough stays one process. */
  readonly workers?: number;
  /**
   * Runs against a gateway started with a manifest of its query
   * (PERSISTED_DOCUMENTS), loaded both ways in alternating rounds: the query
   * as text, and its id alone (`documentId`).
   */
  readonly persisted?: boolean;
  /**
   * Also asked of the peer, Hive Gateway over a GraphQL Mesh OpenAPI source
   * (`hive-gateway.ts`), as {@link meshQuery} writes it.
   */
  readonly peer?: boolean;
}

/**
 * Every field that Mesh's OpenAPI source gives an assistant, its config, its
 * integrations and its actions, but the secret key: the gateway never serves
 * it (it serves `hasSecretKey`, which Mesh cannot express). Mesh has no global
 * ids and no organization object: an assistant's `id` is its REST id, and an
 * integration's or action's assistant is its `assistant_id`.
 */
export const meshAssistantFields = /* GraphQL */ `... on Assistant { id name enabled avatar_url
  config { language model stt { model } tts { model voice_id }
    conversation { thread_mode enable_memories enable_transfer_to_human_tool welcome_banner suggested_messages
      auto_intro_message enable_end_conversation_tool enable_block_contact_tool enable_private_chats }
    knowledge_scope instructions }
  integrations { id assistant_id integration_id enabled connection_id config error created_at updated_at }
  actions { id assistant_id name enabled instructions action_id connection_id
    config { input definitions { path definition } } created_at updated_at }
  created_at updated_at }`;

/**
 * A scenario's operation as Mesh can express it: Mesh exposes the REST
 * endpoint as one query field, `listAssistants(org_id, page, take)`, with no
 * cursors, windows or slicing. So it asks exactly the pages the gateway's
 * planner asks (the scenario's upstream paths), one alias each (`p0`, `p1`,
 * …), and gets each page whole: for a the 21 assistants of `take=21`, for c
 * the 81 of `page=1&take=81`, where the gateway serves 20 and 50.
 */
export function meshQuery(scenario: Scenario): string {
  const fields = scenario.upstreamPaths.map((path, index) => {
    const url = new URL(path, 'http://upstream');
    const org = decodeURIComponent(url.pathname.split('/')[2] ?? '');
    const page = Number(url.searchParams.get('page'));
    const take = Number(url.searchParams.get('take'));
    return `p${index}: listAssistants(org_id: ${JSON.stringify(org)}, page: ${page}, take: ${take}) { ${meshAssistantFields} }`;
  });
  return `query Mesh${scenario.name.toUpperCase()} {\n${fields.join('\n')}\n}`;
}

/** The pages of a Mesh answer to {@link meshQuery}, in the order asked. */
export function meshPages(scenario: Scenario, body: unknown): { id: string }[][] {
  const data = (body as { data?: Record<string, { id: string }[]> }).data ?? {};
  return scenario.upstreamPaths.map((_, index) => data[`p${index}`] ?? []);
}

/** The cursor the gateway issues for the assistant at `offset` of `orgId`'s demo list. */
function anchoredCursor(orgId: string, offset: number): string {
  const ids = (createSeedData().get(orgId) ?? []).map((assistant) => assistant.id);
  const mark = (at: number) => (ids[at] === undefined ? listEdge : fingerprint(ids[at] as string));
  return encodeAnchoredCursor(orgId, offset, { prev: mark(offset - 1), self: mark(offset), next: mark(offset + 1) });
}

/** Twenty windows of initech, each exactly one upstream page of its own: twenty cache keys per operation. */
const twentyWindows = Array.from({ length: 20 }, (_, k) => k);
const windowPaths = twentyWindows.map((k) => `/orgs/initech/assistants?page=${k + 1}&take=20`);

const fiveOrgs = ['acme', 'globex', 'initech', 'hooli', 'wayne'] as const;
/** The ten assistants scenario d refetches; read from the seed only when asked (the passthrough never asks). */
function refetched(): (readonly [string, string])[] {
  const seed = createSeedData();
  return [
    ...(seed.get('initech') ?? []).slice(10, 15).map((assistant) => ['initech', assistant.id] as const),
    ...(seed.get('globex') ?? []).slice(20, 25).map((assistant) => ['globex', assistant.id] as const),
  ];
}

type Connection = { edges: { node: { restId: string } }[] };
const idsOf = (connection: Connection) => connection.edges.map((edge) => edge.node.restId);
const data = (body: unknown) => (body as { data: Record<string, { assistants: Connection }> }).data;

const scenarioA: Scenario = {
  name: 'a',
  description: 'one org, first 20 assistants, every contract field',
  query: /* GraphQL */ `query A { organization(restId: "globex") { assistants(first: 20) {
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      edges { cursor node { ...AssistantFields } } } } } ${assistantFields}`,
  upstreamPaths: ['/orgs/globex/assistants?page=1&take=21'],
  gatewayIds: (body) => idsOf(data(body).organization?.assistants as Connection),
  upstreamIds: ([page]) => (page ?? []).slice(0, 20).map((item) => item.id),
  peer: true,
};

export const scenarios: readonly Scenario[] = [
  scenarioA,
  {
    name: 'b',
    description: 'five orgs × first 20 in one query, every contract field',
    query: /* GraphQL */ `query B { ${fiveOrgs
      .map(
        (org) =>
          `${org}: organization(restId: "${org}") { assistants(first: 20) { edges { node { ...AssistantFields } } } }`,
      )
      .join('\n')} } ${assistantFields}`,
    upstreamPaths: fiveOrgs.map((org) => `/orgs/${org}/assistants?page=1&take=21`),
    gatewayIds: (body) => fiveOrgs.flatMap((org) => idsOf(data(body)[org]?.assistants as Connection)),
    upstreamIds: (pages) => pages.flatMap((page) => page.slice(0, 20).map((item) => item.id)),
    peer: true,
  },
  {
    name: 'c',
    description: 'first 50 after an offset of 30 in a large org (planned across pages)',
    query: /* GraphQL */ `query C($after: String) { organization(restId: "initech") {
      assistants(first: 50, after: $after) { pageInfo { hasNextPage hasPreviousPage } edges { cursor node { ...AssistantFields } } } } }
      ${assistantFields}`,
    // A cursor as the gateway issues it (its assistant checked where it points); before those, an offset.
    variables: { after: anchoredCursor('initech', 29) },
    olderVariables: { after: encodeCursor('initech', 29) },
    upstreamPaths: ['/orgs/initech/assistants?page=1&take=81'],
    gatewayIds: (body) => idsOf(data(body).organization?.assistants as Connection),
    upstreamIds: ([page]) => (page ?? []).slice(30, 80).map((item) => item.id),
    peer: true,
  },
  { ...scenarioA, name: 'e', description: 'a with the page cache on: one hot page', cached: true, peer: false },
  { ...scenarioA, name: 'g', description: 'a on two worker processes (WORKERS=2)', workers: 2, peer: false },
  {
    name: 'f',
    description: 'twenty windows of 19 in one large org, with the page cache on: twenty keys per operation',
    cached: true,
    query: /* GraphQL */ `query F { organization(restId: "initech") { ${twentyWindows
      .map(
        (k) =>
          `w${k}: assistants(first: 19${k === 0 ? '' : `, after: "${encodeCursor('initech', k * 20 - 1)}"`}) { edges { node { id restId name } } }`,
      )
      .join('\n')} } }`,
    upstreamPaths: windowPaths,
    gatewayIds: (body) =>
      twentyWindows.flatMap((k) =>
        idsOf(
          (body as { data: { organization: Record<string, Connection> } }).data.organization[`w${k}`] as Connection,
        ),
      ),
    upstreamIds: (pages) => pages.flatMap((page) => page.slice(0, 19).map((item) => item.id)),
  },
  {
    name: 'd',
    description: '`nodes` of 10 assistants of two orgs (refetch by scan)',
    query: /* GraphQL */ `query D($ids: [ID!]!) { nodes(ids: $ids) { ...AssistantFields } } ${assistantFields}`,
    get variables() {
      return { ids: refetched().map(([org, id]) => encodeGlobalId('Assistant', `${org}/${id}`)) };
    },
    upstreamPaths: ['/orgs/initech/assistants?page=1&take=100', '/orgs/globex/assistants?page=1&take=100'],
    gatewayIds: (body) => (body as { data: { nodes: { restId: string }[] } }).data.nodes.map((node) => node.restId),
    upstreamIds: (pages) => {
      const byId = new Set(pages.flat().map((item) => item.id));
      return refetched()
        .map(([, id]) => id)
        .filter((id) => byId.has(id));
    },
  },
  {
    ...scenarioA,
    name: 'p',
    description: 'a as text (gateway) and by id (gateway, documentId), one gateway with a manifest of it',
    persisted: true,
    peer: false,
  },
];
