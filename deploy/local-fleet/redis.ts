// A real redis-server for the local fleet and the tests: its own loopback port, nothing saved to disk,
// killed and started again on the same port when a test says, stopped by `await using`.

import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { connect } from 'node:net';
import { findProgram, freeLoopbackPort } from './programs.ts';

export const redisBinary = findProgram('redis-server', process.env.REDIS_SERVER_BIN);

export interface RedisServer {
  readonly url: string;
  /** Ends the server at once (SIGKILL), as a crash would. */
  kill(): Promise<void>;
  /** Starts it again on the same port, empty. */
  restart(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

export async function startRedis(): Promise<RedisServer> {
  if (!redisBinary) throw new Error('no redis-server binary');
  const port = await freeLoopbackPort();
  let child: ChildProcess | undefined;
  const launch = async () => {
    child = spawn(
      redisBinary as string,
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no'],
      { stdio: 'ignore' },
    );
    await untilAnswering(port);
  };
  const stop = async (signal: NodeJS.Signals) => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = once(running, 'exit');
    running.kill(signal);
    await exited;
  };
  await launch();
  return {
    url: `redis://127.0.0.1:${port}`,
    kill: () => stop('SIGKILL'),
    restart: launch,
    [Symbol.asyncDispose]: () => stop('SIGTERM'),
  };
}

/** Until the server answers PING with PONG (10 s at most). */
async function untilAnswering(port: number): Promise<void> {
  const until = Date.now() + 10_000;
  while (Date.now() < until) {
    const answered = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('error', () => resolve(false));
      socket.once('data', (data) => {
        socket.destroy();
        resolve(data.toString().startsWith('+PONG'));
      });
      socket.write('PING\r\n');
    });
    if (answered) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`redis-server on port ${port} did not answer within 10 s`);
}
