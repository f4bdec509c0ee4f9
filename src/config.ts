// The environment → the gateway's settings: each variable checked, a bad one
// refused with one line that names it, and the whole frozen.

import { isIP } from 'node:net';
import { availableParallelism } from 'node:os';

/** More worker processes than this is a typo, not a machine. */
const maxWorkers = 256;

/** Which web pages may call the gateway: `*` for any origin, or the exact origins (`https://app.example.com`). */
export type CorsOrigins = '*' | readonly string[];

/** Every setting of the gateway, read once from the environment and frozen. */
export interface Config {
  readonly port: number;
  readonly host: string;
  /** Base URL of the REST API; undefined exactly when `demoUpstream` is true. */
  readonly upstreamUrl: URL | undefined;
  /** The embedded demo upstream serves: no UPSTREAM_URL, and DEMO_UPSTREAM (by default, unless NODE_ENV=production). */
  readonly demoUpstream: boolean;
  readonly upstreamToken: string | undefined;
  readonly upstreamTimeoutMs: number;
  readonly upstreamRetries: number;
  readonly upstreamPageBase: number;
  readonly upstreamMaxTake: number;
  readonly upstreamConnections: number;
  /** Largest body one upstream call may return. */
  readonly upstreamMaxBodyBytes: number;
  /** Identical upstream GETs in flight at once (same credential, org, page, take) share one call. */
  readonly upstreamCoalesce: boolean;
  /** Upstream calls in flight at most, and how many more may wait; past that, RATE_LIMITED at once. */
  readonly upstreamMaxInFlight: number;
  readonly upstreamMaxQueued: number;
  /** Failed upstream calls in a row that open the circuit (0: no breaker), and how long it stays open. */
  readonly upstreamBreakerThreshold: number;
  readonly upstreamBreakerOpenMs: number;
  /** The page cache; off while `ttlMs` is 0. */
  readonly cache: CacheSettings;
  /** How many pages of one org a refetch (`node`, `nodes`, `_entities`) may read. */
  readonly refetchMaxPages: number;
  /** Upstream pages a cursor's item is looked for in, on either side, when the list changed under it. */
  readonly cursorSearchPages: number;
  /** Refetch scans (one org each) in flight across the process, and how many more may wait. */
  readonly refetchMaxScans: number;
  readonly refetchMaxWaiting: number;
  readonly exposeSecretKeys: boolean;
  /** Answer `__schema` and `__type` (a few per document); false refuses them. */
  readonly introspection: boolean;
  /** Origins whose pages may call the gateway from a browser; never with credentials. */
  readonly corsOrigins: CorsOrigins;
  /** Answers compressed (brotli, gzip) for clients that accept it; off behind a proxy that compresses. */
  readonly compression: boolean;
  /** GraphiQL at `/graphql` in a browser: on by default, off by default when trusted documents are enforced. */
  readonly graphiql: boolean;
  /** Trusted documents: the operations clients ship, by id, and what an arbitrary document may do. */
  readonly trustedDocuments: TrustedDocumentSettings;
  /** Demand control: operations priced in upstream calls before they run. */
  readonly demandControl: DemandControlSettings;
  /** Per-caller rate limits: operations and upstream calls a minute. */
  readonly rateLimits: RateLimitSettings;
  readonly limits: Limits;
  readonly caches: CacheSizes;
  readonly connections: ConnectionLimits;
  /**
   * How far V8 lets its heap grow past the data that survived the last full
   * collection before it collects again, in %; 0 leaves V8's own choice (up to 300%).
   */
  readonly heapGrowthPercent: number;
  readonly logLevel: LogLevel;
  readonly logFormat: LogFormat;
  readonly observability: Observability;
  /** Gateway processes serving the port (node:cluster); 1 runs no primary at all. */
  readonly workers: number;
}

