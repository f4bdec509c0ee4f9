// The program as users start it: `src/main.ts` in a child process, its output kept.

import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { expect, vi } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));

export interface Started {
  readonly child: ChildProcess;
  readonly output: () => string;
  readonly exited: Promise<number | null>;
}

export function startMain(env: Record<string, string>): Started {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: root,
    // Metrics on a port of the system's choosing, and no wait for a load balancer on SIGTERM, unless a test says.
    env: { PATH: process.env.PATH, NO_COLOR: '1', METRICS_PORT: '0', SHUTDOWN_DELAY_MS: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    output += chunk;
  });
  // 'close': the process has exited and all of its output has been read.
  const exited = once(child, 'close').then(([code]) => code as number | null);
  return { child, output: () => output, exited };
}

export async function readyUrl(started: Started): Promise<string> {
  let url = '';
  await vi.waitFor(
    () => {
      const match = /gateway ready: (http:\/\/localhost:\d+\/graphql)/.exec(started.output());
      expect(match, started.output()).not.toBeNull();
      url = match?.[1] as string;
    },
    { timeout: 15_000, interval: 50 },
  );
  return url;
}
