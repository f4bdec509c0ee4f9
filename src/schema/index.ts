// Imports every type file, then builds the schema.
import { buildSchema, isSpecifiedDirective, specifiedDirectives } from 'graphql';
import { builder, type SchemaVariant } from './builder.ts';
import './scalars.ts';
import './organization.ts';
import './assistant.ts';
import './integration.ts';
import './action.ts';
import './node.ts';
import './entities.ts';

builder.queryType({ description: 'The entry points of the Assistants graph.' });

/**
 * The IBM cost directives, defined as Federation 2.9 defines them: the fields
 * that cost upstream calls apply them (their `cost` and `listSize` options),
 * and both schemas define them, so that the public SDL and introspection show
 * them; the subgraph SDL imports them through its `@link` instead.
 */
const directives = [
  ...specifiedDirectives,
  ...buildSchema(/* GraphQL */ `
    directive @cost(weight: Int!) on ARGUMENT_DEFINITION | ENUM | FIELD_DEFINITION | INPUT_FIELD_DEFINITION | OBJECT | SCALAR
    directive @listSize(assumedSize: Int, slicingArguments: [String!], sizedFields: [String!], requireOneSlicingArgument: Boolean = true) on FIELD_DEFINITION
  `)
    .getDirectives()
    .filter((directive) => !isSpecifiedDirective(directive)),
];

export interface SchemaOptions {
  /** Serve `Assistant.secretKey`. */
  readonly exposeSecretKeys: boolean;
  /** Most representations one `_entities` field may take (default 100, like `nodes`' ids). */
  readonly maxEntities?: number;
}

/** The schema as served: the public API plus federation's `_service` and `_entities`. */
export function createSchema(options: SchemaOptions) {
  // One schema serves both: the public Relay API, and an Apollo Federation v2
  // subgraph for supergraphs (`_service`, and the `federation` sub-graph's `_entities`).
  return builder.toSubGraphSchema({
    // 2.9: the first version with @cost and @listSize (the federation plugin imports what the fields use).
    linkUrl: 'https://specs.apollo.dev/federation/v2.9',
    subGraph: [variantOf(options), 'federation'],
    directives,
    maxEntities: options.maxEntities,
  });
}

/** The public API alone, without federation's members: what `schema/schema.graphql` shows. */
export function createPublicSchema(options: SchemaOptions) {
  return builder.toSchema({ subGraph: variantOf(options), directives });
}

function variantOf(options: SchemaOptions): SchemaVariant {
  return options.exposeSecretKeys ? 'secrets' : 'public';
}
