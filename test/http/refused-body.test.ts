// A refused body is answered readably: the client that writes its whole body
// before it reads still gets the 413 (or 411), never a reset; and what the
// gateway reads of a refused body is bounded.

import { request as httpRequest } from 'node:http';
import { connect, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { refusedBodyDiscard } from '../../src/http/http-server.ts';
import { startTestGateway } from '../helpers/gateway.ts';
import { readyUrl, startMain } from '../helpers/main-process.ts';

/** Opens a raw connection to the gateway's host and port. */
async function open(url: string): Promise<Socket> {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  return socket;
}

/** Writes all of `data`, waiting for each piece to be taken; rejects on EPIPE or a reset. */
async function writeAll(socket: Socket, data: Buffer, pieceBytes = 64 * 1024): Promise<void> {
  for (let offset = 0; offset < data.length; offset += pieceBytes) {
    await new Promise<void>((resolve, reject) =>
      socket.write(data.subarray(offset, offset + pieceBytes), (error) => (error ? reject(error) : resolve())),
    );
  }
}

/** Everything the server sends until it closes or `until` matches; rejects on a reset. */
function readUntil(socket: Socket, until: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    socket.on('data', (chunk) => {
      text += chunk;
      if (until.test(text)) resolve(text);
    });
    socket.once('error', reject);
    socket.once('end', () => resolve(text));
  });
}

describe('a refused request body', () => {
  it('gets its 413 every time, though the client writes 5 MB before reading', async () => {
    await using gateway = await startTestGateway();
    const body = Buffer.alloc(5_000_000, 'x');
    for (let attempt = 0; attempt < 50; attempt++) {
      const socket = await open(gateway.url);
      try {
        const head = `POST /graphql HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`;
        await writeAll(socket, Buffer.concat([Buffer.from(head), body]));
        const answer = await readUntil(socket, /\r\n\r\n\{.*\}$/s);
        expect(answer, `attempt ${attempt}`).toMatch(/^HTTP\/1\.1 413 /);
        expect(answer).toContain('"code":"BAD_USER_INPUT"');
      } finally {
        socket.destroy();
      }
    }
  });

  it("gets its 413 with Node's own client, which asks to close and ends its 5 MB body before it reads", async () => {
    // The gateway in a process of its own, as users run it: sharing the client's event loop hides the race.
    const gateway = startMain({ PORT: '0' });
    const url = await readyUrl(gateway);
    const body = JSON.stringify({ query: `{ ${'__typename '.repeat(480_000)}}` });
    const post = () =>
      new Promise<{ status?: number; text?: string; error?: string }>((resolve) => {
        const sent = httpRequest(
          url,
          { method: 'POST', agent: false, headers: { 'content-type': 'application/json' } },
          (response) => {
            let text = '';
            response.setEncoding('utf8');
            response.on('data', (chunk: string) => {
              text += chunk;
            });
            response.on('end', () => resolve({ status: response.statusCode, text }));
          },
        );
        sent.on('error', (error: NodeJS.ErrnoException) => resolve({ error: error.code }));
        sent.end(body);
      });
    const expectRefused = (answer: Awaited<ReturnType<typeof post>>) => {
      expect(answer.error).toBeUndefined();
      expect(answer.status).toBe(413);
      expect(JSON.parse(answer.text ?? '')).toEqual({
        errors: [{ message: expect.stringMatching(/over the limit/), extensions: { code: 'BAD_USER_INPUT' } }],
      });
    };
    try {
      for (let attempt = 0; attempt < 20; attempt++) expectRefused(await post());
      for (const answer of await Promise.all(Array.from({ length: 20 }, post))) expectRefused(answer);
    } finally {
      gateway.child.kill('SIGTERM');
      await gateway.exited;
    }
  });

  it('gets its 411 when it comes without a length, and the connection serves on', async () => {
    await using gateway = await startTestGateway();
    const socket = await open(gateway.url);
    try {
      const chunk = Buffer.alloc(256 * 1024, 'x');
      const head =
        'POST /graphql HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n';
      const chunked = Buffer.concat([
        Buffer.from(head),
        ...Array.from({ length: 8 }, () =>
          Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n')]),
        ),
        Buffer.from('0\r\n\r\n'),
      ]);
      await writeAll(socket, chunked);
      const refused = await readUntil(socket, /\r\n\r\n\{.*\}$/s);
      expect(refused).toMatch(/^HTTP\/1\.1 411 /);

      // The body was read to its end, so the same connection takes the next request.
      const query = JSON.stringify({ query: '{ __typename }' });
      const next = readUntil(socket, /"__typename":"Query"/);
      socket.write(
        `POST /graphql HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${query.length}\r\n\r\n${query}`,
      );
      expect(await next).toMatch(/^HTTP\/1\.1 200 /);
    } finally {
      socket.destroy();
    }
  });

  it('is read no further than its bound: a client that keeps sending is cut off', async () => {
    await using gateway = await startTestGateway();
    const socket = await open(gateway.url);
    const declared = refusedBodyDiscard.maxBytes * 4;
    let written = 0;
    const cutOff = await new Promise<boolean>((resolve) => {
      socket.once('close', () => resolve(true));
      socket.on('error', () => undefined);
      socket.write(
        `POST /graphql HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${declared}\r\n\r\n`,
      );
      const piece = Buffer.alloc(256 * 1024, 'x');
      const pump = () => {
        while (written < declared && !socket.destroyed) {
          written += piece.length;
          if (!socket.write(piece)) return void socket.once('drain', pump);
        }
        if (written >= declared) resolve(false);
      };
      pump();
    });
    socket.destroy();
    expect(cutOff).toBe(true);
    expect(written).toBeLessThan(declared);
  });

  it('gets one answer only, even when the rest of it comes too slowly', async () => {
    await using gateway = await startTestGateway({ env: { HEADERS_TIMEOUT_MS: '500', REQUEST_TIMEOUT_MS: '1000' } });
    const socket = await open(gateway.url);
    socket.on('error', () => undefined);
    let received = '';
    socket.on('data', (chunk) => {
      received += chunk;
    });
    const closed = new Promise((resolve) => socket.once('close', resolve));
    socket.write(
      'POST /graphql HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 5000000\r\n\r\n',
    );
    const trickle = setInterval(() => socket.writable && socket.write('x'.repeat(100)), 100);
    await closed;
    clearInterval(trickle);
    expect(received).toMatch(/^HTTP\/1\.1 413 /);
    expect(received.match(/HTTP\/1\.1 \d{3} /g)).toHaveLength(1);
  }, 20_000);
});
