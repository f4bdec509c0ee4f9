// `POST /cache/invalidate` on the metrics listener (never the GraphQL port):
// `{"org": "<org_id>"}` ends that organization's cached pages for every
// credential, `{"all": true}` every page. With CACHE_INVALIDATION_TOKEN set,
// only a request that carries it as a bearer token is served. The body is
// read within a small bound and checked as GraphQL checks
// `organization(restId:)`; the answer says what was done, or why nothing was.

import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { InvalidationTarget } from '../cache/page-keys.ts';
import { isSendableOrgId } from '../upstream/client.ts';

export const invalidationPath = '/cache/invalidate';

/** What an invalidation did: where (`fleet`: Redis, every replica; `process`: this gateway's own cache; `none`: no page cache). */
export interface CacheInvalidated {
  readonly scope: 'fleet' | 'process' | 'none';
  /** The generation the target moved to (absent with no page cache). */
  readonly generation?: number;
  /** With `WORKERS` > 1: the workers that confirmed it. */
  readonly workers?: number;
}

/** Does the invalidation; rejects, with a message for the operator, when it could not be made (then nothing was). */
export type InvalidateCache = (target: InvalidationTarget) => Promise<CacheInvalidated>;

/** A body is `{"org": …}` or `{"all": true}`: a few dozen bytes, an org id of a few hundred characters at most. */
const maxBodyBytes = 4_096;
/** A body over the bound is read on and dropped up to this, so that its sender reads the answer; past it, cut. */
const maxDiscardBytes = 1_048_576;

const usage = 'send {"org": "<org_id>"} or {"all": true}';

export function serveInvalidation(
  request: IncomingMessage,
  response: ServerResponse,
  invalidate: InvalidateCache,
  token: string | undefined,
) {
  if (request.method !== 'POST') {
    request.resume();
    answer(response, 405, { error: `${invalidationPath} takes POST only: ${usage}` }, { allow: 'POST' });
    return;
  }
  if (token !== undefined && !carriesToken(request.headers.authorization, token)) {
    request.resume();
    const error = 'send the token CACHE_INVALIDATION_TOKEN names: Authorization: Bearer <token>';
    answer(response, 401, { error }, { 'www-authenticate': 'Bearer' });
    return;
  }
  if (!isJson(request.headers['content-type'])) {
    request.resume();
    answer(response, 415, { error: `the body must be JSON (Content-Type: application/json): ${usage}` });
    return;
  }
  void readBounded(request).then(async (text) => {
    if (text === undefined) {
      answer(response, 413, { error: `the body is over the limit of ${maxBodyBytes} bytes: ${usage}` });
      return;
    }
    const target = targetOf(text);
    if (typeof target === 'string') {
      answer(response, 400, { error: target });
      return;
    }
    try {
      answer(response, 200, { invalidated: target, ...(await invalidate(target)) });
    } catch (error) {
      answer(response, 503, { error: error instanceof Error ? error.message : 'the invalidation was not made' });
    }
  });
}

/** The target a body names, or what is wrong with it. */
export function targetOf(text: string): InvalidationTarget | string {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return `the body is not JSON: ${usage}`;
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return `the body must be an object: ${usage}`;
  const fields = Object.keys(body);
  if (fields.length !== 1 || (fields[0] !== 'org' && fields[0] !== 'all')) return `${usage}, nothing else`;
  const { org, all } = body as { org?: unknown; all?: unknown };
  if (fields[0] === 'all') return all === true ? { all: true } : `"all" must be true: ${usage}`;
  if (typeof org !== 'string') return `"org" must be a string, the org_id of the REST API: ${usage}`;
  // As organization(restId:) refuses it: the id would not stay one path segment.
  if (!isSendableOrgId(org)) return '"org" cannot be an organization id: it would not stay one path segment';
  return { org };
}

/** Compared as digests of equal length, in constant time: how long the comparison takes says nothing of the token. */
function carriesToken(authorization: string | undefined, token: string): boolean {
  const match = /^Bearer +(\S+) *$/i.exec(authorization ?? '');
  if (!match) return false;
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(match[1] as string), digest(token));
}

function isJson(contentType: string | undefined): boolean {
  return contentType?.split(';')[0]?.trim().toLowerCase() === 'application/json';
}

/** The body as text; undefined when it is over the bound (read on and dropped, or cut past `maxDiscardBytes`). */
function readBounded(request: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let length = 0;
    request.on('data', (chunk: Buffer) => {
      length += chunk.length;
      if (length <= maxBodyBytes) chunks.push(chunk);
      else if (length > maxDiscardBytes) request.socket.destroy();
    });
    request.once('end', () => resolve(length > maxBodyBytes ? undefined : Buffer.concat(chunks).toString('utf8')));
    // A client gone before the end is answered nothing.
    request.once('error', () => undefined);
  });
}

function answer(response: ServerResponse, status: number, body: object, headers: Record<string, string> = {}): void {
  if (response.headersSent || response.destroyed) return;
  const text = `${JSON.stringify(body)}\n`;
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    ...headers,
  });
  response.end(text);
}
