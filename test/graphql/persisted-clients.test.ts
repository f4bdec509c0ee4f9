// Trusted documents as real clients send them, to real gateways on loopback:
// Apollo Client 4's persisted-queries link with codegen's hashes (POST and
// GET), with automatic persisted queries (in this process, and shared by two
// gateways through a real redis-server, which then goes away), and with an
// Apollo persisted query manifest; and the requests Relay's network layer
// sends with the Relay compiler's persisted query map. What each client put
// on the wire is recorded by the fetch it was given: a persisted request
// carries no query text.

import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ApolloClient, HttpLink, InMemoryCache } from '@apollo/client';
import { PersistedQueryLink } from '@apollo/client/link/persisted-queries';
import { addTypenameToDocument } from '@apollo/client/utilities';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { type DocumentNode, Kind, parse, print } from 'graphql';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { redisBinary, startRedis } from '../../deploy/local-fleet/redis.ts';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { createSeedData } from '../../src/demo/seed.ts';
import type { TypedDocumentString } from '../generated/graphql.ts';
import { fullPageQuery, pageQuery } from '../helpers/documents.ts';
import { type GraphQLResponse, startTestGateway } from '../helpers/gateway.ts';

const codegenManifest = fileURLToPath(new URL('../generated/persisted-documents.json', import.meta.url));
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const md5 = (text: string) => createHash('md5').update(text).digest('hex');

const seed = createSeedData();
/** The first `count` assistants of `org` as the demo upstream holds them. */
const firstOf = (org: string, count: number) => (seed.get(org) ?? []).slice(0, count).map((assistant) => assistant.id);

const pageVariables = { org: 'acme', first: 3 };

interface PageData {
  organization: {
    assistants: { edges: { cursor: string; node: { restId: string } }[]; pageInfo: { hasNextPage: boolean } } | null;
  } | null;
}

interface OrganizationData {
  organization: { restId: string; assistants: { nodes: { restId: string }[] } | null } | null;
}

/** A second document of our own (not a `graphql(…)` call: codegen would take it into its manifest). */
const organizationText = /* GraphQL */ `
  query PersistedOrganization($org: ID!) {
    organization(restId: $org) { restId assistants(first: 2) { nodes { restId } } }
  }
`;
const organizationQuery: TypedDocumentNode<OrganizationData, { org: string }> = parse(organizationText);

let directory: string;
beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'persisted-clients-'));
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

async function writeManifest(name: string, manifest: unknown): Promise<string> {
  const path = join(directory, name);
  await writeFile(path, JSON.stringify(manifest));
  return path;
}

/** One request as it went on the wire, and what came back. */
interface Sent {
  readonly method: string;
  readonly url: URL;
  /** A POST's JSON body. */
  readonly body: Record<string, unknown> | undefined;
  readonly status: number;
  readonly answer: GraphQLResponse;
}

/** Node's fetch, recording every request a client makes through it. */
function recordingFetch(): { fetch: typeof globalThis.fetch; sent: Sent[] } {
  const sent: Sent[] = [];
  const recording: typeof globalThis.fetch = async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const body = typeof init?.body === 'string' ? (JSON.parse(init.body) as Record<string, unknown>) : undefined;
    const response = await fetch(input, init);
    const answer = (await response.clone().json()) as GraphQLResponse;
    sent.push({ method: init?.method ?? 'GET', url, body, status: response.status, answer });
    return response;
  };
  return { fetch: recording, sent };
}

/** What a request carried (a hash, query text) and what its answer was (data, or the first error's code). */
function summary({ method, url, body, status, answer }: Sent) {
  const extensions = (body?.extensions ?? JSON.parse(url.searchParams.get('extensions') ?? 'null')) as {
    persistedQuery?: { version: number; sha256Hash: string };
  } | null;
  const hasQuery = body !== undefined ? 'query' in body : url.searchParams.has('query');
  return {
    method,
    hash: extensions?.persistedQuery?.sha256Hash,
    query: hasQuery,
    // Any status but a 5xx: a refusal may come as a 200 or a 4xx, and a client reads its errors either way.
    serverError: status >= 500,
    answer: answer.errors?.length ? String(answer.errors[0]?.extensions?.code) : answer.data ? 'data' : 'nothing',
  };
}

