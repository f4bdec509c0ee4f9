// The gateway serving: built (create-gateway.ts), behind the HTTP front
// (http/http-server.ts), listening on PORT, with its metrics and cache
// invalidation on METRICS_PORT when asked. main.ts runs it as the program;
// the tests run the same thing.

import type { Server } from 'node:http';
import { closeGracefully, createHttpServer } from '../http/http-server.ts';
import { listenOn, metricsSettings } from '../http/listen.ts';
import { createMetricsServer } from '../http/metrics-server.ts';
import { createGateway, type Gateway, type GatewayOptions } from './create-gateway.ts';
import type { GatewayConfig } from './gateway-config.ts';

export interface StartGatewayOptions extends GatewayOptions {
  /** Share PORT with sibling workers (SO_REUSEPORT; see http/listen.ts). */
  readonly reusePort?: boolean;
  /** Serve the metrics on METRICS_PORT; default: whenever METRICS_PORT is set. A worker's primary serves them instead. */
  readonly serveMetrics?: boolean;
}

export interface RunningGateway {
  readonly gateway: Gateway;
  /** The port it listens on (the one the system picked, for PORT=0). */
  readonly port: number;
  /** The metrics listener's port, when it serves its metrics itself. */
  readonly metricsPort: number | undefined;
  /** From now on `/ready` answers 503: load balancers stop sending work; what they still send is served. */
  stopAccepting(): void;
  /** Lets in-flight requests finish (SHUTDOWN_TIMEOUT_MS at most), then closes the upstream pool and Redis. */
  close(timeoutMs?: number): Promise<void>;
  /** Closes the metrics listener: after everything else, so that a drain shows in the metrics to its end. */
  closeMetrics(): Promise<void>;
}

export async function startGateway(config: GatewayConfig, options: StartGatewayOptions = {}): Promise<RunningGateway> {
  const { observability } = config;
  const gateway = createGateway(config, options);
  await gateway.ready();
  let accepting = true;
  const server = createHttpServer(gateway, {
    maxBodyBytes: config.limits.maxBodyBytes,
    connections: config.connections,
    ready: () => accepting,
  });
  const port = await listenOn(server, { port: config.port, host: config.host, reusePort: options.reusePort }).catch(
    async (error: unknown) => {
      await gateway.dispose();
      throw error;
    },
  );
  let metricsServer: Server | undefined;
  let metricsPort: number | undefined;
  if ((options.serveMetrics ?? true) && observability.metricsPort !== undefined) {
    metricsServer = createMetricsServer(gateway.metrics.registry, {
      invalidateCache: (target) => gateway.invalidateCache(target),
      invalidationToken: observability.cacheInvalidationToken,
    });
    metricsPort = await listenOn(metricsServer, {
      port: observability.metricsPort,
      host: observability.metricsHost,
      settings: metricsSettings,
    }).catch(async (error: unknown) => {
      // A taken METRICS_PORT fails the start: nothing opened so far stays open.
      await closeGracefully(server, 0);
      await gateway.dispose();
      throw error;
    });
  }
  return {
    gateway,
    port,
    metricsPort,
    stopAccepting() {
      accepting = false;
    },
    async close(timeoutMs = observability.shutdownTimeoutMs) {
      try {
        await closeGracefully(server, timeoutMs);
      } finally {
        await gateway.dispose();
      }
    },
    async closeMetrics() {
      if (metricsServer) await closeGracefully(metricsServer, 0);
    },
  };
}
