// The gateway on node:http: the request-size guard in front of yoga, and a
// shutdown that lets in-flight requests finish.

import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Gateway } from './server.ts';

export interface HttpServerOptions {
  readonly maxBodyBytes: number;
}

export function createHttpServer(gateway: Gateway, options: HttpServerOptions): Server {
  return createServer((request, response) => {
    const refusal = refuseBody(request, options.maxBodyBytes);
    if (refusal) {
      // Answer without reading the body, then drop the connection: the
      // rest of a huge body is not worth receiving.
      response.writeHead(refusal.status, { 'content-type': 'application/json', connection: 'close' });
      response.end(JSON.stringify({ errors: [{ message: refusal.message, extensions: { code: 'BAD_USER_INPUT' } }] }));
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
