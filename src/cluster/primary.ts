// The primary process of `WORKERS` > 1: it serves no GraphQL itself and
// holds no connection. It settles the port, starts the workers (node:cluster),
// each listening on that port itself (http/listen.ts), replaces one that
// dies (after a backoff; it gives up, loudly, on workers that keep dying),
// serves every worker's metrics summed on METRICS_PORT, with the cache
// invalidation passed on to every worker there, and on SIGTERM has
// every worker drain as a single gateway does, then exits 0.

import cluster, { type Worker } from 'node:cluster';
import type { Server } from 'node:http';
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import { listenOn, metricsSettings, settlePort } from '../http/listen.ts';
import { createMetricsServer } from '../http/metrics-server.ts';
import { createClusterInvalidation } from './cluster-invalidation.ts';
import { createClusterMetrics } from './cluster-metrics.ts';
import { createRestartPolicy, restartPolicyFor } from './restart-policy.ts';
import { primaryPidVariable, readyLine, type StopWorker, type WorkerReady } from './worker-messages.ts';
import { drainWorkers, forkWorker, killLiveWorkers, liveWorkers, type StartingWorker, tellToStop } from './workers.ts';

export interface PrimaryOptions {
  readonly config: Config;
  readonly logger: Logger;
  /** Given to every worker as UPSTREAM_URL (the embedded demo's when none was set). */
  readonly upstreamUrl: URL;
  /** Called once every worker has exited (the demo upstream closes here). */
  readonly onStopped?: () => Promise<void>;
  /** Writes what the log holds before the process exits. */
  readonly flushLog: () => Promise<void>;
  /** Names what handles SIGHUP (held from the process's start, so that an early one does not end it). */
  readonly onHangUp: (handle: () => void) => void;
}

/** Beyond the workers' own drain (delay, timeout, trace flush): how long the primary waits before it kills them. */
const drainMarginMs = 10_000;

export async function runPrimary(options: PrimaryOptions): Promise<void> {
  const { config } = options;
  // A taken port fails the start here; with PORT=0, every worker and replacement gets the same port.
  const port = await settlePort({ port: config.port, host: config.host });
  const primary = new Primary(options, port);
  // Open before any worker serves: a scrape that follows the first answer of /health finds it
  // (it counts nothing until workers report), and a taken METRICS_PORT fails the start first.
  await primary.openMetricsServer();
  // Before any worker starts: a signal during start-up drains what has started instead of killing the primary.
  process.once('SIGTERM', () => void primary.stop('SIGTERM', 0));
  process.once('SIGINT', () => void primary.stop('SIGINT', 0));
  // Each serving worker reloads its own trusted documents; one still starting reads the files as they are.
  options.onHangUp(() => primary.reloadWorkers());
  // Registered before the first fork, so that no death goes unseen.
  cluster.on('exit', (worker, code, signal) => primary.workerExited(worker, code, signal));
  await primary.startWorkers();
}

/** The primary's state through its life: starting its workers, replacing those that die, stopping them all. */
class Primary {
  private readonly restarts: ReturnType<typeof createRestartPolicy>;
  private readonly workerEnv: NodeJS.ProcessEnv;
  /** Workers that listen and serve: only they are asked for metrics. */
  private readonly serving = new Set<number>();
  private readonly metrics: ReturnType<typeof createClusterMetrics>;
  private readonly invalidation: ReturnType<typeof createClusterInvalidation>;
  private metricsServer: Server | undefined;
  private started = false;
  private stopping = false;
  /** Once stopping: the order every worker is given, again when one that was starting says it is ready. */
  private stopOrder: StopWorker | undefined;

  constructor(
    private readonly options: PrimaryOptions,
    port: number,
  ) {
    const { config } = options;
    this.restarts = createRestartPolicy(restartPolicyFor(config.workers));
    this.workerEnv = {
      UPSTREAM_URL: options.upstreamUrl.href,
      // The primary weighed DEMO_UPSTREAM and gives its demo as UPSTREAM_URL (an empty setting is unset).
      DEMO_UPSTREAM: '',
      PORT: String(port),
      [primaryPidVariable]: String(process.pid),
    };
    this.metrics = createClusterMetrics({
      isServing: (workerId) => this.serving.has(workerId),
      maxOperationNames: config.observability.metricsMaxOperationNames,
    });
    this.invalidation = createClusterInvalidation({ isServing: (workerId) => this.serving.has(workerId) });
  }

