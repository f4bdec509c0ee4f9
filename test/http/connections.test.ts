// Connection hygiene: slow or idle clients cannot hold the gateway's sockets,
// the number of connections is bounded, and requests Node refuses before the
// gateway sees them still get a GraphQL-shaped answer.

import { connect, type Socket } from 'node:net';
import { describe, expect, it, vi } from 'vitest';
import { startTestGateway, type TestGateway } from '../helpers/gateway.ts';

async function open(gateway: TestGateway): Promise<Socket> {
  const { hostname, port } = new URL(gateway.url);
  const socket = connect(Number(port), hostname);
  socket.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  return socket;
}

/** Everything the server sends until it closes the connection. */
function untilClosed(socket: Socket): Promise<string> {
  let text = '';
  socket.on('data', (chunk) => {
    text += chunk;
  });
  return new Promise((resolve) => socket.once('close', () => resolve(text)));
}

/** Writes `piece` every `everyMs` until the socket closes. */
function trickle(socket: Socket, piece: string, everyMs: number): void {
  const timer = setInterval(() => {
    if (socket.destroyed || !socket.writable) clearInterval(timer);
    else socket.write(piece);
  }, everyMs);
  socket.once('close', () => clearInterval(timer));
}

async function answersNormally(gateway: TestGateway): Promise<void> {
  expect(await gateway.query('{ __typename }')).toEqual({ data: { __typename: 'Query' } });
}

const quick = { HEADERS_TIMEOUT_MS: '1000', REQUEST_TIMEOUT_MS: '2000' };

describe('connections', () => {
  it('closes a client that sends its headers too slowly, and keeps answering others', async () => {
    await using gateway = await startTestGateway({ env: quick });
    const slow = await open(gateway);
    const closed = untilClosed(slow);
    slow.write('POST /graphql HTTP/1.1\r\nHost: localhost\r\n');
    trickle(slow, 'X', 200);
    await answersNormally(gateway);
    expect(await closed).toMatch(/^HTTP\/1\.1 408 /);
    await answersNormally(gateway);
  }, 15_000);

  it('closes a client that trickles its body, with a 408 it can read', async () => {
    await using gateway = await startTestGateway({ env: quick });
    const slow = await open(gateway);
    const closed = untilClosed(slow);
    slow.write(
      'POST /graphql HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 90000\r\n\r\n{',
    );
    trickle(slow, ' ', 200);
    await answersNormally(gateway);
    const answer = await closed;
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(answer).toContain('"code":"BAD_USER_INPUT"');
  }, 15_000);

  it('holds at most MAX_CONNECTIONS connections', async () => {
    await using gateway = await startTestGateway({ env: { MAX_CONNECTIONS: '5' } });
    const idle = await Promise.all(Array.from({ length: 5 }, () => open(gateway)));
    const extra = await open(gateway);
    // Accepted by the kernel, then closed by the gateway without a byte.
    expect(await untilClosed(extra)).toBe('');
    for (const socket of idle) socket.destroy();
    // Room again once the gateway has seen them close: until then it turns a new connection away.
    await vi.waitFor(() => answersNormally(gateway));
  });

  it('answers a GET whose URL is over the header limit with a GraphQL error', async () => {
    await using gateway = await startTestGateway();
    const query = `{ ${Array.from({ length: 2_000 }, (_, i) => `a${i}: __typename`).join(' ')} }`;
    const url = `${gateway.url}?query=${encodeURIComponent(query)}`;
    expect(url.length).toBeGreaterThan(20_000);
    const response = await fetch(url);
    expect(response.status).toBe(431);
    expect(response.headers.get('content-type')).toBe('application/json');
    const body = (await response.json()) as { errors: { message: string; extensions: { code: string } }[] };
    expect(body.errors[0]?.extensions.code).toBe('BAD_USER_INPUT');
    expect(body.errors[0]?.message).toMatch(/send the query in a POST body/);
    await answersNormally(gateway);
  });
});
