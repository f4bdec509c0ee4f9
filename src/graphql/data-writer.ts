// A serializer generated for one operation's `data` (its `response-shape.ts`):
// each key's `"key":` is a run of constant bytes, each object one small
// function, so nothing is looked up, measured or escaped but the values
// themselves. It writes the shape's keys in the shape's order (the spec's),
// each value exactly as `JSON.stringify` writes it: for graphql-js's result,
// the very bytes of `JSON.stringify`. A key the shape does not list is not
// written. When a value does not fit (a key missing, a list where an object
// should be) it says so and the caller serialises generically.
//
// The generated source holds only numbers and the response keys, each
// written as a JSON string literal; what it runs comes from the schema and a
// validated document, never from a value.

import { type ByteSink, hasJsonForm } from './byte-sink.ts';
import type { ResponseShape } from './response-shape.ts';

/** Writes `data` into the sink from its current length; false when the value does not have the shape (the sink is then to be discarded). */
export type DataWriter = (data: unknown, sink: ByteSink) => boolean;

/** Generated code's size for a shape, in UTF-16 units: what its memory is estimated from. */
export interface GeneratedDataWriter {
  readonly write: DataWriter;
  readonly sourceLength: number;
}

type ObjectShape = Extract<ResponseShape, { kind: 'object' }>;

/**
 * How deep a value of an interface or union is walked in pieces before the
 * rest is one `JSON.stringify`: an item of `nodes` member by member, as the
 * generic walk reaches it too (deeper costs more calls than it saves).
 */
const anyWalkDepth = 2;

export function generateDataWriter(shape: ResponseShape): GeneratedDataWriter {
  if (shape.kind !== 'object') {
    return {
      write: (data, sink) => {
        sink.appendJson(data);
        return true;
      },
      sourceLength: 0,
    };
  }
  const code: Generated = { functions: [], byShape: new Map(), loops: 0 };
  const root = objectFunction(shape, code);
  const source = `${code.functions.join('\n')}\nreturn ${root};`;
  const rootFunction = new Function('writeString', 'writeOther', 'writeAny', source)(
    writeString,
    writeOther,
    writeAny,
  ) as (data: unknown, sink: ByteSink, bytes: Buffer, length: number) => number;
  return {
    sourceLength: source.length,
    write(data, sink) {
      const length = rootFunction(data, sink, sink.bytes, sink.length);
      if (length < 0) return false;
      sink.length = length;
      return true;
    },
  };
}

/** The generated code so far: its functions, each one's name by the shape it writes, and how many loop variables it used. */
interface Generated {
  readonly functions: string[];
  readonly byShape: Map<string, string>;
  loops: number;
}

/**
 * One function per object: `(o, s, b, l) => l`, where `b` is the sink's
 * buffer and `l` the length written so far; -1 when `o` is not of the shape.
 * After any call that may grow the buffer, `b` is read again from the sink.
 */
function objectFunction(shape: ObjectShape, code: Generated): string {
  // Objects of the same shape (each organization's page, each item's `organization`) share one function.
  const sameShape = JSON.stringify(shape);
  const known = code.byShape.get(sameShape);
  if (known !== undefined) return known;
  const index = code.functions.push('') - 1;
  code.byShape.set(sameShape, `w${index}`);
  const constant = constantBytes;
  let body = `if (o === null) { ${constant('null')} return l; }\nif (typeof o !== 'object') return -1;\nlet v;\n`;
  if (shape.fields.length === 0) body += constant('{');
  shape.fields.forEach(({ key, shape: member }, position) => {
    body += `v = o[${JSON.stringify(key)}];\nif (v === undefined) return -1;\n`;
    body += constant(`${position === 0 ? '{' : ','}${JSON.stringify(key)}:`);
    body += valueCode(member, 'v', code);
  });
  body += constant('}');
  code.functions[index] = `function w${index}(o, s, b, l) {\n${body}return l;\n}`;
  return `w${index}`;
}