  /** Serves every worker's metrics, summed, on METRICS_PORT (when set). */
  async openMetricsServer(): Promise<void> {
    const { observability } = this.options.config;
    if (observability.metricsPort === undefined) return;
    this.metricsServer = createMetricsServer(this.metrics, {
      invalidateCache: (target) => this.invalidation.invalidate(target),
      invalidationToken: observability.cacheInvalidationToken,
    });
    const metricsPort = await listenOn(this.metricsServer, {
      port: observability.metricsPort,
      host: observability.metricsHost,
      settings: metricsSettings,
    });
    this.options.logger.info(`metrics: http://localhost:${metricsPort}/metrics`);
  }

  /** Starts every worker; if one cannot (the port is taken, say), none serve. */
  async startWorkers(): Promise<void> {
    const { config, logger } = this.options;
    const first = Array.from({ length: config.workers }, () => this.startWorker());
    let ready: WorkerReady;
    try {
      [ready] = (await Promise.all(first.map((worker) => worker.listening))) as [WorkerReady];
    } catch (error) {
      // Stopped while starting: stop() ends the process once the workers are gone.
      if (this.stopping) return;
      this.stopping = true;
      killLiveWorkers();
      throw error;
    }
    if (this.stopping) return;
    // A worker that died while the others started is not replaced: the start is a failure.
    if (liveWorkers().length < config.workers) {
      this.stopping = true;
      killLiveWorkers();
      throw new Error('a worker died while the others started');
    }
    this.started = true;

    const pids = liveWorkers().map((worker) => worker.process.pid);
    logger.info(readyLine(ready.port, ready.graphqlEndpoint, `; ${config.workers} workers (pids ${pids.join(', ')})`));
  }

  /** A worker is gone: once all have started and until they stop, another takes its place, or the gateway gives up. */
  workerExited(worker: Worker, code: number | null, signal: string | null): void {
    this.serving.delete(worker.id);
    this.metrics.workerExited(worker.id);
    this.invalidation.workerExited(worker.id);
    // While starting, a death fails the start (startWorkers); while stopping, it is expected.
    if (this.stopping || !this.started) return;
    const { logger } = this.options;
    const died = `worker ${worker.process.pid} ended (${signal ?? `code ${code}`})`;
    const decision = this.restarts.workerDied(Date.now());
    if (!decision.restart) {
      logger.error(`${died}; ${decision.reason}: giving up, the gateway stops`);
      void this.stop('workers keep dying', 1);
      return;
    }
    logger.warn({ workerPid: worker.process.pid, code, signal }, `${died}; starting another in ${decision.delayMs} ms`);
    setTimeout(() => this.replaceWorker(), decision.delayMs);
  }

  /** SIGHUP: every worker that serves reloads its trusted documents' manifests. */
  reloadWorkers(): void {
    for (const worker of liveWorkers()) {
      if (this.serving.has(worker.id)) worker.process.kill('SIGHUP');
    }
  }

  /** Has every worker drain, then ends the process: with 0 unless `exitCode` or a worker's own says otherwise. */
  async stop(reason: string, exitCode: number): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    const { logger, config } = this.options;
    const workers = liveWorkers();
    logger.info(`${reason}: ${workers.length} workers drain, then the gateway exits`);
    this.stopOrder = { type: 'gateway:stop', signal: reason === 'SIGINT' ? 'SIGINT' : 'SIGTERM' };
    // A worker that outlives its own drain bounds is killed: the orchestrator's grace period is counted.
    const boundMs = config.observability.shutdownDelayMs + config.observability.shutdownTimeoutMs + drainMarginMs;
    const codes = await drainWorkers(workers, this.stopOrder, boundMs);
    this.metricsServer?.close();
    this.metricsServer?.closeAllConnections();
    await this.options.onStopped?.();
    const failed = codes.filter((code) => code !== 0).length;
    if (failed > 0) logger.warn(`${failed} of ${workers.length} workers did not end cleanly`);
    logger.info('stopped');
    await this.options.flushLog();
    process.exit(exitCode !== 0 || failed > 0 ? Math.max(exitCode, 1) : 0);
  }

  private startWorker(): StartingWorker {
    return forkWorker(this.workerEnv, this.options.logger, (worker) => {
      this.serving.add(worker.id);
      // A worker still starting when the order went out may not have been listening for it yet.
      if (this.stopOrder) tellToStop(worker, this.stopOrder);
    });
  }

  private replaceWorker(): void {
    if (this.stopping) return;
    const replacement = this.startWorker();
    replacement.listening.then(
      () => {
        if (!this.stopping) this.options.logger.info({ workerPid: replacement.worker.process.pid }, 'worker replaced');
      },
      // Its exit is handled in workerExited like any other.
      () => undefined,
    );
  }
}
