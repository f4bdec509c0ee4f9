// HAProxy for the local fleet: the very config compose runs
// (deploy/haproxy.cfg: health checks on /ready, retries, timeouts), with its
// addresses moved to loopback ports, so that what the fleet check proves is
// what the deployment runs.

import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findProgram } from './programs.ts';

export const haproxyBinary = findProgram('haproxy', process.env.HAPROXY_BIN);

const composeConfig = new URL('../haproxy.cfg', import.meta.url);

export interface HaproxyPorts {
  readonly frontend: number;
  readonly stats: number;
  /** The gateways, by server name (`gateway-1`, …), in order. */
  readonly servers: readonly { readonly name: string; readonly port: number }[];
}

/** deploy/haproxy.cfg on loopback: no Docker DNS, binds and servers on the given ports, no request log. */
export function loopbackConfig(ports: HaproxyPorts, config = readFileSync(composeConfig, 'utf8')): string {
  const lines = config.split('\n');
  const kept: string[] = [];
  let inResolvers = false;
  for (const line of lines) {
    if (/^resolvers\s/.test(line)) {
      inResolvers = true;
      continue;
    }
    if (inResolvers) {
      if (/^\S/.test(line)) inResolvers = false;
      else continue;
    }
    // One line per request would be the fleet's busiest output.
    if (/^\s*(log|option httplog)\b/.test(line)) continue;
    if (/^\s*server\s/.test(line)) continue;
    kept.push(
      line
        .replace(/^(\s*default-server .*?)\s+resolvers \S+( init-addr \S+)?/, '$1')
        .replace(/^(\s*bind) :4000\b/, `$1 127.0.0.1:${ports.frontend}`)
        .replace(/^(\s*bind) :8404\b/, `$1 127.0.0.1:${ports.stats}`),
    );
    if (/^\s*option redispatch/.test(line)) {
      for (const server of ports.servers) kept.push(`    server ${server.name} 127.0.0.1:${server.port}`);
    }
  }
  return kept.join('\n');
}

export interface Haproxy {
  /** Each server's state as HAProxy sees it: `UP`, `DOWN`, `MAINT`, or a transition such as `UP 1/2`. */
  serverStates(): Promise<Map<string, string>>;
  stop(): Promise<void>;
}

export async function startHaproxy(ports: HaproxyPorts): Promise<Haproxy> {
  if (!haproxyBinary) throw new Error('no haproxy binary (Debian: apt-get install haproxy)');
  const dir = mkdtempSync(join(tmpdir(), 'fleet-haproxy-'));
  const file = join(dir, 'haproxy.cfg');
  writeFileSync(file, loopbackConfig(ports));
  // -db: in the foreground, so that it ends with its parent's kill.
  const child: ChildProcess = spawn(haproxyBinary, ['-db', '-f', file], { stdio: ['ignore', 'ignore', 'pipe'] });
  let errors = '';
  child.stderr?.on('data', (chunk) => {
    errors = (errors + chunk).slice(-4_000);
  });
  const statsUrl = `http://127.0.0.1:${ports.stats}/;csv`;
  const serverStates = async () => {
    const csv = await (await fetch(statsUrl)).text();
    const states = new Map<string, string>();
    for (const row of csv.split('\n')) {
      const [proxy, server, ...rest] = row.split(',');
      // Column 18 (status) of HAProxy's CSV, counted from the third.
      if (proxy === 'gateways' && server?.startsWith('gateway-')) states.set(server, rest[15] ?? '');
    }
    return states;
  };
  // Up once its stats page answers.
  const until = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`haproxy exited (${child.exitCode}): ${errors}`);
    try {
      await serverStates();
      break;
    } catch {
      if (Date.now() > until) throw new Error(`haproxy did not answer: ${errors}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  return {
    serverStates,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = once(child, 'exit');
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
