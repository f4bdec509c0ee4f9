// The primary process of `WORKERS` > 1: it serves no GraphQL itself and
// holds no connection. It settles the port, starts the workers (node:cluster),
// each listening on that port itself (http/listen.ts), replaces one that
// dies (after a backoff; it gives up, loudly, on workers that keep dying),
// serves every worker's metrics summed on METRICS_PORT, and on SIGTERM has
// every worker drain as a single gateway does, then exits 0.

import cluster, { type Worker } from 'node:cluster';
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import { listenOn, metricsSettings, settlePort } from '../http/listen.ts';
import { createMetricsServer } from '../http/metrics-server.ts';
import { createClusterMetrics } from './cluster-metrics.ts';
import { createRestartPolicy, restartPolicyFor } from './restart-policy.ts';
import { isWorkerReady, primaryPidVariable, readyLine, type StopWorker, type WorkerReady } from './worker-messages.ts';

export interface PrimaryOptions {
  readonly config: Config;
  readonly logger: Logger;
  /** Given to every worker as UPSTREAM_URL (the embedded demo's when none was set). */
  readonly upstreamUrl: URL;
  /** Called once every worker has exited (the demo upstream closes here). */
  readonly onStopped?: () => Promise<void>;
  /** Writes what the log holds before the process exits. */
  readonly flushLog: () => Promise<void>;
}

/** Beyond the workers' own drain (delay, timeout, trace flush): how long the primary waits before it kills them. */
const drainMarginMs = 10_000;