function valueCode(shape: ResponseShape, value: string, code: Generated): string {
  const constant = constantBytes;
  switch (shape.kind) {
    case 'leaf':
      return leafCode(value, constant);
    case 'any':
      return `l = writeAny(s, l, ${value}); if (l < 0) return l; b = s.bytes;\n`;
    case 'object':
      return `l = ${objectFunction(shape, code)}(${value}, s, b, l); if (l < 0) return l; b = s.bytes;\n`;
    case 'list': {
      const index = `i${code.loops}`;
      const item = `x${code.loops}`;
      code.loops += 1;
      return (
        `if (${value} === null) { ${constant('null')} } else {\n` +
        `if (!Array.isArray(${value})) return -1;\n${constant('[')}` +
        `for (let ${index} = 0; ${index} < ${value}.length; ${index}++) {\n` +
        `if (${index} > 0) { ${constant(',')} }\nconst ${item} = ${value}[${index}];\n` +
        `${valueCode(shape.item, item, code)}}\n${constant(']')}}\n`
      );
    }
  }
}

/** Strings, booleans and null in place; anything else (numbers, a custom scalar's value) through {@link writeOther}. */
function leafCode(value: string, constant: (text: string) => string): string {
  return (
    `if (typeof ${value} === 'string') { l = writeString(s, b, l, ${value}); b = s.bytes; }\n` +
    `else if (${value} === null) { ${constant('null')} }\n` +
    `else if (${value} === true) { ${constant('true')} }\n` +
    `else if (${value} === false) { ${constant('false')} }\n` +
    `else { l = writeOther(s, l, ${value}); if (l < 0) return l; b = s.bytes; }\n`
  );
}

/**
 * Code that writes `text`'s bytes one by one after making room for them:
 * faster than copying them from a constant, for the price of larger code.
 */
function constantBytes(text: string): string {
  const bytes = [...Buffer.from(text)];
  const writes = bytes.map((byte, offset) => `b[l + ${offset}] = ${byte};`).join(' ');
  return `if (l + ${bytes.length} > b.length) b = s.grow(l, ${bytes.length}); ${writes} l += ${bytes.length};\n`;
}

/**
 * A string as JSON: in place while it is printable ASCII with nothing to
 * escape, otherwise `JSON.stringify`'s form of it. A short one gets room for
 * six bytes a code unit (an escaped control character or lone surrogate), the
 * most it can take; a long one is escaped first and gets room for what that
 * takes, so a large text does not grow the buffer six times its size.
 */
function writeString(sink: ByteSink, bytes: Buffer, length: number, text: string): number {
  if (length + text.length * 6 + 2 > bytes.length) {
    if (text.length > longText) return writeEscaped(sink, length, JSON.stringify(text));
    bytes = sink.grow(length, text.length * 6 + 2);
  }
  const start = length;
  bytes[length++] = 34;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 32 || code > 127 || code === 34 || code === 92) return start + bytes.write(JSON.stringify(text), start);
    bytes[length++] = code;
  }
  bytes[length++] = 34;
  return length;
}

/** Characters past which a string that needs the buffer to grow is escaped before room is made for it. */
const longText = 4_096;

function writeEscaped(sink: ByteSink, length: number, json: string): number {
  const bytes = sink.grow(length, json.length * 3);
  return length + bytes.write(json, length);
}

/**
 * A leaf's other value as `JSON.stringify` writes it (a number, a custom
 * scalar's value): ASCII text byte by byte, which for these short texts
 * costs less than a call to the encoder; -1 for a value it gives nothing
 * for (the key would have to go).
 */
function writeOther(sink: ByteSink, length: number, value: unknown): number {
  const text = JSON.stringify(value) as string | undefined;
  if (text === undefined) return -1;
  const bytes = sink.grow(length, text.length * 3);
  const start = length;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code > 127) return start + bytes.write(text, start);
    bytes[length++] = code;
  }
  return length;
}

/** A value of an interface or union, whose keys depend on its type: the generic walk, which keeps large subtrees in pieces. */
function writeAny(sink: ByteSink, length: number, value: unknown): number {
  // The generic walk writes nothing for these, where the key would have to go.
  if (!hasJsonForm(value)) return -1;
  sink.length = length;
  sink.appendJson(value, anyWalkDepth);
  return sink.length;
}
