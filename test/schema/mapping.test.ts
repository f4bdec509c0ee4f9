// The upstream's fields as the contract serves them: every field of the
// upstream's record has a GraphQL field, and each answer is what the oracle
// (test/helpers/expected.ts) makes of the demo's data.

import { type GraphQLNamedType, getNamedType, isObjectType } from 'graphql';
import { describe, expect, it } from 'vitest';
import { createSeedData } from '../../src/demo/seed.ts';
import { createSchema } from '../../src/schema/index.ts';
import { assistantShape } from '../../src/upstream/assistant-shape.ts';
import { camelCase, type ObjectSpec } from '../../src/upstream/field-kinds.ts';
import { fullPageQuery } from '../helpers/documents.ts';
import { expectedAssistant, withoutGlobalIds } from '../helpers/expected.ts';
import { dataOf, present, startTestGateway } from '../helpers/gateway.ts';

const seed = createSeedData();

/** `Type.field` for each field of the upstream's record that `type` does not serve, in objects within it too. */
function unserved(spec: ObjectSpec, type: GraphQLNamedType): string[] {
  if (!isObjectType(type)) return [`${type.name} (not an object type)`];
  const fields = type.getFields();
  return Object.entries(spec.fields).flatMap(([wireName, field]) => {
    if (field.kind === 'unread') return [];
    // A record's `id` is its REST id; the GraphQL `id` is the global one.
    const name = wireName === 'id' ? 'restId' : camelCase(wireName);
    const served = fields[name];
    if (!served) return [`${type.name}.${name} (the upstream's ${wireName})`];
    if (field.kind === 'object') return unserved(field, getNamedType(served.type));
    if (field.kind === 'list') return unserved(field.item, getNamedType(served.type));
    return [];
  });
}

describe('field mapping', () => {
  it('serves every field of the upstream record (src/upstream/assistant-shape.ts)', () => {
    const assistant = createSchema({ exposeSecretKeys: true }).getType('Assistant');
    expect(assistant && unserved(assistantShape, assistant)).toEqual([]);
  });

  it.each(['hooli', 'acme', 'wayne'])(
    'serves every contract field of %s exactly as the upstream sent it',
    async (org) => {
      await using gateway = await startTestGateway();
      const wire = seed.get(org) ?? [];
      const data = dataOf(await gateway.query(fullPageQuery, { org, first: 100 }));
      expect(data.organization.restId).toBe(org);
      expect(withoutGlobalIds(present(data.organization.assistants).nodes)).toEqual(
        wire.map((assistant) => expectedAssistant(org, assistant)),
      );
    },
  );

  it('keeps the messy edge cases: nulls, unicode, long text, date-only and offset timestamps', async () => {
    await using gateway = await startTestGateway();
    const data = dataOf(await gateway.query(fullPageQuery, { org: 'hooli', first: 5 }));
    const [bare, unicode, long] = present(data.organization.assistants).nodes;

    expect(bare).toMatchObject({
      avatarUrl: null,
      hasSecretKey: false,
      integrations: [],
      actions: [],
      createdAt: '2023-12-25T00:00:00.000Z',
      config: {
        instructions: null,
        conversation: { welcomeBanner: null, autoIntroMessage: null, suggestedMessages: [] },
      },
    });
    // An empty secret_key is no key either.
    expect(unicode?.hasSecretKey).toBe(false);
    expect(unicode?.name).toBe(seed.get('hooli')?.[1]?.name);
    expect(unicode?.name).toMatch(/[\u0600-\u06FF]/);
    // `2024-03-01T10:20:30+02:00` upstream is 08:20:30 UTC.
    expect(unicode?.createdAt).toBe('2024-03-01T08:20:30.000Z');
    expect(long?.config.instructions?.length).toBeGreaterThan(20_000);
    expect(long?.hasSecretKey).toBe(true);
  });

  it('gives every object a distinct global id that names no secret', async () => {
    await using gateway = await startTestGateway();
    const data = dataOf(await gateway.query(fullPageQuery, { org: 'acme', first: 100 }));
    const ids: string[] = [data.organization.id];
    for (const assistant of present(data.organization.assistants).nodes) {
      ids.push(assistant.id, ...assistant.integrations.map((i) => i.id));
      ids.push(...assistant.actions.map((a) => a.id));
      expect(assistant.organization.id).toBe(data.organization.id);
    }
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]+$/);
  });
});

describe('secret keys', () => {
  const secrets = [...seed.values()]
    .flat()
    .flatMap((assistant) => (assistant.secret_key ? [assistant.secret_key] : []));

  it('has no secretKey field unless the deployment opts in', async () => {
    await using gateway = await startTestGateway();
    // A string, not a typed document: this query is meant to fail validation.
    const { errors } = await gateway.query('{ organization(restId: "hooli") { assistants { nodes { secretKey } } } }');
    expect(errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(errors?.[0]?.message).toContain('Cannot query field "secretKey"');
  });

  it('serves secretKey with EXPOSE_SECRET_KEYS=true', async () => {
    await using gateway = await startTestGateway({ env: { EXPOSE_SECRET_KEYS: 'true' } });
    // A string, not a typed document: secretKey is not in the schema that codegen types against.
    const { data } = await gateway.query('{ organization(restId: "hooli") { assistants { nodes { secretKey } } } }');
    const served = data.organization.assistants.nodes.map((node: { secretKey: string | null }) => node.secretKey);
    expect(served).toEqual(seed.get('hooli')?.map((assistant) => assistant.secret_key));
  });

  it('puts no secret key in any response, whatever is asked', async () => {
    await using gateway = await startTestGateway();
    const bodies = await Promise.all(
      ['hooli', 'acme', 'globex', 'wayne'].map((org) => gateway.query(fullPageQuery, { org, first: 100 })),
    );
    const text = JSON.stringify(bodies);
    expect(secrets.length).toBeGreaterThan(10);
    for (const secret of secrets) expect(text).not.toContain(secret);
  });
});
