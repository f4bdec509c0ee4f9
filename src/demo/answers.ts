// What the demo upstream answers, and how an answer is written: whole, in
// pieces, or cut off halfway.

import type { ServerResponse } from 'node:http';

export interface Answer {
  status: number;
  body: string;
  headers?: Record<string, string>;
  /** Sent without a Content-Length. */
  chunked?: boolean;
}

/** An error answer with the upstream's small JSON body. */
export function error(status: number, code: string, message: string): Answer {
  return { status, body: JSON.stringify({ error: code, message }) };
}

function writeHead(res: ServerResponse, answer: Answer): Buffer {
  const body = Buffer.from(answer.body, 'utf8');
  res.writeHead(answer.status, {
    'content-type': 'application/json; charset=utf-8',
    ...(answer.chunked ? {} : { 'content-length': String(body.length) }),
    ...answer.headers,
  });
  return body;
}

export function send(res: ServerResponse, answer: Answer): void {
  const body = writeHead(res, answer);
  if (!answer.chunked) {
    res.end(body);
    return;
  }
  // In pieces, as a streaming upstream would send it.
  for (let offset = 0; offset < body.length; offset += 16 * 1024) res.write(body.subarray(offset, offset + 16 * 1024));
  res.end();
}

/** Promises the whole body (content-length), sends half, then cuts the connection. */
export function sendHalf(res: ServerResponse, answer: Answer): void {
  const body = writeHead(res, answer);
  res.write(body.subarray(0, Math.max(1, Math.floor(body.length / 2))), () => res.socket?.destroy());
}
