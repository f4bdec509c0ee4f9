// A gateway on a loopback port in front of a demo upstream on another, both
// real HTTP servers, torn down with `await using`.

import { Writable } from 'node:stream';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { expect } from 'vitest';
import { type Config, loadConfig } from '../../src/config.ts';
import { type DemoUpstream, type DemoUpstreamOptions, startDemoUpstream } from '../../src/demo/upstream.ts';
import type { Gateway } from '../../src/gateway/create-gateway.ts';
import { startGateway } from '../../src/gateway/start-gateway.ts';
import { createLogger } from '../../src/observability/logger.ts';
import type { TypedDocumentString } from '../generated/graphql.ts';

// biome-ignore lint/suspicious/noExplicitAny: an untyped document gives untyped data
type UntypedData = any;

export interface GraphQLResponse<TData = UntypedData> {
  data?: TData | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[];
  extensions?: Record<string, unknown>;
}

export interface TestGateway {
  readonly url: string;
  readonly upstream: DemoUpstream;
  /** The metrics listener's `/metrics`, when `serveMetrics` was asked for. */
  readonly metricsUrl: string | undefined;
  /** The gateway's metrics registry, the one `/metrics` serves. */
  readonly registry: Registry;
  /** The gateway's metrics as Prometheus text, read from its registry. */
  metricsText(): Promise<string>;
  /** What the gateway remembers of operations right now (see src/gateway/graphql-server.ts). */
  cacheSizes(): ReturnType<Gateway['cacheSizes']>;
  /** POSTs one operation; resolves with the parsed body (any HTTP status). */
  query<TResult, TVariables>(
    document: TypedDocumentString<TResult, TVariables>,
    variables?: TVariables,
    headers?: Record<string, string>,
  ): Promise<GraphQLResponse<TResult>>;
  /** An untyped document: for requests that are meant to be malformed or refused. */
  query(
    document: string,
    variables?: Record<string, unknown>,
    headers?: Record<string, string>,
  ): Promise<GraphQLResponse>;
  /** Sends one request as given (POST when there is a body); resolves with its status, headers and parsed body. */
  send(request: { body?: unknown; search?: string; headers?: Record<string, string> }): Promise<SentRequest>;
  /** What SIGHUP does: reads the manifests of PERSISTED_DOCUMENTS again; true when the new set serves. */
  reloadPersistedDocuments(): Promise<boolean>;
  [Symbol.asyncDispose](): Promise<void>;
}

export interface SentRequest {
  readonly status: number;
  readonly headers: Headers;
  readonly body: GraphQLResponse;
}

export interface TestGatewayOptions {
  /** Environment settings, as a deployment would give them. */
  readonly env?: Record<string, string>;
  readonly upstream?: DemoUpstreamOptions;
  /** Where log lines go; silent by default. */
  readonly logger?: Logger;
  /** Serve `/metrics` on a loopback port of its own, as main.ts does. */
  readonly serveMetrics?: boolean;
  /** The gateway's clock: the page cache's windows and operation durations (see `manualClock`); default the real ones. */
  readonly now?: () => number;
}

/** A clock that moves only when told: a cached page turns stale because a test says so, not because it slept. */
export function manualClock(start = Date.now()) {
  let at = start;
  return {
    now: () => at,
    advance(ms: number) {
      at += ms;
    },
  };
}

export async function startTestGateway(options: TestGatewayOptions = {}): Promise<TestGateway> {
  const config: Config = loadConfig({ LOG_LEVEL: 'silent', ...options.env });
  const upstream = await startDemoUpstream({
    pageBase: config.upstreamPageBase,
    maxTake: config.upstreamMaxTake,
    ...options.upstream,
  });
  // The program's own start, on loopback ports the system picks.
  const running = await startGateway(
    {
      ...config,
      upstreamUrl: config.upstreamUrl ?? new URL(upstream.url),
      port: 0,
      host: '127.0.0.1',
      observability: {
        ...config.observability,
        metricsPort: options.serveMetrics ? 0 : undefined,
        metricsHost: '127.0.0.1',
      },
    },
    { logger: options.logger ?? createLogger({ level: 'silent', format: 'json' }), now: options.now },
  ).catch(async (error: unknown) => {
    await upstream.close();
    throw error;
  });
  const { gateway } = running;
  const url = `http://127.0.0.1:${running.port}/graphql`;
  const metricsUrl = running.metricsPort === undefined ? undefined : `http://127.0.0.1:${running.metricsPort}/metrics`;

  return {
    url,
    upstream,
    metricsUrl,
    registry: gateway.metrics.registry,
    metricsText: () => gateway.metrics.registry.metrics(),
    cacheSizes: () => gateway.cacheSizes(),
    async query(
      document: string | TypedDocumentString<unknown, unknown>,
      variables?: unknown,
      headers?: Record<string, string>,
    ) {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ query: String(document), variables }),
      });
      return (await response.json()) as GraphQLResponse;
    },
    async send({ body, search, headers }) {
      const response = await fetch(`${url}${search ?? ''}`, {
        method: body === undefined ? 'GET' : 'POST',
        headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: response.status, headers: response.headers, body: (await response.json()) as GraphQLResponse };
    },
    reloadPersistedDocuments: () => gateway.reloadPersistedDocuments(),
    async [Symbol.asyncDispose]() {
      await running.close(1_000);
      await running.closeMetrics();
      await upstream.close();
    },
  };
}

/** Asserts that a response has no errors and has data, and returns its typed data. */
export function dataOf<T>(response: GraphQLResponse<T>): T {
  expect(response.errors).toBeUndefined();
  return present(response.data, 'data');
}

/** Asserts that a nullable part of a typed result is there (neither null nor undefined), and returns it. */
export function present<T>(value: T | null | undefined, what = 'value'): T {
  expect(value, what).not.toBeNull();
  expect(value, what).not.toBeUndefined();
  if (value === null || value === undefined) throw new Error(`${what} is ${value}`);
  return value;
}

/** One line of the gateway's JSON log. */
export type LogRecord = Record<string, unknown> & { level: string; msg: string };

/**
 * The gateway's own logger (redaction included), at `level`, writing into
 * memory: `lines` as written, `records()` parsed.
 */
export function createRecordingLogger(
  level: 'debug' | 'info' = 'debug',
): Logger & { readonly lines: string[]; records(): LogRecord[] } {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  const logger = createLogger({ level, format: 'json', destination });
  return Object.assign(logger, {
    lines,
    records: () => lines.map((line) => JSON.parse(line) as LogRecord),
  });
}
