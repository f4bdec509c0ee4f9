// Imports every type file, then builds the schema.
import { builder, type SchemaVariant } from '../builder.ts';
import './scalars.ts';
import './organization.ts';
import './assistant.ts';
import './integration.ts';
import './action.ts';

builder.queryType({ description: 'The entry points of the Assistants graph.' });

export interface SchemaOptions {
  /** Serve `Assistant.secretKey`. */
  readonly exposeSecretKeys: boolean;
}

export function createSchema(options: SchemaOptions) {
  const variant: SchemaVariant = options.exposeSecretKeys ? 'secrets' : 'public';
  // One schema serves both: the public Relay API, and an Apollo Federation v2
  // subgraph (`_service`, `_entities`) for supergraphs.
  return builder.toSubGraphSchema({ subGraph: variant, sortSchema: false });
}
