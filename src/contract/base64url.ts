// base64url of a text's UTF-8 bytes: how the API's opaque strings (global
// ids, cursors) are made, one for every node and edge of a response. Each is
// written through one scratch buffer instead of a Buffer of its own, which
// saves an allocation and a copy each; a text too long for it gets its own.

/** Room for the ids and cursors of real data, whose REST ids are short; a longer text takes the Buffer path. */
const scratch = Buffer.alloc(4096);

export function base64url(text: string): string {
  // A UTF-16 code unit takes at most 3 bytes of UTF-8.
  if (text.length * 3 > scratch.length) return Buffer.from(text).toString('base64url');
  return scratch.toString('base64url', 0, scratch.write(text, 0));
}
