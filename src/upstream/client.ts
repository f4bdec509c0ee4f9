// The REST client: one keep-alive pool for the upstream origin, one function
// per REST call. It applies the retry policy of `retry.ts` within one
// deadline per call and turns every failure into an `UpstreamError`.

import { setTimeout as sleep } from 'node:timers/promises';
import type { Context as TraceContext } from '@opentelemetry/api';
import { type Dispatcher, Pool, errors as undiciErrors } from 'undici';
import { type CallDeadline, startDeadline } from './deadline.ts';
import { decodeAssistantList } from './decode.ts';
import {
  UpstreamBadResponseError,
  UpstreamBytesExhaustedError,
  UpstreamConnectionError,
  UpstreamError,
  UpstreamStatusError,
  UpstreamTimeoutError,
} from './errors.ts';
import type { AssistantRecord } from './records.ts';
import { decideRetry, parseRetryAfterMs, retryableStatuses } from './retry.ts';

export interface UpstreamClientOptions {
  /** Base URL; its path (if any) prefixes every REST path. */
  readonly baseUrl: URL;
  readonly timeoutMs: number;
  readonly retries: number;
  readonly connections: number;
  /** Largest body accepted for one call (`UPSTREAM_MAX_BODY_BYTES`). */
  readonly maxResponseBytes: number;
  /** Jitter source; tests may pin it. */
  readonly random?: () => number;
  /** Told of every call's life, for metrics and traces; default: nobody. */
  readonly telemetry?: StartCallTelemetry;
}

/** Starts watching one call (see upstream/telemetry.ts). */
export type StartCallTelemetry = (call: {
  readonly page: number;
  readonly take: number;
  readonly traceParent: TraceContext | undefined;
}) => CallTelemetry;

/** What one call tells its watcher. Retries are part of the call. */
export interface CallTelemetry {
  /** Adds the headers that carry the trace to the upstream (`traceparent`). */
  propagate(headers: Record<string, string>): void;
  /** An attempt failed and will be tried again after `delayMs`. */
  retrying(failure: UpstreamError, delayMs: number): void;
  /** The call is over: the last status the upstream answered, its failure if it failed, and the body bytes read. */
  ended(result: { readonly status: number | undefined; readonly failure: unknown; readonly bytes: number }): void;
  /** A body that arrived was decoded (later, with its batch): `failure` when it did not fit. */
  decoded(failure: unknown): void;
}

export interface AssistantPageRequest {
  readonly orgId: string;
  readonly page: number;
  readonly take: number;
  /** Sent as the `Authorization` header, verbatim. */
  readonly authorization: string | undefined;
  /** Aborts the call (with every retry) when the caller goes away. */
  readonly signal: AbortSignal | undefined;
  /** Asked before each retry, which happens only if it agrees; default: always. */
  readonly mayRetry?: () => boolean;
  /** The bytes this call may still read, shared with the other calls of its request; default: unbounded. */
  readonly byteBudget?: ByteBudget;
  /** The span (an operation's) that this call's span belongs to. */
  readonly traceParent?: TraceContext;
  /** Revalidates a cached page: a 304 answers `notModified` without a body. */
  readonly ifNoneMatch?: string;
  /** What the caller's `Cache-Control` asked of a page cache in front (cache/page-cache.ts): default, no-cache, no-store. */
  readonly cacheMode?: 'default' | 'no-cache' | 'no-store';
  /**
   * The page cache's generations the caller read (cache/page-cache.ts): only
   * callers that read the same share a call (upstream/coalescing.ts), so a
   * call begun before an invalidation answers no caller that came after it.
   */
  readonly generations?: string;
}

/** Bytes a request may read from the upstream, across its calls. */
export interface ByteBudget {
  readonly maxBytes: number;
  /** Takes `bytes`; false (and takes nothing) when fewer are left. */
  take(bytes: number): boolean;
}

/**
 * Charges a body this request did not read itself (a page from the cache, a
 * call shared with other requests) to its byte budget, as its own read would
 * have been (MAX_UPSTREAM_BYTES_PER_REQUEST); throws when too few are left.
 */
export function chargeBody(
  body: AssistantPageBody,
  request: Pick<AssistantPageRequest, 'byteBudget'>,
): AssistantPageBody {
  if (request.byteBudget && !request.byteBudget.take(body.bytes)) {
    throw new UpstreamBytesExhaustedError(request.byteBudget.maxBytes);
  }
  return body;
}

