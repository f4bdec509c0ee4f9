// Fields whose value their parent already holds, resolved without the
// functions Pothos' Relay plugin builds for them: it resolves every `id`
// through an async function (a promise per object) and gives a connection's
// `edges`, `pageInfo` and `nodes`, and an edge's `node`, resolvers of their
// own. Each makes compiled execution build a resolve-info object per call and
// take its generic, promise-ready path; graphql's default resolver (or a
// plain synchronous one) is read inline. (Scenario b of the bench: +25%
// operations/s, a quarter less CPU; see bench/RESULTS.md.)
//
// A field says so where it is defined, with the `resolvesDirectly` extension
// (see `directId` and the Relay options in builder.ts); `resolveDirectly`
// knows no type or field name, and refuses at start to replace a resolver
// that does not do what the mark says.

import { type GraphQLField, type GraphQLSchema, isObjectType } from 'graphql';
import { encodeGlobalId } from './global-id.ts';

/** The field extension that marks a field as resolved directly, and how. */
export const resolvesDirectly = 'resolvesDirectly';

type DirectResolution =
  /** Reads its parent's property of the same name. */
  | 'ownProperty'
  /** A connection's `nodes`: its edges' nodes. */
  | 'edgeNodes'
  /** A node's global id, from the REST key of its record. */
  | { readonly globalIdKey: (record: never) => string };

/** Options for a node type's `id`: its REST key, encoded into a global id without a promise. */
export function directId<Record>(keyOf: (record: Record) => string) {
  return {
    resolve: keyOf,
    extensions: { [resolvesDirectly]: { globalIdKey: keyOf } satisfies DirectResolution },
  };
}

/** Extensions for a field that reads its parent's property of the same name. */
export const readsOwnProperty = { [resolvesDirectly]: 'ownProperty' satisfies DirectResolution };
/** Extensions for a connection's `nodes`. */
export const readsEdgeNodes = { [resolvesDirectly]: 'edgeNodes' satisfies DirectResolution };

export function resolveDirectly(schema: GraphQLSchema): GraphQLSchema {
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      const how = field.extensions?.[resolvesDirectly] as DirectResolution | undefined;
      if (how === undefined) continue;
      const where = `${type.name}.${field.name}`;
      if (how === 'ownProperty') {
        refuseUnless(readsProperty(field), where, 'reads its own property');
        field.resolve = undefined;
      } else if (how === 'edgeNodes') {
        refuseUnless(readsEdgeNodesOf(field), where, "answers its edges' nodes");
        field.resolve = (connection: { edges: { node: unknown }[] }) => connection.edges.map((edge) => edge.node);
      } else {
        const keyOf = how.globalIdKey as (record: unknown) => string;
        field.resolve = (record: unknown) => encodeGlobalId(type.name, keyOf(record));
      }
    }
  }
  return schema;
}

type AnyField = GraphQLField<unknown, unknown>;
const call = (field: AnyField, parent: unknown) => field.resolve?.(parent, {}, undefined, undefined as never);

/** Whether a field's resolver, if it has one, answers its parent's property of its name. */
function readsProperty(field: AnyField): boolean {
  const value = {};
  return field.resolve === undefined || call(field, { [field.name]: value }) === value;
}

function readsEdgeNodesOf(field: AnyField): boolean {
  const node = {};
  const nodes = call(field, { edges: [{ node }] });
  return Array.isArray(nodes) && nodes.length === 1 && nodes[0] === node;
}

function refuseUnless(understood: boolean, where: string, promise: string): void {
  if (!understood) {
    throw new Error(
      `${where} is marked as a field that ${promise}, but its resolver does something else: not replacing it`,
    );
  }
}
