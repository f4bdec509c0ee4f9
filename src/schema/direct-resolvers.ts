// Fields of Pothos' Relay plugin whose value their parent already holds,
// resolved without the functions it builds for them: it resolves every `id`
// through an async function (a promise per object) and gives a connection's
// `edges` and `pageInfo` and an edge's `node` resolvers of their own. Each
// makes compiled execution build a resolve-info object per call and take its
// generic, promise-ready path; a field that reads a property of its own name
// instead gets graphql's default resolver, which compiled execution reads
// inline. (Scenario b of the bench: +25% operations/s, a quarter less CPU;
// see bench/RESULTS.md.) Our own type files expose such fields directly.

import { type GraphQLSchema, isObjectType } from 'graphql';
import { encodeGlobalId, type NodeTypename } from '../global-id.ts';
import { nodeKeys } from './node-keys.ts';

/** Relay's fields that serve their parent's property of the same name, as already loaded. */
const ownProperties = [
  ['AssistantConnection', 'edges'],
  ['AssistantConnection', 'pageInfo'],
  ['AssistantEdge', 'node'],
] as const;

export function resolveDirectly(schema: GraphQLSchema): GraphQLSchema {
  for (const [typename, keyOf] of Object.entries(nodeKeys) as [NodeTypename, (record: unknown) => string][]) {
    fieldOf(schema, typename, 'id').resolve = (record: unknown) => encodeGlobalId(typename, keyOf(record));
  }
  for (const [typename, name] of ownProperties) fieldOf(schema, typename, name).resolve = undefined;
  fieldOf(schema, 'AssistantConnection', 'nodes').resolve = (connection: { edges: { node: unknown }[] }) =>
    connection.edges.map((edge) => edge.node);
  return schema;
}

function fieldOf(schema: GraphQLSchema, typename: string, name: string) {
  const type = schema.getType(typename);
  const field = isObjectType(type) ? type.getFields()[name] : undefined;
  if (!field) throw new Error(`the schema has no ${typename}.${name}`);
  return field;
}
