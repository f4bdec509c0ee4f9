// The one every-field selection of an assistant, the fragment AssistantFields
// of src/graphql/assistant-fields.graphql, must cover every leaf field of
// Assistant, its config types, its integrations and its actions, so that a
// field added to the schema and forgotten there fails here, by name. Its
// users (GraphiQL's example query, the tests' typed documents, the benchmark)
// spread it, and are checked the same way.

import { readFileSync } from 'node:fs';
import { getNamedType, isLeafType, isObjectType, parse, TypeInfo, visit, visitWithTypeInfo } from 'graphql';
import { describe, expect, it } from 'vitest';
import { scenarios } from '../../bench/scenarios.ts';
import { assistantFields } from '../../src/graphql/assistant-fields.generated.ts';
import { exampleQuery } from '../../src/graphql/example-query.ts';
import { createPublicSchema } from '../../src/schema/index.ts';
import { fullPageQuery } from '../helpers/documents.ts';

const schema = createPublicSchema({ exposeSecretKeys: false });
/** Links back to an object's owners: not fields of the assistant itself. */
const backLinks = new Set(['Organization', 'Assistant']);

/** `Type.field` for every leaf field reachable from Assistant, back-links aside. */
function everyLeaf(): string[] {
  const leaves: string[] = [];
  const seen = new Set<string>();
  const walk = (typeName: string) => {
    const type = schema.getType(typeName);
    if (!isObjectType(type) || seen.has(typeName)) return;
    seen.add(typeName);
    for (const field of Object.values(type.getFields())) {
      const named = getNamedType(field.type);
      if (isLeafType(named)) leaves.push(`${typeName}.${field.name}`);
      else if (!backLinks.has(named.name)) walk(named.name);
    }
  };
  walk('Assistant');
  return leaves.sort();
}

/** `Type.field` for every field a document selects, through fragments too. */
function selected(document: string): Set<string> {
  const typeInfo = new TypeInfo(schema);
  const fields = new Set<string>();
  visit(
    parse(document),
    visitWithTypeInfo(typeInfo, {
      Field(node) {
        const parent = typeInfo.getParentType();
        if (parent) fields.add(`${parent.name}.${node.name.value}`);
      },
    }),
  );
  return fields;
}

const fragmentFile = readFileSync(new URL('../../src/graphql/assistant-fields.graphql', import.meta.url), 'utf8');

const selections: [string, string][] = [
  ['the fragment AssistantFields (src/graphql/assistant-fields.graphql)', fragmentFile],
  ['the example query (src/graphql/example-query.ts)', exampleQuery],
  ["the tests' FullPage (test/helpers/documents.ts)", String(fullPageQuery)],
  ["the bench's scenario a (bench/scenarios.ts)", scenarios.find((scenario) => scenario.name === 'a')?.query ?? ''],
];

describe('the every-field selection', () => {
  it('knows the leaf fields of an assistant', () => {
    expect(everyLeaf()).toContain('ConversationConfig.enablePrivateChats');
    expect(everyLeaf()).toContain('ActionDefinition.definition');
    expect(everyLeaf()).not.toContain('Organization.restId');
  });

  it.each(selections)('%s selects every one of them', (_name, document) => {
    const have = selected(document);
    expect(everyLeaf().filter((leaf) => !have.has(leaf))).toEqual([]);
  });

  it('is one fragment, which its users spread rather than copy', () => {
    expect(parse(fragmentFile).definitions).toHaveLength(1);
    expect(parse(assistantFields).definitions).toHaveLength(1);
    for (const [, document] of selections.slice(1)) {
      const fragments = parse(document).definitions.filter((definition) => definition.kind === 'FragmentDefinition');
      expect(fragments.map((fragment) => fragment.name.value)).toEqual(['AssistantFields']);
    }
  });
});
