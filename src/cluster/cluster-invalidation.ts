// `POST /cache/invalidate` with WORKERS > 1: the primary serves the metrics
// listener and passes the invalidation to every serving worker over the
// cluster's IPC channel, as it asks them for metrics (cluster-metrics.ts).
// One worker, the lead, moves a shared store (Redis) on and counts the
// invalidation; every worker drops what it holds itself (its in-process
// page cache). The answer comes once every worker has confirmed; a worker
// that fails or does not answer in time makes it a failure to retry.

import cluster, { type Worker } from 'node:cluster';
import type { InvalidationTarget } from '../cache/page-keys.ts';
import type { CacheInvalidated } from '../http/cache-invalidation.ts';
import { isMessage } from './worker-messages.ts';
import { liveWorkers } from './workers.ts';

const invalidationRequest = 'gateway:cache-invalidate';
const invalidationAnswer = 'gateway:cache-invalidated';

interface InvalidationRequest {
  readonly type: typeof invalidationRequest;
  readonly requestId: number;
  readonly target: InvalidationTarget;
  /** The one worker that moves a shared store on and counts the invalidation. */
  readonly lead: boolean;
}

interface InvalidationAnswer {
  readonly type: typeof invalidationAnswer;
  readonly requestId: number;
  /** What the worker did; absent when it failed (`error` says why). */
  readonly done?: CacheInvalidated;
  readonly error?: string;
}

/** How long the primary waits for its workers' confirmations (a Redis command is bounded well within it). */
const defaultAnswerTimeoutMs = 5_000;

export interface ClusterInvalidationOptions {
  /** Workers to ask: those that serve (one still starting has an empty cache, and may not listen yet). */
  readonly isServing: (workerId: number) => boolean;
  readonly answerTimeoutMs?: number;
}

/** An invalidation under way: the answers in so far, by worker. */
interface Pending {
  readonly answers: Map<number, InvalidationAnswer | undefined>;
  readonly finish: () => void;
}

/** In the primary: every serving worker's page cache invalidated, as one. */
export function createClusterInvalidation(options: ClusterInvalidationOptions) {
  const answerTimeoutMs = options.answerTimeoutMs ?? defaultAnswerTimeoutMs;
  const pending = new Map<number, Pending>();
  let nextRequestId = 0;

  const answered = (requestId: number, workerId: number, answer: InvalidationAnswer | undefined) => {
    const invalidation = pending.get(requestId);
    if (!invalidation?.answers.has(workerId) || invalidation.answers.get(workerId) !== undefined) return;
    // A worker that failed or went away answers with an error.
    invalidation.answers.set(workerId, answer ?? { type: invalidationAnswer, requestId, error: 'the worker ended' });
    if ([...invalidation.answers.values()].every((each) => each !== undefined)) invalidation.finish();
  };

  cluster.on('message', (worker: Worker, message: unknown) => {
    if (isMessage<InvalidationAnswer>(message, invalidationAnswer)) answered(message.requestId, worker.id, message);
  });

  return {
    async invalidate(target: InvalidationTarget): Promise<CacheInvalidated> {
      const requestId = nextRequestId++;
      const workers = liveWorkers().filter((worker) => worker.isConnected() && options.isServing(worker.id));
      if (workers.length === 0) throw new Error('no worker is serving: nothing was invalidated; try again');
      const answers = new Map<number, InvalidationAnswer | undefined>(workers.map((worker) => [worker.id, undefined]));
      const settled = new Promise<void>((resolve) => {
        const timer = setTimeout(() => finish(), answerTimeoutMs);
        const finish = () => {
          clearTimeout(timer);
          pending.delete(requestId);
          resolve();
        };
        pending.set(requestId, { answers, finish });
      });
      workers.forEach((worker, index) => {
        const request: InvalidationRequest = { type: invalidationRequest, requestId, target, lead: index === 0 };
        worker.send(request, (error: Error | null) => {
          if (error) answered(requestId, worker.id, undefined);
        });
      });
      await settled;
      return summed([...answers.values()], workers.length);
    },

    /** A worker ended: an invalidation waiting for it fails rather than wait out its bound. */
    workerExited(workerId: number): void {
      for (const [requestId] of pending) answered(requestId, workerId, undefined);
    },
  };
}

/** The workers' answers as one: the lead's (the first) with a shared store, else the highest generation. */
function summed(answers: readonly (InvalidationAnswer | undefined)[], workers: number): CacheInvalidated {
  const failed = answers.filter((answer) => answer?.done === undefined).length;
  if (failed > 0) {
    const why = answers.find((answer) => answer?.error)?.error ?? 'no answer in time';
    throw new Error(`${failed} of ${workers} workers did not invalidate (${why}): try again`);
  }
  const done = answers.map((answer) => answer?.done as CacheInvalidated);
  const lead = done[0] as CacheInvalidated;
  if (lead.scope !== 'process') return { ...lead, workers };
  const generations = done.map((each) => each.generation ?? 0);
  return { scope: 'process', generation: Math.max(...generations), workers };
}

/** In a worker: carry out the primary's invalidations, and say how each went. */
export function answerInvalidations(
  invalidate: (target: InvalidationTarget, lead: boolean) => Promise<CacheInvalidated>,
) {
  process.on('message', (message: unknown) => {
    if (!isMessage<InvalidationRequest>(message, invalidationRequest)) return;
    const { requestId } = message;
    invalidate(message.target, message.lead).then(
      (done) => reply({ type: invalidationAnswer, requestId, done }),
      (error: unknown) =>
        reply({ type: invalidationAnswer, requestId, error: error instanceof Error ? error.message : String(error) }),
    );
  });
}

function reply(answer: InvalidationAnswer): void {
  // A primary that went away is not this worker's failure: the invalidation waits out its bound.
  process.send?.(answer, () => undefined);
}
