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
// (see `directId` and the Relay options in builder.ts); the builder's resolver
// plugin (resolver-plugin.ts) hands each built field to `resolverAsMarked`,
// which knows no type or field name, and refuses at start to replace a
// resolver that does not do what the mark says.

import { defaultFieldResolver, type GraphQLFieldResolver } from 'graphql';
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

// biome-ignore lint/suspicious/noExplicitAny: a resolver of any field, as Pothos' plugin hooks pass it.
type AnyResolver = GraphQLFieldResolver<unknown, any, any>;

/** A field as it is built: where it lives, and its extensions. */
export interface BuiltField {
  readonly parentType: string;
  readonly name: string;
  readonly extensions?: Readonly<Record<string, unknown>> | null;
}

/**
 * The resolver a field ends up with: `resolver` itself unless the field is
 * marked, else what its mark says (`defaultFieldResolver` for a property
 * read, which the built schema leaves out).
 */
export function resolverAsMarked(resolver: AnyResolver, field: BuiltField): AnyResolver {
  const how = field.extensions?.[resolvesDirectly] as DirectResolution | undefined;
  if (how === undefined) return resolver;
  const where = `${field.parentType}.${field.name}`;
  if (how === 'ownProperty') {
    refuseUnless(readsProperty(resolver, field.name), where, 'reads its own property');
    return defaultFieldResolver;
  }
  if (how === 'edgeNodes') {
    refuseUnless(readsEdgeNodesOf(resolver), where, "answers its edges' nodes");
    return (connection) => (connection as { edges: { node: unknown }[] }).edges.map((edge) => edge.node);
  }
  const keyOf = how.globalIdKey as (record: unknown) => string;
  const typename = field.parentType;
  return (record: unknown) => encodeGlobalId(typename, keyOf(record));
}

const call = (resolver: AnyResolver, parent: unknown) => resolver(parent, {}, undefined, undefined as never);

/** Whether a resolver answers its parent's property of the field's name. */
function readsProperty(resolver: AnyResolver, name: string): boolean {
  const value = {};
  return resolver === defaultFieldResolver || call(resolver, { [name]: value }) === value;
}

function readsEdgeNodesOf(resolver: AnyResolver): boolean {
  if (resolver === defaultFieldResolver) return false;
  const node = {};
  const nodes = call(resolver, { edges: [{ node }] });
  return Array.isArray(nodes) && nodes.length === 1 && nodes[0] === node;
}

function refuseUnless(understood: boolean, where: string, promise: string): void {
  if (!understood) {
    throw new Error(
      `${where} is marked as a field that ${promise}, but its resolver does something else: not replacing it`,
    );
  }
}