function apolloClient(url: string, fetch: typeof globalThis.fetch, options: PersistedQueryLink.Options) {
  return new ApolloClient({
    link: new PersistedQueryLink(options).concat(new HttpLink({ uri: url, fetch })),
    cache: new InMemoryCache(),
    devtools: { enabled: false },
  });
}

/**
 * A codegen document (string mode) as the DocumentNode Apollo Client takes,
 * carrying its `__meta__` as the client preset's DocumentNode mode does: the
 * link's `generateHash` reads the hash from it.
 */
function withMeta<TResult, TVariables>(
  document: TypedDocumentString<TResult, TVariables>,
): TypedDocumentNode<TResult, TVariables> {
  return Object.assign(parse(String(document)), { __meta__: document.__meta__ });
}

/** codegen's hash, read from the document Apollo Client hands the link (its own transform of ours). */
function codegenHash(document: DocumentNode): string {
  const hash = (document as { __meta__?: { hash?: unknown } }).__meta__?.hash;
  if (typeof hash !== 'string') throw new Error('the document reached the link without its __meta__.hash');
  return hash;
}

/** The hash codegen gave a document (`sha256:…`), as its typed document carries it. */
const hashOf = (document: { readonly __meta__?: Record<string, unknown> }) => String(document.__meta__?.hash);

const pageRestIds = (data: PageData | undefined) =>
  data?.organization?.assistants?.edges.map((edge) => edge.node.restId);

