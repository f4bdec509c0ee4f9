// Imports every type file, then builds the schema.
import { builder, type SchemaVariant } from './builder.ts';
import './scalars.ts';
import './organization.ts';
import './assistant.ts';
import './integration.ts';
import './action.ts';
import './node.ts';
import './entities.ts';

builder.queryType({ description: 'The entry points of the Assistants graph.' });

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
  return builder.toSubGraphSchema({ subGraph: [variantOf(options), 'federation'], maxEntities: options.maxEntities });
}

/** The public API alone, without federation's members: what `schema/schema.graphql` shows. */
export function createPublicSchema(options: SchemaOptions) {
  return builder.toSchema({ subGraph: variantOf(options) });
}

function variantOf(options: SchemaOptions): SchemaVariant {
  return options.exposeSecretKeys ? 'secrets' : 'public';
}