/** Where metrics are served, and how the gateway leaves when told to stop. */
export interface Observability {
  /** The metrics listener's port (`/metrics`, never on the GraphQL port); undefined when `METRICS_PORT=off`. */
  readonly metricsPort: number | undefined;
  readonly metricsHost: string;
  /** Distinct operation names kept as metric labels; later names count as `other`. */
  readonly metricsMaxOperationNames: number;
  /** How long the gateway keeps serving after SIGTERM, with `/ready` at 503, so load balancers notice. */
  readonly shutdownDelayMs: number;
  /** How long in-flight requests may take to finish once the gateway stops accepting. */
  readonly shutdownTimeoutMs: number;
  /** When set, `POST /cache/invalidate` takes only `Authorization: Bearer <it>`. */
  readonly cacheInvalidationToken: string | undefined;
}

/** The cache of upstream pages (cache/page-cache.ts). */
export interface CacheSettings {
  /** Fresh for; 0: no cache. */
  readonly ttlMs: number;
  readonly staleWhileRevalidateMs: number;
  readonly staleIfErrorMs: number;
  /** The in-process store's bound. */
  readonly maxBytes: number;
  /** Keys the credential's hash; a random one per process when unset (required with Redis). */
  readonly keySecret: string | undefined;
  /** Redis, shared by replicas: pages and the fill locks of cold keys; undefined keeps pages in this process. */
  readonly redisUrl: string | undefined;
  /** Longest a Redis command may take before the gateway goes to the upstream without it. */
  readonly redisTimeoutMs: number;
}

/** Whose count a request is charged to: its `Authorization`, its client's address, or a header it sends. */
export type RateLimitKey =
  | { readonly kind: 'credential' }
  | { readonly kind: 'ip' }
  | { readonly kind: 'header'; readonly header: string };

/** Per-caller rate limits (graphql/rate-limits.ts); each is off at 0. */
export interface RateLimitSettings {
  readonly key: RateLimitKey;
  /** GraphQL operations a caller may send a minute (each item of a batch is one). */
  readonly operationsPerMinute: number;
  /** Upstream calls a caller's operations may make a minute. */
  readonly upstreamCallsPerMinute: number;
  /** Proxies (IPs and CIDRs) whose `X-Forwarded-For` is believed, for RATE_LIMIT_KEY=ip. */
  readonly trustedProxies: readonly string[];
}

/** An operation's cost is its upstream calls, known before it runs. */
export interface DemandControlSettings {
  /** enforce: an operation over MAX_UPSTREAM_CALLS is refused before any call; measure: counted only. */
  readonly mode: 'measure' | 'enforce';
  /** Every response carries `extensions.cost`, not only one asked for with `x-graphql-cost: true`. */
  readonly costInExtensions: boolean;
}

/** What arbitrary documents (query text, not a persisted id) may do. */
export type PersistedDocumentsMode = 'allow' | 'log' | 'enforce';

/** Persisted documents: manifests clients' tools produce, and automatic persisted queries. */
export interface TrustedDocumentSettings {
  /** Paths of the manifests (graphql-codegen, Relay, Apollo formats); empty: no persisted documents. */
  readonly manifests: readonly string[];
  /** allow: arbitrary documents run; log: they run, counted and logged; enforce: they are refused. */
  readonly mode: PersistedDocumentsMode;
  /** Automatic persisted queries: a client registers a document by its SHA-256 hash. */
  readonly apq: boolean;
  /** The in-process store of APQ documents (without Redis), in estimated bytes. */
  readonly apqCacheBytes: number;
  /** Cache-Control max-age of a shareable persisted GET's response; 0: not cacheable. */
  readonly persistedGetMaxAgeSeconds: number;
}

/** How much the gateway remembers of the operations it has run: each cache has a bound. */
export interface CacheSizes {
  /** Estimated bytes of parsed and validated documents kept, by query text (least recently used go first). */
  readonly documentBytes: number;
  /** Estimated bytes of compiled operations kept (graphql-jit); 0 runs everything on graphql-js. */
  readonly compiledBytes: number;
  /** Runs a document has on graphql-js before it is compiled: only hot documents pay for compiling. */
  readonly compileAfterUses: number;
}

