// The kinds of field an upstream record is declared with (assistant-shape.ts
// uses them). A field is plain data: field-readers.ts has a reader for each
// kind, which the generated decoder calls (decoder-source.ts), and
// assistant-openapi.ts describes each. Its two type parameters say what the
// upstream sends and what the decoded record holds, so that the wire type and
// the record type are both inferred from the one declaration.

export type JsonObject = { [key: string]: unknown };

/** Type-only: no field carries these at run time. */
declare const wireType: unique symbol;
declare const recordType: unique symbol;
/** The record type of a field that is not read: its name is left out of the record. */
declare const notRead: unique symbol;
type NotRead = typeof notRead;

interface Typed<Wire, Value> {
  readonly [wireType]?: Wire;
  readonly [recordType]?: Value;
}

export type ScalarKind = 'id' | 'optionalId' | 'text' | 'optionalText' | 'flag' | 'timestamp' | 'json' | 'textList';

export interface ScalarSpec {
  readonly kind: ScalarKind;
  /** Said beside the field in the OpenAPI document. */
  readonly description?: string;
  /** Required in the OpenAPI document although the decoder reads it missing as empty. */
  readonly alwaysSent?: boolean;
}

export interface ObjectSpec {
  readonly kind: 'object';
  /** Its name among the OpenAPI document's schemas; described inline when it has none. */
  readonly name?: string;
  readonly fields: Fields;
}

export interface ListSpec {
  readonly kind: 'list';
  readonly item: ObjectSpec;
  /** Each item's record holds the record it is listed in under this name. */
  readonly linkedAs?: string;
}

/** Sent and described, but not read into the record. */
export interface UnreadSpec {
  readonly kind: 'unread';
  readonly sent: FieldSpec;
}

export type FieldSpec = ScalarSpec | ObjectSpec | ListSpec | UnreadSpec;
export type Fields = { readonly [wireName: string]: FieldSpec };

export type Field<Wire, Value> = FieldSpec & Typed<Wire, Value>;
export type ObjectField<Wire, Value> = ObjectSpec & Typed<Wire, Value>;

export type WireOf<F> = F extends Typed<infer Wire, unknown> ? Wire : never;
export type RecordOf<F> = F extends Typed<unknown, infer Value> ? Value : never;

/** `voice_id` → `voiceId`: the record's name for a wire name. */
type CamelCase<Name extends string> = Name extends `${infer Head}_${infer Tail}`
  ? `${Head}${Capitalize<CamelCase<Tail>>}`
  : Name;

export function camelCase(name: string): string {
  const [head = '', ...tail] = name.split('_');
  return head + tail.map((part) => part.charAt(0).toUpperCase() + part.slice(1)).join('');
}

type WireObject<F extends Fields> = { [Name in keyof F]: WireOf<F[Name]> };
type RecordObject<F extends Fields> = {
  readonly [Name in keyof F & string as RecordOf<F[Name]> extends NotRead ? never : CamelCase<Name>]: RecordOf<F[Name]>;
};

interface Options {
  readonly description?: string;
}

const scalar = <Wire, Value>(kind: ScalarKind, options: Options & { alwaysSent?: boolean } = {}) =>
  ({ kind, ...options }) as Field<Wire, Value>;

/** A non-empty id; a safe integer is read as its decimal string. */
export const id = (options?: Options) => scalar<string, string>('id', options);
/** An id, or null (missing and empty read as null). */
export const optionalId = (options?: Options) => scalar<string | null, string | null>('optionalId', options);
export const text = (options?: Options) => scalar<string, string>('text', options);
/** A string, or null (missing reads as null). */
export const optionalText = (options?: Options) => scalar<string | null, string | null>('optionalText', options);
export const flag = (options?: Options) => scalar<boolean, boolean>('flag', options);
/** An ISO-8601 date or date-time, read as a UTC instant. */
export const timestamp = (options?: Options) => scalar<string, string>('timestamp', options);
/** Free-form JSON passed through as it is (missing or null reads as `{}`). */
export const json = (options?: Options & { alwaysSent?: boolean }) => scalar<JsonObject, JsonObject>('json', options);
/** A list of strings (missing or null reads as empty). */
export const textList = (options?: Options) => scalar<string[], readonly string[]>('textList', options);

/** An object of fields; a name makes it a schema of its own in the OpenAPI document. */
export function object<F extends Fields>(name: string, fields: F): ObjectField<WireObject<F>, RecordObject<F>>;
export function object<F extends Fields>(fields: F): ObjectField<WireObject<F>, RecordObject<F>>;
export function object(nameOrFields: string | Fields, fields?: Fields): ObjectSpec {
  return typeof nameOrFields === 'string'
    ? { kind: 'object', name: nameOrFields, fields: fields ?? {} }
    : { kind: 'object', fields: nameOrFields };
}

/** A list of objects (missing or null reads as empty). */
export const list = <Wire, Value>(item: ObjectField<Wire, Value>) =>
  ({ kind: 'list', item }) as Field<Wire[], readonly Value[]>;

/**
 * A list of objects that belong to the record holding it: each item's record
 * holds that record as `linkedAs`, so a child reaches its owner without a lookup.
 */
export const children = <Wire, Value>(item: ObjectField<Wire, Value>, linkedAs: string) =>
  ({ kind: 'list', item, linkedAs }) as Field<Wire[], readonly Value[]>;

/** Sent as `sent` says, but not read: the record has no such field. */
export const unread = <Wire>(sent: Field<Wire, unknown>) => ({ kind: 'unread', sent }) as Field<Wire, NotRead>;
