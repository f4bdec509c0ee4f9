// The only impure entry point: reads the environment, starts the embedded
// demo upstream when no UPSTREAM_URL is set (under NODE_ENV=production only
// with DEMO_UPSTREAM=true), then either the gateway itself
// (tracing when asked, its metrics listener; on SIGTERM it drains as load
// balancers expect) or, with WORKERS > 1, the primary of that many gateway
// processes (cluster/primary.ts), each of which runs this file as a worker.

import { setTimeout as sleep } from 'node:timers/promises';
import { setFlagsFromString } from 'node:v8';
import type { Logger } from 'pino';
import { answerInvalidations } from './cluster/cluster-invalidation.ts';
import { reportMetricsToPrimary, sendFinalMetrics } from './cluster/cluster-metrics.ts';
import { runPrimary } from './cluster/primary.ts';
import {
  isGatewayWorker,
  isStopWorker,
  readyLine,
  type StopWorker,
  type WorkerReady,
} from './cluster/worker-messages.ts';
import { type Config, ConfigError, loadConfig } from './config.ts';
import { type DemoUpstream, startDemoUpstream } from './demo/upstream.ts';
import { type RunningGateway, startGateway } from './gateway/start-gateway.ts';
import { readManifests } from './graphql/persisted-manifests.ts';
import { createLogger } from './observability/logger.ts';
import { createGatewayMetrics, type GatewayMetrics } from './observability/metrics.ts';
import { startTracing, type Tracing } from './observability/tracing.ts';

/** How long the spans still buffered may take to reach the collector when the gateway stops. */
const traceFlushTimeoutMs = 5_000;

async function main(): Promise<void> {
  // SIGHUP reloads the trusted documents; its default action would end the process, even while it starts.
  const onHangUp = heldSignal('SIGHUP');
  const config = loadConfig(process.env);
  const logger = createLogger({ level: config.logLevel, format: config.logFormat });
  // A worker's upstream is the one its primary gave it (the primary's demo, when it runs one).
  if (isGatewayWorker()) return serve(config, logger, onHangUp, config.upstreamUrl as URL);

  const demo = config.demoUpstream
    ? await startDemoUpstream({
        pageBase: config.upstreamPageBase,
        maxTake: config.upstreamMaxTake,
        // A long-running demo counts requests; it does not keep them.
        recordRequests: false,
      })
    : undefined;
  const upstreamUrl = config.upstreamUrl ?? new URL(demo?.url as string);
  if (demo) {
    logger.info(`UPSTREAM_URL is not set: serving the embedded demo upstream at ${demo.url}`);
  } else {
    logger.info(`upstream: ${upstreamUrl.origin}${upstreamUrl.pathname.replace(/\/$/, '')}`);
  }
  if (config.workers > 1) {
    // A manifest that cannot be read stops the start here (a ConfigError), not in worker after worker.
    await readManifests(config.trustedDocuments.manifests);
    return runPrimary({
      config,
      logger,
      upstreamUrl,
      onStopped: async () => demo?.close(),
      flushLog: () => flushed(logger),
      onHangUp,
    });
  }
  return serve(config, logger, onHangUp, upstreamUrl, demo);
}

/**
 * A signal listened for from now on: what handles it is named later (the
 * returned function). One that comes before is kept until then: a reload
 * asked for while the gateway starts runs once it has started.
 */
function heldSignal(signal: NodeJS.Signals): (handle: () => void) => void {
  let early = false;
  let handler: (() => void) | undefined;
  process.on(signal, () => {
    if (handler) handler();
    else early = true;
  });
  return (handle) => {
    handler = handle;
    if (early) {
      early = false;
      handle();
    }
  };
}

/** The gateway itself, in this process: alone, or as one of the primary's workers. */
async function serve(
  config: Config,
  logger: Logger,
  onHangUp: (handle: () => void) => void,
  upstreamUrl: URL,
  demo?: DemoUpstream,
): Promise<void> {
  const { observability } = config;
  const inWorker = isGatewayWorker();
  // Listened for before anything is awaited: a worker may be told to stop while it is still starting.
  const onStopOrder = inWorker ? stopOrdersFromPrimary() : undefined;
  // Most of what a request allocates is garbage once it is answered; left to
  // itself, V8 lets the heap reach about four times what survives before it
  // collects, and the process holds that memory.
  if (config.heapGrowthPercent > 0) setFlagsFromString(`--heap-growing-percent=${config.heapGrowthPercent}`);
  const tracing = await startTracing(process.env, logger);

  const metrics = createGatewayMetrics({
    maxOperationNames: observability.metricsMaxOperationNames,
    processMetrics: observability.metricsPort !== undefined,
  });
  // A worker's metrics are served summed by its primary; a single gateway serves its own.
  const reportsMetrics = inWorker && observability.metricsPort !== undefined;
  const running = await startGateway(
    { ...config, upstreamUrl },
    { logger, metrics, tracing: tracing.enabled, reusePort: inWorker, serveMetrics: !reportsMetrics },
  );
  if (reportsMetrics) reportMetricsToPrimary(metrics.registry);
  else if (running.metricsPort !== undefined) logger.info(`metrics: http://localhost:${running.metricsPort}/metrics`);
  // The primary serves POST /cache/invalidate and passes it on to every worker.
  if (inWorker) answerInvalidations((target, lead) => running.gateway.invalidateCache(target, lead));
  announceReady(running, logger, inWorker, tracing.enabled);

  const stop = stopOnce({
    running,
    logger,
    shutdownTimeoutMs: observability.shutdownTimeoutMs,
    tracing,
    demo,
    // What this worker counted stays in its primary's sums.
    finalMetrics: reportsMetrics ? metrics.registry : undefined,
  });
  process.once('SIGTERM', () => void stop('SIGTERM', observability.shutdownDelayMs));
  // Ctrl-C at a terminal: no load balancer to wait for. A second one ends the process at once.
  process.once('SIGINT', () => void stop('SIGINT', 0));
  // Reloads the trusted documents' manifests; a worker's primary passes it on to each worker.
  onHangUp(() => void running.gateway.reloadPersistedDocuments());
  // A worker is told by its primary (which got the signal).
  onStopOrder?.((order) => void stop(order.signal, order.signal === 'SIGTERM' ? observability.shutdownDelayMs : 0));
}

