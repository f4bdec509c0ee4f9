// The IBM cost directives (@cost, @listSize) where routers read them: on the
// fields that cost upstream calls, in the subgraph SDL (imported through
// Federation 2.9's @link, and valid by Apollo's own subgraph rules), in the
// public SDL (with their definitions), in a supergraph composed by The
// Guild's library, and in the cost Hive Gateway's runtime estimates from it.

import { readFileSync } from 'node:fs';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { createGatewayRuntime } from '@graphql-hive/gateway-runtime';
import { composeServices } from '@theguild/federation-composition';
import {
  type ASTNode,
  buildSchema,
  type DocumentNode,
  graphqlSync,
  Kind,
  parse,
  print,
  valueFromASTUntyped,
  visit,
} from 'graphql';
import { describe, expect, it } from 'vitest';
import { createSeedData } from '../../src/demo/seed.ts';
import { createSchema } from '../../src/schema/index.ts';
import { type GraphQLResponse, startTestGateway } from '../helpers/gateway.ts';

/** Every @cost and @listSize of our schema, with its arguments, by the field that applies it; no other field has one. */
const expected = {
  'Organization.assistants': {
    cost: { weight: 1 },
    listSize: {
      assumedSize: 20,
      slicingArguments: ['first', 'last'],
      sizedFields: ['edges', 'nodes'],
      requireOneSlicingArgument: false,
    },
  },
  'Query.node': { cost: { weight: 1 } },
  'Query.nodes': { cost: { weight: 1 }, listSize: { assumedSize: 100 } },
};

/** The @cost and @listSize applied in a document with their arguments, by coordinate (`Type.field`, `Type.field.argument`, `Type`). */
function costDirectivesIn(document: DocumentNode): Record<string, Record<string, Record<string, unknown>>> {
  const found: Record<string, Record<string, Record<string, unknown>>> = {};
  visit(document, {
    Directive(node, _key, _parent, _path, ancestors) {
      if (node.name.value !== 'cost' && node.name.value !== 'listSize') return;
      const coordinate = ancestors
        .filter((ancestor): ancestor is ASTNode => !Array.isArray(ancestor))
        .flatMap((ancestor) => ('name' in ancestor && ancestor.name?.kind === Kind.NAME ? [ancestor.name.value] : []))
        .join('.');
      const args = (node.arguments ?? []).map((argument) => [argument.name.value, valueFromASTUntyped(argument.value)]);
      found[coordinate] = { ...found[coordinate], [node.name.value]: Object.fromEntries(args) };
    },
  });
  return found;
}

/** What `_service { sdl }` answers: the SDL a supergraph is composed from. */
const subgraphSdl = (
  graphqlSync({ schema: createSchema({ exposeSecretKeys: false }), source: '{ _service { sdl } }' }).data as {
    _service: { sdl: string };
  }
)._service.sdl;

/** Another subgraph, of Federation 2.6, that extends our organizations. */
const billingSdl = parse(/* GraphQL */ `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.6", import: ["@key"])
  type Organization @key(fields: "restId") {
    restId: ID!
    plan: String!
  }
  type Query {
    plans: [String!]!
  }
`);