/** An answered page, not yet parsed. */
export interface AssistantPageBody {
  /** The page's records; throws UpstreamBadResponseError if the body does not fit. */
  decode(): AssistantRecord[];
  /** The body as it came (empty for a 304), with what the upstream said of caching it. */
  readonly text: string;
  /** The bytes the upstream sent for it (counted as they arrive): what it costs a request's byte budget. */
  readonly bytes: number;
  readonly etag?: string;
  readonly cacheControl?: string;
  /** The upstream answered 304 to `ifNoneMatch`: the cached page still holds. */
  readonly notModified?: boolean;
  /** Served from a page past its freshness (see cache/page-cache.ts), this many seconds old. */
  readonly staleAgeSeconds?: number;
}

/** What one call brought back. */
interface Answer {
  /** Undefined for a 304. */
  readonly text: string | undefined;
  readonly bytes: number;
  readonly etag: string | undefined;
  readonly cacheControl: string | undefined;
}

export interface UpstreamClient {
  /** `GET /orgs/{org_id}/assistants?page=&take=`; parsed when the caller decodes it (see paging/loaders.ts). */
  fetchAssistantPage(request: AssistantPageRequest): Promise<AssistantPageBody>;
  close(): Promise<void>;
}

export function createUpstreamClient(options: UpstreamClientOptions): UpstreamClient {
  const client: ClientState = {
    ...options,
    pool: openPool(options),
    basePath: basePathOf(options.baseUrl),
    random: options.random ?? Math.random,
  };
  return {
    fetchAssistantPage: (request) => fetchAssistantPage(client, request),
    close: () => client.pool.close(),
  };
}

/** What every call of one client shares: its settings and its pool. */
interface ClientState extends UpstreamClientOptions {
  readonly pool: Pool;
  readonly basePath: string;
  readonly random: () => number;
}

/** One keep-alive pool for the upstream's origin. */
function openPool(options: UpstreamClientOptions): Pool {
  return new Pool(options.baseUrl.origin, {
    connections: options.connections,
    keepAliveTimeout: 30_000,
    // Our own deadline governs; undici's 300 s defaults would only hide it.
    headersTimeout: 0,
    bodyTimeout: 0,
    maxResponseSize: options.maxResponseBytes,
  });
}

async function fetchAssistantPage(client: ClientState, request: AssistantPageRequest): Promise<AssistantPageBody> {
  const query = `page=${request.page}&take=${request.take}`;
  const path = `${client.basePath}/orgs/${orgPathSegment(request.orgId)}/assistants?${query}`;
  const telemetry = client.telemetry?.({ page: request.page, take: request.take, traceParent: request.traceParent });
  const answer = await getText(client, path, request, telemetry);
  if (answer.text === undefined) {
    telemetry?.decoded(undefined);
    return { ...pageBody('', request), etag: answer.etag, cacheControl: answer.cacheControl, notModified: true };
  }
  // Parsed later, once its batch is in (see paging/loaders.ts): its cost is bounded by UPSTREAM_MAX_BODY_BYTES.
  const body = pageBody(answer.text, request, { telemetry, bytes: answer.bytes });
  return { ...body, etag: answer.etag, cacheControl: answer.cacheControl };
}

/** One call, retries included, within its deadline; its watcher is told how it ended, whatever the end. */
async function getText(
  client: ClientState,
  path: string,
  request: AssistantPageRequest,
  telemetry: CallTelemetry | undefined,
): Promise<Answer> {
  const deadline = startDeadline(client.timeoutMs, request.signal);
  const outcome: CallOutcome = { status: undefined, failure: undefined, bytes: 0 };
  try {
    return await callWithRetries(client, path, request, deadline, telemetry, outcome);
  } catch (error) {
    outcome.failure = error;
    throw error;
  } finally {
    deadline.dispose();
    telemetry?.ended(outcome);
  }
}

/** Attempts until one answers, or the retry policy (or the caller's `mayRetry`) says to stop. */
async function callWithRetries(
  client: ClientState,
  path: string,
  request: AssistantPageRequest,
  deadline: CallDeadline,
  telemetry: CallTelemetry | undefined,
  outcome: CallOutcome,
): Promise<Answer> {
  const started = Date.now();
  const headers = requestHeaders(request, telemetry);
  for (let attempts = 1; ; attempts++) {
    const result = await attempt(client, path, headers, request, deadline, outcome);
    if (!('failure' in result)) return result;
    const { failure, retryAfterMs } = result;
    const decision = decideRetry({
      attempts,
      maxRetries: client.retries,
      retryable: failure.status === undefined || retryableStatuses.has(failure.status),
      retryAfterMs,
      remainingMs: client.timeoutMs - (Date.now() - started),
      random: client.random(),
    });
    if (!decision.retry || (request.mayRetry && !request.mayRetry())) throw failure;
    telemetry?.retrying(failure, decision.delayMs);
    await pauseBeforeRetry(decision.delayMs, deadline, client.timeoutMs);
  }
}

