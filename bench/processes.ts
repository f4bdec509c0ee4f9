// The bench's processes and what it reads of them: the demo upstream, the
// gateway as production runs it, and CPU and memory from /proc. Shared by
// `run.ts` (gateway against passthrough) and `compare.ts` (build against build).

import { type ChildProcess, fork, spawn } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import type { Scenario } from './scenarios.ts';

/** A bench script (TypeScript, through tsx) in its own process, with an IPC channel. */
export function forkTs(file: string, env: Record<string, string>): ChildProcess {
  return stopOnExit(
    fork(new URL(file, import.meta.url), {
      execArgv: ['--import', 'tsx'],
      env: { ...process.env, ...env },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    }),
  );
}

/** What a forked bench script reports once it listens. */
export async function ready<T>(child: ChildProcess): Promise<T> {
  const [message] = (await once(child, 'message')) as [{ ready: T }];
  return message.ready;
}

/** The demo upstream with latency, in its own process; `recordPaths`: it also keeps the paths asked, for {@link upstreamPaths}. */
export async function startUpstream(
  latencyMs: string,
  { recordPaths = false } = {},
): Promise<{ child: ChildProcess; url: string }> {
  const child = forkTs('./upstream.ts', { LATENCY_MS: latencyMs, RECORD_PATHS: recordPaths ? '1' : '0' });
  return { child, url: await ready<string>(child) };
}

/** How many requests the upstream has answered so far. */
export function upstreamCount(upstream: ChildProcess): Promise<number> {
  const answer = once(upstream, 'message').then(([message]) => (message as { count: number }).count);
  upstream.send('count');
  return answer;
}

/** The paths the upstream was asked since the last count or call (an upstream started with `recordPaths`). */
export function upstreamPaths(upstream: ChildProcess): Promise<string[]> {
  const answer = once(upstream, 'message').then(([message]) => (message as { paths: string[] }).paths);
  upstream.send('paths');
  return answer;
}

/** Child processes to stop when the bench ends, however it ends. */
const started = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of started) child.kill('SIGTERM');
});

/** Registers a child to be stopped when the bench exits. */
export function stopOnExit(child: ChildProcess): ChildProcess {
  started.add(child);
  return child;
}

/**
 * A compiled gateway (`main` is its dist/main.js) as production runs it:
 * NODE_ENV=production, its log lines going to a file as a container's go to
 * its runtime. Reading them here would put the bench's own work on the cores
 * it measures.
 */
export function startGateway(
  main: URL,
  upstreamUrl: string,
  env: Record<string, string> = {},
  node = process.execPath,
): Promise<{ child: ChildProcess; url: string }> {
  return startGatewayProcess(
    [fileURLToPath(main)],
    {
      NODE_ENV: 'production',
      UPSTREAM_URL: upstreamUrl,
      // The passthrough makes every call its load asks for: so does the gateway here, or the two would do
      // different work (the load repeats one document on every connection, which coalescing would share).
      UPSTREAM_COALESCE: 'false',
      ...env,
    },
    { logFile: true },
    node,
  );
}

/** An OTLP/HTTP receiver on loopback that reads and drops what it is sent, counting the exports. */
export async function startTraceSink(): Promise<{ url: string; exports: () => number }> {
  let exports = 0;
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      exports++;
      response.writeHead(200, { 'content-type': request.headers['content-type'] ?? 'application/json' }).end();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  server.unref();
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, exports: () => exports };
}

/** Where a gateway's output goes: to `onOutput` through a pipe, or to a log file nobody reads while it runs. */
export type GatewayOutput = { readonly onOutput?: (text: string) => void } | { readonly logFile: true };

/**
 * A gateway process (`args` after node: a compiled main, or `--import tsx`
 * and the source main as `npm start` runs it) on an ephemeral port; resolves
 * once it says it is ready. Its output (stdout and stderr, for as long as it
 * runs) goes where `output` says; the start-up output also to the error when
 * it does not start. `node` runs it: this one, unless a bench compares Node.js versions.
 */
export async function startGatewayProcess(
  args: readonly string[],
  env: Record<string, string>,
  output: GatewayOutput = {},
  node = process.execPath,
): Promise<{ child: ChildProcess; url: string }> {
  const logFile = 'logFile' in output ? temporaryLogFile() : undefined;
  const logFd = logFile ? openSync(logFile, 'a') : undefined;
  const child = stopOnExit(
    spawn(node, args, {
      // Metrics on a port of the system's choosing (several gateways may run at once), and no load balancer to wait for on SIGTERM.
      env: { ...process.env, PORT: '0', METRICS_PORT: '0', SHUTDOWN_DELAY_MS: '0', NO_COLOR: '1', ...env },
      stdio: logFd === undefined ? ['ignore', 'pipe', 'pipe'] : ['ignore', logFd, logFd],
    }),
  );
  if (logFd !== undefined) closeSync(logFd);
  const onOutput = 'onOutput' in output ? output.onOutput : undefined;
  let startup = '';
  let started = false;
  const ready = new Promise<string>((resolve, reject) => {
    // A build that never says it is ready (crashed, or logs otherwise) must not hang the bench.
    const giveUp = setTimeout(() => child.kill('SIGTERM'), 30_000);
    const seen = (text: string) => {
      startup = text;
      const match = /gateway ready: (http:\/\/localhost:\d+\/graphql)/.exec(startup);
      if (match) {
        started = true;
        clearTimeout(giveUp);
        resolve((match[1] as string).replace('localhost', '127.0.0.1'));
      }
    };
    if (logFile) {
      // The file is read only until the gateway is ready.
      const poll = setInterval(() => {
        seen(readFileSync(logFile, 'utf8'));
        if (started) clearInterval(poll);
      }, 50);
      child.once('exit', () => clearInterval(poll));
    } else {
      const read = (chunk: Buffer) => {
        const text = chunk.toString();
        onOutput?.(text);
        if (!started) seen(startup + text);
      };
      // Read for as long as it runs: a full pipe would stall the gateway's logging.
      child.stdout?.on('data', read);
      child.stderr?.on('data', read);
    }
    child.once('exit', () => {
      clearTimeout(giveUp);
      if (logFile) startup = readFileSync(logFile, 'utf8');
      reject(new Error(`the gateway (node ${args.join(' ')}) did not start:\n${startup}`));
    });
  });
  return { child, url: await ready };
}

