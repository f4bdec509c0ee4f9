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
import { createSchema } from '../src/schema/index.ts';

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