function requestHeaders(request: AssistantPageRequest, telemetry: CallTelemetry | undefined): Record<string, string> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (request.authorization !== undefined) headers.authorization = request.authorization;
  if (request.ifNoneMatch !== undefined) headers['if-none-match'] = request.ifNoneMatch;
  telemetry?.propagate(headers);
  return headers;
}

/** An attempt that failed in a way a retry may cure, with how long the upstream asked us to wait. */
interface RetryableFailure {
  readonly failure: UpstreamError;
  readonly retryAfterMs: number | undefined;
}

/** One request and its response: the answer, or a failure a retry may cure; a failure that ends the call is thrown. */
async function attempt(
  client: ClientState,
  path: string,
  headers: Record<string, string>,
  request: AssistantPageRequest,
  deadline: CallDeadline,
  outcome: CallOutcome,
): Promise<Answer | RetryableFailure> {
  outcome.status = undefined;
  try {
    const response = await client.pool.request({ path, method: 'GET', headers, signal: deadline.signal });
    outcome.status = response.statusCode;
    return await answerOf(response, request, client.maxResponseBytes, outcome);
  } catch (error) {
    return { failure: connectionFailure(error, deadline, client), retryAfterMs: undefined };
  }
}

/** A response read: a 200's body, a 304 to our ETag, or any other status as a failure (its body always consumed). */
async function answerOf(
  response: Dispatcher.ResponseData,
  request: AssistantPageRequest,
  maxResponseBytes: number,
  outcome: CallOutcome,
): Promise<Answer | RetryableFailure> {
  if (response.statusCode === 200) {
    const mediaType = jsonMediaType(header(response.headers['content-type']));
    if (mediaType !== true) {
      await response.body.dump();
      throw new UpstreamBadResponseError(`content-type: expected application/json, got ${mediaType}`);
    }
    const contentLength = header(response.headers['content-length']);
    const bytesBefore = outcome.bytes;
    const text = await readBody(response.body, contentLength, maxResponseBytes, request.byteBudget, outcome);
    return { text, bytes: outcome.bytes - bytesBefore, ...cachingOf(response.headers) };
  }
  if (response.statusCode === 304 && request.ifNoneMatch !== undefined) {
    await response.body.dump();
    return { text: undefined, bytes: 0, ...cachingOf(response.headers) };
  }
  // Always consume the body: an unread body pins its connection.
  await response.body.dump();
  const retryAfterMs = parseRetryAfterMs(header(response.headers['retry-after']), Date.now());
  const retryAfterSeconds = retryAfterMs === undefined ? undefined : Math.ceil(retryAfterMs / 1_000);
  return { failure: new UpstreamStatusError(response.statusCode, retryAfterSeconds), retryAfterMs };
}

/**
 * What a thrown error means for the call. The upstream's own failures, a body
 * over its bound, the deadline and the caller's abort end it (thrown); anything
 * else is a failed connection, which a retry may cure (returned).
 */
function connectionFailure(
  error: unknown,
  deadline: CallDeadline,
  client: Pick<ClientState, 'maxResponseBytes' | 'timeoutMs'>,
): UpstreamConnectionError {
  if (error instanceof UpstreamError) throw error;
  if (error instanceof undiciErrors.ResponseExceededMaxSizeError) throw oversizedBody(client.maxResponseBytes);
  if (deadline.expired) throw new UpstreamTimeoutError(client.timeoutMs);
  // Ask the call's signal, not the caller's: some Fetch implementations'
  // signals report `aborted` late, after the abort has already spread.
  if (deadline.signal.aborted) throw deadline.signal.reason;
  return new UpstreamConnectionError(error);
}

/** The wait before the next attempt, cut short by the deadline or the caller's abort. */
async function pauseBeforeRetry(delayMs: number, deadline: CallDeadline, timeoutMs: number): Promise<void> {
  try {
    await sleep(delayMs, undefined, { signal: deadline.signal });
  } catch {
    if (deadline.expired) throw new UpstreamTimeoutError(timeoutMs);
    throw deadline.signal.reason;
  }
}

/** The base URL's path, without a trailing slash: what every REST path starts with. */
function basePathOf(baseUrl: URL): string {
  return baseUrl.pathname.replace(/\/+$/, '');
}

