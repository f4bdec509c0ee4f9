// Pothos' Relay plugin resolves every `id` field through an async wrapper: a
// promise per object, which sends compiled execution down its slower path for
// every assistant, integration and action of a page. An id is a pure function
// of the record already in hand, so each node type's `id` here resolves
// synchronously, to the same global id.

import { type GraphQLSchema, isObjectType } from 'graphql';
import { encodeGlobalId, type NodeTypename } from '../global-id.ts';
import { nodeKeys } from './node-keys.ts';

export function resolveIdsSynchronously(schema: GraphQLSchema): GraphQLSchema {
  for (const [typename, keyOf] of Object.entries(nodeKeys) as [NodeTypename, (record: unknown) => string][]) {
    const type = schema.getType(typename);
    const idField = isObjectType(type) ? type.getFields().id : undefined;
    if (!idField) throw new Error(`node type ${typename} has no id field`);
    idField.resolve = (record: unknown) => encodeGlobalId(typename, keyOf(record));
  }
  return schema;
}
