// schema/assistants.openapi.yaml describes the upstream; the embedded demo
// upstream must answer exactly as it says.

import { readFile } from 'node:fs/promises';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { startDemoUpstream } from '../src/demo/upstream.ts';

const document = parse(await readFile(new URL('../schema/assistants.openapi.yaml', import.meta.url), 'utf8'));
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

  it('refuses a body that does not fit, so the checks above can fail', async () => {
    await using upstream = await startDemoUpstream();
    upstream.inject({ body: 'bad-item' });
    const response = await fetch(`${upstream.url}/orgs/acme/assistants`);
    expect(validAssistantList(await response.json())).toBe(false);
    expect(validAssistantList({ not: 'an array' })).toBe(false);
  });
});