/** The path of the assistants call as it is sent, base path included, with `{org_id}` for the org: for log lines. */
export function assistantsPathTemplate(baseUrl: URL): string {
  return `${basePathOf(baseUrl)}/orgs/{org_id}/assistants`;
}

/** What a call's watcher is told when it ends. */
interface CallOutcome {
  status: number | undefined;
  failure: unknown;
  bytes: number;
}

/**
 * A page's body, decoded when asked (each time: every request gets records of its own).
 * Its bytes are counted here unless the read counted them: for a large body
 * with characters beyond ASCII, counting walks the whole text.
 */
export function pageBody(
  text: string,
  request: Pick<AssistantPageRequest, 'orgId' | 'take'>,
  { telemetry, bytes = Buffer.byteLength(text) }: { telemetry?: CallTelemetry; bytes?: number } = {},
): AssistantPageBody {
  return {
    text,
    bytes,
    decode: () => {
      try {
        const records = decodeAssistantPage(text, request);
        telemetry?.decoded(undefined);
        return records;
      } catch (error) {
        telemetry?.decoded(error);
        throw error;
      }
    },
  };
}

function cachingOf(headers: Dispatcher.ResponseData['headers']): {
  etag: string | undefined;
  cacheControl: string | undefined;
} {
  return { etag: header(headers.etag), cacheControl: header(headers['cache-control']) };
}

function oversizedBody(maxBytes: number): UpstreamBadResponseError {
  return new UpstreamBadResponseError(`body: expected at most ${maxBytes} bytes, got more`);
}

/**
 * A body as text, within the call's bound and the request's byte budget.
 * A declared length is checked before a byte is read; undici holds the body
 * to it and to the call's bound. Without one, each chunk is counted as it
 * arrives, and past the budget the rest is not read (the connection drops).
 * The bytes read, whatever the end, are added to `read`.
 */
async function readBody(
  body: Dispatcher.ResponseData['body'],
  contentLength: string | undefined,
  maxBytes: number,
  budget: ByteBudget | undefined,
  read: { bytes: number },
): Promise<string> {
  if (contentLength !== undefined && /^\d+$/.test(contentLength)) {
    const declared = Number(contentLength);
    if (declared > maxBytes) {
      body.destroy();
      throw oversizedBody(maxBytes);
    }
    if (budget && !budget.take(declared)) {
      body.destroy();
      throw new UpstreamBytesExhaustedError(budget.maxBytes);
    }
    const text = await body.text();
    read.bytes += declared;
    return text;
  }
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    if (budget && !budget.take(chunk.length)) {
      body.destroy();
      throw new UpstreamBytesExhaustedError(budget.maxBytes);
    }
    chunks.push(chunk);
    length += chunk.length;
    read.bytes += chunk.length;
  }
  return Buffer.concat(chunks, length).toString('utf8');
}

/**
 * The org id as exactly one path segment. `.` and `..` survive any
 * percent-encoding as path navigation, and a lone UTF-16 surrogate has no
 * encoding at all, so these are refused, never sent.
 */
export function orgPathSegment(orgId: string): string {
  if (!isSendableOrgId(orgId)) throw new RangeError('org id cannot be one path segment');
  return encodeURIComponent(orgId);
}

export function isSendableOrgId(orgId: string): boolean {
  return orgId !== '' && orgId !== '.' && orgId !== '..' && orgId.isWellFormed();
}

function decodeAssistantPage(text: string, request: Pick<AssistantPageRequest, 'orgId' | 'take'>): AssistantRecord[] {
  const body = parseJson(text);
  // A page longer than asked for means the upstream ignored the paging:
  // reading on would never reach the end of the list. Refused before its items are decoded.
  if (Array.isArray(body) && body.length > request.take) {
    throw new UpstreamBadResponseError(`body: expected at most ${request.take} assistants, got ${body.length}`);
  }
  return decodeAssistantList(body, request.orgId);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new UpstreamBadResponseError('body: expected JSON, got text that does not parse');
  }
}

/**
 * True for `application/json` or any `application/…+json`, whatever its
 * parameters; otherwise the media type as a message may quote it.
 */
function jsonMediaType(contentType: string | undefined): true | string {
  if (contentType === undefined) return 'none';
  const mediaType = (contentType.split(';')[0] ?? '').trim().toLowerCase();
  if (mediaType === 'application/json' || /^application\/[\w.+-]+\+json$/.test(mediaType)) return true;
  return JSON.stringify(mediaType.slice(0, 64));
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
