// The GraphQL context: made fresh for every request, with loaders bound to
// that request's caller and abort signal.

import type { YogaInitialContext } from 'graphql-yoga';
import type { Logger } from 'pino';
import { callerCacheMode } from '../cache/cache-policy.ts';
import type { OperationTelemetry } from '../observability/request-telemetry.ts';
import type { CursorCheck } from '../paging/anchoring.ts';
import { createLoaders, type Loaders, type PageKey } from '../paging/loaders.ts';
import { createRequestBudget, type RequestBudget } from '../paging/request-budget.ts';
import type { PagingOptions } from '../paging/windows.ts';
import type { UpstreamClient } from '../upstream/client.ts';
import type { ConcurrencyLimit } from '../upstream/concurrency-limit.ts';
import type { UpstreamError } from '../upstream/errors.ts';
import { OperationStaleness } from '../upstream/staleness.ts';

export interface Context {
  readonly loaders: Loaders;
  /** Which of the operation's data came from a page served past its freshness: the response's `extensions.stale`. */
  readonly staleness: OperationStaleness;
  /** What the operation's parsed document holds, told before it runs (document-facts.ts). */
  readonly document: { opensConnection: boolean };
}

export interface ContextOptions {
  readonly client: UpstreamClient;
  readonly paging: PagingOptions;
  readonly maxScanPages: number;
  /** Upstream pages a cursor's item is looked for in, on either side (CURSOR_SEARCH_PAGES). */
  readonly cursorSearchPages: number;
  /** A page cache is in front (CACHE_TTL_MS > 0): a failed cursor check revalidates what it kept. */
  readonly pageCache?: boolean;
  /** Counts each cursor check by its status (`graphql_cursor_checks_total`). */
  readonly countCursorCheck?: (status: CursorCheck['status']) => void;
  readonly scanLimit: ConcurrencyLimit;
  readonly maxUpstreamCalls: number;
  readonly maxUpstreamBytes: number;
  /** Sent as `Bearer …` when a caller sends no `Authorization` of its own. */
  readonly upstreamToken: string | undefined;
  /** The upstream's path template, base path included (`/api/orgs/{org_id}/assistants`), for failure lines. */
  readonly upstreamPath: string;
  readonly logger: Logger;
  /** The telemetry of the operation whose context this is (observability/request-telemetry.ts). */
  readonly operationOf?: (context: object) => OperationTelemetry | undefined;
}

export function createContextFactory(options: ContextOptions) {
  const fallbackAuthorization = options.upstreamToken === undefined ? undefined : `Bearer ${options.upstreamToken}`;
  // Every operation of a batched HTTP request shares one budget of upstream calls and bytes.
  const budgets = new WeakMap<Request, RequestBudget>();
  const budgetOf = (request: Request) => {
    let budget = budgets.get(request);
    if (!budget) {
      budget = createRequestBudget(options.maxUpstreamCalls, options.maxUpstreamBytes);
      budgets.set(request, budget);
    }
    return budget;
  };
  return (initial: YogaInitialContext): Context => {
    const { request } = initial;
    const telemetry = options.operationOf?.(initial);
    const document = { opensConnection: false };
    const staleness = new OperationStaleness();
    return {
      staleness,
      document,
      loaders: createLoaders({
        client: options.client,
        paging: options.paging,
        maxScanPages: options.maxScanPages,
        cursorSearchPages: options.cursorSearchPages,
        revalidateOnFailedCheck: options.pageCache,
        scanLimit: options.scanLimit,
        // Only a connection reads a scanned page again, and only the `assistants`
        // field opens one: a document that never names it lets scanned pages go.
        keepScannedPages: () => document.opensConnection,
        budget: budgetOf(request),
        // An empty header is no credential: treat it as absent.
        authorization: request.headers.get('authorization') || fallbackAuthorization,
        signal: request.signal,
        telemetry,
        cacheMode: callerCacheMode(request.headers.get('cache-control')),
        staleness,
        onCursorCheck: (check, orgId, cursor) => {
          options.countCursorCheck?.(check.status);
          if (check.status !== 'SHIFTED' && check.status !== 'NOT_FOUND') return;
          options.logger.debug(
            {
              reqId: telemetry?.requestId,
              cursor: { orgId, offset: cursor.offset, direction: cursor.direction, ...check },
            },
            `cursor ${check.status}`,
          );
        },
        onUpstreamFailure: (failure, key) =>
          options.logger.warn(
            {
              reqId: telemetry?.requestId,
              traceId: telemetry?.traceId,
              upstream: failureFields(failure, key, options.upstreamPath),
            },
            `upstream ${failure.code}${failure.status === undefined ? '' : ` ${failure.status}`}`,
          ),
      }),
    };
  };
}

/**
 * What failed and where; never headers or bodies, which may hold credentials.
 * A 4xx also names the path it was sent to, as a template (a wrong base path
 * in UPSTREAM_URL makes every organization NOT_FOUND: the path shows why).
 */
function failureFields(failure: UpstreamError, key: PageKey, upstreamPath: string) {
  const refused = failure.status !== undefined && failure.status >= 400 && failure.status < 500;
  return {
    failure: failure.code,
    status: failure.status,
    orgId: key.orgId,
    page: key.page,
    take: key.take,
    ...(refused ? { path: upstreamPath } : {}),
  };
}
