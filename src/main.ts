// The only impure entry point: reads the environment, starts the embedded
// demo upstream when no UPSTREAM_URL is set, listens, and shuts down cleanly.

import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { createLogger } from 'graphql-yoga';
import { ConfigError, loadConfig } from './config.ts';
import { startDemoUpstream } from './demo/upstream.ts';
import { createGateway } from './graphql/gateway.ts';
import { closeGracefully, createHttpServer } from './http/http-server.ts';

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const logger = createLogger(config.logLevel);
  // Most of what a request allocates is garbage once it is answered; left to
  // itself, V8 lets the heap reach about four times what survives before it
  // collects, and the process holds that memory.
  if (config.heapGrowthPercent > 0) setFlagsFromString(`--heap-growing-percent=${config.heapGrowthPercent}`);

  const demo = config.upstreamUrl
    ? undefined
    : await startDemoUpstream({
        pageBase: config.upstreamPageBase,
        maxTake: config.upstreamMaxTake,
        // A long-running demo counts requests; it does not keep them.
        recordRequests: false,
      });
  const upstreamUrl = config.upstreamUrl ?? new URL(demo?.url as string);
  if (demo) {
    logger.info(`UPSTREAM_URL is not set: serving the embedded demo upstream at ${demo.url}`);
  } else {
    logger.info(`upstream: ${upstreamUrl.origin}${upstreamUrl.pathname.replace(/\/$/, '')}`);
  }

  const gateway = createGateway({ ...config, upstreamUrl }, { logger });
  const server = createHttpServer(gateway, {
    maxBodyBytes: config.limits.maxBodyBytes,
    connections: config.connections,
  });
  server.listen(config.port, config.host);
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  logger.info(
    `gateway ready: http://localhost:${port}${gateway.graphqlEndpoint} (GraphiQL in a browser), health at /health`,
  );

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info(`${signal}: finishing in-flight requests, then exiting`);
    try {
      // In-flight requests may wait on the upstream for up to its deadline.
      await closeGracefully(server, config.upstreamTimeoutMs + 1_000);
      await gateway.dispose();
      await demo?.close();
      process.exit(0);
    } catch (error) {
      logger.error('shutdown failed', error);
      process.exit(1);
    }
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
}

main().catch((error: unknown) => {
  // A bad setting is one clear line, not a stack trace.
  if (error instanceof ConfigError) {
    process.stderr.write(`config: ${error.message}\n`);
  } else if (error instanceof Error && 'code' in error && error.code === 'EADDRINUSE') {
    process.stderr.write(`cannot listen: ${error.message}\n`);
  } else {
    process.stderr.write(`failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  }
  process.exit(1);
});
