// `_entities` is declared by the gateway itself (src/schema/entities.ts), so
// its `_Entity` union is a list kept by hand: it must hold exactly the types
// the subgraph SDL gives a `@key`, or a router's entity call for a new type
// would be refused as "not an entity type of this subgraph".

import { readFileSync } from 'node:fs';
import { isUnionType, Kind, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { createSchema } from '../../src/schema/index.ts';

const subgraphSdl = readFileSync(new URL('../../schema/subgraph.graphql', import.meta.url), 'utf8');

describe('_entities', () => {
  it('answers for exactly the types that have a @key', () => {
    const keyed = parse(subgraphSdl)
      .definitions.filter((definition) => definition.kind === Kind.OBJECT_TYPE_DEFINITION)
      .filter((definition) => definition.directives?.some((directive) => directive.name.value === 'key'))
      .map((definition) => definition.name.value)
      .sort();
    const entity = createSchema({ exposeSecretKeys: false, maxEntities: 100 }).getType('_Entity');
    expect(isUnionType(entity)).toBe(true);
    const members = isUnionType(entity)
      ? entity
          .getTypes()
          .map((type) => type.name)
          .sort()
      : [];
    expect(keyed.length).toBeGreaterThanOrEqual(4);
    expect(members).toEqual(keyed);
  });
});