export async function runPrimary(options: PrimaryOptions): Promise<void> {
  const { config, logger } = options;
  const { observability } = config;
  const restarts = createRestartPolicy(restartPolicyFor(config.workers));
  // A taken port fails the start here; with PORT=0, every worker and replacement gets the same port.
  const port = await settlePort({ port: config.port, host: config.host });
  const workerEnv = {
    UPSTREAM_URL: options.upstreamUrl.href,
    // The primary weighed DEMO_UPSTREAM and gives its demo as UPSTREAM_URL (an empty setting is unset).
    DEMO_UPSTREAM: '',
    PORT: String(port),
    [primaryPidVariable]: String(process.pid),
  };
  /** Workers that listen and serve: only they are asked for metrics. */
  const serving = new Set<number>();
  const metrics = createClusterMetrics({
    isServing: (workerId) => serving.has(workerId),
    maxOperationNames: observability.metricsMaxOperationNames,
  });
  let started = false;
  let stopping = false;
  /** Once stopping: the order every worker is given, again when one that was starting says it is ready. */
  let stopOrder: StopWorker | undefined;
  // Open before any worker serves: a scrape that follows the first answer of /health finds it
  // (it counts nothing until workers report), and a taken METRICS_PORT fails the start first.
  let metricsServer: Server | undefined;
  if (observability.metricsPort !== undefined) {
    metricsServer = createMetricsServer(metrics);
    const metricsPort = await listenOn(metricsServer, {
      port: observability.metricsPort,
      host: observability.metricsHost,
      settings: metricsSettings,
    });
    logger.info(`metrics: http://localhost:${metricsPort}/metrics`);
  }

  const live = () => Object.values(cluster.workers ?? {}).filter((worker): worker is Worker => worker !== undefined);

  /** Asks a worker to drain; one that cannot be told (its channel closed) is sent the signal. */
  const tellToStop = (worker: Worker, order: StopWorker) => {
    if (!worker.isConnected()) {
      worker.process.kill('SIGTERM');
      return;
    }
    worker.send(order, (error: Error | null) => {
      if (error) worker.process.kill('SIGTERM');
    });
  };

  const stop = async (reason: string, exitCode: number) => {
    if (stopping) return;
    stopping = true;
    const workers = live();
    logger.info(`${reason}: ${workers.length} workers drain, then the gateway exits`);
    const exits = workers.map((worker) =>
      worker.isDead() ? Promise.resolve(0) : once(worker, 'exit').then(([code]) => code as number | null),
    );
    const order: StopWorker = { type: 'gateway:stop', signal: reason === 'SIGINT' ? 'SIGINT' : 'SIGTERM' };
    stopOrder = order;
    for (const worker of workers) tellToStop(worker, order);
    // A worker that outlives its own drain bounds is killed: the orchestrator's grace period is counted.
    const bound = setTimeout(
      () => {
        for (const worker of live()) worker.process.kill('SIGKILL');
      },
      observability.shutdownDelayMs + observability.shutdownTimeoutMs + drainMarginMs,
    );
    const codes = await Promise.all(exits);
    clearTimeout(bound);
    metricsServer?.close();
    metricsServer?.closeAllConnections();
    await options.onStopped?.();
    const failed = codes.filter((code) => code !== 0).length;
    if (failed > 0) logger.warn(`${failed} of ${workers.length} workers did not end cleanly`);
    logger.info('stopped');
    await options.flushLog();
    process.exit(exitCode !== 0 || failed > 0 ? Math.max(exitCode, 1) : 0);
  };
  // Before any worker starts: a signal during start-up drains what has started instead of killing the primary.
  process.once('SIGTERM', () => void stop('SIGTERM', 0));
  process.once('SIGINT', () => void stop('SIGINT', 0));

  /** A new worker, resolved once it listens; rejected if it exits first. */
  const startWorker = () => {
    const worker = cluster.fork(workerEnv);
    // A send to a worker that just died fails here, not as an error that would end the primary.
    worker.on('error', (error) => logger.warn({ workerPid: worker.process.pid, err: error }, 'worker channel error'));
    const listening = new Promise<WorkerReady>((resolve, reject) => {
      const onMessage = (message: unknown) => {
        if (!isWorkerReady(message)) return;
        worker.off('exit', onExit);
        worker.off('message', onMessage);
        serving.add(worker.id);
        // A worker still starting when the order went out may not have been listening for it yet.
        if (stopOrder) tellToStop(worker, stopOrder);
        resolve(message);
      };
      const onExit = (code: number | null, signal: string | null) => {
        worker.off('message', onMessage);
        reject(new Error(`worker ${worker.process.pid} exited (${signal ?? `code ${code}`}) before it was ready`));
      };
      worker.on('message', onMessage);
      worker.once('exit', onExit);
    });
    return { worker, listening };
  };

  // Registered before the first fork, so that no death goes unseen.
  cluster.on('exit', (worker, code, signal) => {
    serving.delete(worker.id);
    metrics.workerExited(worker.id);
    // While starting, a death fails the start (below); while stopping, it is expected.
    if (stopping || !started) return;
    const died = `worker ${worker.process.pid} ended (${signal ?? `code ${code}`})`;
    const decision = restarts.workerDied(Date.now());
    if (!decision.restart) {
      logger.error(`${died}; ${decision.reason}: giving up, the gateway stops`);
      void stop('workers keep dying', 1);
      return;
    }
    logger.warn({ workerPid: worker.process.pid, code, signal }, `${died}; starting another in ${decision.delayMs} ms`);
    setTimeout(() => {
      if (stopping) return;
      const replacement = startWorker();
      replacement.listening.then(
        () => {
          if (!stopping) logger.info({ workerPid: replacement.worker.process.pid }, 'worker replaced');
        },
        // Its exit is handled above like any other.
        () => undefined,
      );
    }, decision.delayMs);
  });

  // Every worker must start; if one cannot (the port is taken, say), none serve.
  const first = Array.from({ length: config.workers }, startWorker);
  let ready: WorkerReady;
  try {
    [ready] = (await Promise.all(first.map((worker) => worker.listening))) as [WorkerReady];
  } catch (error) {
    // Stopped while starting: stop() ends the process once the workers are gone.
    if (stopping) return;
    stopping = true;
    for (const worker of live()) worker.process.kill('SIGKILL');
    throw error;
  }
  if (stopping) return;
  // A worker that died while the others started is not replaced: the start is a failure.
  if (live().length < config.workers) {
    stopping = true;
    for (const worker of live()) worker.process.kill('SIGKILL');
    throw new Error('a worker died while the others started');
  }
  started = true;

  const pids = live().map((worker) => worker.process.pid);
  logger.info(readyLine(ready.port, ready.graphqlEndpoint, `; ${config.workers} workers (pids ${pids.join(', ')})`));
}
