// schema/assistants.openapi.yaml describes the upstream (its assistant's
// schemas written from src/upstream/assistant-shape.ts by `npm run codegen`);
// the embedded demo upstream must answer exactly as it says, with no property
// it does not describe. A real upstream may add fields (the gateway ignores them), so the
// description leaves its objects open; here every object that lists its
// properties is closed, and only the free-form JSON the contract passes
// through (an integration's `config`, an action's `config.input`, a
// definition's `definition`) stays open.

import { readFile } from 'node:fs/promises';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { createSeedData } from '../../src/demo/seed.ts';
import { startDemoUpstream } from '../../src/demo/upstream.ts';

/** Every schema that lists its properties, made to refuse any other (free-form objects list none). */
function closeObjects<T>(node: T): T {
  if (Array.isArray(node)) return node.map(closeObjects) as T;
  if (node === null || typeof node !== 'object') return node;
  const closed: Record<string, unknown> = Object.fromEntries(
    Object.entries(node).map(([key, value]) => [key, closeObjects(value)]),
  );
  const listsProperties = typeof closed.properties === 'object' && closed.properties !== null;
  if (listsProperties && !('additionalProperties' in closed) && !('unevaluatedProperties' in closed)) {
    closed.unevaluatedProperties = false;
  }
  return closed as T;
}

const document = closeObjects(
  parse(await readFile(new URL('../../schema/assistants.openapi.yaml', import.meta.url), 'utf8')),
);
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats.default(ajv);
ajv.addSchema(document, 'openapi');
const operation = document.paths['/orgs/{org_id}/assistants'].get;
const schemaOf = (status: string) =>
  ajv.compile({
    $ref: `openapi#/paths/~1orgs~1%7Borg_id%7D~1assistants/get/responses/${status}/content/application~1json/schema`,
  });
const validAssistantList = schemaOf('200');
const validError = ajv.compile({ $ref: 'openapi#/components/schemas/Error' });

describe('the OpenAPI description of the upstream', () => {
  it('is an OpenAPI 3.1 document with the one endpoint and its paging parameters', () => {
    expect(document.openapi).toBe('3.1.0');
    expect(Object.keys(document.paths)).toEqual(['/orgs/{org_id}/assistants']);
    expect(
      operation.parameters.map((parameter: { name: string; in: string }) => `${parameter.in}:${parameter.name}`),
    ).toEqual(['path:org_id', 'query:page', 'query:take']);
    expect(Object.keys(operation.responses)).toEqual(['200', '400', '401', '403', '404', '429', '5XX']);
  });

  it.each([
    ['acme', 1, 100],
    ['hooli', 1, 100],
    ['umbrella', 1, 20],
    ['initech', 1, 100],
    ['initech', 2, 100],
    ['initech', 4, 100],
    ['globex', 3, 7],
  ])('matches the demo upstream’s answer for %s page %i take %i', async (org, page, take) => {
    await using upstream = await startDemoUpstream();
    const response = await fetch(`${upstream.url}/orgs/${org}/assistants?page=${page}&take=${take}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    const body = await response.json();
    const valid = validAssistantList(body);
    expect(validAssistantList.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it.each([
    ['a bad take', '/orgs/acme/assistants?page=1&take=500', 400],
    ['a page below the first', '/orgs/acme/assistants?page=0&take=5', 400],
    ['an unknown org', '/orgs/nobody/assistants', 404],
  ])('matches the demo upstream’s error for %s', async (_name, path, status) => {
    await using upstream = await startDemoUpstream();
    const response = await fetch(`${upstream.url}${path}`);
    expect(response.status).toBe(status);
    expect(operation.responses[String(status)]).toBeDefined();
    expect(validError(await response.json())).toBe(true);
  });

  it('refuses a property it does not describe, at any depth, naming it', async () => {
    await using upstream = await startDemoUpstream();
    const response = await fetch(`${upstream.url}/orgs/hooli/assistants?page=1&take=100`);
    const answer = (await response.json()) as Record<string, unknown>[];
    expect(validAssistantList(answer)).toBe(true);
    const withUnknown = structuredClone(answer);
    Object.assign(withUnknown[0] as object, { not_described: 'A property the description does not know.' });
    expect(validAssistantList(withUnknown)).toBe(false);
    expect(validAssistantList.errors).toContainEqual(
      expect.objectContaining({ instancePath: '/0', params: { unevaluatedProperty: 'not_described' } }),
    );
    const withVoiceSpeed = structuredClone(answer) as { config: { tts: Record<string, unknown> } }[];
    Object.assign(withVoiceSpeed[0]?.config.tts as object, { speed: 1.2 });
    expect(validAssistantList(withVoiceSpeed)).toBe(false);
    expect(validAssistantList.errors).toContainEqual(
      expect.objectContaining({ instancePath: '/0/config/tts', params: { unevaluatedProperty: 'speed' } }),
    );
  });

  it('leaves the free-form JSON open: integration config, action input, definitions', () => {
    // A seed assistant with children, so that a field added to the shape and the seed is here too.
    const [assistant] = structuredClone(
      createSeedData()
        .get('hooli')
        ?.filter((candidate) => candidate.integrations.length > 0 && candidate.actions.length > 0) ?? [],
    );
    const [integration] = assistant?.integrations ?? [];
    const [action] = assistant?.actions ?? [];
    if (!integration || !action) throw new Error('the seed has changed');
    integration.config = { any: { nested: [1] } };
    action.config = { input: { anything: true }, definitions: [{ path: '/p', definition: { whatever: 'goes' } }] };
    expect(validAssistantList([assistant])).toBe(true);
    expect(validAssistantList.errors ?? []).toEqual([]);
  });

  it('refuses a body that does not fit, so the checks above can fail', async () => {
    await using upstream = await startDemoUpstream();
    upstream.inject({ body: 'bad-item' });
    const response = await fetch(`${upstream.url}/orgs/acme/assistants`);
    expect(validAssistantList(await response.json())).toBe(false);
    expect(validAssistantList({ not: 'an array' })).toBe(false);
  });
});
