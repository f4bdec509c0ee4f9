// The assistant's schemas in schema/assistants.openapi.yaml, from
// assistant-shape.ts: `npm run codegen` writes them below the document's
// hand-written part. A field is required there when the decoder refuses it
// missing (or the shape says the upstream always sends it); `Id`, `Timestamp`
// and `NullableString` are the hand-written part's.

import { assistantShape } from './assistant-shape.ts';
import type { FieldSpec, ObjectSpec, ScalarKind } from './field-kinds.ts';

export type OpenApiSchema = { [keyword: string]: unknown };

/** Every named object of the shape, the assistant first, each before the objects inside it. */
export function assistantSchemas(): Record<string, OpenApiSchema> {
  const schemas: Record<string, OpenApiSchema> = {};
  objectOrRef(assistantShape, schemas);
  return schemas;
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

function objectSchema(spec: ObjectSpec, schemas: Record<string, OpenApiSchema>): OpenApiSchema {
  const required: string[] = [];
  const properties: Record<string, OpenApiSchema> = {};
  for (const [key, field] of Object.entries(spec.fields)) {
    const described = fieldSchema(field, schemas);
    if (described.required) required.push(key);
    properties[key] = described.schema;
  }
  return { type: 'object', ...(required.length > 0 ? { required } : {}), properties };
}

/** A named object is described once, under its name, and referred to. */
function objectOrRef(spec: ObjectSpec, schemas: Record<string, OpenApiSchema>): OpenApiSchema {
  if (spec.name === undefined) return objectSchema(spec, schemas);
  if (!(spec.name in schemas)) {
    schemas[spec.name] = {}; // its place in the order: before the objects inside it
    schemas[spec.name] = objectSchema(spec, schemas);
  }
  return ref(spec.name);
}

function fieldSchema(
  field: FieldSpec,
  schemas: Record<string, OpenApiSchema>,
): { schema: OpenApiSchema; required: boolean } {
  switch (field.kind) {
    case 'object':
      return { schema: objectOrRef(field, schemas), required: true };
    case 'list':
      return { schema: { type: ['array', 'null'], items: objectOrRef(field.item, schemas) }, required: false };
    case 'unread':
      return { schema: fieldSchema(field.sent, schemas).schema, required: false };
    default: {
      const { schema, required } = scalarSchemas[field.kind];
      const description = field.description === undefined ? {} : { description: field.description };
      return { schema: { ...schema, ...description }, required: required || field.alwaysSent === true };
    }
  }
}

const scalarSchemas = {
  id: { schema: ref('Id'), required: true },
  optionalId: { schema: ref('NullableString'), required: false },
  text: { schema: { type: 'string' }, required: true },
  optionalText: { schema: ref('NullableString'), required: false },
  flag: { schema: { type: 'boolean' }, required: true },
  timestamp: { schema: ref('Timestamp'), required: true },
  json: { schema: { type: ['object', 'null'] }, required: false },
  textList: { schema: { type: ['array', 'null'], items: { type: 'string' } }, required: false },
} satisfies Record<ScalarKind, { schema: OpenApiSchema; required: boolean }>;
