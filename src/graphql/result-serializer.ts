// Serialises a response to UTF-8 into one buffer (byte-sink.ts): `data` with
// the writer generated for its operation when it has one (data-writer.ts:
// the spec's key order), everything else, and `data` too when its writer
// says it does not fit, with the generic walk (the bytes of `JSON.stringify`).

import type { Plugin } from 'graphql-yoga';
import { ByteSink, hasJsonForm } from './byte-sink.ts';
import type { DataWriter } from './data-writer.ts';

/** The writer for a result's `data`, keyed by the data itself: plugins that copy a result keep its `data`. */
const dataWriters = new WeakMap<object, DataWriter>();

/** Serialises `data` with `writer` wherever the result that holds it goes. */
export function writeDataWith(data: unknown, writer: DataWriter): void {
  if (data !== null && typeof data === 'object') dataWriters.set(data, writer);
}

/**
 * Yoga serialises a single result with the result's own `stringify` when it
 * has one, and passes what that returns to the response as its body, which
 * may be bytes. Batched results are joined as text; they keep `JSON.stringify`.
 */
export function useResultSerializer(): Plugin {
  return {
    onResultProcess({ result }) {
      if (Array.isArray(result) || result === null || typeof result !== 'object' || Symbol.asyncIterator in result) {
        return;
      }
      Object.defineProperty(result, 'stringify', { value: serializeJson, enumerable: false });
    },
  };
}

/** The UTF-8 bytes of `JSON.stringify(value)`; of its `data` in the spec's key order where it has a writer. */
export function serializeJson(value: unknown): Buffer {
  const data = (value as { data?: unknown } | null)?.data;
  const writer = data !== null && typeof data === 'object' ? dataWriters.get(data) : undefined;
  if (writer) {
    const written = serializeResultWith(value as Record<string, unknown>, writer);
    if (written) return written;
  }
  const sink = new ByteSink();
  sink.appendJson(value);
  return sink.written();
}

/** A result's members in their order, `data` by its writer; undefined when the writer says `data` does not fit. */
function serializeResultWith(result: Record<string, unknown>, writer: DataWriter): Buffer | undefined {
  const sink = new ByteSink();
  sink.appendText('{');
  let first = true;
  for (const key of Object.keys(result)) {
    const member = result[key];
    if (!hasJsonForm(member)) continue;
    sink.appendText(first ? `${JSON.stringify(key)}:` : `,${JSON.stringify(key)}:`);
    first = false;
    if (key !== 'data') sink.appendJson(member, 4);
    else if (!writer(member, sink)) return undefined;
  }
  sink.appendText('}');
  return sink.written();
}
