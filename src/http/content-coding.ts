// Content codings (RFC 9110, sections 8.4 and 12.5.3): which one a request's
// Accept-Encoding takes of those the gateway offers, and bytes encoded in it.
// Shared by the compression of dynamic responses (compression.ts) and the
// GraphiQL assets compressed once (graphiql.ts).

import { brotliCompress, constants, gzip } from 'node:zlib';

/** The codings the gateway answers in besides `identity`, in its own order of preference. */
export type Coding = 'br' | 'gzip';
const offered: readonly Coding[] = ['br', 'gzip'];

/** A qvalue as RFC 9110 writes it: 0 to 1, at most three decimals. */
const qvalue = /^(?:0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$/;

/**
 * The coding a response to `acceptEncoding` goes out in. Each listed coding
 * has a weight (`q`, 1 when not given; `q=0` refuses it), `*` weighs every
 * coding not listed, and `x-gzip` is gzip; an entry with a malformed weight
 * is ignored. The heaviest offered coding wins, brotli over gzip on a tie,
 * unless `identity` is listed heavier. No header, an empty one, or nothing
 * offered that is accepted: `identity`, which is also sent when refused
 * (a body the client cannot decode helps nobody more than a plain one).
 */
export function negotiateCoding(acceptEncoding: string | null | undefined): Coding | 'identity' {
  if (!acceptEncoding) return 'identity';
  const weights = weightsOf(acceptEncoding);
  const wildcard = weights.get('*');
  let best: Coding | undefined;
  let bestWeight = 0;
  for (const coding of offered) {
    const weight = weights.get(coding) ?? wildcard ?? 0;
    if (weight > bestWeight) {
      best = coding;
      bestWeight = weight;
    }
  }
  const identity = weights.get('identity');
  return best === undefined || (identity !== undefined && identity > bestWeight) ? 'identity' : best;
}

/** Each coding named (lower case) with its weight; a coding listed twice keeps the heavier. */
function weightsOf(acceptEncoding: string): Map<string, number> {
  const weights = new Map<string, number>();
  for (const entry of acceptEncoding.split(',')) {
    const [name = '', ...parameters] = entry.split(';');
    const coding = name.trim().toLowerCase();
    if (coding === '') continue;
    let weight = 1;
    for (const parameter of parameters) {
      const [key = '', value = ''] = parameter.split('=');
      if (key.trim().toLowerCase() !== 'q') continue;
      weight = qvalue.test(value.trim()) ? Number(value) : Number.NaN;
    }
    if (Number.isNaN(weight)) continue;
    const key = coding === 'x-gzip' ? 'gzip' : coding;
    weights.set(key, Math.max(weight, weights.get(key) ?? 0));
  }
  return weights;
}

/**
 * The encoder's output comes back to the event loop in pieces of this size:
 * Node's 16 KiB made about half a millisecond of main-thread work per 300 KB
 * body (one hand-over per piece); 128 KiB takes a third of that.
 */
const pieceBytes = 128 * 1024;

/**
 * `bytes` encoded in `coding`, on libuv's thread pool (the event loop goes on
 * meanwhile). `level` is gzip's level (1 to 9) or brotli's quality (0 to 11).
 */
export function encode(coding: Coding, bytes: Uint8Array, level: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const done = (error: Error | null, result: Buffer) => (error ? reject(error) : resolve(result));
    if (coding === 'gzip') {
      gzip(bytes, { level, chunkSize: pieceBytes }, done);
      return;
    }
    brotliCompress(
      bytes,
      {
        chunkSize: pieceBytes,
        params: {
          [constants.BROTLI_PARAM_QUALITY]: level,
          [constants.BROTLI_PARAM_SIZE_HINT]: bytes.byteLength,
        },
      },
      done,
    );
  });
}

/** Adds `value` to a response's `Vary` unless it is there already (or `*` says everything varies). */
export function addVary(headers: Headers, value: string): void {
  const vary = headers.get('vary');
  if (vary === null || vary.trim() === '') {
    headers.set('vary', value);
    return;
  }
  const listed = vary.split(',').map((name) => name.trim().toLowerCase());
  if (!listed.includes('*') && !listed.includes(value.toLowerCase())) headers.set('vary', `${vary}, ${value}`);
}
