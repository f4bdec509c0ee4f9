// The embedded demo upstream: the REST endpoint of CONTRACT §1 over seed data,
// on plain node:http. Tests use it as a real loopback upstream and steer it
// with faults (statuses, bad bodies, dropped sockets, latency); `npm start`
// uses it when no UPSTREAM_URL is configured.

import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSeedData } from './seed.ts';
import type { WireAssistant } from './wire.ts';

export interface DemoUpstreamOptions {
  /** Default '127.0.0.1'. */
  host?: string;
  /** Default 0 (ephemeral). */
  port?: number;
  /** Default ''; e.g. '/api/v2' serves /api/v2/orgs/{org}/assistants. */
  basePath?: string;
  /** Default 0: added before every answer. */
  latencyMs?: number;
  /** Default 1: number of the first page. */
  pageBase?: number;
  /** Default 100: a larger take is a 400. */
  maxTake?: number;
  /** Default createSeedData(). */
  data?: Map<string, WireAssistant[]>;
  /** Keep every request in `requests` (default true); long-running servers only count them. */
  recordRequests?: boolean;
  /**
   * Fail this share (0 to 1) of requests, each with one fault drawn from
   * `faultMenu`: every way this upstream can fail. Default 0.
   */
  faultRate?: number;
  /** Draws for `faultRate`; tests and soaks may seed it. Default Math.random. */
  random?: () => number;
  /**
   * Who may see what: `Authorization` header → the orgs it may list. A
   * request without a listed header gets a 401, one for another org a 403.
   * Default: anyone sees everything.
   */
  access?: ReadonlyMap<string, ReadonlySet<string>>;
}

/** Every kind of failure `faultRate` draws from, equally often. */
export const faultMenu: readonly Fault[] = Object.freeze([
  { status: 500 },
  { status: 502 },
  { status: 503, retryAfter: '0' },
  { status: 429, retryAfter: '0' },
  { status: 504 },
  { body: 'malformed' },
  { body: 'wrong-shape' },
  { body: 'bad-item' },
  { drop: 'before-response' },
  { drop: 'mid-body' },
  { latencyMs: 200 },
  { contentType: 'text/html; charset=utf-8' },
]);

export interface Fault {
  /** Only requests for this org (decoded id); default: every request. */
  orgId?: string;
  /** How many matching requests it hits; default: unlimited. */
  times?: number;
  /** Answer this status with a small JSON error body. */
  status?: number;
  /** Sets the Retry-After header (with `status`, typically 429/503). */
  retryAfter?: string;
  /** Extra delay before answering. */
  latencyMs?: number;
  /** 200 with invalid JSON / an object envelope / an array whose 2nd item is invalid. */
  body?: 'malformed' | 'wrong-shape' | 'bad-item';
  /** Destroy the socket before any byte / after the headers and half the body. */
  drop?: 'before-response' | 'mid-body';
  /** Answer as usual, with this Content-Type instead of JSON's. */
  contentType?: string;
  /** Answer as usual, the first assistant's instructions padded until the body is this many bytes. */
  padTo?: number;
  /** Answer as usual, without a Content-Length (chunked). */
  chunked?: boolean;
  /** Answer as usual, with this Cache-Control header. */
  cacheControl?: string;
}

export interface RecordedRequest {
  method: string;
  /** `req.url` exactly as received, so tests can check encoding. */
  rawPath: string;
  /** The decoded org id; '' when the path is not an assistants route. */
  orgId: string;
  page: string | null;
  take: string | null;
  authorization: string | undefined;
  /** The W3C trace context the caller sent, if any. */
  traceparent: string | undefined;
}

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
  /** Clears requests, peakConcurrency and faults. */
  reset(): void;
  /** Closes the server and every socket, keep-alive and pending ones too. */
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

export interface HeldRequest {
  readonly arrived: Promise<void>;
  /** Lets it be answered (as it would be now: faults and access are read after the hold). */
  release(): void;
}

interface Hold {
  readonly orgId: string | undefined;
  readonly held: PromiseWithResolvers<void>;
  readonly released: PromiseWithResolvers<void>;
}

interface ActiveFault extends Fault {
  remaining: number;
}

interface Answer {
  status: number;
  body: string;
  headers?: Record<string, string>;
  /** Sent without a Content-Length. */
  chunked?: boolean;
}

