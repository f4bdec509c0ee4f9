// What the primary and its workers say to each other over the cluster's IPC
// channel (metrics and cache invalidation have their own messages:
// cluster-metrics.ts, cluster-invalidation.ts), and the line that says the
// gateway is ready, whichever process serves it.

import cluster from 'node:cluster';

/** Set by the primary in its workers' environment: its pid. */
export const primaryPidVariable = 'GATEWAY_PRIMARY_PID';

/** This process is a worker of this gateway's primary (not of another cluster manager's, such as PM2's). */
export function isGatewayWorker(): boolean {
  return cluster.isWorker && process.env[primaryPidVariable] === String(process.ppid);
}

/** A worker listens and serves. */
export interface WorkerReady {
  readonly type: 'gateway:ready';
  readonly port: number;
  readonly graphqlEndpoint: string;
}

/** The primary asks a worker to drain and exit, as the signal would a single gateway. */
export interface StopWorker {
  readonly type: 'gateway:stop';
  readonly signal: 'SIGTERM' | 'SIGINT';
}

/** An IPC message of the given type (every message between the primary and its workers has one). */
export function isMessage<T extends { readonly type: string }>(message: unknown, type: T['type']): message is T {
  return typeof message === 'object' && message !== null && (message as { type?: unknown }).type === type;
}

export const isWorkerReady = (message: unknown) => isMessage<WorkerReady>(message, 'gateway:ready');
export const isStopWorker = (message: unknown) => isMessage<StopWorker>(message, 'gateway:stop');

/** The line operators, scripts and tests wait for. */
export function readyLine(port: number, graphqlEndpoint: string, detail: string): string {
  return `gateway ready: http://localhost:${port}${graphqlEndpoint} (GraphiQL in a browser), health at /health, readiness at /ready${detail}`;
}
