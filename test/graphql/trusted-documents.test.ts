// Trusted documents: the manifest this repository's codegen writes
// (test/generated/persisted-documents.json) served by id, by POST and by GET,
// in each mode; what arbitrary documents meet in `log` and `enforce`; and
// what a reload (SIGHUP) does to the set.

import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { pageQuery } from '../helpers/documents.ts';
import { createRecordingLogger, dataOf, startTestGateway } from '../helpers/gateway.ts';
import { readyUrl, startMain } from '../helpers/main-process.ts';
import { holdEach } from '../helpers/waits.ts';

const codegenManifest = fileURLToPath(new URL('../generated/persisted-documents.json', import.meta.url));
/** The id codegen gave the Page query (`sha256:…`), as its typed document carries it. */
const pageId = (pageQuery as unknown as { __meta__: { hash: string } }).__meta__.hash;
const pageVariables = { org: 'acme', first: 3 };

const arbitrary = '{ organization(restId: "acme") { restId } }';
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

let directory: string;
beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'manifests-'));
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

async function manifest(name: string, documents: Record<string, string>): Promise<string> {
  const path = join(directory, name);
  await writeFile(path, JSON.stringify(documents));
  return path;
}

describe('persisted documents from the codegen manifest', () => {
  it('run by documentId (POST and GET), by Relay doc_id, and by the id without its sha256: prefix', async () => {
    await using gateway = await startTestGateway({
      env: { PERSISTED_DOCUMENTS: codegenManifest, PERSISTED_DOCUMENTS_MODE: 'enforce' },
    });
    const expected = dataOf(
      await gateway.send({ body: { documentId: pageId, variables: pageVariables } }).then((r) => r.body),
    );
    expect(expected).toMatchObject({ organization: { assistants: { edges: expect.any(Array) } } });

    const search = `?documentId=${encodeURIComponent(pageId)}&variables=${encodeURIComponent(JSON.stringify(pageVariables))}`;
    const get = await gateway.send({ search });
    expect(get.status).toBe(200);
    expect(get.body.data).toEqual(expected);

    const relay = await gateway.send({ body: { doc_id: pageId.replace(/^sha256:/, ''), variables: pageVariables } });
    expect(relay.body.data).toEqual(expected);
  });

  it('enforce: a query text is refused, an unknown id too, and neither costs an upstream call', async () => {
    await using gateway = await startTestGateway({
      env: { PERSISTED_DOCUMENTS: codegenManifest, PERSISTED_DOCUMENTS_MODE: 'enforce' },
    });
    const text = await gateway.send({ body: { query: arbitrary } });
    expect(text.body.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_ID_REQUIRED');
    expect(text.body.data ?? null).toBeNull();

    const unknown = await gateway.send({ body: { documentId: `sha256:${'0'.repeat(64)}` } });
    expect(unknown.body.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_NOT_IN_LIST');

    const apqHash = await gateway.send({
      body: { extensions: { persistedQuery: { version: 1, sha256Hash: sha256(arbitrary) } } },
    });
    expect(apqHash.body.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_NOT_IN_LIST');

    // Text beside a known id: the gateway runs the document it holds, not the text.
    const both = await gateway.send({ body: { documentId: pageId, query: arbitrary, variables: pageVariables } });
    expect(both.body.data).toMatchObject({ organization: { assistants: expect.any(Object) } });

    expect(gateway.upstream.requestCount).toBe(1);
    expect(await gateway.metricsText()).toMatch(/^graphql_arbitrary_documents_total\{outcome="refused"\} 1$/m);
  });

  it('a refusal is 200 to application/json and 400 to application/graphql-response+json, as a syntax error is', async () => {
    await using gateway = await startTestGateway({
      env: { PERSISTED_DOCUMENTS: codegenManifest, PERSISTED_DOCUMENTS_MODE: 'enforce' },
    });
    const statuses = async (body: unknown) =>
      Promise.all(
        ['application/json', 'application/graphql-response+json'].map(
          async (accept) => (await gateway.send({ body, headers: { accept } })).status,
        ),
      );
    expect(await statuses({ query: arbitrary })).toEqual([200, 400]);
    expect(await statuses({ documentId: 'unknown' })).toEqual([200, 400]);
    expect(await statuses({ query: '{' })).toEqual([200, 400]);
  });

  it('enforce: an introspection-only document runs while INTROSPECTION is on, and not when it is off', async () => {
    const introspection = '{ __schema { queryType { name } } }';
    await using open = await startTestGateway({
      env: { PERSISTED_DOCUMENTS: codegenManifest, PERSISTED_DOCUMENTS_MODE: 'enforce' },
    });
    expect(dataOf(await open.query(introspection))).toEqual({ __schema: { queryType: { name: 'Query' } } });
    // A field beside the introspection makes it an arbitrary document.
    const mixed = await open.query(`{ __typename organization(restId: "acme") { restId } }`);
    expect(mixed.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_ID_REQUIRED');

    await using closed = await startTestGateway({
      env: { PERSISTED_DOCUMENTS: codegenManifest, PERSISTED_DOCUMENTS_MODE: 'enforce', INTROSPECTION: 'false' },
    });
    expect((await closed.query(introspection)).errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_ID_REQUIRED');
  });

  it('log: an arbitrary document runs, is counted, and its request line carries its hash; a persisted one its id', async () => {
    const logger = createRecordingLogger();
    await using gateway = await startTestGateway({
      env: { PERSISTED_DOCUMENTS: codegenManifest, PERSISTED_DOCUMENTS_MODE: 'log' },
      logger,
    });
    expect(dataOf(await gateway.query(arbitrary))).toEqual({ organization: { restId: 'acme' } });
    dataOf(await gateway.send({ body: { documentId: pageId, variables: pageVariables } }).then((r) => r.body));

    expect(await gateway.metricsText()).toMatch(/^graphql_arbitrary_documents_total\{outcome="run"\} 1$/m);
    const lines = logger.records().filter((record) => record.msg === 'graphql request');
    expect(lines.map((line) => [line.documentHash, line.persistedId])).toEqual([
      [sha256(arbitrary), undefined],
      [undefined, pageId.replace(/^sha256:/, '')],
    ]);
  });

  it('a persisted request is neither parsed nor validated: the document cache never sees its text', async () => {
    await using gateway = await startTestGateway({ env: { PERSISTED_DOCUMENTS: codegenManifest } });
    const before = gateway.cacheSizes().documents.count;
    for (let round = 0; round < 5; round++) {
      dataOf(await gateway.send({ body: { documentId: pageId, variables: pageVariables } }).then((r) => r.body));
    }
    expect(gateway.cacheSizes().documents.count).toBe(before);
    // The same document as text is parsed (and kept) once.
    dataOf(await gateway.query(pageQuery, pageVariables));
    expect(gateway.cacheSizes().documents.count).toBe(before + 1);
  });
});

describe('what the trusted documents refuse, and how', () => {
  it('a batch item that is not an object is BAD_USER_INPUT, as without them, never an internal error', async () => {
    await using gateway = await startTestGateway({ env: { PERSISTED_DOCUMENTS: codegenManifest } });
    const answer = await gateway.send({ body: [null, { query: '{ __typename }' }] });
    const [refused, ran] = answer.body as unknown as { errors?: { extensions: { code: string } }[]; data?: unknown }[];
    expect(refused?.errors?.[0]?.extensions.code).toBe('BAD_USER_INPUT');
    expect(ran?.data).toEqual({ __typename: 'Query' });
  });

  it('an id parameter that is not a usable id is BAD_USER_INPUT', async () => {
    await using gateway = await startTestGateway({
      env: { PERSISTED_DOCUMENTS: codegenManifest, PERSISTED_DOCUMENTS_MODE: 'enforce' },
    });
    for (const documentId of [42, '', 'x'.repeat(300)]) {
      const answer = await gateway.send({ body: { documentId } });
      expect(answer.body.errors?.[0]?.extensions?.code, JSON.stringify(documentId).slice(0, 20)).toBe('BAD_USER_INPUT');
    }
  });

  it('allow: an unknown APQ hash is PERSISTED_QUERY_NOT_FOUND, so that APQ clients send the text, which runs', async () => {
    await using gateway = await startTestGateway({ env: { PERSISTED_DOCUMENTS: codegenManifest } });
    const persistedQuery = { version: 1, sha256Hash: sha256(arbitrary) };
    const hashOnly = await gateway.send({ body: { extensions: { persistedQuery } } });
    expect(hashOnly.body.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    const withText = await gateway.send({ body: { query: arbitrary, extensions: { persistedQuery } } });
    expect(withText.body.data).toEqual({ organization: { restId: 'acme' } });
  });

  it('an id beside a text that runs decides nothing: not shared, not logged as persisted', async () => {
    const logger = createRecordingLogger();
    await using gateway = await startTestGateway({
      env: {
        PERSISTED_DOCUMENTS: codegenManifest,
        PERSISTED_DOCUMENTS_MODE: 'log',
        PERSISTED_GET_MAX_AGE_SECONDS: '60',
      },
      logger,
    });
    const answer = await gateway.send({ search: `?query=${encodeURIComponent(arbitrary)}&id=whatever` });
    expect(answer.body.data).toEqual({ organization: { restId: 'acme' } });
    expect(answer.headers.get('cache-control')).toBeNull();
    const line = logger.records().find((record) => record.msg === 'graphql request');
    expect(line?.persistedId).toBeUndefined();
    expect(line?.documentHash).toBe(sha256(arbitrary));
  });

  it('log counts what enforce would refuse: not an introspection-only document', async () => {
    await using gateway = await startTestGateway({
      env: { PERSISTED_DOCUMENTS: codegenManifest, PERSISTED_DOCUMENTS_MODE: 'log' },
    });
    dataOf(await gateway.query('{ __schema { queryType { name } } }'));
    dataOf(await gateway.query(arbitrary));
    expect(await gateway.metricsText()).toMatch(/^graphql_arbitrary_documents_total\{outcome="run"\} 1$/m);
  });

  it("a manifest whose SHA-256 id is not its document's stops the start, naming the id", async () => {
    const path = await manifest('mismatch.json', { [`sha256:${'a'.repeat(64)}`]: 'query { __typename }' });
    await expect(startTestGateway({ env: { PERSISTED_DOCUMENTS: path } })).rejects.toThrow(
      /mismatch\.json: id "sha256:a{64}" is a SHA-256, but not its document's/,
    );
  });
});

describe('Cache-Control of persisted GETs', () => {
  const search = `?documentId=${encodeURIComponent(pageId)}&variables=${encodeURIComponent(JSON.stringify(pageVariables))}`;

  it('is public with PERSISTED_GET_MAX_AGE_SECONDS, only without Authorization and only for a complete answer', async () => {
    await using gateway = await startTestGateway({
      env: { PERSISTED_DOCUMENTS: codegenManifest, PERSISTED_GET_MAX_AGE_SECONDS: '60' },
    });
    expect((await gateway.send({ search })).headers.get('cache-control')).toBe('public, max-age=60');
    expect(
      (await gateway.send({ search, headers: { authorization: 'Bearer t' } })).headers.get('cache-control'),
    ).toBeNull();
    expect(
      (await gateway.send({ body: { documentId: pageId, variables: pageVariables } })).headers.get('cache-control'),
    ).toBeNull();
    const failing = `?documentId=${encodeURIComponent(pageId)}&variables=${encodeURIComponent(JSON.stringify({ org: 'nope', first: 1 }))}`;
    expect((await gateway.send({ search: failing })).headers.get('cache-control')).toBeNull();
  });

  it('is absent by default', async () => {
    await using gateway = await startTestGateway({ env: { PERSISTED_DOCUMENTS: codegenManifest } });
    expect((await gateway.send({ search })).headers.get('cache-control')).toBeNull();
  });
});

describe('reloading the manifests (SIGHUP)', () => {
  const first =
    'query First($org: ID!) { organization(restId: $org) { restId assistants(first: 1) { nodes { restId } } } }';
  const orgs = ['acme', 'globex', 'initech', 'hooli', 'umbrella'];
  const second = 'query Second { organization(restId: "globex") { restId } }';

  it('serves a new id, refuses a removed one, fails no request in flight, and keeps the old set when the new one is broken', async () => {
    const path = await manifest('reload.json', { first });
    const logger = createRecordingLogger();
    await using gateway = await startTestGateway({
      env: { PERSISTED_DOCUMENTS: path, PERSISTED_DOCUMENTS_MODE: 'enforce' },
      logger,
    });
    // One org each: the same org's calls would share one upstream call.
    const held = holdEach(gateway.upstream, orgs);
    const inFlight = orgs.map((org) => gateway.send({ body: { documentId: 'first', variables: { org } } }));
    await held.arrived;

    await writeFile(path, JSON.stringify({ second }));
    expect(await gateway.reloadPersistedDocuments()).toBe(true);
    held.release();
    expect((await Promise.all(inFlight)).map((answer) => answer.body)).toEqual(
      orgs.map((org) => ({ data: { organization: { restId: org, assistants: { nodes: expect.any(Array) } } } })),
    );

    expect((await gateway.send({ body: { documentId: 'second' } })).body).toEqual({
      data: { organization: { restId: 'globex' } },
    });
    expect(
      (await gateway.send({ body: { documentId: 'first', variables: { org: 'acme' } } })).body.errors?.[0]?.extensions
        ?.code,
    ).toBe('PERSISTED_QUERY_NOT_IN_LIST');

    await writeFile(path, JSON.stringify({ broken: 'query { organization(restId: "acme") { nope } }' }));
    expect(await gateway.reloadPersistedDocuments()).toBe(false);
    expect((await gateway.send({ body: { documentId: 'second' } })).body.data).toEqual({
      organization: { restId: 'globex' },
    });
    const refusal = logger.records().find((record) => record.level === 'error');
    expect(refusal?.msg).toMatch(
      /persisted documents not reloaded, the 1 loaded before stay: .*reload\.json: document "broken" is not valid: Cannot query field "nope"/,
    );
  });
});

describe('the program with manifests', () => {
  it('refuses to start on a document that does not validate, with one line naming the file and the id', async () => {
    const path = await manifest('invalid.json', { good: 'query { __typename }', bad: 'query { nope }' });
    const started = startMain({ PERSISTED_DOCUMENTS: path, PORT: '0' });
    expect(await started.exited).toBe(1);
    const lines = started.output().trim().split('\n');
    expect(lines.at(-1)).toMatch(
      /^config: PERSISTED_DOCUMENTS: .*invalid\.json: document "bad" is not valid: Cannot query field "nope"/,
    );
  });

  it('a SIGHUP while it starts ends nothing: the gateway starts and serves', async () => {
    const path = await manifest('early.json', { one: 'query One { __typename }' });
    const started = startMain({ PERSISTED_DOCUMENTS: path, PORT: '0', WORKERS: '2' });
    try {
      // Its first line: the process reads its settings, and listens for SIGHUP, before it says anything.
      await vi.waitFor(() => expect(started.output()).toContain('embedded demo upstream'), {
        timeout: 15_000,
        interval: 10,
      });
      started.child.kill('SIGHUP');
      const url = await readyUrl(started);
      const answer = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ documentId: 'one' }),
      });
      expect(await answer.json()).toEqual({ data: { __typename: 'Query' } });
      expect(started.output()).not.toMatch(/exited|failed to start/);
    } finally {
      started.child.kill('SIGTERM');
      await started.exited;
    }
  });

  it('reloads on SIGHUP under load, each worker of WORKERS=2 too, failing no request', async () => {
    const stays = 'query Stays { organization(restId: "acme") { assistants(first: 2) { nodes { restId } } } }';
    const path = await manifest('signal.json', { one: 'query One { __typename }', stays });
    const started = startMain({
      PERSISTED_DOCUMENTS: path,
      PERSISTED_DOCUMENTS_MODE: 'enforce',
      PORT: '0',
      WORKERS: '2',
    });
    try {
      const url = await readyUrl(started);
      const ask = async (documentId: string) =>
        (await (
          await fetch(url, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ documentId }),
          })
        ).json()) as { data?: unknown; errors?: { extensions: { code: string } }[] };
      expect((await ask('one')).data).toEqual({ __typename: 'Query' });

      // Four clients ask for a document both sets hold, without pause, through both reloads below.
      let loading = true;
      const answers: { data?: unknown; errors?: unknown }[] = [];
      const clients = Array.from({ length: 4 }, async () => {
        while (loading) answers.push(await ask('stays'));
      });
      await vi.waitFor(() => expect(answers.length).toBeGreaterThan(20), { timeout: 10_000, interval: 20 });

      await writeFile(path, JSON.stringify({ two: 'query Two { __typename }', stays }));
      started.child.kill('SIGHUP');
      await vi.waitFor(
        () => expect(started.output().match(/persisted documents reloaded: 2 from 1 manifest/g)).toHaveLength(2),
        { timeout: 10_000, interval: 50 },
      );
      await writeFile(path, '{"broken": ');
      started.child.kill('SIGHUP');
      await vi.waitFor(
        () =>
          expect(started.output().match(/persisted documents not reloaded, the 2 loaded before stay/g)).toHaveLength(2),
        { timeout: 10_000, interval: 50 },
      );
      const during = answers.length;
      await vi.waitFor(() => expect(answers.length).toBeGreaterThan(during + 20), { timeout: 10_000, interval: 20 });
      loading = false;
      await Promise.all(clients);
      expect(answers.filter((answer) => answer.errors !== undefined || answer.data == null)).toEqual([]);

      // Whichever worker answers.
      for (let round = 0; round < 4; round++) {
        expect((await ask('two')).data).toEqual({ __typename: 'Query' });
        expect((await ask('one')).errors?.[0]?.extensions.code).toBe('PERSISTED_QUERY_NOT_IN_LIST');
      }
    } finally {
      started.child.kill('SIGTERM');
      await started.exited;
    }
  });
});
