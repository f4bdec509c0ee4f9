// The primary's hands on its worker processes: forking one and learning when
// it listens, asking one to stop, and the ones alive.

import cluster, { type Worker } from 'node:cluster';
import { once } from 'node:events';
import type { Logger } from 'pino';
import { isWorkerReady, type StopWorker, type WorkerReady } from './worker-messages.ts';

export interface StartingWorker {
  readonly worker: Worker;
  /** Resolved once it listens; rejected if it exits first. */
  readonly listening: Promise<WorkerReady>;
}

/** The workers not yet gone. */
export function liveWorkers(): Worker[] {
  return Object.values(cluster.workers ?? {}).filter((worker): worker is Worker => worker !== undefined);
}

/** A new worker; `onReady` runs as it says it listens, before `listening` resolves. */
export function forkWorker(env: NodeJS.ProcessEnv, logger: Logger, onReady: (worker: Worker) => void): StartingWorker {
  const worker = cluster.fork(env);
  // A send to a worker that just died fails here, not as an error that would end the primary.
  worker.on('error', (error) => logger.warn({ workerPid: worker.process.pid, err: error }, 'worker channel error'));
  const listening = new Promise<WorkerReady>((resolve, reject) => {
    const onMessage = (message: unknown) => {
      if (!isWorkerReady(message)) return;
      worker.off('exit', onExit);
      worker.off('message', onMessage);
      onReady(worker);
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
}

/** Asks a worker to drain; one that cannot be told (its channel closed) is sent the signal. */
export function tellToStop(worker: Worker, order: StopWorker): void {
  if (!worker.isConnected()) {
    worker.process.kill('SIGTERM');
    return;
  }
  worker.send(order, (error: Error | null) => {
    if (error) worker.process.kill('SIGTERM');
  });
}

export function killLiveWorkers(): void {
  for (const worker of liveWorkers()) worker.process.kill('SIGKILL');
}

/** Asks `workers` to stop, and kills those still alive after `boundMs`: each one's exit code. */
export async function drainWorkers(
  workers: readonly Worker[],
  order: StopWorker,
  boundMs: number,
): Promise<(number | null)[]> {
  const exits = workers.map((worker) =>
    worker.isDead() ? Promise.resolve(0) : once(worker, 'exit').then(([code]) => code as number | null),
  );
  for (const worker of workers) tellToStop(worker, order);
  const bound = setTimeout(killLiveWorkers, boundMs);
  const codes = await Promise.all(exits);
  clearTimeout(bound);
  return codes;
}