describe('cost directives', () => {
  it('are on the fields that cost upstream calls in the subgraph SDL, imported through Federation 2.9', () => {
    const document = parse(subgraphSdl);
    const links = document.definitions.flatMap((definition) =>
      definition.kind === Kind.SCHEMA_EXTENSION
        ? (definition.directives ?? []).filter((directive) => directive.name.value === 'link')
        : [],
    );
    expect(links).toHaveLength(1);
    const link = Object.fromEntries(
      (links[0]?.arguments ?? []).map((argument) => [argument.name.value, valueFromASTUntyped(argument.value)]),
    );
    expect(link.url).toBe('https://specs.apollo.dev/federation/v2.9');
    expect(link.import).toEqual(expect.arrayContaining(['@cost', '@listSize', '@key', '@shareable']));
    expect(costDirectivesIn(document)).toEqual(expected);
    // Apollo's own subgraph validation (what rover applies): slicing arguments are Int, sized fields are lists.
    expect(() => buildSubgraphSchema(document)).not.toThrow();
  });

  it('are in the public SDL, with their definitions, and in the schema served', () => {
    const publicSdl = readFileSync(new URL('../../schema/schema.graphql', import.meta.url), 'utf8');
    const document = parse(publicSdl);
    expect(costDirectivesIn(document)).toEqual(expected);
    const definitions = document.definitions.flatMap((definition) =>
      definition.kind === Kind.DIRECTIVE_DEFINITION ? [print(definition)] : [],
    );
    expect(definitions).toEqual([
      'directive @cost(weight: Int!) on ARGUMENT_DEFINITION | ENUM | FIELD_DEFINITION | INPUT_FIELD_DEFINITION | OBJECT | SCALAR',
      'directive @listSize(assumedSize: Int, requireOneSlicingArgument: Boolean = true, sizedFields: [String!], slicingArguments: [String!]) on FIELD_DEFINITION',
    ]);
    // A valid SDL on its own: every applied directive is defined, with arguments of its definition.
    expect(() => buildSchema(publicSdl)).not.toThrow();
    const served = createSchema({ exposeSecretKeys: false });
    expect([served.getDirective('cost')?.name, served.getDirective('listSize')?.name]).toEqual(['cost', 'listSize']);
  });

  it('stay on our fields in a composed supergraph', () => {
    const composition = composeServices([
      { name: 'assistants', typeDefs: parse(subgraphSdl), url: 'http://assistants.test/graphql' },
      { name: 'billing', typeDefs: billingSdl, url: 'http://billing.test/graphql' },
    ]);
    expect(composition.errors ?? []).toEqual([]);
    const supergraph = parse(composition.supergraphSdl as string);
    expect(costDirectivesIn(supergraph)).toEqual(expected);
    const specs = supergraph.definitions.flatMap((definition) =>
      definition.kind === Kind.SCHEMA_DEFINITION
        ? (definition.directives ?? []).map((directive) => print(directive))
        : [],
    );
    expect(specs).toContain('@link(url: "https://specs.apollo.dev/cost/v0.1", import: ["@listSize"])');
  });

  it('price our fields in Hive Gateway: a window by its size, refetch by its ids', async () => {
    await using assistants = await startTestGateway();
    const composition = composeServices([{ name: 'assistants', typeDefs: parse(subgraphSdl), url: assistants.url }]);
    expect(composition.errors ?? []).toEqual([]);
    await using supergraph = createGatewayRuntime({
      supergraph: composition.supergraphSdl as string,
      logging: false,
      demandControl: { maxCost: 50, includeExtensionMetadata: true },
    });
    const run = async (query: string) => {
      const response = await supergraph.fetch('http://supergraph.test/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query }),
      });
      return (await response.json()) as GraphQLResponse;
    };

    // organization 1, assistants 1 + @cost 1, its 2 nodes 1 each (a scalar costs nothing).
    const window = await run('{ organization(restId: "wayne") { assistants(first: 2) { nodes { name } } } }');
    expect(window.errors).toBeUndefined();
    expect(window.data).toEqual({
      organization: {
        assistants: { nodes: (createSeedData().get('wayne') ?? []).slice(0, 2).map(({ name }) => ({ name })) },
      },
    });
    expect(window.extensions?.cost).toEqual({ estimated: 5, max: 50 });

    // 100 nodes are over the budget: refused before our subgraph is asked.
    assistants.upstream.reset();
    const large = await run('{ organization(restId: "wayne") { assistants(first: 100) { nodes { name } } } }');
    expect(large.errors?.map((error) => error.extensions?.code)).toEqual(['COST_ESTIMATED_TOO_EXPENSIVE']);
    expect(assistants.upstream.requests).toEqual([]);

    // `nodes` at its most (100 ids), each Node 1 + @cost 1, whatever ids are given.
    const refetch = await run('{ nodes(ids: []) { id } }');
    expect(refetch.errors?.map((error) => error.extensions?.code)).toEqual(['COST_ESTIMATED_TOO_EXPENSIVE']);
    expect(refetch.extensions?.cost).toEqual({ estimated: 200, max: 50 });
  });
});
