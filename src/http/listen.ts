// Listening on PORT. With WORKERS > 1 each worker listens on a socket of its
// own with SO_REUSEPORT, so the kernel spreads connections among the workers
// and no connection waits in a process that does not serve it (node:cluster's
// round-robin has the primary accept each and hand it on: one handed to a
// dying worker was held for minutes). The primary first settles the port.
// A taken port is said in the terms of its setting (PORT, METRICS_PORT).

import { once } from 'node:events';
import { type AddressInfo, createServer, type Server } from 'node:net';

export interface ListenOptions {
  readonly port: number;
  readonly host: string;
  /** Share the port with the other workers' sockets (SO_REUSEPORT). */
  readonly reusePort?: boolean;
  /** The settings the port and host came from, named when the port is taken; default PORT and HOST. */
  readonly settings?: { readonly port: string; readonly host: string };
}

/** The metrics listener's settings. */
export const metricsSettings = Object.freeze({ port: 'METRICS_PORT', host: 'METRICS_HOST' });

/** Listens; resolves with the port, or rejects with an error that names the setting when the port is taken. */
export async function listenOn(server: Server, options: ListenOptions): Promise<number> {
  server.listen({ port: options.port, host: options.host, reusePort: options.reusePort ?? false });
  try {
    await once(server, 'listening');
  } catch (error) {
    throw portTaken(error, options) ?? error;
  }
  return (server.address() as AddressInfo).port;
}

/**
 * The port every worker, replacements included, will listen on: PORT, or the
 * one the system picks for PORT=0. Bound once without SO_REUSEPORT, which the
 * kernel refuses while any other process holds the port, another gateway's
 * workers included: a taken port fails here, before a worker starts.
 */
export async function settlePort(options: Omit<ListenOptions, 'reusePort'>): Promise<number> {
  const probe = createServer();
  const port = await listenOn(probe, options);
  probe.close();
  await once(probe, 'close');
  return port;
}

/** EADDRINUSE, said in the setting's terms; main.ts prints it after `cannot listen: `. */
function portTaken(error: unknown, options: ListenOptions): Error | undefined {
  if (!(error instanceof Error) || (error as NodeJS.ErrnoException).code !== 'EADDRINUSE') return undefined;
  const settings = options.settings ?? { port: 'PORT', host: 'HOST' };
  const taken = new Error(
    `${settings.port} ${options.port} is already in use on ${settings.host} ${options.host} (EADDRINUSE)`,
    { cause: error },
  );
  return Object.assign(taken, { code: 'EADDRINUSE' });
}
