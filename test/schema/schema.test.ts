import {
  type GraphQLField,
  type GraphQLNamedType,
  graphqlSync,
  isInputObjectType,
  isInterfaceType,
  isIntrospectionType,
  isObjectType,
  isSpecifiedScalarType,
} from 'graphql';
import { describe, expect, it } from 'vitest';
import { createSeedData } from '../../src/demo/seed.ts';
import { encodeGlobalId } from '../../src/schema/global-id.ts';
import { createSchema } from '../../src/schema/index.ts';
import { decodeAssistantList } from '../../src/upstream/decode.ts';

const sdlOf = (exposeSecretKeys: boolean) =>
  (
    graphqlSync({ schema: createSchema({ exposeSecretKeys }), source: '{ _service { sdl } }' }).data as {
      _service: { sdl: string };
    }
  )._service.sdl;

/** Federation's own members, which the contract exempts from descriptions. */
const isFederationMember = (name: string) => name.startsWith('_') || name.startsWith('link__') || name === 'FieldSet';

describe('the schema', () => {
  it('has no secretKey, in its types or its federation SDL, unless the deployment opts in', () => {
    const assistant = createSchema({ exposeSecretKeys: false }).getType('Assistant');
    expect(isObjectType(assistant) && Object.keys(assistant.getFields())).not.toContain('secretKey');
    expect(sdlOf(false)).not.toMatch(/\bsecretKey\b/);

    const exposed = createSchema({ exposeSecretKeys: true }).getType('Assistant');
    expect(isObjectType(exposed) && Object.keys(exposed.getFields())).toContain('secretKey');
    expect(sdlOf(true)).toMatch(/\bsecretKey: String\b/);
  });

  it('describes every type, field and argument', () => {
    const schema = createSchema({ exposeSecretKeys: true });
    const undescribed: string[] = [];
    const check = (what: string, description: string | null | undefined) => {
      if (!description?.trim()) undescribed.push(what);
    };
    for (const type of Object.values(schema.getTypeMap()) as GraphQLNamedType[]) {
      if (isIntrospectionType(type) || isSpecifiedScalarType(type) || isFederationMember(type.name)) continue;
      check(type.name, type.description);
      if (!(isObjectType(type) || isInterfaceType(type) || isInputObjectType(type))) continue;
      for (const field of Object.values(type.getFields())) {
        if (isFederationMember(field.name)) continue;
        check(`${type.name}.${field.name}`, field.description);
        for (const arg of (field as GraphQLField<unknown, unknown>).args ?? []) {
          check(`${type.name}.${field.name}(${arg.name})`, arg.description);
        }
      }
    }
    expect(undescribed).toEqual([]);
  });
});

describe('resolvers of loaded records', () => {
  it('serve node ids synchronously, as the global id of the record they are read from', () => {
    const assistant = decodeAssistantList(createSeedData().get('acme'), 'acme').find(
      (record) => record.integrations.length > 0 && record.actions.length > 0,
    );
    if (!assistant?.integrations[0] || !assistant.actions[0]) throw new Error('the seed has changed');
    const records = {
      Organization: [{ restId: 'acme' }, `acme`],
      Assistant: [assistant, `acme/${assistant.id}`],
      Integration: [assistant.integrations[0], `acme/${assistant.id}/${assistant.integrations[0].id}`],
      Action: [assistant.actions[0], `acme/${assistant.id}/${assistant.actions[0].id}`],
    } as const;
    const schema = createSchema({ exposeSecretKeys: false });
    for (const [typename, [record, key]] of Object.entries(records)) {
      const type = schema.getType(typename);
      const resolve = isObjectType(type) ? type.getFields().id?.resolve : undefined;
      // A plain string, not a promise: compiled execution stays on its fast path.
      expect(resolve?.(record, {}, {}, {} as never)).toBe(encodeGlobalId(typename, key));
    }
  });

  it('leave fields that serve already-loaded records to the default resolver, which compiled code inlines', () => {
    const schema = createSchema({ exposeSecretKeys: false });
    const resolverOf = (typename: string, field: string) => {
      const type = schema.getType(typename);
      return isObjectType(type) ? type.getFields()[field]?.resolve : null;
    };
    for (const [typename, field] of [
      ['Assistant', 'integrations'],
      ['Assistant', 'actions'],
      ['AssistantConnection', 'edges'],
      ['AssistantEdge', 'node'],
    ]) {
      expect(resolverOf(typename as string, field as string), `${typename}.${field}`).toBeUndefined();
    }
  });
});
