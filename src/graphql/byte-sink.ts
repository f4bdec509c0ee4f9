// A response's UTF-8 bytes, written piece by piece into one growing buffer.
// `JSON.stringify` of a large result builds a rope of parts that has to be
// flattened into one large string (a fresh large-object allocation, and two
// bytes a character when any character is outside Latin-1) before it can be
// measured and encoded for the socket. Writing list items and object members
// piece by piece keeps every string small and short-lived; the bytes are
// exactly those of `JSON.stringify`.

/** How deep {@link ByteSink.appendJson} walks before a subtree is one `JSON.stringify`: deep enough to reach a connection's edges. */
const maxWalkDepth = 5;
/** Room for a typical response before the buffer has to grow. */
const initialBytes = 64 * 1024;

export class ByteSink {
  bytes: Buffer = Buffer.allocUnsafe(initialBytes);
  length = 0;

  /** Room for `needed` bytes after the first `length`: the buffer, a larger copy if it had to grow. */
  grow(length: number, needed: number): Buffer {
    if (length + needed <= this.bytes.length) return this.bytes;
    const grown = Buffer.allocUnsafe(Math.max(length + needed, this.bytes.length * 2));
    this.bytes.copy(grown, 0, 0, length);
    this.bytes = grown;
    return grown;
  }

  appendText(piece: string): void {
    // A UTF-16 code unit takes at most 3 bytes of UTF-8.
    const bytes = this.grow(this.length, piece.length * 3);
    this.length += bytes.write(piece, this.length);
  }

  /** What `JSON.stringify(value)` writes, but nothing for a value it gives nothing for (a member to leave out). */
  appendJson(value: unknown, depthLeft = maxWalkDepth): void {
    if (depthLeft === 0 || !isWalkable(value)) {
      this.appendText(JSON.stringify(value) ?? '');
      return;
    }
    if (Array.isArray(value)) {
      this.appendText('[');
      for (let i = 0; i < value.length; i++) {
        if (i > 0) this.appendText(',');
        const item: unknown = value[i];
        // JSON.stringify writes null for an array item that has no JSON form...
        if (hasJsonForm(item)) this.appendJson(item, depthLeft - 1);
        else this.appendText('null');
      }
      this.appendText(']');
      return;
    }
    this.appendText('{');
    let first = true;
    for (const key of Object.keys(value)) {
      const member = value[key];
      // ...and leaves out an object member that has none.
      if (!hasJsonForm(member)) continue;
      this.appendText(first ? `${JSON.stringify(key)}:` : `,${JSON.stringify(key)}:`);
      first = false;
      this.appendJson(member, depthLeft - 1);
    }
    this.appendText('}');
  }

  written(): Buffer {
    return this.bytes.subarray(0, this.length);
  }
}

/** Arrays and plain objects without `toJSON`: what the walk serialises exactly as JSON.stringify would. */
function isWalkable(node: unknown): node is unknown[] | Record<string, unknown> {
  if (node === null || typeof node !== 'object' || typeof (node as { toJSON?: unknown }).toJSON === 'function') {
    return false;
  }
  if (Array.isArray(node)) return true;
  const prototype: unknown = Object.getPrototypeOf(node);
  return prototype === Object.prototype || prototype === null;
}

export function hasJsonForm(value: unknown): boolean {
  return value !== undefined && typeof value !== 'function' && typeof value !== 'symbol';
}