/** The bench's log directory, made on first use and removed when the bench exits. */
let logDirectory: string | undefined;
let logFiles = 0;

/** A new log file, in the bench's own directory (one exit handler, however many gateways start). */
function temporaryLogFile(): string {
  if (logDirectory === undefined) {
    const dir = mkdtempSync(join(tmpdir(), 'gateway-bench-'));
    process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
    logDirectory = dir;
  }
  logFiles++;
  return join(logDirectory, `gateway-${logFiles}.log`);
}

/**
 * CPU time (user + system) so far, in ms, of a process and its children (a
 * primary and its workers): of the whole processes, or of their main threads
 * alone (the ones that run JavaScript; V8's garbage collector and compiler
 * also work on helper threads).
 */
export function cpuMs(pid: number, of: 'process' | 'main thread' = 'process'): number {
  let ticks = 0;
  for (const one of processTree(pid)) {
    const stat = of === 'process' ? `/proc/${one}/stat` : `/proc/${one}/task/${one}/stat`;
    const fields = readFileSync(stat, 'utf8').split(') ')[1]?.split(' ') ?? [];
    ticks += Number(fields[11]) + Number(fields[12]);
  }
  return (ticks * 1000) / 100; // Linux reports CPU time in ticks of 1/100 s.
}

/**
 * CPU time so far, in ms, of the whole machine (every core, user and system,
 * interrupts included) and of this process with its descendants, those still
 * running and those ended and reaped: their difference over a run is what
 * other processes took from the cores the run measured on.
 */
export function machineAndOwnCpuMs(): { machine: number; own: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  // cpu user nice system idle iowait irq softirq steal …
  const [user, nice, system, , , irq, softirq] = line.trim().split(/\s+/).slice(1).map(Number);
  const machine = [user, nice, system, irq, softirq].reduce((sum: number, one) => sum + (one ?? 0), 0);
  let own = 0;
  for (const one of processTree(process.pid)) {
    const fields = readFileSync(`/proc/${one}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    // utime, stime, and cutime, cstime: the children it reaped (with theirs).
    own += Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
  }
  return { machine: (machine * 1000) / 100, own: (own * 1000) / 100 };
}

/** The most resident memory a process (and its children, each at its own peak) has held, in MB. */
export function peakRssMb(pid: number): number {
  return processTree(pid).reduce((sum, one) => sum + procStatusMb(one, 'VmHWM'), 0);
}

/** The resident memory a process holds now, in MB. */
export function rssMb(pid: number): number {
  return procStatusMb(pid, 'VmRSS');
}

/** The process and its descendants that are alive now. */
function processTree(pid: number): number[] {
  const children = readdirSync(`/proc/${pid}/task`).flatMap((task) => {
    try {
      return readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').split(' ').filter(Boolean).map(Number);
    } catch {
      return []; // a thread that ended as it was listed
    }
  });
  return [pid, ...children.flatMap((child) => (existsSync(`/proc/${child}`) ? processTree(child) : []))];
}

function procStatusMb(pid: number, field: 'VmHWM' | 'VmRSS'): number {
  const match = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(match?.[1] ?? 0) / 1024;
}

export const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
};

export interface LoadRound {
  readonly ops: number;
  readonly opsPerSecond: number;
  readonly p50: number;
  readonly p99: number;
  /** Mean latency, ms: finer than the percentiles, which autocannon keeps in whole milliseconds. */
  readonly meanLatency: number;
  readonly cpuMsPerOp: number;
  readonly mainThreadCpuMsPerOp: number;
}

export interface HttpRequest {
  readonly url: string;
  readonly method: 'GET' | 'POST';
  readonly body?: string;
  readonly headers?: Record<string, string>;
}

/** A scenario's operation as a request to a gateway at `url`. */
export function gatewayRequest(url: string, scenario: Scenario): HttpRequest {
  return {
    url,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: scenario.query, variables: scenario.variables }),
  };
}

/** One round of autocannon against the process `pid` serves; any failed request fails the run. */
export async function measureLoad(
  pid: number,
  request: HttpRequest,
  load: { readonly connections: number; readonly seconds: number },
  label: string,
): Promise<LoadRound> {
  const cpuBefore = cpuMs(pid);
  const mainThreadBefore = cpuMs(pid, 'main thread');
  const result = await autocannon({ ...request, connections: load.connections, duration: load.seconds });
  const ops = result.requests.total;
  if (result.non2xx > 0 || result.errors > 0 || result.timeouts > 0) {
    throw new Error(`${label}: ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts`);
  }
  return {
    ops,
    opsPerSecond: ops / load.seconds,
    p50: result.latency.p50,
    p99: result.latency.p99,
    meanLatency: result.latency.mean,
    cpuMsPerOp: (cpuMs(pid) - cpuBefore) / ops,
    mainThreadCpuMsPerOp: (cpuMs(pid, 'main thread') - mainThreadBefore) / ops,
  };
}