/** Bounds on what one HTTP request may ask of the gateway. */
export interface Limits {
  readonly maxBodyBytes: number;
  readonly maxDepth: number;
  readonly maxAliases: number;
  readonly maxTokens: number;
  readonly maxDirectives: number;
  readonly maxBatch: number;
  /** Upstream calls one HTTP request may make, every retry included; a batch shares them. */
  readonly maxUpstreamCalls: number;
  /** Bytes one HTTP request may read from the upstream, across its calls. */
  readonly maxUpstreamBytesPerRequest: number;
  /** Representations one `_entities` field may take. */
  readonly maxEntities: number;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
export type LogFormat = 'json' | 'pretty';

/** How many connections the server holds, and how long a slow or idle one may take. */
export interface ConnectionLimits {
  /** Open connections at most; more are closed as they arrive. */
  readonly maxConnections: number;
  /** Time to receive a request's headers. */
  readonly headersTimeoutMs: number;
  /** Time to receive a whole request, body included. */
  readonly requestTimeoutMs: number;
  /** How long an idle keep-alive connection is kept: longer than a load balancer's idle timeout. */
  readonly keepAliveTimeoutMs: number;
}

export const defaultConnectionLimits: ConnectionLimits = Object.freeze({
  maxConnections: 1_000,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 15_000,
  keepAliveTimeoutMs: 65_000,
});

/** A bad setting; the message is one line that names the variable. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

type Env = Readonly<Record<string, string | undefined>>;

export const defaultLimits: Limits = Object.freeze({
  maxBodyBytes: 100_000,
  maxDepth: 12,
  maxAliases: 30,
  maxTokens: 2_000,
  maxDirectives: 50,
  maxBatch: 10,
  maxUpstreamCalls: 100,
  maxUpstreamBytesPerRequest: 32 * 1024 * 1024,
  maxEntities: 100,
});

const mebibyte = 1024 * 1024;

export const defaultCacheSizes: CacheSizes = Object.freeze({
  documentBytes: 16 * mebibyte,
  compiledBytes: 64 * mebibyte,
  compileAfterUses: 1,
});

export function loadConfig(env: Env): Config {
  const read = new EnvReader(env);
  // Read before the rest, as it always was: with several bad variables, the one named first stays the same.
  const upstreamUrl = read.url('UPSTREAM_URL');
  const config: Config = {
    ...readListening(read),
    ...readUpstream(read, upstreamUrl),
    cache: readPageCache(read),
    ...readRefetch(read),
    ...readExposure(read),
    ...readTrustedDocuments(read),
    demandControl: readDemandControl(read),
    rateLimits: readRateLimits(read),
    limits: readLimits(read),
    caches: readCacheSizes(read),
    connections: readConnectionLimits(read),
    heapGrowthPercent: read.integer('HEAP_GROWTH_PERCENT', 100, 0, 1_000),
    ...readLogging(read),
    observability: readObservability(read),
    workers: read.countOrAuto('WORKERS', 1, maxWorkers, availableParallelism()),
  };
  refuseConflicts(config);
  return Object.freeze(config);
}

/** Where the GraphQL port listens. */
function readListening(read: EnvReader): Pick<Config, 'port' | 'host'> {
  return {
    port: read.integer('PORT', 4000, 0, 65_535),
    host: read.string('HOST', '0.0.0.0'),
  };
}

type UpstreamSettings = Pick<
  Config,
  | 'upstreamUrl'
  | 'demoUpstream'
  | 'upstreamToken'
  | 'upstreamTimeoutMs'
  | 'upstreamRetries'
  | 'upstreamPageBase'
  | 'upstreamMaxTake'
  | 'upstreamConnections'
  | 'upstreamMaxBodyBytes'
  | 'upstreamCoalesce'
  | 'upstreamMaxInFlight'
  | 'upstreamMaxQueued'
  | 'upstreamBreakerThreshold'
  | 'upstreamBreakerOpenMs'
>;

/** The REST API (or the demo in its place), how it is called, and what guards it. */
function readUpstream(read: EnvReader, upstreamUrl: URL | undefined): UpstreamSettings {
  return {
    upstreamUrl,
    demoUpstream: demoUpstream(upstreamUrl, read.optionalBoolean('DEMO_UPSTREAM'), read.optionalString('NODE_ENV')),
    upstreamToken: read.optionalString('UPSTREAM_TOKEN'),
    upstreamTimeoutMs: read.integer('UPSTREAM_TIMEOUT_MS', 10_000, 1, 600_000),
    upstreamRetries: read.integer('UPSTREAM_RETRIES', 2, 0, 10),
    upstreamPageBase: read.integer('UPSTREAM_PAGE_BASE', 1, 0, 1_000_000),
    upstreamMaxTake: read.integer('UPSTREAM_MAX_TAKE', 100, 1, 10_000),
    upstreamConnections: read.integer('UPSTREAM_CONNECTIONS', 64, 1, 10_000),
    upstreamMaxBodyBytes: read.integer('UPSTREAM_MAX_BODY_BYTES', 4 * 1024 * 1024, 1_000, 1024 * 1024 * 1024),
    upstreamCoalesce: read.boolean('UPSTREAM_COALESCE', true),
    upstreamMaxInFlight: read.integer('UPSTREAM_MAX_INFLIGHT', 256, 1, 100_000),
    upstreamMaxQueued: read.integer('UPSTREAM_MAX_QUEUED', 1_000, 0, 1_000_000),
    upstreamBreakerThreshold: read.integer('UPSTREAM_BREAKER_THRESHOLD', 20, 0, 10_000),
    upstreamBreakerOpenMs: read.integer('UPSTREAM_BREAKER_OPEN_MS', 5_000, 100, 600_000),
  };
}

function readPageCache(read: EnvReader): CacheSettings {
  return Object.freeze({
    ttlMs: read.integer('CACHE_TTL_MS', 0, 0, 86_400_000),
    staleWhileRevalidateMs: read.integer('CACHE_STALE_WHILE_REVALIDATE_MS', 0, 0, 86_400_000),
    staleIfErrorMs: read.integer('CACHE_STALE_IF_ERROR_MS', 0, 0, 86_400_000),
    maxBytes: read.integer('CACHE_MAX_BYTES', 64 * 1024 * 1024, 1_024 * 1_024, 64 * 1024 * 1024 * 1024),
    keySecret: read.optionalString('CACHE_KEY_SECRET'),
    redisUrl: read.redisUrl('REDIS_URL'),
    redisTimeoutMs: read.integer('REDIS_TIMEOUT_MS', 250, 10, 60_000),
  });
}

function readRefetch(
  read: EnvReader,
): Pick<Config, 'refetchMaxPages' | 'cursorSearchPages' | 'refetchMaxScans' | 'refetchMaxWaiting'> {
  return {
    refetchMaxPages: read.integer('REFETCH_MAX_PAGES', 100, 1, 100_000),
    cursorSearchPages: read.integer('CURSOR_SEARCH_PAGES', 1, 0, 100),
    refetchMaxScans: read.integer('REFETCH_MAX_SCANS', 32, 1, 10_000),
    refetchMaxWaiting: read.integer('REFETCH_MAX_WAITING', 1_000, 0, 1_000_000),
  };
}

/** What the API shows, to which web pages, and how. */
function readExposure(
  read: EnvReader,
): Pick<Config, 'exposeSecretKeys' | 'introspection' | 'corsOrigins' | 'compression'> {
  return {
    exposeSecretKeys: read.boolean('EXPOSE_SECRET_KEYS', false),
    introspection: read.boolean('INTROSPECTION', true),
    corsOrigins: read.origins('CORS_ORIGINS'),
    compression: read.boolean('COMPRESSION', true),
  };
}

/** Trusted documents, and GraphiQL, whose default follows them. */
function readTrustedDocuments(read: EnvReader): Pick<Config, 'trustedDocuments' | 'graphiql'> {
  const manifests = read.list('PERSISTED_DOCUMENTS');
  const mode = read.oneOf('PERSISTED_DOCUMENTS_MODE', ['allow', 'log', 'enforce'], 'allow');
  return {
    trustedDocuments: Object.freeze({
      manifests,
      mode,
      apq: read.boolean('APQ', false),
      apqCacheBytes: read.integer('APQ_CACHE_MB', 16, 1, 16_384) * mebibyte,
      persistedGetMaxAgeSeconds: read.integer('PERSISTED_GET_MAX_AGE_SECONDS', 0, 0, 31_536_000),
    }),
    graphiql: read.boolean('GRAPHIQL', mode !== 'enforce'),
  };
}

/** Per-caller limits, by whose key; 0 turns a limit off. */
function readRateLimits(read: EnvReader): RateLimitSettings {
  return Object.freeze({
    key: read.rateLimitKey('RATE_LIMIT_KEY'),
    operationsPerMinute: read.integer('RATE_LIMIT_OPERATIONS_PER_MINUTE', 0, 0, 100_000_000),
    upstreamCallsPerMinute: read.integer('RATE_LIMIT_UPSTREAM_CALLS_PER_MINUTE', 0, 0, 100_000_000),
    trustedProxies: read.addresses('TRUSTED_PROXIES'),
  });
}

function readDemandControl(read: EnvReader): DemandControlSettings {
  if (read.optionalString('MAX_COST') !== undefined) {
    throw new ConfigError(
      'MAX_COST is no longer read: an operation costs its upstream calls, known before it runs, and MAX_UPSTREAM_CALLS bounds them',
    );
  }
  return Object.freeze({
    mode: read.oneOf('DEMAND_CONTROL', ['measure', 'enforce'], 'enforce'),
    costInExtensions: read.boolean('COST_IN_EXTENSIONS', false),
  });
}

function readLimits(read: EnvReader): Limits {
  return Object.freeze({
    maxBodyBytes: read.integer('MAX_BODY_BYTES', defaultLimits.maxBodyBytes, 1_000, 100_000_000),
    maxDepth: read.integer('MAX_DEPTH', defaultLimits.maxDepth, 1, 1_000),
    maxAliases: read.integer('MAX_ALIASES', defaultLimits.maxAliases, 1, 10_000),
    maxTokens: read.integer('MAX_TOKENS', defaultLimits.maxTokens, 10, 1_000_000),
    maxDirectives: read.integer('MAX_DIRECTIVES', defaultLimits.maxDirectives, 1, 10_000),
    maxBatch: read.integer('MAX_BATCH', defaultLimits.maxBatch, 1, 1_000),
    maxUpstreamCalls: read.integer('MAX_UPSTREAM_CALLS', defaultLimits.maxUpstreamCalls, 1, 100_000),
    maxUpstreamBytesPerRequest: read.integer(
      'MAX_UPSTREAM_BYTES_PER_REQUEST',
      defaultLimits.maxUpstreamBytesPerRequest,
      1_000,
      16 * 1024 * 1024 * 1024,
    ),
    maxEntities: read.integer('MAX_ENTITIES', defaultLimits.maxEntities, 1, 100_000),
  });
}

/** Set in MiB, kept in bytes. */
function readCacheSizes(read: EnvReader): CacheSizes {
  return Object.freeze({
    documentBytes: read.integer('DOCUMENT_CACHE_MB', defaultCacheSizes.documentBytes / mebibyte, 0, 16_384) * mebibyte,
    compiledBytes: read.integer('COMPILED_CACHE_MB', defaultCacheSizes.compiledBytes / mebibyte, 0, 16_384) * mebibyte,
    compileAfterUses: read.integer('COMPILE_AFTER_USES', defaultCacheSizes.compileAfterUses, 0, 1_000),
  });
}

function readConnectionLimits(read: EnvReader): ConnectionLimits {
  return Object.freeze({
    maxConnections: read.integer('MAX_CONNECTIONS', defaultConnectionLimits.maxConnections, 1, 1_000_000),
    headersTimeoutMs: read.integer('HEADERS_TIMEOUT_MS', defaultConnectionLimits.headersTimeoutMs, 100, 600_000),
    requestTimeoutMs: read.integer('REQUEST_TIMEOUT_MS', defaultConnectionLimits.requestTimeoutMs, 100, 600_000),
    keepAliveTimeoutMs: read.integer('KEEP_ALIVE_TIMEOUT_MS', defaultConnectionLimits.keepAliveTimeoutMs, 100, 600_000),
  });
}

function readLogging(read: EnvReader): Pick<Config, 'logLevel' | 'logFormat'> {
  return {
    logLevel: read.oneOf('LOG_LEVEL', ['debug', 'info', 'warn', 'error', 'silent'], 'info'),
    logFormat: read.oneOf('LOG_FORMAT', ['json', 'pretty'], 'json'),
  };
}

function readObservability(read: EnvReader): Observability {
  return Object.freeze({
    metricsPort: read.portOrOff('METRICS_PORT', 9464),
    metricsHost: read.string('METRICS_HOST', read.string('HOST', '0.0.0.0')),
    metricsMaxOperationNames: read.integer('METRICS_MAX_OPERATION_NAMES', 100, 0, 10_000),
    shutdownDelayMs: read.integer('SHUTDOWN_DELAY_MS', 5_000, 0, 600_000),
    shutdownTimeoutMs: read.integer('SHUTDOWN_TIMEOUT_MS', 15_000, 0, 600_000),
    cacheInvalidationToken: read.optionalString('CACHE_INVALIDATION_TOKEN'),
  });
}

/** Settings each valid alone that do not go together: checked once all are read. */
function refuseConflicts(config: Config): void {
  const { cache, trustedDocuments, rateLimits } = config;
  const rateLimited = rateLimits.operationsPerMinute > 0 || rateLimits.upstreamCallsPerMinute > 0;
  if (cache.redisUrl !== undefined && cache.ttlMs === 0 && !trustedDocuments.apq && !rateLimited) {
    throw new ConfigError(
      'REDIS_URL needs CACHE_TTL_MS, APQ=true or a rate limit (RATE_LIMIT_OPERATIONS_PER_MINUTE, RATE_LIMIT_UPSTREAM_CALLS_PER_MINUTE): without any there is nothing to share',
    );
  }
  if (cache.redisUrl !== undefined && (cache.ttlMs > 0 || rateLimited) && cache.keySecret === undefined) {
    const shared = cache.ttlMs > 0 ? 'pages' : 'rate-limit counts';
    throw new ConfigError(
      `REDIS_URL needs CACHE_KEY_SECRET: replicas that share ${shared} must hash credentials with the same secret`,
    );
  }
  if (rateLimits.upstreamCallsPerMinute > 0 && rateLimits.upstreamCallsPerMinute < config.limits.maxUpstreamCalls) {
    throw new ConfigError(
      `RATE_LIMIT_UPSTREAM_CALLS_PER_MINUTE (${rateLimits.upstreamCallsPerMinute}) must not be under MAX_UPSTREAM_CALLS (${config.limits.maxUpstreamCalls}): an operation allowed the one could never fit the other`,
    );
  }
  if (trustedDocuments.mode === 'enforce' && trustedDocuments.manifests.length === 0) {
    throw new ConfigError('PERSISTED_DOCUMENTS_MODE=enforce needs PERSISTED_DOCUMENTS: it would refuse every document');
  }
  if (trustedDocuments.mode === 'enforce' && trustedDocuments.apq) {
    throw new ConfigError(
      'APQ=true and PERSISTED_DOCUMENTS_MODE=enforce do not go together: APQ lets any client register any document',
    );
  }
  if (config.connections.headersTimeoutMs > config.connections.requestTimeoutMs) {
    throw new ConfigError(
      `HEADERS_TIMEOUT_MS (${config.connections.headersTimeoutMs}) must not be over REQUEST_TIMEOUT_MS (${config.connections.requestTimeoutMs})`,
    );
  }
}

/**
 * Whether the embedded demo upstream serves. Only without UPSTREAM_URL, and
 * under NODE_ENV=production only when asked for: a deployment that forgot
 * UPSTREAM_URL stops here rather than serve demo data. Asked for beside an
 * UPSTREAM_URL, one of the two is a mistake: which one is for the user to say.
 */
function demoUpstream(upstreamUrl: URL | undefined, asked: boolean | undefined, nodeEnv: string | undefined): boolean {
  if (upstreamUrl !== undefined) {
    if (asked === true) {
      throw new ConfigError(
        'DEMO_UPSTREAM=true and UPSTREAM_URL are both set: serve the embedded demo or the REST API, not both',
      );
    }
    return false;
  }
  if (asked ?? nodeEnv !== 'production') return true;
  throw new ConfigError(
    asked === false
      ? 'UPSTREAM_URL is not set and DEMO_UPSTREAM=false: set UPSTREAM_URL to the REST API'
      : 'UPSTREAM_URL is not set, and NODE_ENV=production serves no demo data: set UPSTREAM_URL to the REST API (or DEMO_UPSTREAM=true for the embedded demo)',
  );
}

/**
 * `host:port` with no scheme before it (a URL missing its `http://`), and
 * whether a path follows. Only the host and port are ever echoed: no
 * `user:password@` fits there, and a path is not shown.
 */
const schemelessHost = /^([a-z0-9](?:[a-z0-9.-]*[a-z0-9])?:\d{1,5})(\/.*)?$/i;

/** A value as JSON text: quoted, and on one line whatever it holds. */
function quote(value: string): string {
  return JSON.stringify(value);
}

class EnvReader {
  constructor(private readonly env: Env) {}