describe('Apollo Client with the codegen manifest, PERSISTED_DOCUMENTS_MODE=enforce', () => {
  const env = { PERSISTED_DOCUMENTS: codegenManifest, PERSISTED_DOCUMENTS_MODE: 'enforce' };
  const page = withMeta(pageQuery) as TypedDocumentNode<PageData, typeof pageVariables>;
  const fullPage = withMeta(fullPageQuery);

  it('sends codegen’s hashes only, by POST, and gets data', async () => {
    await using gateway = await startTestGateway({ env });
    const wire = recordingFetch();
    const client = apolloClient(gateway.url, wire.fetch, { generateHash: codegenHash });
    try {
      // `no-cache`: the manifest's documents have no `__typename` (codegen adds none) while Apollo's operations
      // ask for it, and the gateway runs the manifest's text; InMemoryCache cannot then match `... on Assistant`.
      const first = await client.query({ query: page, variables: pageVariables, fetchPolicy: 'no-cache' });
      expect(pageRestIds(first.data)).toEqual(firstOf('acme', 3));
      const full = await client.query({
        query: fullPage,
        variables: { org: 'globex', first: 2 },
        fetchPolicy: 'no-cache',
      });
      expect(full.data?.organization?.assistants?.nodes.map((node) => node.restId)).toEqual(firstOf('globex', 2));
    } finally {
      client.stop();
    }
    expect(wire.sent.map(summary)).toEqual([
      { method: 'POST', hash: hashOf(pageQuery), query: false, serverError: false, answer: 'data' },
      { method: 'POST', hash: hashOf(fullPageQuery), query: false, serverError: false, answer: 'data' },
    ]);
    expect(hashOf(pageQuery)).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('sends them by GET with useGETForHashedQueries, the URL without query text', async () => {
    await using gateway = await startTestGateway({ env });
    const wire = recordingFetch();
    const client = apolloClient(gateway.url, wire.fetch, { generateHash: codegenHash, useGETForHashedQueries: true });
    try {
      const { data } = await client.query({ query: page, variables: pageVariables, fetchPolicy: 'no-cache' });
      expect(pageRestIds(data)).toEqual(firstOf('acme', 3));
    } finally {
      client.stop();
    }
    expect(wire.sent.map(summary)).toEqual([
      { method: 'GET', hash: hashOf(pageQuery), query: false, serverError: false, answer: 'data' },
    ]);
    expect(JSON.parse(wire.sent[0]?.url.searchParams.get('variables') ?? 'null')).toEqual(pageVariables);
  });
});

/** The hash Apollo Client's link sends by default: SHA-256 of the document as Apollo prints it, `__typename`s added. */
const apolloHash = (document: DocumentNode) => sha256(print(addTypenameToDocument(document)));

/** What a client sends to ask for an APQ hash alone. */
const hashOnly = (hash: string, variables?: Record<string, unknown>) => ({
  extensions: { persistedQuery: { version: 1, sha256Hash: hash } },
  variables,
});

describe('Apollo Client with automatic persisted queries (APQ=true)', () => {
  const variables = { org: 'globex' };

  it('registers a document (hash, PersistedQueryNotFound, hash and text, data); a fresh client then sends the hash only', async () => {
    await using gateway = await startTestGateway({ env: { APQ: 'true' } });
    const hash = apolloHash(organizationQuery);
    const registering = recordingFetch();
    const first = apolloClient(gateway.url, registering.fetch, { sha256 });
    try {
      const { data } = await first.query({ query: organizationQuery, variables });
      expect(data?.organization?.assistants?.nodes.map((node) => node.restId)).toEqual(firstOf('globex', 2));
    } finally {
      first.stop();
    }
    expect(registering.sent.map(summary)).toEqual([
      { method: 'POST', hash, query: false, serverError: false, answer: 'PERSISTED_QUERY_NOT_FOUND' },
      { method: 'POST', hash, query: true, serverError: false, answer: 'data' },
    ]);
    expect(registering.sent[0]?.answer.errors?.[0]?.message).toBe('PersistedQueryNotFound');
    expect(sha256(String(registering.sent[1]?.body?.query))).toBe(hash);
    // The unknown hash cost no upstream call.
    expect(gateway.upstream.requestCount).toBe(1);

    const hashing = recordingFetch();
    const second = apolloClient(gateway.url, hashing.fetch, { sha256 });
    try {
      const { data } = await second.query({ query: organizationQuery, variables });
      expect(data?.organization?.restId).toBe('globex');
    } finally {
      second.stop();
    }
    expect(hashing.sent.map(summary)).toEqual([
      { method: 'POST', hash, query: false, serverError: false, answer: 'data' },
    ]);
  });

  it('a hash sent with a text it is not the hash of is BAD_USER_INPUT, and registers nothing', async () => {
    await using gateway = await startTestGateway({ env: { APQ: 'true' } });
    const wrong = sha256('query Other { __typename }');
    const wire = recordingFetch();
    const client = apolloClient(gateway.url, wire.fetch, { sha256: () => wrong });
    try {
      await expect(client.query({ query: organizationQuery, variables })).rejects.toThrow(
        'provided sha does not match query',
      );
    } finally {
      client.stop();
    }
    expect(wire.sent.map(summary)).toEqual([
      { method: 'POST', hash: wrong, query: false, serverError: false, answer: 'PERSISTED_QUERY_NOT_FOUND' },
      { method: 'POST', hash: wrong, query: true, serverError: false, answer: 'BAD_USER_INPUT' },
    ]);
    // Neither the hash it was sent with nor its text's own hash is known afterwards.
    for (const hash of [wrong, apolloHash(organizationQuery)]) {
      const { body } = await gateway.send({ body: hashOnly(hash, variables) });
      expect(body.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    }
    expect(gateway.upstream.requestCount).toBe(0);
  });
});

const skipRedis = redisBinary === undefined && !process.env.CI;
if (skipRedis) {
  console.warn(
    "test/graphql/persisted-clients.test.ts skipped: no redis-server for APQ on Redis (install Debian's redis-server package)",
  );
}

describe.skipIf(skipRedis)('APQ shared through Redis', () => {
  const variables = { org: 'initech' };

  /** A fresh Apollo Client (its own cache, its own link) asks the gateway at `url`; the wire as it went. */
  async function ask(url: string) {
    const wire = recordingFetch();
    const client = apolloClient(url, wire.fetch, { sha256 });
    try {
      const { data } = await client.query({ query: organizationQuery, variables });
      expect(data?.organization?.assistants?.nodes.map((node) => node.restId)).toEqual(firstOf('initech', 2));
    } finally {
      client.stop();
    }
    return wire.sent.map(summary);
  }

  it('a hash registered on one gateway runs on another; with Redis gone the hash is not found and the text works', async () => {
    await using redis = await startRedis();
    const env = { APQ: 'true', REDIS_URL: redis.url };
    await using a = await startTestGateway({ env });
    await using b = await startTestGateway({ env });
    const hash = apolloHash(organizationQuery);
    const notFound = { method: 'POST', hash, query: false, serverError: false, answer: 'PERSISTED_QUERY_NOT_FOUND' };
    const registered = { method: 'POST', hash, query: true, serverError: false, answer: 'data' };
    const byHash = { method: 'POST', hash, query: false, serverError: false, answer: 'data' };

    expect(await ask(a.url)).toEqual([notFound, registered]);
    // In Redis (written beside the answer, not before it), expiring when unused.
    const inspector = new Redis(redis.url, { maxRetriesPerRequest: 0 });
    try {
      await vi.waitFor(async () => expect(await inspector.exists(`apq:${hash}`)).toBe(1), { timeout: 2_000 });
      expect(await inspector.get(`apq:${hash}`)).toBe(print(addTypenameToDocument(organizationQuery)));
      expect(await inspector.ttl(`apq:${hash}`)).toBeGreaterThan(0);
    } finally {
      inspector.disconnect();
    }
    expect(await ask(b.url)).toEqual([byHash]);
    expect(b.upstream.requestCount).toBe(1);

    await redis.kill();
    // Each gateway: the hash is not known, the client sends the text, which runs; never a 5xx.
    expect(await ask(b.url)).toEqual([notFound, registered]);
    expect(await ask(a.url)).toEqual([notFound, registered]);
    expect(await ask(b.url)).toEqual([notFound, registered]);
    // Each failed command is counted.
    for (const gateway of [a, b]) expect(await gateway.metricsText()).toMatch(/^cache_store_errors_total [1-9]/m);
  });
});

describe('Relay: the compiler’s persisted query map, and requests as its network layer sends them', () => {
  /** Relay's ids: the MD5 of the text, in hex. */
  const pageText = String(pageQuery);
  const queryMap = { [md5(pageText)]: pageText, [md5(organizationText)]: organizationText };

  /** A Relay `fetchFn`: the operation's id (Relay's `RequestParameters.id`) under `field`, and its variables. */
  const relayFetchFn =
    (url: string, field: 'doc_id' | 'id') =>
    async (operation: { id: string; name: string }, variables: Record<string, unknown>) => {
      const response = await fetch(url, {
        method: 'POST',
        headers: { accept: 'application/json', 'content-type': 'application/json' },
        body: JSON.stringify({ [field]: operation.id, variables }),
      });
      return { status: response.status, body: (await response.json()) as GraphQLResponse };
    };

  it('runs by doc_id and by id (POST), and by documentId (GET), in enforce mode', async () => {
    const path = await writeManifest('relay-queries.json', queryMap);
    await using gateway = await startTestGateway({
      env: { PERSISTED_DOCUMENTS: path, PERSISTED_DOCUMENTS_MODE: 'enforce' },
    });
    const page = { id: md5(pageText), name: 'Page' };
    const organization = { id: md5(organizationText), name: 'PersistedOrganization' };
    const expectedPage = firstOf('acme', 3);

    for (const field of ['doc_id', 'id'] as const) {
      const send = relayFetchFn(gateway.url, field);
      const paged = await send(page, pageVariables);
      expect(paged.status).toBe(200);
      expect(paged.body.errors).toBeUndefined();
      expect(pageRestIds(paged.body.data as PageData)).toEqual(expectedPage);
      const org = await send(organization, { org: 'hooli' });
      expect(org.body).toEqual({
        data: {
          organization: { restId: 'hooli', assistants: { nodes: firstOf('hooli', 2).map((restId) => ({ restId })) } },
        },
      });
    }

    const search = `?documentId=${page.id}&variables=${encodeURIComponent(JSON.stringify(pageVariables))}`;
    const get = await gateway.send({ search });
    expect(get.status).toBe(200);
    expect(pageRestIds(get.body.data as PageData)).toEqual(expectedPage);

    // An id the map does not hold, and the text itself, are refused.
    const unknown = await relayFetchFn(gateway.url, 'doc_id')({ id: md5('nope'), name: 'Nope' }, {});
    expect(unknown.body.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_NOT_IN_LIST');
    expect((await gateway.query(pageText, pageVariables)).errors?.[0]?.extensions?.code).toBe(
      'PERSISTED_QUERY_ID_REQUIRED',
    );
  });
});

describe('Apollo Client with an Apollo persisted query manifest, PERSISTED_DOCUMENTS_MODE=enforce', () => {
  const page = parse(String(pageQuery)) as TypedDocumentNode<PageData, typeof pageVariables>;

  /**
   * The manifest as @apollo/generate-persisted-query-manifest writes it: each
   * document transformed as Apollo Client transforms it (`__typename` added),
   * printed by graphql's `print`, its id the SHA-256 of that body.
   */
  function apolloManifest(documents: DocumentNode[], transform: (document: DocumentNode) => DocumentNode) {
    return {
      format: 'apollo-persisted-query-manifest',
      version: 1,
      operations: documents.map((document) => {
        const body = print(transform(document));
        const operation = document.definitions.find((definition) => definition.kind === Kind.OPERATION_DEFINITION);
        if (operation?.kind !== Kind.OPERATION_DEFINITION) throw new Error('no operation');
        return { id: sha256(body), name: operation.name?.value, type: operation.operation, body };
      }),
    };
  }

  it('the link’s default sha256 hashes are the manifest’s ids: only hashes are sent, and data comes back', async () => {
    const manifest = apolloManifest([page, organizationQuery], addTypenameToDocument);
    const path = await writeManifest('persisted-query-manifest.json', manifest);
    await using gateway = await startTestGateway({
      env: { PERSISTED_DOCUMENTS: path, PERSISTED_DOCUMENTS_MODE: 'enforce' },
    });
    const wire = recordingFetch();
    const client = apolloClient(gateway.url, wire.fetch, { sha256 });
    try {
      const paged = await client.query({ query: page, variables: pageVariables });
      expect(pageRestIds(paged.data)).toEqual(firstOf('acme', 3));
      const org = await client.query({ query: organizationQuery, variables: { org: 'umbrella' } });
      expect(org.data?.organization).toEqual({
        __typename: 'Organization',
        restId: 'umbrella',
        assistants: {
          __typename: expect.any(String),
          nodes: firstOf('umbrella', 2).map((restId) => ({ __typename: 'Assistant', restId })),
        },
      });
    } finally {
      client.stop();
    }
    expect(wire.sent.map(summary)).toEqual(
      manifest.operations.map(({ id }) => ({
        method: 'POST',
        hash: id,
        query: false,
        serverError: false,
        answer: 'data',
      })),
    );
  });

  it('a manifest of the documents as written, without Apollo’s __typename, holds none of the hashes the link sends', async () => {
    const manifest = apolloManifest([page], (document) => document);
    const path = await writeManifest('untransformed-manifest.json', manifest);
    await using gateway = await startTestGateway({
      env: { PERSISTED_DOCUMENTS: path, PERSISTED_DOCUMENTS_MODE: 'enforce' },
    });
    const wire = recordingFetch();
    const client = apolloClient(gateway.url, wire.fetch, { sha256 });
    try {
      await expect(client.query({ query: page, variables: pageVariables })).rejects.toThrow(/is in no manifest/);
    } finally {
      client.stop();
    }
    expect(wire.sent.map(summary)).toEqual([
      {
        method: 'POST',
        hash: apolloHash(page),
        query: false,
        serverError: false,
        answer: 'PERSISTED_QUERY_NOT_IN_LIST',
      },
    ]);
    expect(apolloHash(page)).not.toBe(manifest.operations[0]?.id);
  });
});

describe('settings', () => {
  it('PERSISTED_DOCUMENTS_MODE=enforce with APQ=true is refused at start, in one line', () => {
    const load = () =>
      loadConfig({ PERSISTED_DOCUMENTS: codegenManifest, PERSISTED_DOCUMENTS_MODE: 'enforce', APQ: 'true' });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(/^APQ=true and PERSISTED_DOCUMENTS_MODE=enforce do not go together: [^\n]+$/);
    // APQ beside a manifest in the other modes is fine.
    for (const mode of ['allow', 'log']) {
      expect(
        loadConfig({ PERSISTED_DOCUMENTS: codegenManifest, PERSISTED_DOCUMENTS_MODE: mode, APQ: 'true' })
          .trustedDocuments,
      ).toMatchObject({ mode, apq: true });
    }
  });
});
