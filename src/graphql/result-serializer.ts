// Serialises a response to UTF-8 in small pieces. `JSON.stringify` of a
// large result builds a rope of parts that has to be flattened into one large
// string (a fresh large-object allocation, and two bytes a character when any
// character is outside Latin-1) before it can be measured and encoded for the
// socket. Serialising list items and object members piece by piece, each
// written straight into one buffer, keeps every string small and short-lived;
// the bytes are exactly those of `JSON.stringify`.

import type { Plugin } from 'graphql-yoga';

/** How deep to walk before a subtree is one `JSON.stringify`: deep enough to reach a connection's edges. */
const maxWalkDepth = 5;
/** Room for a typical response before the buffer has to grow. */
const initialBytes = 64 * 1024;

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

/** The UTF-8 bytes of `JSON.stringify(value)`, written piece by piece into one growing buffer. */
export function serializeJson(value: unknown): Buffer {
  let bytes = Buffer.allocUnsafe(initialBytes);
  let length = 0;
  const append = (piece: string) => {
    // A UTF-16 code unit takes at most 3 bytes of UTF-8.
    const needed = length + piece.length * 3;
    if (needed > bytes.length) {
      const grown = Buffer.allocUnsafe(Math.max(needed, bytes.length * 2));
      bytes.copy(grown, 0, 0, length);
      bytes = grown;
    }
    length += bytes.write(piece, length);
  };

  const walk = (node: unknown, depthLeft: number): void => {
    if (depthLeft === 0 || !isWalkable(node)) {
      // Only a top-level value can lack a JSON form here; JSON.stringify gives nothing for it.
      append(JSON.stringify(node) ?? '');
      return;
    }
    if (Array.isArray(node)) {
      append('[');
      for (let i = 0; i < node.length; i++) {
        if (i > 0) append(',');
        const item: unknown = node[i];
        // JSON.stringify writes null for an array item that has no JSON form...
        if (hasJsonForm(item)) walk(item, depthLeft - 1);
        else append('null');
      }
      append(']');
      return;
    }
    append('{');
    let first = true;
    for (const key of Object.keys(node)) {
      const member = node[key];
      // ...and leaves out an object member that has none.
      if (!hasJsonForm(member)) continue;
      append(first ? `${JSON.stringify(key)}:` : `,${JSON.stringify(key)}:`);
      first = false;
      walk(member, depthLeft - 1);
    }
    append('}');
  };

  walk(value, maxWalkDepth);
  return bytes.subarray(0, length);
}

/** Arrays and plain objects without `toJSON`: what this walk serialises exactly as JSON.stringify would. */
function isWalkable(node: unknown): node is unknown[] | Record<string, unknown> {
  if (node === null || typeof node !== 'object' || typeof (node as { toJSON?: unknown }).toJSON === 'function') {
    return false;
  }
  if (Array.isArray(node)) return true;
  const prototype: unknown = Object.getPrototypeOf(node);
  return prototype === Object.prototype || prototype === null;
}

function hasJsonForm(value: unknown): boolean {
  return value !== undefined && typeof value !== 'function' && typeof value !== 'symbol';
}