  private raw(name: string): string | undefined {
    const value = this.env[name]?.trim();
    return value === '' ? undefined : value;
  }

  string(name: string, fallback: string): string {
    return this.raw(name) ?? fallback;
  }

  optionalString(name: string): string | undefined {
    return this.raw(name);
  }

  integer(name: string, fallback: number, min: number, max: number): number {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    if (!/^-?\d+$/.test(value)) {
      throw new ConfigError(`${name} must be a whole number from ${min} to ${max}, got ${quote(value)}`);
    }
    const parsed = Number(value);
    if (parsed < min || parsed > max) {
      throw new ConfigError(`${name} must be from ${min} to ${max}, got ${quote(value)}`);
    }
    return parsed;
  }

  /** A whole number from 1 to `max`, or `auto` for `auto` (at most `max`). */
  countOrAuto(name: string, fallback: number, max: number, auto: number): number {
    const value = this.raw(name);
    if (value?.toLowerCase() === 'auto') return Math.min(Math.max(auto, 1), max);
    if (value !== undefined && !/^\d+$/.test(value)) {
      throw new ConfigError(`${name} must be auto or a whole number from 1 to ${max}, got ${quote(value)}`);
    }
    return this.integer(name, fallback, 1, max);
  }

  /** A port, or `off`. */
  portOrOff(name: string, fallback: number): number | undefined {
    const value = this.raw(name);
    if (value?.toLowerCase() === 'off') return undefined;
    if (value !== undefined && !(/^\d+$/.test(value) && Number(value) <= 65_535)) {
      throw new ConfigError(`${name} must be a port from 0 to 65535 or off, got ${quote(value)}`);
    }
    return value === undefined ? fallback : Number(value);
  }

