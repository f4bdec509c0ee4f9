// Metrics of every worker process as one: the primary asks each worker for
// its registry (as JSON, over the cluster's IPC channel) when scraped, and
// sums them with prom-client's aggregator, so that a scrape of the primary
// counts each request once. Counters must never go down, or `rate()` reads
// a reset: a worker that ends leaves its last counts behind (its final ones
// when it drains, the last scraped when it crashes), added to every later
// scrape, and a worker that does not answer in time is counted as it last did.
// Operation names are bounded across workers, restarts included
// (operation-name-bound.ts).

import cluster, { type Worker } from 'node:cluster';
import { AggregatorRegistry, type MetricObjectWithValues, type MetricValue, type Registry } from 'prom-client';
import { boundOperationNames } from './operation-name-bound.ts';
import { isMessage } from './worker-messages.ts';

type Snapshot = MetricObjectWithValues<MetricValue<string>>[];

const metricsRequest = 'gateway:metrics-request';
const metricsReport = 'gateway:metrics';

interface MetricsRequest {
  readonly type: typeof metricsRequest;
  readonly requestId: number;
}

interface MetricsReport {
  readonly type: typeof metricsReport;
  /** Absent for the report a draining worker sends last. */
  readonly requestId?: number;
  readonly metrics: Snapshot;
}

/** Metric types whose values only grow. (prom-client's typings say an enum; its JSON holds these names.) */
const cumulativeTypes = new Set(['counter', 'histogram']);

/** How long a scrape waits for workers; one that answers later is counted as it last answered. */
const defaultAnswerTimeoutMs = 2_000;

export interface ClusterMetricsOptions {
  /** Workers to ask: those that serve (one still starting would only make the scrape wait). */
  readonly isServing: (workerId: number) => boolean;
  /** METRICS_MAX_OPERATION_NAMES: the bound each worker applies, applied again to them all. */
  readonly maxOperationNames: number;
  readonly answerTimeoutMs?: number;
}

/** In the primary: the workers' metrics, summed. */
export function createClusterMetrics(options: ClusterMetricsOptions) {
  const answerTimeoutMs = options.answerTimeoutMs ?? defaultAnswerTimeoutMs;
  const bounded = boundOperationNames(options.maxOperationNames);
  /** The last report of each live worker. */
  const latest = new Map<number, Snapshot>();
  /** What workers that ended had counted: counters and histograms only (a dead worker's gauges say nothing now). */
  let retired: Snapshot = [];
  /** Folding a worker's last counts into `retired` is asynchronous; scrapes wait for it. */
  let retiring: Promise<void> = Promise.resolve();
  /** Scrapes waiting for answers, each with the workers it still waits for: gone when it ends. */
  const waiting = new Map<number, { readonly pending: Set<number>; readonly finish: () => void }>();
  let nextRequestId = 0;

  const answered = (requestId: number, workerId: number) => {
    const scrape = waiting.get(requestId);
    if (!scrape) return;
    scrape.pending.delete(workerId);
    if (scrape.pending.size === 0) scrape.finish();
  };

  cluster.on('message', (worker: Worker, message: unknown) => {
    if (!isMessage<MetricsReport>(message, metricsReport)) return;
    // A report of a worker already gone would count it twice (its counts are in `retired`).
    if (!cluster.workers?.[worker.id]) return;
    latest.set(worker.id, bounded(message.metrics));
    if (message.requestId !== undefined) answered(message.requestId, worker.id);
  });

  return {
    contentType: AggregatorRegistry.PROMETHEUS_CONTENT_TYPE,

    /** The Prometheus text of every worker's metrics, summed, with those of workers that ended. */
    async metrics(): Promise<string> {
      const requestId = nextRequestId++;
      const pending = new Set<number>();
      const request: MetricsRequest = { type: metricsRequest, requestId };
      for (const worker of Object.values(cluster.workers ?? {})) {
        if (!worker?.isConnected() || !options.isServing(worker.id)) continue;
        pending.add(worker.id);
        // A worker whose channel just closed is not waited for.
        worker.send(request, (error: Error | null) => {
          if (error) answered(requestId, worker.id);
        });
      }
      if (pending.size > 0) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(() => finish(), answerTimeoutMs);
          const finish = () => {
            clearTimeout(timer);
            waiting.delete(requestId);
            resolve();
          };
          waiting.set(requestId, { pending, finish });
        });
      }
      await retiring;
      return AggregatorRegistry.aggregate([...latest.values(), retired]).metrics();
    },

    /** A worker ended: its last counts stay in the sums. */
    workerExited(workerId: number): void {
      for (const [requestId] of waiting) answered(requestId, workerId);
      const last = latest.get(workerId);
      latest.delete(workerId);
      if (!last) return;
      const cumulative = last.filter((metric) => cumulativeTypes.has(metric.type as unknown as string));
      retiring = retiring
        .then(async () => {
          retired = await AggregatorRegistry.aggregate([retired, cumulative]).getMetricsAsJSON();
        })
        // One fold that fails loses that worker's counts, not every scrape after it.
        .catch(() => undefined);
    },
  };
}

/** In a worker: answer the primary's requests with this registry's metrics. */
export function reportMetricsToPrimary(registry: Registry): void {
  process.on('message', (message: unknown) => {
    if (!isMessage<MetricsRequest>(message, metricsRequest)) return;
    registry.getMetricsAsJSON().then(
      (metrics) => {
        const report: MetricsReport = { type: metricsReport, requestId: message.requestId, metrics };
        // A primary that went away is not this worker's failure: the scrape waits out its bound.
        process.send?.(report, () => undefined);
      },
      () => undefined,
    );
  });
}

/** In a worker about to exit: its final counts, so that nothing it counted is lost. */
export async function sendFinalMetrics(registry: Registry): Promise<void> {
  const report: MetricsReport = { type: metricsReport, metrics: await registry.getMetricsAsJSON() };
  await new Promise<void>((resolve) => {
    // Bounded: a primary that stopped reading must not hold the exit.
    const timer = setTimeout(resolve, 1_000);
    const done = () => {
      clearTimeout(timer);
      resolve();
    };
    if (process.send) process.send(report, done);
    else done();
  });
}
