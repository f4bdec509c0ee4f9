// The gateway on node:http: connection and time bounds, the request-size
// guard in front of yoga, and a shutdown that lets in-flight requests finish.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { type ConnectionLimits, defaultConnectionLimits } from '../config.ts';
import { requestIdFrom, requestIdHeader } from '../observability/request-telemetry.ts';

/** What the HTTP front needs of whatever answers GraphQL behind it. */
export interface RequestHandler {
  /** Answers one request that passed the front's own checks. */
  requestListener(request: IncomingMessage, response: ServerResponse): unknown;
  /** Counts and logs a request the front refused before the handler saw it. */
  recordRefusal(status: number, message: string, requestId: string): void;
}

export interface HttpServerOptions {
  readonly maxBodyBytes: number;
  readonly connections?: ConnectionLimits;
  /** Answers `/ready`: true while the gateway accepts work (false from SIGTERM on); default: always ready. */
  readonly ready?: () => boolean;
}

/** Node's bound on a request's headers, URL included. */
const maxHeaderBytes = 16 * 1024;

/**
 * What a refused body may still cost us: the client gets its answer, and we
 * read and drop the rest of its body until it ends, or until it has sent this
 * much more or taken this long (then the connection is cut).
 */
export const refusedBodyDiscard = Object.freeze({ maxBytes: 16 * 1024 * 1024, maxMs: 10_000 });

export function createHttpServer(handler: RequestHandler, options: HttpServerOptions): Server {
  const limits = options.connections ?? defaultConnectionLimits;
  const server = createServer(
    {
      maxHeaderSize: maxHeaderBytes,
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      // How often the time bounds are checked: Node's default, 30 s, would let a slow client stay that much longer.
      connectionsCheckingInterval: 1_000,
    },
    (request, response) => {
      if (request.url === '/ready' || request.url?.startsWith('/ready?')) {
        answerReadiness(response, options.ready?.() ?? true);
        return;
      }
      const refusal = refuseBody(request, options.maxBodyBytes);
      if (refusal) {
        const answer = badInputBody(refusal.message);
        const requestId = requestIdFrom(request.headers[requestIdHeader] as string | undefined);
        response.writeHead(refusal.status, {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(answer),
          [requestIdHeader]: requestId,
        });
        // The whole answer goes out now (its length is declared); the response ends once the body is read.
        response.write(answer);
        discardBody(request, () => response.end());
        handler.recordRefusal(refusal.status, refusal.message, requestId);
        return;
      }
      void handler.requestListener(request, response);
    },
  );
  server.maxConnections = limits.maxConnections;
  server.on('clientError', answerClientError);
  trackUnasked(server);
  return server;
}

/**
 * Each server's connections that have not brought a request yet (bounded by
 * MAX_CONNECTIONS). Node counts them neither idle nor done, so a stop would
 * wait out its grace for each: a browser opens such connections ahead of use
 * and may never send on them.
 */
const unasked = new WeakMap<Server, Set<Duplex>>();

function trackUnasked(server: Server): void {
  const sockets = new Set<Duplex>();
  unasked.set(server, sockets);
  server.on('connection', (socket: Duplex) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.on('request', (request: IncomingMessage) => sockets.delete(request.socket));
}

/**
 * Readiness is the gateway's own state only, never the upstream's: a load
 * balancer that took every replica out while the upstream is down would turn
 * partial answers with the contract's error codes into refused connections.
 */
function answerReadiness(response: ServerResponse, ready: boolean): void {
  const body = JSON.stringify({ status: ready ? 'ready' : 'draining' });
  response.writeHead(ready ? 200 : 503, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
  });
  response.end(body);
}

/**
 * A request Node refused before the gateway saw it: headers (a GET's URL
 * included) over the limit, a request too slow, or one that does not parse.
 * Answered as GraphQL errors are, where the socket still takes an answer.
 */
function answerClientError(error: Error & { code?: string }, socket: Duplex): void {
  const [status, message] =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? [
          431,
          `the request's headers and URL are over the limit of ${maxHeaderBytes} bytes: send the query in a POST body`,
        ]
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'the request did not arrive in time']
        : [400, 'the request is not valid HTTP'];
  // A request already answered (its refused body still being read) or a
  // response under way (pipelining) must not be followed by a second answer.
  const current = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (!socket.writable || error.code === 'ECONNRESET' || current?.headersSent || discarding.has(socket)) {
    socket.destroy();
    return;
  }
  const body = badInputBody(message);
  socket.end(
    `HTTP/1.1 ${status} ${statusText[status]}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/** A request refused before GraphQL sees it, in the shape of a GraphQL response. */
function badInputBody(message: string): string {
  return JSON.stringify({ errors: [{ message, extensions: { code: 'BAD_USER_INPUT' } }] });
}

const statusText: Record<number, string> = {
  400: 'Bad Request',
  408: 'Request Timeout',
  431: 'Request Header Fields Too Large',
};

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

/** Sockets whose request was answered while the rest of its body is still being read and dropped. */
const discarding = new WeakSet<Duplex>();

/**
 * A lingering close: keeps reading the refused body and drops it, and ends
 * the response (whose bytes are all sent) only once the body has ended. Many
 * clients write their whole body before they read; if the connection closed
 * while they were still writing (Node closes it as the response ends when the
 * client asked for `Connection: close`), the unread bytes would make the
 * kernel reset it, and the reset discards the answer before they read it.
 * Once the body ends the connection serves on as usual, or closes as asked.
 */
function discardBody(request: IncomingMessage, drained: () => void): void {
  discarding.add(request.socket);
  let discarded = 0;
  const cut = () => request.socket.destroy();
  const deadline = setTimeout(cut, refusedBodyDiscard.maxMs);
  const stop = () => {
    clearTimeout(deadline);
    discarding.delete(request.socket);
  };
  request.on('data', (chunk: Buffer) => {
    discarded += chunk.length;
    if (discarded > refusedBodyDiscard.maxBytes) {
      stop();
      cut();
    }
  });
  request.once('end', () => {
    stop();
    drained();
  });
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
  // Not a byte on them yet, no request to finish: once the server stops accepting, none will come that it may
  // serve. One whose first request is arriving is left to finish, within the grace.
  for (const socket of unasked.get(server) ?? []) {
    if ((socket as Duplex & { bytesRead?: number }).bytesRead === 0) socket.destroy();
  }
  await closed;
  clearInterval(sweeper);
  clearTimeout(deadline);
}
