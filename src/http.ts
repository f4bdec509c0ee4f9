// The gateway on node:http: the request-size guard in front of yoga, and a
// shutdown that lets in-flight requests finish.

import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Gateway } from './server.ts';

export interface HttpServerOptions {
  readonly maxBodyBytes: number;
}

/**
 * What a refused body may still cost us: the client gets its answer, and we
 * read and drop the rest of its body until it ends, or until it has sent this
 * much more or taken this long (then the connection is cut).
 */
export const refusedBodyDiscard = Object.freeze({ maxBytes: 16 * 1024 * 1024, maxMs: 10_000 });

export function createHttpServer(gateway: Gateway, options: HttpServerOptions): Server {
  return createServer((request, response) => {
    const refusal = refuseBody(request, options.maxBodyBytes);
    if (refusal) {
      const answer = JSON.stringify({ errors: [{ message: refusal.message, extensions: { code: 'BAD_USER_INPUT' } }] });
      response.writeHead(refusal.status, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(answer),
      });
      response.end(answer);
      discardBody(request);
      return;
    }
    void gateway.requestListener(request, response);
  });
}

function refuseBody(request: IncomingMessage, maxBodyBytes: number): { status: number; message: string } | undefined {
  const length = request.headers['content-length'];
  if (length !== undefined) {
    if (Number(length) > maxBodyBytes) {
      return { status: 413, message: `request body is over the limit of ${maxBodyBytes} bytes` };
    }
    return undefined;
  }
  // A body without a declared length could be of any size; GraphQL clients
  // always declare it.
  if (request.headers['transfer-encoding'] !== undefined) {
    return { status: 411, message: 'a request body needs a Content-Length header' };
  }
  return undefined;
}

/**
 * A lingering close: keeps reading the refused body and drops it. Closing at
 * once would reset a client that is still writing, and many clients write
 * their whole body before they read: they would see a reset, not the answer.
 * Once the body ends the connection serves on as usual.
 */
function discardBody(request: IncomingMessage): void {
  let discarded = 0;
  const cut = () => request.socket.destroy();
  const deadline = setTimeout(cut, refusedBodyDiscard.maxMs);
  const stop = () => clearTimeout(deadline);
  request.on('data', (chunk: Buffer) => {
    discarded += chunk.length;
    if (discarded > refusedBodyDiscard.maxBytes) {
      stop();
      cut();
    }
  });
  request.once('end', stop);
  request.once('close', stop);
}

/**
 * Stops accepting connections, lets in-flight requests finish (up to
 * `graceMs`), then closes what is left.
 */
export async function closeGracefully(server: Server, graceMs: number): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  // A keep-alive connection turns idle once its last response is sent; close
  // it then rather than waiting out its keep-alive timeout.
  const sweeper = setInterval(() => server.closeIdleConnections(), 25);
  const deadline = setTimeout(() => server.closeAllConnections(), graceMs);
  server.closeIdleConnections();
  await closed;
  clearInterval(sweeper);
  clearTimeout(deadline);
}
