// GraphQL's answers compressed for the clients that accept it: a JSON body of
// a declared length and at least `minBytes`, in brotli or gzip as its
// Accept-Encoding asks (content-coding.ts), at levels cheap enough to pay on
// every request. A stream (no declared length), a body already encoded, a
// small one and the answer to a HEAD go as they are.

import type { Plugin } from 'graphql-yoga';
import { createConcurrencyLimit } from '../upstream/concurrency-limit.ts';
import { addVary, type Coding, encode, negotiateCoding } from './content-coding.ts';

export interface CompressionOptions {
  /** Bodies shorter than this go plain. */
  readonly minBytes: number;
  /** gzip's level and brotli's quality for these bodies. */
  readonly levels: Readonly<Record<Coding, number>>;
  /** Compressions running at once: each holds an encoder (about 1 MB for brotli at 4 on a 300 KB body). */
  readonly maxActive: number;
  /** Bodies waiting for a turn; past that a body goes plain rather than wait. */
  readonly maxWaiting: number;
}

/**
 * The defaults, measured in bench/RESULTS.md ("Bytes on the wire"). 1 KiB: a
 * smaller body and its headers (about 300 bytes) fit in one TCP segment
 * (1,460 bytes) as they are, so compressing saves no packet and no round
 * trip, only CPU. On a page of 100 assistants brotli at 4 sends 14% of the
 * bytes for about 4 ms of CPU, less than gzip at 6 and smaller; at 5 it took
 * 1.8 times the CPU for 8% fewer bytes, at its default, 11, 180 times. gzip
 * at 4 costs about what brotli at 4 does. Two at once: libuv's thread pool
 * has four threads, shared with DNS lookups and the file system, and each
 * encoder holds memory (200 brotli encoders at once held 230 MB). 64 waiting:
 * at 2-4 ms each, a body waits about 0.1 s at most before it goes plain.
 */
export const compressionDefaults: CompressionOptions = Object.freeze({
  minBytes: 1024,
  levels: Object.freeze({ br: 4, gzip: 4 }),
  maxActive: 2,
  maxWaiting: 64,
});

/** JSON and its `+json` kinds (GraphQL's answers and errors); never `text/event-stream` or `multipart/mixed`. */
const jsonType = /^application\/(?:[\w.-]+\+)?json\s*(?:;|$)/i;

export function useCompression(options: Partial<CompressionOptions> = {}): Plugin {
  const { minBytes, levels, maxActive, maxWaiting } = { ...compressionDefaults, ...options };
  const turns = createConcurrencyLimit({ maxActive, maxWaiting, refusal: () => new Error('compression queue full') });
  return {
    onResponse({ request, response, setResponse, fetchAPI }) {
      const headers = response.headers;
      if (headers.has('content-encoding') || !jsonType.test(headers.get('content-type') ?? '')) return;
      const length = headers.get('content-length');
      if (length === null) return;
      // Whether this body is compressed depends on Accept-Encoding: a cache must know, whatever it got.
      addVary(headers, 'Accept-Encoding');
      if (Number(length) < minBytes || request.method === 'HEAD') return;
      const coding = negotiateCoding(request.headers.get('accept-encoding'));
      if (coding === 'identity') return;
      return response.bytes().then(async (plain) => {
        let body: Uint8Array = plain;
        try {
          const encoded = await turns.run(() => encode(coding, plain, levels[coding]), request.signal);
          if (encoded.byteLength < plain.byteLength) {
            body = encoded;
            headers.set('content-encoding', coding);
            headers.set('content-length', String(encoded.byteLength));
          }
        } catch {
          // The queue is full, or the client left while this waited: the body goes (or would go) plain.
        }
        setResponse(
          new fetchAPI.Response(body as Uint8Array<ArrayBuffer>, {
            status: response.status,
            statusText: response.statusText,
            headers,
          }),
        );
      });
    },
  };
}
