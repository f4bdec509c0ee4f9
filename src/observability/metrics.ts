// The gateway's metrics (prom-client), on a registry of their own. Names and
// labels are fixed by the contract (§6) so dashboards and alerts can rely on
// them. No label ever holds an org id, a token, a cursor or an object id: the
// upstream route is its template, and operation names are bounded. Label
// objects are made once per combination and reused (`memoize`): the
// combinations are few (bounded names, fixed types, outcomes and codes), and
// the request path then allocates nothing for them.

import { Counter, collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import { batchedHistogram, memoize, summedCounter } from './hot-path-metrics.ts';

export { histogramBatchSize } from './hot-path-metrics.ts';

/** The REST route every upstream call goes to, as a template. */
export const upstreamRoute = '/orgs/{org_id}/assistants';

export type OperationOutcome = 'ok' | 'partial' | 'error';

/** Why an upstream call was retried: the status, or `connection` for a failed connection. */
export type RetryReason = '429' | '502' | '503' | '504' | 'connection';

export interface GatewayMetricsOptions {
  /** Distinct operation names kept as labels; later names are counted as `other`. */
  readonly maxOperationNames: number;
  /** Node's own metrics (event-loop lag, heap, GC): for the process that serves `/metrics`. */
  readonly processMetrics?: boolean;
}

export type GatewayMetrics = ReturnType<typeof createGatewayMetrics>;

const secondsBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const callCountBuckets = [0, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89];

export function createGatewayMetrics(options: GatewayMetricsOptions) {
  const registry = new Registry();
  if (options.processMetrics) collectDefaultMetrics({ register: registry });
  return {
    registry,
    ...operationMetrics(registry, boundedLabel(options.maxOperationNames)),
    ...upstreamCallMetrics(registry),
    ...upstreamGuardMetrics(registry),
    ...cacheMetrics(registry),
    ...cursorMetrics(registry),
    ...trustedDocumentMetrics(registry),
    ...costMetrics(registry),
    ...rateLimitMetrics(registry),
  };
}

/** Operations refused by a per-caller rate limit, by the limit (never by the caller). */
function rateLimitMetrics(registry: Registry) {
  const limited = new Counter({
    name: 'graphql_rate_limited_total',
    help: 'GraphQL operations refused as RATE_LIMITED by a per-caller rate limit, by the limit: RATE_LIMIT_OPERATIONS_PER_MINUTE or RATE_LIMIT_UPSTREAM_CALLS_PER_MINUTE.',
    labelNames: ['limit'] as const,
    registers: [registry],
  });
  const labels = memoize((limit: string) => ({ limit }));
  return {
    rateLimited(limit: 'RATE_LIMIT_OPERATIONS_PER_MINUTE' | 'RATE_LIMIT_UPSTREAM_CALLS_PER_MINUTE') {
      limited.inc(labels(limit));
    },
  };
}

/** Each operation's cost in upstream calls: estimated before it ran, and what it took. */
function costMetrics(registry: Registry) {
  const cost = batchedHistogram({
    name: 'graphql_operation_cost',
    help: 'Upstream calls of an operation: estimated before it ran, at most (measure="estimated"), and made, counted as MAX_UPSTREAM_CALLS counts them (measure="actual").',
    labelNames: ['measure'] as const,
    buckets: callCountBuckets,
    registers: [registry],
  });
  const estimated = { measure: 'estimated' };
  const actual = { measure: 'actual' };
  return {
    operationCost(estimatedCalls: number, actualCalls: number) {
      cost(estimated, estimatedCalls);
      cost(actual, actualCalls);
    },
  };
}

/** Each GraphQL operation: its outcome, its time, its fan-out to the upstream, and its errors' codes. */
function operationMetrics(registry: Registry, operationName: (name: string | undefined) => string) {
  const operations = summedCounter({
    name: 'graphql_operations_total',
    help: 'GraphQL operations answered, by type, name and outcome (ok, partial: data with errors, error: no data).',
    labelNames: ['operation_type', 'operation_name', 'outcome'] as const,
    registers: [registry],
  });
  const operationDuration = batchedHistogram({
    name: 'graphql_operation_duration_seconds',
    help: 'Time from parsing an operation to its result, by type and name.',
    labelNames: ['operation_type', 'operation_name'] as const,
    buckets: secondsBuckets,
    registers: [registry],
  });
  const errors = summedCounter({
    name: 'graphql_errors_total',
    help: 'Errors in GraphQL responses, by extensions.code.',
    labelNames: ['code'] as const,
    registers: [registry],
  });
  const callsPerOperation = batchedHistogram({
    name: 'upstream_calls_per_operation',
    help: 'Upstream calls one GraphQL operation made (its fan-out).',
    labelNames: ['operation_type'] as const,
    buckets: callCountBuckets,
    registers: [registry],
  });
  const operationLabels = memoize((type: string, name: string, outcome: OperationOutcome) => ({
    counted: { operation_type: type, operation_name: name, outcome },
    timed: { operation_type: type, operation_name: name },
    fanOut: { operation_type: type },
  }));
  const errorLabels = memoize((code: string) => ({ code }));

  return {
    operation(type: string, name: string | undefined, outcome: OperationOutcome, seconds: number, calls: number) {
      const labels = operationLabels(type, operationName(name), outcome);
      operations(labels.counted);
      operationDuration(labels.timed, seconds);
      callsPerOperation(labels.fanOut, calls);
    },
    error(code: string) {
      errors(errorLabels(code));
    },
  };
}

/** Each upstream call, counted once whatever its retries: in flight, its time, its outcome, its bytes, its retries. */
function upstreamCallMetrics(registry: Registry) {
  const upstreamRequests = summedCounter({
    name: 'upstream_requests_total',
    help: 'Upstream REST calls, each counted once whatever its retries, by route template, status class and outcome.',
    labelNames: ['route', 'status_class', 'outcome'] as const,
    registers: [registry],
  });
  const upstreamDuration = batchedHistogram({
    name: 'upstream_request_duration_seconds',
    help: 'Time of an upstream call, retries and their waits included, until its body is read.',
    labelNames: ['route', 'status_class'] as const,
    buckets: secondsBuckets,
    registers: [registry],
  });
  const upstreamRetries = summedCounter({
    name: 'upstream_retries_total',
    help: 'Upstream attempts retried, by the reason (status or connection).',
    labelNames: ['reason'] as const,
    registers: [registry],
  });
  // Kept in a plain number, read when scraped.
  let upstreamCallsInFlight = 0;
  new Gauge({
    name: 'upstream_requests_in_flight',
    help: 'Upstream calls under way.',
    registers: [registry],
    collect() {
      this.set(upstreamCallsInFlight);
    },
  });
  const upstreamBytes = summedCounter({
    name: 'upstream_response_bytes_total',
    help: 'Bytes of upstream response bodies read.',
    labelNames: ['route'] as const,
    registers: [registry],
  });
  const upstreamLabels = memoize((statusClass: string, outcome: string) => ({
    counted: { route: upstreamRoute, status_class: statusClass, outcome },
    timed: { route: upstreamRoute, status_class: statusClass },
  }));
  const routeLabels = { route: upstreamRoute };
  const retryLabels = memoize((reason: string) => ({ reason }));

  return {
    upstreamCallStarted() {
      upstreamCallsInFlight++;
    },
    /** The call's answer is in (or it failed): how long it took, retries included. */
    upstreamCallEnded(status: number | undefined, seconds: number) {
      upstreamCallsInFlight--;
      upstreamDuration(upstreamLabels(statusClass(status), 'ok').timed, seconds);
    },
    /** The call's outcome is known: for a body that arrived, once it has been decoded. */
    upstreamCallSettled(status: number | undefined, outcome: string) {
      upstreamRequests(upstreamLabels(statusClass(status), outcome).counted);
    },
    upstreamBytesRead(bytes: number) {
      upstreamBytes(routeLabels, bytes);
    },
    upstreamRetry(reason: RetryReason) {
      upstreamRetries(retryLabels(reason));
    },
  };
}

/** What spares or guards the upstream: calls shared with an identical one, the circuit, the per-request call limit. */
function upstreamGuardMetrics(registry: Registry) {
  const coalesced = summedCounter({
    name: 'upstream_coalesced_total',
    help: 'Upstream calls not made because an identical one was in flight: local (this process) or shared (across replicas).',
    labelNames: ['scope'] as const,
    registers: [registry],
  });
  const circuitOpen = new Gauge({
    name: 'upstream_circuit_open',
    help: 'Whether calls to the upstream are paused because it failed call after call (1) or not (0).',
    // Each worker process has its own circuit: summed over workers (cluster/cluster-metrics.ts), any open one is 1.
    aggregator: 'max',
    registers: [registry],
  });
  const callLimitExceeded = new Counter({
    name: 'upstream_call_limit_exceeded_total',
    help: 'Upstream calls refused because their HTTP request had used MAX_UPSTREAM_CALLS.',
    registers: [registry],
  });
  const localScope = { scope: 'local' };
  const sharedScope = { scope: 'shared' };

  return {
    upstreamCoalesced(scope: 'local' | 'shared') {
      coalesced(scope === 'local' ? localScope : sharedScope);
    },
    upstreamCircuit(open: boolean) {
      circuitOpen.set(open ? 1 : 0);
    },
    upstreamCallLimitExceeded() {
      callLimitExceeded.inc();
    },
  };
}

/** The page cache: its lookups by result, its invalidations, and the shared store's failed commands. */
function cacheMetrics(registry: Registry) {
  const cacheLookups = summedCounter({
    name: 'upstream_cache_lookups_total',
    help: 'Page cache lookups: hit (fresh), miss, stale (served past freshness), revalidated (a 304 or a refreshed stale page), bypass (the caller said no-store).',
    labelNames: ['result'] as const,
    registers: [registry],
  });
  const storeErrors = new Counter({
    name: 'cache_store_errors_total',
    help: 'Commands to the shared store (Redis) that failed or timed out; none failed a request (a page came from the upstream, a rate-limit count was kept in this process).',
    registers: [registry],
  });
  const invalidations = new Counter({
    name: 'upstream_cache_invalidations_total',
    help: 'Page cache invalidations made (POST /cache/invalidate on the metrics listener): of one organization (org) or of every page (all).',
    labelNames: ['scope'] as const,
    registers: [registry],
  });
  const lookupLabels = memoize((result: string) => ({ result }));

  return {
    cacheLookup(result: 'hit' | 'miss' | 'stale' | 'revalidated' | 'bypass') {
      cacheLookups(lookupLabels(result));
    },
    cacheInvalidation(scope: 'org' | 'all') {
      invalidations.inc({ scope });
    },
    cacheStoreError() {
      storeErrors.inc();
    },
  };
}

/** Connection cursors, by what their check found where the cursor pointed. */
function cursorMetrics(registry: Registry) {
  const checks = new Counter({
    name: 'graphql_cursor_checks_total',
    help: 'Cursors of after/before checked against the list: EXACT (where it said), SHIFTED (its item moved), SUCCESSOR (its item was gone; its neighbour carried on), NOT_FOUND (neither found; the offset was used), UNCHECKED (a v1 cursor).',
    labelNames: ['status'] as const,
    registers: [registry],
  });
  return {
    cursorCheck(status: 'UNCHECKED' | 'EXACT' | 'SHIFTED' | 'SUCCESSOR' | 'NOT_FOUND') {
      checks.inc({ status });
    },
  };
}

/** Trusted documents: arbitrary documents (text, no persisted id) in the modes that watch them, and the set loaded. */
function trustedDocumentMetrics(registry: Registry) {
  const arbitrary = new Counter({
    name: 'graphql_arbitrary_documents_total',
    help: 'Documents sent as text rather than by a persisted id, with PERSISTED_DOCUMENTS_MODE log (outcome run) or enforce (outcome refused).',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  const loaded = new Gauge({
    name: 'graphql_persisted_documents',
    help: 'Persisted documents in the manifests loaded (at start, and at each SIGHUP that loaded).',
    // Every worker loads the same files: summed over workers, the count would multiply.
    aggregator: 'max',
    registers: [registry],
  });
  const outcomes = { run: { outcome: 'run' }, refused: { outcome: 'refused' } };
  return {
    arbitraryDocument(outcome: 'run' | 'refused') {
      arbitrary.inc(outcomes[outcome]);
    },
    persistedDocumentsLoaded(count: number) {
      loaded.set(count);
    },
  };
}

function statusClass(status: number | undefined): string {
  return status === undefined ? 'none' : `${Math.floor(status / 100)}xx`;
}

/** Longest operation name kept as a label; longer ones are cut. */
const maxOperationNameLength = 64;

/**
 * Operation names are chosen by callers: the first `max` distinct ones are
 * labels as they are (cut to 64 characters), any later one is `other`, so a
 * stream of made-up names cannot grow the series without bound. An unnamed
 * operation, or one that never ran (it did not parse or validate), is
 * `anonymous`: garbage cannot take the places of real names.
 */
export function boundedLabel(max: number): (name: string | undefined) => string {
  const kept = new Set<string>();
  return (fullName) => {
    if (fullName === undefined) return 'anonymous';
    const name = fullName.slice(0, maxOperationNameLength);
    if (kept.has(name)) return name;
    if (kept.size >= max) return 'other';
    kept.add(name);
    return name;
  };
}