/**
 * A worker's stop orders from its primary: the returned function names what
 * handles them. An order that comes before is kept until then.
 */
function stopOrdersFromPrimary(): (handle: (order: StopWorker) => void) => void {
  let early: StopWorker | undefined;
  let handler: ((order: StopWorker) => void) | undefined;
  process.on('message', (message: unknown) => {
    if (!isStopWorker(message)) return;
    if (handler) handler(message);
    else early = message;
  });
  return (handle) => {
    handler = handle;
    if (early) handle(early);
  };
}

/** A worker tells its primary; a gateway alone tells its operator. */
function announceReady(running: RunningGateway, logger: Logger, inWorker: boolean, tracing: boolean): void {
  const { gateway, port } = running;
  if (inWorker) {
    const ready: WorkerReady = { type: 'gateway:ready', port, graphqlEndpoint: gateway.graphqlEndpoint };
    process.send?.(ready, () => undefined);
    logger.debug('worker ready');
  } else {
    logger.info(readyLine(port, gateway.graphqlEndpoint, tracing ? ', traces on' : ''));
  }
}

/** What a stopping gateway drains and closes. */
interface StoppingGateway {
  readonly running: RunningGateway;
  readonly logger: Logger;
  readonly shutdownTimeoutMs: number;
  readonly tracing: Tracing;
  readonly demo: DemoUpstream | undefined;
  /** A worker's registry, whose last counts go to its primary. */
  readonly finalMetrics: GatewayMetrics['registry'] | undefined;
}

/** Stops the gateway as load balancers expect, then ends the process; asked again, it does nothing more. */
function stopOnce(gateway: StoppingGateway): (signal: string, delayMs: number) => Promise<void> {
  let stopping = false;
  return async (signal, delayMs) => {
    if (stopping) return;
    stopping = true;
    const { running, logger } = gateway;
    running.stopAccepting();
    logger.info(
      `${signal}: /ready answers 503; serving for ${delayMs} ms more, then finishing in-flight requests (up to ${gateway.shutdownTimeoutMs} ms)`,
    );
    try {
      await drain(gateway, delayMs);
      await flushed(logger);
      process.exit(0);
    } catch (error) {
      logger.error({ err: error }, 'shutdown failed');
      await flushed(logger);
      process.exit(1);
    }
  };
}

/** Finishes what is in flight and closes what the gateway holds, in the order its callers need. */
async function drain(
  { running, logger, tracing, demo, finalMetrics }: StoppingGateway,
  delayMs: number,
): Promise<void> {
  // Load balancers see /ready fail on their next check; until they do, they still send work here.
  await sleep(delayMs);
  await running.close();
  // A collector that does not answer must not hold the exit past the orchestrator's grace period.
  await within(tracing.shutdown(), traceFlushTimeoutMs);
  await demo?.close();
  await running.closeMetrics();
  if (finalMetrics) await sendFinalMetrics(finalMetrics);
  logger.info('stopped');
  // Nothing but stdio should be left: the exit below would hide what keeps the process alive.
  if (logger.isLevelEnabled('debug')) logger.debug({ open: await stillOpen() }, 'still open at exit');
}

/** Waits for `work` for `ms` at most; the timer ends with the wait, so it never holds the process. */
async function within(work: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  try {
    await Promise.race([work, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * What keeps the event loop alive (Node's names: `TCPSocketWrap`, `Timeout`…).
 * A handle closed just now leaves the loop in its close phase: one turn on,
 * what is listed is what nobody closed.
 */
async function stillOpen(): Promise<string[]> {
  await new Promise((resolve) => setImmediate(() => setImmediate(resolve)));
  return process.getActiveResourcesInfo();
}

function flushed(logger: Logger): Promise<void> {
  return new Promise((resolve) => logger.flush(() => resolve()));
}

main().catch((error: unknown) => {
  // A bad setting is one clear line, not a stack trace.
  const line =
    error instanceof ConfigError
      ? `config: ${error.message}\n`
      : error instanceof Error && 'code' in error && error.code === 'EADDRINUSE'
        ? `cannot listen: ${error.message}\n`
        : `failed to start: ${error instanceof Error ? error.message : String(error)}\n`;
  // The last line out: written once the log lines still buffered (log-buffer.ts empties it on exit) are.
  process.once('exit', () => process.stderr.write(line));
  process.exit(1);
});