const DEFAULT_TAKE = 20;

/** The validator of every page the demo answers: its data never changes. */
export const seedEtag = '"seed-1"';

function pick(headers: Record<string, string> | undefined, name: string): Record<string, string> {
  const value = headers?.[name];
  return value === undefined ? {} : { [name]: value };
}
const ROUTE = /^\/orgs\/([^/]+)\/assistants$/;
const INTEGER = /^-?\d+$/;

export async function startDemoUpstream(options: DemoUpstreamOptions = {}): Promise<DemoUpstream> {
  const host = options.host ?? '127.0.0.1';
  const basePath = normalizeBasePath(options.basePath ?? '');
  const latencyMs = nonNegativeInteger('latencyMs', options.latencyMs ?? 0);
  const pageBase = integer('pageBase', options.pageBase ?? 1);
  const maxTake = integer('maxTake', options.maxTake ?? 100);
  if (maxTake < 1) throw new RangeError('maxTake must be at least 1');
  const data = options.data ?? createSeedData();

  let requests: RecordedRequest[] = [];
  let requestCount = 0;
  const recordRequests = options.recordRequests ?? true;
  let faults: ActiveFault[] = [];
  /** Holds not yet met, in the order asked. */
  let holds: Hold[] = [];
  let inFlight = 0;
  let peakConcurrency = 0;

  const faultRate = options.faultRate ?? 0;
  if (!(faultRate >= 0 && faultRate <= 1)) throw new RangeError('faultRate must be from 0 to 1');
  const random = options.random ?? Math.random;

  function takeFault(orgId: string | null): Fault | undefined {
    const fault = faults.find((f) => f.remaining > 0 && (f.orgId === undefined || f.orgId === orgId));
    if (fault) {
      fault.remaining--;
      return fault;
    }
    if (faultRate > 0 && random() < faultRate) return faultMenu[Math.floor(random() * faultMenu.length)];
    return undefined;
  }

  /** A 401 or 403 for a caller that may not list this org, under `access`. */
  function refusal(authorization: string | undefined, route: Route | null): Answer | undefined {
    if (!options.access || !route?.orgId) return undefined;
    const visible = authorization === undefined ? undefined : options.access.get(authorization);
    if (!visible) return error(401, 'unauthorized', 'Missing or unknown credentials.');
    if (!visible.has(route.orgId)) return error(403, 'forbidden', 'These credentials may not see this organization.');
    return undefined;
  }

  /** A few real assistants, preferably the org's own, to fill injected bad bodies. */
  function sampleFor(orgId: string | null): WireAssistant[] {
    const own = (orgId !== null && data.get(orgId)) || [];
    return (own.length >= 3 ? own : [...own, ...[...data.values()].flat()]).slice(0, 3);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const rawPath = req.url ?? '';
    const queryAt = rawPath.indexOf('?');
    const pathname = queryAt === -1 ? rawPath : rawPath.slice(0, queryAt);
    const query = new URLSearchParams(queryAt === -1 ? '' : rawPath.slice(queryAt + 1));
    const route = matchRoute(pathname, basePath);

    requestCount++;
    if (recordRequests)
      requests.push({
        method: req.method ?? '',
        rawPath,
        orgId: route?.orgId ?? '',
        page: query.get('page'),
        take: query.get('take'),
        authorization: req.headers.authorization,
        traceparent: req.headers.traceparent as string | undefined,
      });

    const hold = holds.find((candidate) => candidate.orgId === undefined || candidate.orgId === route?.orgId);
    if (hold) {
      holds = holds.filter((candidate) => candidate !== hold);
      hold.held.resolve();
      await hold.released.promise;
    }
    const fault = takeFault(route?.orgId ?? null);
    if (!(await delay(latencyMs + (fault?.latencyMs ?? 0), res))) return;

    if (fault?.drop === 'before-response') {
      req.socket.destroy();
      return;
    }

    const answered =
      fault?.status !== undefined
        ? faultStatus(fault.status, fault.retryAfter)
        : fault?.body !== undefined
          ? faultBody(fault.body, sampleFor(route?.orgId ?? null))
          : (refusal(req.headers.authorization, route) ?? answerRequest(req.method, route, query));
    const padded = fault?.padTo === undefined ? answered : padTo(answered, fault.padTo);
    const typed =
      fault?.contentType === undefined
        ? padded
        : { ...padded, headers: { ...padded.headers, 'content-type': fault.contentType } };
    const cached =
      fault?.cacheControl === undefined
        ? typed
        : { ...typed, headers: { ...typed.headers, 'cache-control': fault.cacheControl } };
    const answer = fault?.chunked ? { ...cached, chunked: true } : cached;
    // The seed never changes, so one validator holds for every page: a revalidation is always a 304.
    if (answer.status === 200 && req.headers['if-none-match'] === seedEtag) {
      send(res, { status: 304, body: '', headers: { etag: seedEtag, ...pick(answer.headers, 'cache-control') } });
      return;
    }

    if (fault?.drop === 'mid-body') {
      sendHalf(res, answer);
      return;
    }
    send(res, answer);
  }

  function answerRequest(method: string | undefined, route: Route | null, query: URLSearchParams): Answer {
    if (!route) return error(404, 'not_found', 'No such endpoint.');
    if (route.orgId === null) return error(400, 'bad_request', 'The org id is not valid percent-encoding.');
    if (method !== 'GET') {
      return { ...error(405, 'method_not_allowed', 'Only GET is allowed.'), headers: { allow: 'GET' } };
    }

    const page = parseInteger(query.get('page'), pageBase);
    if (page === null || page < pageBase) {
      return error(400, 'bad_request', `page must be an integer >= ${pageBase}.`);
    }
    const take = parseInteger(query.get('take'), DEFAULT_TAKE);
    if (take === null || take < 1 || take > maxTake) {
      return error(400, 'bad_request', `take must be an integer from 1 to ${maxTake}.`);
    }
    const assistants = data.get(route.orgId);
    if (!assistants) return error(404, 'not_found', 'Unknown organization.');

    const start = (page - pageBase) * take;
    return { status: 200, body: JSON.stringify(assistants.slice(start, start + take)), headers: { etag: seedEtag } };
  }

  const open = new Set<ServerResponse>();
  const server = createServer((req, res) => {
    open.add(res);
    inFlight++;
    peakConcurrency = Math.max(peakConcurrency, inFlight);
    // 'finish' (last byte handed to the OS) comes before the client can read
    // the answer, so a client's next request never overlaps it; 'close'
    // covers clients that went away.
    let counted = true;
    const done = () => {
      if (counted) inFlight--;
      counted = false;
    };
    res.once('finish', done);
    res.once('close', () => {
      open.delete(res);
      done();
    });
    handle(req, res).catch(() => {
      // A bug here must not take the process down; fail just this request.
      if (res.headersSent) res.destroy();
      else send(res, error(500, 'internal', 'Demo upstream failure.'));
    });
  });
  // Malformed requests or resets before a request is parsed: drop the socket quietly.
  server.on('clientError', (_err, socket) => socket.destroy());

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  // After a successful listen, a server error must not crash the process (no listener would).
  server.on('error', () => {});

  const { port } = server.address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}${basePath}`;

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
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

  return {
    url,
    get requests() {
      return [...requests];
    },
    get requestCount() {
      return requestCount;
    },
    get peakConcurrency() {
      return peakConcurrency;
    },
    get inFlight() {
      return inFlight;
    },
    inject(fault) {
      if (
        fault.status !== undefined &&
        !(Number.isInteger(fault.status) && fault.status >= 200 && fault.status <= 599)
      ) {
        throw new RangeError('fault.status must be an integer from 200 to 599');
      }
      if (fault.times !== undefined) nonNegativeInteger('fault.times', fault.times);
      if (fault.latencyMs !== undefined) nonNegativeInteger('fault.latencyMs', fault.latencyMs);
      faults.push({ ...fault, remaining: fault.times ?? Number.POSITIVE_INFINITY });
    },
    clearFaults() {
      faults = [];
    },
    hold(orgId) {
      const hold: Hold = { orgId, held: Promise.withResolvers(), released: Promise.withResolvers() };
      holds.push(hold);
      return { arrived: hold.held.promise, release: () => hold.released.resolve() };
    },
    reset() {
      requests = [];
      requestCount = 0;
      faults = [];
      // Requests still in flight are part of the new measurement window.
      peakConcurrency = inFlight;
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}

// --- routing and parsing ---------------------------------------------------

interface Route {
  /** Decoded org id; null when the segment is not valid percent-encoding. */
  orgId: string | null;
}

function matchRoute(pathname: string, basePath: string): Route | null {
  if (!pathname.startsWith(basePath)) return null;
  const match = ROUTE.exec(pathname.slice(basePath.length));
  if (!match?.[1]) return null;
  try {
    return { orgId: decodeURIComponent(match[1]) };
  } catch {
    return { orgId: null };
  }
}

/** null when present but not an integer; `fallback` when absent. */
function parseInteger(raw: string | null, fallback: number): number | null {
  if (raw === null) return fallback;
  if (!INTEGER.test(raw)) return null;
  const value = Number(raw);
  return Number.isSafeInteger(value) ? value : null;
}

function normalizeBasePath(basePath: string): string {
  const trimmed = basePath.replace(/\/+$/, '');
  if (trimmed === '') return '';
  if (!trimmed.startsWith('/') || /[?#]/.test(trimmed)) {
    throw new RangeError('basePath must start with "/" and hold no query or fragment');
  }
  return trimmed;
}

function integer(name: string, value: number): number {
  if (!Number.isSafeInteger(value)) throw new RangeError(`${name} must be an integer`);
  return value;
}

function nonNegativeInteger(name: string, value: number): number {
  if (integer(name, value) < 0) throw new RangeError(`${name} must be >= 0`);
  return value;
}

// --- answers ---------------------------------------------------------------

const STATUS_CODES: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  429: 'rate_limited',
  500: 'internal',
  502: 'bad_gateway',
  503: 'unavailable',
  504: 'gateway_timeout',
};

function error(status: number, code: string, message: string): Answer {
  return { status, body: JSON.stringify({ error: code, message }) };
}

function faultStatus(status: number, retryAfter: string | undefined): Answer {
  const answer = error(status, STATUS_CODES[status] ?? 'error', `Injected ${status}.`);
  return retryAfter === undefined ? answer : { ...answer, headers: { 'retry-after': retryAfter } };
}

function faultBody(kind: NonNullable<Fault['body']>, sample: readonly WireAssistant[]): Answer {
  switch (kind) {
    case 'malformed':
      return { status: 200, body: '[{"id":"asst_truncated","name":' };
    case 'wrong-shape':
      return { status: 200, body: JSON.stringify({ data: sample, total: sample.length, has_more: false }) };
    case 'bad-item': {
      const [first, second, ...rest] = sample;
      const broken = { ...(second ?? first), enabled: 'yes', config: undefined };
      return { status: 200, body: JSON.stringify([first ?? {}, broken, ...rest]) };
    }
  }
}

/** A page answer grown to `bytes` through its first assistant's instructions; other answers as they are. */
function padTo(answer: Answer, bytes: number): Answer {
  if (answer.status !== 200) return answer;
  const page = JSON.parse(answer.body) as WireAssistant[];
  const first = page[0];
  if (!first) return answer;
  const missing = Math.max(0, bytes - Buffer.byteLength(answer.body));
  page[0] = {
    ...first,
    config: { ...first.config, instructions: `${first.config.instructions ?? ''}${'x'.repeat(missing)}` },
  };
  return { ...answer, body: JSON.stringify(page) };
}

function writeHead(res: ServerResponse, answer: Answer): Buffer {
  const body = Buffer.from(answer.body, 'utf8');
  res.writeHead(answer.status, {
    'content-type': 'application/json; charset=utf-8',
    ...(answer.chunked ? {} : { 'content-length': String(body.length) }),
    ...answer.headers,
  });
  return body;
}

function send(res: ServerResponse, answer: Answer): void {
  const body = writeHead(res, answer);
  if (!answer.chunked) {
    res.end(body);
    return;
  }
  // In pieces, as a streaming upstream would send it.
  for (let offset = 0; offset < body.length; offset += 16 * 1024) res.write(body.subarray(offset, offset + 16 * 1024));
  res.end();
}

/** Promises the whole body (content-length), sends half, then cuts the connection. */
function sendHalf(res: ServerResponse, answer: Answer): void {
  const body = writeHead(res, answer);
  res.write(body.subarray(0, Math.max(1, Math.floor(body.length / 2))), () => res.socket?.destroy());
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
