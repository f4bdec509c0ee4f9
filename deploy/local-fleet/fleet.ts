// The deployment's topology on one machine, from Debian's packages and
// without containers: the demo upstream, Redis, three gateway processes
// sharing pages through it, and HAProxy in front with health checks on
// /ready (deploy/haproxy.cfg). `npm run fleet` runs it for people; the fleet
// tests restart and kill its replicas under load.

import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { type DemoUpstream, type DemoUpstreamOptions, startDemoUpstream } from '../../src/demo/upstream.ts';
import { type Haproxy, startHaproxy } from './haproxy.ts';
import { freeLoopbackPort } from './programs.ts';
import { type RedisServer, startRedis } from './redis.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));

export interface FleetOptions {
  readonly replicas?: number;
  /** More settings for every gateway (they override the fleet's). */
  readonly env?: Record<string, string>;
  readonly upstream?: DemoUpstreamOptions;
  /** Each line the gateways write, with the replica's name; default: dropped. */
  readonly onLog?: (replica: string, line: string) => void;
}

export interface Replica {
  readonly name: string;
  /** Its GraphQL URL, bypassing HAProxy. */
  readonly url: string;
  readonly metricsUrl: string;
  readonly pid: () => number | undefined;
  /** Starts the process (again) and resolves once it says it is ready. */
  start(): Promise<void>;
  /** Sends `signal` and resolves with the exit code once the process has ended. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export interface Fleet {
  /** GraphQL through HAProxy. */
  readonly url: string;
  /** HAProxy's stats page. */
  readonly statsUrl: string;
  readonly redis: RedisServer;
  readonly upstream: DemoUpstream;
  readonly haproxy: Haproxy;
  readonly replicas: readonly Replica[];
  stop(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** Fleet settings: what deploy/gateway.env sets, with drain times short enough for a machine's check. */
const fleetSettings = {
  WORKERS: '1',
  CACHE_TTL_MS: '30000',
  CACHE_STALE_WHILE_REVALIDATE_MS: '60000',
  CACHE_STALE_IF_ERROR_MS: '600000',
  // HAProxy checks /ready every second and takes a server out after two failures: 3 s covers that.
  SHUTDOWN_DELAY_MS: '3000',
  SHUTDOWN_TIMEOUT_MS: '15000',
  HOST: '127.0.0.1',
  METRICS_HOST: '127.0.0.1',
};

export async function startFleet(options: FleetOptions = {}): Promise<Fleet> {
  const count = options.replicas ?? 3;
  // What has started, stopped again if a later part fails to start: nothing is left running.
  const started: (() => Promise<unknown>)[] = [];
  try {
    return await startParts(count, options, started);
  } catch (error) {
    for (const stopPart of started.reverse()) await stopPart().catch(() => undefined);
    throw error;
  }
}

async function startParts(count: number, options: FleetOptions, started: (() => Promise<unknown>)[]): Promise<Fleet> {
  const upstream = await startDemoUpstream({ recordRequests: false, ...options.upstream });
  started.push(() => upstream.close());
  const redis = await startRedis();
  started.push(() => redis[Symbol.asyncDispose]());
  // One secret for the fleet, made afresh: replicas must hash credentials alike to share pages.
  const cacheKeySecret = randomBytes(32).toString('hex');
  const replicas: Replica[] = [];
  for (let n = 1; n <= count; n++) {
    const [port, metricsPort] = [await freeLoopbackPort(), await freeLoopbackPort()];
    replicas.push(
      gatewayReplica(
        `gateway-${n}`,
        port,
        metricsPort,
        {
          ...fleetSettings,
          UPSTREAM_URL: upstream.url,
          REDIS_URL: redis.url,
          CACHE_KEY_SECRET: cacheKeySecret,
          ...options.env,
          PORT: String(port),
          METRICS_PORT: String(metricsPort),
          ...(process.env.PATH ? { PATH: process.env.PATH } : {}),
        },
        options.onLog,
      ),
    );
  }
  started.push(() => Promise.all(replicas.map((replica) => replica.stop('SIGKILL'))));
  await Promise.all(replicas.map((replica) => replica.start()));
  const frontend = await freeLoopbackPort();
  const stats = await freeLoopbackPort();
  const haproxy = await startHaproxy({
    frontend,
    stats,
    servers: replicas.map((replica) => ({ name: replica.name, port: Number(new URL(replica.url).port) })),
  });
  const stop = async () => {
    await haproxy.stop();
    await Promise.all(replicas.map((replica) => replica.stop('SIGKILL')));
    await redis[Symbol.asyncDispose]();
    await upstream.close();
  };
  return {
    url: `http://127.0.0.1:${frontend}/graphql`,
    statsUrl: `http://127.0.0.1:${stats}/`,
    redis,
    upstream,
    haproxy,
    replicas,
    stop,
    [Symbol.asyncDispose]: stop,
  };
}

/** One gateway process as `npm start` runs it, on fixed ports so that HAProxy finds it again after a restart. */
function gatewayReplica(
  name: string,
  port: number,
  metricsPort: number,
  env: Record<string, string>,
  onLog: FleetOptions['onLog'],
): Replica {
  let child: ChildProcess | undefined;
  return {
    name,
    url: `http://127.0.0.1:${port}/graphql`,
    metricsUrl: `http://127.0.0.1:${metricsPort}/metrics`,
    pid: () => child?.pid,
    async start() {
      const started = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
        cwd: root,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child = started;
      let output = '';
      const ready = new Promise<void>((resolve, reject) => {
        // Whole lines, each stream on its own: a line of one must not be spliced into the other's.
        const lines = () => {
          let pending = '';
          return (chunk: Buffer) => {
            const parts = (pending + chunk.toString()).split('\n');
            pending = parts.pop() ?? '';
            for (const line of parts) {
              onLog?.(name, line);
              if (output.length < 20_000) output += `${line}\n`;
              if (line.includes('gateway ready:')) resolve();
            }
          };
        };
        started.stdout?.on('data', lines());
        started.stderr?.on('data', lines());
        started.once('exit', (code) => reject(new Error(`${name} exited (${code}) before it was ready:\n${output}`)));
      });
      await ready;
    },
    async stop(signal = 'SIGTERM') {
      const running = child;
      if (!running || running.exitCode !== null || running.signalCode !== null) return running?.exitCode ?? null;
      const exited = once(running, 'exit');
      running.kill(signal);
      const [code] = (await exited) as [number | null];
      return code;
    },
  };
}
