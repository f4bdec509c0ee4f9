// One request through Node's own client (node:http), which decodes nothing:
// the bytes as they came over the wire, and the same decoded by their
// Content-Encoding, for tests of what goes on the wire.

import { request as httpRequest } from 'node:http';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';

export interface RawResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  /** The bytes as they came over the wire. */
  readonly raw: Buffer;
  /** Those bytes decoded by their Content-Encoding. */
  readonly decoded: Buffer;
}

export interface RawRequest {
  /** Default: GET without a body, POST with one. */
  readonly method?: string;
  readonly headers?: Record<string, string>;
  readonly body?: string | Buffer;
}

export function sendRaw(url: string, options: RawRequest = {}): Promise<RawResponse> {
  const { method = options.body === undefined ? 'GET' : 'POST', headers = {}, body } = options;
  return new Promise((resolve, reject) => {
    const call = httpRequest(url, { method, headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.once('error', reject);
      response.once('end', () => {
        const raw = Buffer.concat(chunks);
        const coding = response.headers['content-encoding'];
        const decoded =
          raw.length === 0
            ? raw
            : coding === 'br'
              ? brotliDecompressSync(raw)
              : coding === 'gzip'
                ? gunzipSync(raw)
                : raw;
        resolve({ status: response.statusCode ?? 0, headers: response.headers, raw, decoded });
      });
    });
    call.once('error', reject);
    call.end(body);
  });
}
