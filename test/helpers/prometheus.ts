// A real Prometheus server for tests: its own loopback port, its own config
// and storage in a temporary directory (never :9090, never /var/lib/prometheus),
// stopped with SIGTERM and removed by `await using`.

import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findProgram, freeLoopbackPort } from '../../deploy/local-fleet/programs.ts';

/** One sample of an instant vector: its labels and its value. */
export interface Sample {
  readonly metric: Record<string, string>;
  readonly value: number;
}

export interface PrometheusServer {
  /** e.g. 'http://127.0.0.1:41234'. */
  readonly url: string;
  /** An instant query, at `time` (seconds since the epoch) or now. */
  query(promql: string, time?: number): Promise<Sample[]>;
  /** The label sets of every series matching `match` with samples from `start` to `end` (seconds since the epoch). */
  series(match: string, start: number, end: number): Promise<Record<string, string>[]>;
  /** What Prometheus says about its targets (for a failure's message). */
  targets(): Promise<unknown>;
  /** What the server wrote on stdout and stderr, the last 64 KiB of it. */
  log(): string;
  [Symbol.asyncDispose](): Promise<void>;
}

export interface PrometheusOptions {
  readonly binary: string;
  readonly jobName: string;
  /** `host:port` of each target; scraped at `/metrics`. */
  readonly targets: readonly string[];
  /** Default 1. */
  readonly scrapeIntervalSeconds?: number;
}

/**
 * The prometheus binary: PROMETHEUS_BIN, else `prometheus` on the PATH, else
 * Debian's /usr/bin/prometheus; undefined when none is there.
 */
export function findPrometheus(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return findProgram('prometheus', env.PROMETHEUS_BIN, env);
}

const maxLogChars = 64 * 1024;

export async function startPrometheus(options: PrometheusOptions): Promise<PrometheusServer> {
  const directory = await mkdtemp(join(tmpdir(), 'gateway-prometheus-'));
  try {
    const interval = `${options.scrapeIntervalSeconds ?? 1}s`;
    const config = [
      'global:',
      `  scrape_interval: ${interval}`,
      // The timeout may not exceed the interval (its default, 10s, would).
      `  scrape_timeout: ${interval}`,
      'scrape_configs:',
      `  - job_name: ${JSON.stringify(options.jobName)}`,
      '    metrics_path: /metrics',
      '    static_configs:',
      `      - targets: ${JSON.stringify(options.targets)}`,
      '',
    ].join('\n');
    const configFile = join(directory, 'prometheus.yml');
    await writeFile(configFile, config);

    // A free port may be taken between finding it and Prometheus binding it: try again then.
    let lastError: unknown;
    for (let attempt = 0; attempt < 3; attempt++) {
      const port = await freeLoopbackPort();
      try {
        return await launch(options.binary, directory, configFile, port);
      } catch (error) {
        lastError = error;
        if (!(error instanceof PortTakenError)) break;
      }
    }
    throw lastError;
  } catch (error) {
    await rm(directory, { recursive: true, force: true });
    throw error;
  }
}

class PortTakenError extends Error {}

async function launch(binary: string, directory: string, configFile: string, port: number): Promise<PrometheusServer> {
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(
    binary,
    [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${join(directory, `data-${port}`)}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { cwd: directory, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-maxLogChars);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  // A binary that cannot be started reports 'error' (and then no 'exit').
  const failed = new Promise<{ error: Error }>((resolve) => child.once('error', (error) => resolve({ error })));

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await Promise.race([exited, failed]);
      clearTimeout(timer);
    }
  };

  try {
    await untilReady(url, child, exited, failed, () => output);
  } catch (error) {
    await stop();
    throw error;
  }

  const api = async (path: string): Promise<unknown> => {
    const response = await fetch(`${url}${path}`, { signal: AbortSignal.timeout(10_000) });
    const body = (await response.json()) as { status: string; data?: unknown; error?: string };
    if (body.status !== 'success') throw new Error(`Prometheus ${path}: ${body.error ?? response.status}`);
    return body.data;
  };

  return {
    url,
    async query(promql, time) {
      const params = new URLSearchParams({ query: promql });
      if (time !== undefined) params.set('time', String(time));
      const data = (await api(`/api/v1/query?${params}`)) as {
        resultType: string;
        result: { metric: Record<string, string>; value: [number, string] }[];
      };
      if (data.resultType !== 'vector') throw new Error(`${promql}: a ${data.resultType}, not a vector`);
      return data.result.map(({ metric, value }) => ({ metric, value: Number(value[1]) }));
    },
    async series(match, start, end) {
      const params = new URLSearchParams({ 'match[]': match, start: String(start), end: String(end) });
      return (await api(`/api/v1/series?${params}`)) as Record<string, string>[];
    },
    targets: () => api('/api/v1/targets'),
    log: () => output,
    async [Symbol.asyncDispose]() {
      await stop();
      await rm(directory, { recursive: true, force: true });
    },
  };
}

async function untilReady(
  url: string,
  child: ChildProcess,
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>,
  failed: Promise<{ error: Error }>,
  output: () => string,
): Promise<void> {
  let gone: string | undefined;
  void exited.then(({ code, signal }) => {
    gone = `exited (${code ?? signal})`;
  });
  void failed.then(({ error }) => {
    gone = `could not start: ${error.message}`;
  });
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (gone !== undefined) {
      const log = output();
      if (/address already in use/i.test(log)) throw new PortTakenError(`Prometheus ${gone}: port taken`);
      throw new Error(`Prometheus ${gone} before it was ready:\n${log}`);
    }
    try {
      const response = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(1_000) });
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`Prometheus (pid ${child.pid}) was not ready within 30 s:\n${output()}`);
}
