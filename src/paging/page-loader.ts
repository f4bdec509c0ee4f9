// The per-request loader of upstream pages: each page key one call, all of a
// batch in flight together, within the request's budget; a failed call fails
// only its own key, with the contract's error.

import type { Context as TraceContext } from '@opentelemetry/api';
import DataLoader from 'dataloader';
import { cancelledGraphQLError, LimitExceededError } from '../contract/errors.ts';
import { upstreamGraphQLError } from '../upstream/caller-errors.ts';
import type { UpstreamClient } from '../upstream/client.ts';
import { UpstreamError } from '../upstream/errors.ts';
import { pageRequestKey } from '../upstream/page-request-key.ts';
import type { AssistantRecord } from '../upstream/records.ts';
import type { OperationStaleness } from '../upstream/staleness.ts';
import type { RequestBudget } from './request-budget.ts';

export interface PageKey {
  readonly orgId: string;
  readonly page: number;
  readonly take: number;
}

/** What the operation's metrics and trace need from its loaders. */
export interface LoaderTelemetry {
  readonly traceParent: TraceContext | undefined;
  /** One upstream call made (its retries are part of it). */
  upstreamCall(): void;
  /** One upstream call refused by MAX_UPSTREAM_CALLS. */
  callLimitExceeded(): void;
}

export interface PageLoaderOptions {
  readonly client: UpstreamClient;
  /** The upstream calls (retries included) and bytes this HTTP request may still use, shared by its operations. */
  readonly budget: RequestBudget;
  /** The `Authorization` header to send for this request's caller. */
  readonly authorization: string | undefined;
  readonly signal: AbortSignal | undefined;
  /** Where the pages served past their freshness are noted. */
  readonly staleness: OperationStaleness;
  /** Told of every failed upstream call, for the operators' log. */
  readonly onUpstreamFailure?: (failure: UpstreamError, key: PageKey) => void;
  /** Told of the calls this operation makes, and where their spans belong. */
  readonly telemetry?: LoaderTelemetry;
  /** What the caller's `Cache-Control` asked of the page cache. */
  readonly cacheMode?: 'default' | 'no-cache' | 'no-store';
}

export type PageLoader = DataLoader<PageKey, AssistantRecord[], string>;

export function createPageLoader(options: PageLoaderOptions): PageLoader {
  const failed = (key: PageKey, error: unknown): Error => {
    if (error instanceof UpstreamError) options.onUpstreamFailure?.(error, key);
    return asFailure(error);
  };
  return new DataLoader<PageKey, AssistantRecord[], string>(
    async (keys) => {
      const bodies = await Promise.all(keys.map((key) => fetchPage(key, options).catch((error) => failed(key, error))));
      // Parsed only once the whole batch is in: records made as each page
      // arrived would wait for the slowest, long enough to outlive a
      // young-generation collection and be copied; raw text waits cheaply.
      return bodies.map((body, i) => {
        if (body instanceof Error) return body;
        try {
          const records = body.decode();
          options.staleness.notePage(records, body.staleAgeSeconds);
          return records;
        } catch (error) {
          return failed(keys[i] as PageKey, error);
        }
      });
    },
    // take and page are integers, so the org id, last, cannot blur the key.
    { cacheKeyFn: pageRequestKey },
  );
}

/** One page's call, if the request's budget still has one. */
async function fetchPage(key: PageKey, options: PageLoaderOptions) {
  const { budget, telemetry } = options;
  if (!budget.takeCall()) {
    telemetry?.callLimitExceeded();
    return new LimitExceededError(
      `this request needs more than ${budget.maxCalls} upstream calls (MAX_UPSTREAM_CALLS)`,
      'MAX_UPSTREAM_CALLS',
    );
  }
  telemetry?.upstreamCall();
  return options.client.fetchAssistantPage({
    ...key,
    authorization: options.authorization,
    signal: options.signal,
    mayRetry: budget.takeCall,
    byteBudget: budget.bytes,
    traceParent: telemetry?.traceParent,
    cacheMode: options.cacheMode,
  });
}

/** A failure as the caller will see it: upstream failures carry the contract's code. */
export function asFailure(error: unknown): Error {
  if (error instanceof UpstreamError) return upstreamGraphQLError(error);
  // The caller went away: nobody will read this, and it is no fault to log.
  if (error instanceof Error && error.name === 'AbortError') return cancelledGraphQLError();
  return error instanceof Error ? error : new Error(String(error));
}