  boolean(name: string, fallback: boolean): boolean {
    return this.optionalBoolean(name) ?? fallback;
  }

  /** A boolean, or undefined when unset: for a setting whose default depends on others. */
  optionalBoolean(name: string): boolean | undefined {
    const value = this.raw(name)?.toLowerCase();
    if (value === undefined) return undefined;
    if (['true', '1', 'yes'].includes(value)) return true;
    if (['false', '0', 'no'].includes(value)) return false;
    throw new ConfigError(`${name} must be true or false, got ${quote(value)}`);
  }

  oneOf<const T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    if ((allowed as readonly string[]).includes(value)) return value as T;
    throw new ConfigError(`${name} must be one of ${allowed.join(', ')}, got ${quote(value)}`);
  }

  /** Comma-separated values, each trimmed; empty when unset. */
  list(name: string): readonly string[] {
    const value = this.raw(name);
    if (value === undefined) return Object.freeze([]);
    const items = value.split(',').map((item) => item.trim());
    if (items.some((item) => item === '')) throw new ConfigError(`${name} has an empty item in ${quote(value)}`);
    return Object.freeze(items);
  }

  /** `*` (the default), or a comma-separated list of origins such as `https://app.example.com`. */
  origins(name: string): CorsOrigins {
    const value = this.raw(name);
    if (value === undefined || value === '*') return '*';
    const origins = value.split(',').map((origin) => origin.trim());
    for (const origin of origins) {
      let parsed: URL | undefined;
      try {
        parsed = new URL(origin);
      } catch {
        parsed = undefined;
      }
      if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') || parsed.origin !== origin) {
        throw new ConfigError(
          `${name} must be * or comma-separated origins such as https://app.example.com, got ${quote(origin)}`,
        );
      }
    }
    return Object.freeze(origins);
  }

  /** `credential` (the default), `ip`, or `header:NAME` for a header a client sends (`header:x-client-id`). */
  rateLimitKey(name: string): RateLimitKey {
    const value = this.raw(name);
    if (value === undefined || value === 'credential') return Object.freeze({ kind: 'credential' });
    if (value === 'ip') return Object.freeze({ kind: 'ip' });
    const header = /^header:([!#$%&'*+.^_`|~0-9A-Za-z-]+)$/.exec(value)?.[1];
    if (header !== undefined) return Object.freeze({ kind: 'header', header: header.toLowerCase() });
    throw new ConfigError(
      `${name} must be credential, ip or header:NAME (such as header:x-client-id), got ${quote(value)}`,
    );
  }

  /** Comma-separated IP addresses and CIDR ranges (`10.0.0.0/8`, `fd00::/8`); empty when unset. */
  addresses(name: string): readonly string[] {
    const items = this.list(name);
    for (const item of items) {
      const [address = '', prefix, extra] = item.split('/');
      const family = isIP(address);
      const validPrefix =
        prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 6 ? 128 : 32));
      if (family === 0 || !validPrefix || extra !== undefined) {
        throw new ConfigError(
          `${name} must be comma-separated IP addresses or CIDR ranges such as 10.0.0.0/8, got ${quote(item)}`,
        );
      }
    }
    return items;
  }

  /** `redis://` or `rediss://`; never echoed, as it may hold a password. */
  redisUrl(name: string): string | undefined {
    const value = this.raw(name);
    if (value === undefined) return undefined;
    let url: URL | undefined;
    try {
      url = new URL(value);
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== 'redis:' && url.protocol !== 'rediss:')) {
      throw new ConfigError(`${name} must be a redis:// or rediss:// URL`);
    }
    return value;
  }

  url(name: string): URL | undefined {
    const value = this.raw(name);
    if (value === undefined) return undefined;
    // `localhost:9000` parses, as a URL of the scheme `localhost:`: say what is missing.
    const schemeless = schemelessHost.exec(value);
    if (schemeless) {
      const shown = `${schemeless[1]}${schemeless[2] ? '/…' : ''}`;
      throw new ConfigError(`${name} must be an absolute http(s) URL such as http://${shown}, got ${quote(shown)}`);
    }
    let url: URL | undefined;
    try {
      url = new URL(value);
    } catch {
      url = undefined;
    }
    // Not echoed: a malformed URL (or `user:password@host`, whose "scheme" is the user) may still hold a credential.
    if (!url || !value.includes('://')) {
      throw new ConfigError(`${name} must be an absolute http(s) URL such as http://localhost:9000`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new ConfigError(`${name} must use http or https, got "${url.protocol}"`);
    }
    if (url.search || url.hash || url.username || url.password) {
      throw new ConfigError(`${name} must not carry a query, fragment or credentials`);
    }
    return url;
  }
}
