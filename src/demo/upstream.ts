// The embedded demo upstream: the REST endpoint of CONTRACT §1 over seed data,
// on plain node:http. Tests use it as a real loopback upstream and steer it
// with faults (statuses, bad bodies, dropped sockets, latency) and changes to
// an org's list; `npm start` uses it when no UPSTREAM_URL is configured, and
// people change its lists through its control route.

import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { error, send, sendHalf } from './answers.ts';
import { answerPage, matchRoute, notModified, refusal } from './assistants-endpoint.ts';
import { answerControl, matchControl } from './control-route.ts';
import { dressed, type Fault, FaultQueue, faultAnswer } from './faults.ts';
import { type HeldRequest, Holds } from './holds.ts';
import { OrgLists } from './org-lists.ts';
import { type DemoSettings, type DemoUpstreamOptions, settingsOf } from './settings.ts';
import { type RecordedRequest, Traffic } from './traffic.ts';
import type { WireAssistant } from './wire.ts';

export { type Fault, faultMenu } from './faults.ts';
export type { HeldRequest } from './holds.ts';
export { seedEtag } from './org-lists.ts';
export type { DemoUpstreamOptions } from './settings.ts';
export type { RecordedRequest } from './traffic.ts';

export interface DemoUpstream {
  /** e.g. 'http://127.0.0.1:41234' + basePath. */
  readonly url: string;
  /** Every request received, in order, failed ones included (a snapshot). */
  readonly requests: readonly RecordedRequest[];
  /** How many requests arrived since start or the last reset, recorded or not. */
  readonly requestCount: number;
  /** Max requests in flight at once since start or the last reset. */
  readonly peakConcurrency: number;
  readonly inFlight: number;
  /** Faults are checked in insertion order; the first matching one with times left applies. */
  inject(fault: Fault): void;
  clearFaults(): void;
  /**
   * Holds the next request for `orgId` (any org when absent) before it is
   * answered, until released: a test says what it waits for instead of
   * sleeping. `arrived` settles once that request is held.
   */
  hold(orgId?: string): HeldRequest;
  /**
   * Inserts a copy of a seed assistant (the org's first, or any when it has
   * none) with fresh ids (`asst_ins_<n>`), named `name` or `Inserted <n>`, at
   * `position`, 0 to the list's length; returns its id. A RangeError for an
   * unknown org or a position outside. The org's pages get a new ETag.
   */
  insert(orgId: string, position: number, name?: string): string;
  /** Removes the assistant at `position`, 0 to the list's length - 1; returns its id. A RangeError when there is none. */
  remove(orgId: string, position: number): string;
  /** The org's list as it is now (a snapshot): what its pages hold, in order. */
  assistantsOf(orgId: string): readonly WireAssistant[];
  /** Clears requests, peakConcurrency and faults; the lists stay as they were changed. */
  reset(): void;
  /** Closes the server and every socket, keep-alive and pending ones too. */
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** What the request handler and a test's controls share. */
interface DemoState {
  readonly settings: DemoSettings;
  /** This instance's lists: changed by insert and remove, never the shared seed. */
  readonly lists: OrgLists;
  readonly traffic: Traffic;
  readonly faults: FaultQueue;
  readonly holds: Holds;
}

export async function startDemoUpstream(options: DemoUpstreamOptions = {}): Promise<DemoUpstream> {
  const settings = settingsOf(options);
  const state: DemoState = {
    settings,
    lists: new OrgLists(settings.data),
    traffic: new Traffic(settings.recordRequests),
    faults: new FaultQueue(settings.faultRate, settings.random),
    holds: new Holds(),
  };
  const server = createServer((req, res) => {
    if (controlled(state, req, res)) return;
    state.traffic.track(res);
    handle(state, req, res).catch(() => {
      // A bug here must not take the process down; fail just this request.
      if (res.headersSent) res.destroy();
      else send(res, error(500, 'internal', 'Demo upstream failure.'));
    });
  });
  // Malformed requests or resets before a request is parsed: drop the socket quietly.
  server.on('clientError', (_err, socket) => socket.destroy());
  await listen(server, settings.port, settings.host);
  // After a successful listen, a server error must not crash the process (no listener would).
  server.on('error', () => {});

  const { port } = server.address() as AddressInfo;
  const { host, basePath } = settings;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}${basePath}`;
  return controls(state, url, closer(server, state.traffic.open));
}

/** Answers one request: recorded, held if a test asked, delayed, then answered as its fault (if any) says. */
async function handle(
  { settings, lists, traffic, faults, holds }: DemoState,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const rawPath = req.url ?? '';
  const { pathname, query } = target(rawPath);
  const route = matchRoute(pathname, settings.basePath);
  traffic.record(req, rawPath, route?.orgId ?? '', query);

  const released = holds.meet(route?.orgId);
  if (released) await released;
  const fault = faults.take(route?.orgId ?? null);
  if (!(await delay(settings.latencyMs + (fault?.latencyMs ?? 0), res))) return;

  if (fault?.drop === 'before-response') {
    req.socket.destroy();
    return;
  }
  const answer = dressed(
    faultAnswer(fault, lists.current, route?.orgId ?? null) ??
      refusal(settings.access, req.headers.authorization, route) ??
      answerPage(settings, lists, req.method, route, query),
    fault,
  );
  const revalidated = notModified(answer, req.headers['if-none-match'], lists.etag(route?.orgId));
  if (revalidated) send(res, revalidated);
  else if (fault?.drop === 'mid-body') sendHalf(res, answer);
  else send(res, answer);
}

/**
 * Answers a request for the control route, if it is one, at once: it is no
 * upstream traffic, so it is neither counted nor recorded, and no fault,
 * hold or latency applies to it. False for every other request.
 */
function controlled({ settings, lists }: DemoState, req: IncomingMessage, res: ServerResponse): boolean {
  const { pathname, query } = target(req.url ?? '');
  const route = matchControl(pathname, settings.basePath);
  if (!route) return false;
  // Any body is ignored, and read to its end so the socket can be kept alive.
  req.resume();
  try {
    send(res, answerControl(lists, req.method, route, query));
  } catch {
    if (res.headersSent) res.destroy();
    else send(res, error(500, 'internal', 'Demo upstream failure.'));
  }
  return true;
}

/** The request target's path and query. */
function target(rawPath: string): { pathname: string; query: URLSearchParams } {
  const queryAt = rawPath.indexOf('?');
  return {
    pathname: queryAt === -1 ? rawPath : rawPath.slice(0, queryAt),
    query: new URLSearchParams(queryAt === -1 ? '' : rawPath.slice(queryAt + 1)),
  };
}

/** What a test steers and reads the demo upstream by. */
function controls({ lists, traffic, faults, holds }: DemoState, url: string, close: () => Promise<void>): DemoUpstream {
  return {
    url,
    get requests() {
      return traffic.requests;
    },
    get requestCount() {
      return traffic.requestCount;
    },
    get peakConcurrency() {
      return traffic.peakConcurrency;
    },
    get inFlight() {
      return traffic.inFlight;
    },
    inject: (fault) => faults.inject(fault),
    clearFaults: () => faults.clear(),
    hold: (orgId) => holds.hold(orgId),
    insert: (orgId, position, name) => lists.insert(orgId, position, name),
    remove: (orgId, position) => lists.remove(orgId, position),
    assistantsOf: (orgId) => lists.assistantsOf(orgId),
    reset() {
      traffic.reset();
      faults.clear();
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** Closes the server and every socket, once however often it is called. */
function closer(server: Server, open: ReadonlySet<ServerResponse>): () => Promise<void> {
  let closing: Promise<void> | undefined;
  return () => {
    closing ??= (async () => {
      const pending = [...open].map((res) => once(res, 'close'));
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Keep-alive and in-latency sockets would otherwise hold close() open.
      server.closeAllConnections();
      // Destroyed sockets close their responses a tick later; waiting for that
      // clears every latency timer and leaves inFlight at 0.
      await Promise.all([closed, ...pending]);
    })();
    return closing;
  };
}

/** Waits `ms`; false if the client went away meanwhile (and then no timer is left behind). */
function delay(ms: number, res: ServerResponse): Promise<boolean> {
  if (res.closed) return Promise.resolve(false);
  if (ms <= 0) return Promise.resolve(true);
  return new Promise((resolve) => {
    const onClose = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      res.off('close', onClose);
      resolve(true);
    }, ms);
    res.once('close', onClose);
  });
}
