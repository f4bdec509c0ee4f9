// Per-caller rate limits: operations a minute (each item of a batch is one),
// charged before the operation is read, and upstream calls a minute, charged
// with the operation's estimate just before it runs and set to the calls it
// made once it has. An operation over a limit is refused with RATE_LIMITED
// (`extensions.reason` names the limit, `retryAfterSeconds` says when its
// window ends) and makes no upstream call: HTTP 429 with `Retry-After` for a
// client that accepts `application/graphql-response+json`, 200 for one that
// takes `application/json`. Every answer carries the IETF `RateLimit-Policy`
// and `RateLimit` fields (draft-ietf-httpapi-ratelimit-headers). The caller's
// key is never shown: not in a response, a label or a log line.

import { createGraphQLError, type Plugin } from 'graphql-yoga';
import type { CountState, RateCounter } from '../cache/rate-limit-store.ts';

export type RateLimitReason = 'RATE_LIMIT_OPERATIONS_PER_MINUTE' | 'RATE_LIMIT_UPSTREAM_CALLS_PER_MINUTE';

export interface RateLimitsOptions {
  /** RATE_LIMIT_OPERATIONS_PER_MINUTE's counts; undefined while it is off. */
  readonly operations: RateCounter | undefined;
  /** RATE_LIMIT_UPSTREAM_CALLS_PER_MINUTE's counts; undefined while it is off. */
  readonly upstreamCalls: RateCounter | undefined;
  /** Whose count a request is charged to (`serverContext`: yoga's, node:http's request in it). */
  readonly keyOf: (request: Request, serverContext: unknown) => string;
  /** The upstream calls the operation whose context this is will make, known once it is about to run; undefined: 1. */
  readonly estimateUpstreamCalls?: (context: object) => number | undefined;
  /** The upstream calls it made, once it ran; unset: as estimated. */
  readonly actualUpstreamCalls?: (context: object) => number;
  /** Counts an operation refused by a limit. */
  readonly onRefused: (reason: RateLimitReason) => void;
  /** A count that failed (the operation runs uncounted): told without the caller's key. */
  readonly onCountFailed: (error: unknown) => void;
}

/** Two plugins: `operations` runs right after request telemetry, `upstreamCalls` once the estimate is made. */
export interface RateLimitPlugins {
  /** Charges each operation as its params are read, and writes the rate-limit fields of every answer. */
  readonly operations: Plugin;
  /** Charges an operation's upstream calls just before it runs; must come after the plugin that estimates them. */
  readonly upstreamCalls: Plugin;
}

/** One limit as the plugins charge and show it. */
interface Limit {
  readonly reason: RateLimitReason;
  /** Its name in `RateLimit-Policy` and `RateLimit`. */
  readonly policy: string;
  readonly counter: RateCounter;
}

/** What one HTTP request was charged: by whose key, each limit's count as last seen, and its refusals' wait. */
interface Charges {
  readonly key: string;
  readonly seen: Map<Limit, CountState>;
  retryAfterSeconds: number | undefined;
}

export function useRateLimits(options: RateLimitsOptions): RateLimitPlugins {
  const operations = limitOf('RATE_LIMIT_OPERATIONS_PER_MINUTE', 'operations', options.operations);
  const upstreamCalls = limitOf('RATE_LIMIT_UPSTREAM_CALLS_PER_MINUTE', 'upstream-calls', options.upstreamCalls);
  const limits = [operations, upstreamCalls].filter((limit) => limit !== undefined);
  const policy = limits.map(policyItem).join(', ');
  const requests = new WeakMap<Request, Charges>();
  const chargesOf = (request: Request, serverContext: unknown): Charges => {
    let charges = requests.get(request);
    if (!charges) {
      charges = { key: options.keyOf(request, serverContext), seen: new Map(), retryAfterSeconds: undefined };
      requests.set(request, charges);
    }
    return charges;
  };
  const count = countWith(options);

  return {
    operations: {
      onRequestParse({ request, serverContext }) {
        if (limits.length > 0) chargesOf(request, serverContext);
      },
      onParams: operations
        ? async ({ request, context }) => {
            // The context's prototype is yoga's server context.
            const charges = chargesOf(request, context);
            const state = await count(operations, charges, 1);
            if (state && !state.allowed) throw refusal(options, operations, charges, state, 1);
          }
        : undefined,
      async onResponse({ request, response }) {
        if (limits.length === 0) return;
        response.headers.set('RateLimit-Policy', policy);
        const charges = requests.get(request);
        if (!charges) return;
        const current = await serviceLimits(limits, charges, options);
        if (current !== '') response.headers.set('RateLimit', current);
        if (response.status === 429 && charges.retryAfterSeconds !== undefined) {
          response.headers.set('Retry-After', String(charges.retryAfterSeconds));
        }
      },
    },
    upstreamCalls: {
      onExecute:
        upstreamCalls &&
        (({ args, setResultAndStopExecution }) => {
          const context = args.contextValue as { request: Request };
          const charges = chargesOf(context.request, context);
          const charge = chargeOf(options.estimateUpstreamCalls?.(context));
          return count(upstreamCalls, charges, charge).then((state) => {
            if (!state) return;
            if (!state.allowed) {
              // Refused, it makes no call: its charge is given back.
              adjust(options, upstreamCalls, charges, state, -charge);
              setResultAndStopExecution({ errors: [refusal(options, upstreamCalls, charges, state, charge)] });
              return;
            }
            return {
              onExecuteDone: () => {
                const actual = options.actualUpstreamCalls?.(context) ?? charge;
                adjust(options, upstreamCalls, charges, state, actual - charge);
              },
            };
          });
        }),
    },
  };
}

function limitOf(reason: RateLimitReason, policy: string, counter: RateCounter | undefined): Limit | undefined {
  return counter && { reason, policy, counter };
}

/** `"operations";q=60;w=60`: the quota and its window, in seconds. */
function policyItem({ policy, counter }: Limit): string {
  return `"${policy}";q=${counter.quota};w=${counter.windowSeconds}`;
}

/** Charges `points` to the caller's count; undefined when counting failed (the operation then runs uncounted). */
function countWith(options: RateLimitsOptions) {
  return async (limit: Limit, charges: Charges, points: number): Promise<CountState | undefined> => {
    try {
      const state = await limit.counter.consume(charges.key, points);
      charges.seen.set(limit, state);
      return state;
    } catch (error) {
      options.onCountFailed(error);
      return undefined;
    }
  };
}

/** Moves the caller's count by `points` (a refund when negative), without waiting for the store. */
function adjust(options: RateLimitsOptions, limit: Limit, charges: Charges, after: CountState, points: number): void {
  if (points === 0) return;
  charges.seen.set(limit, { ...after, used: after.used + points });
  limit.counter.adjust(charges.key, points).catch(options.onCountFailed);
}

/** An estimate as a charge: a whole number of calls, 1 when there is none. */
function chargeOf(estimate: number | undefined): number {
  if (estimate === undefined || !Number.isFinite(estimate)) return 1;
  return Math.max(0, Math.ceil(estimate));
}

/** The error of an operation over a limit, counted, with the wait its answer's `Retry-After` says. */
function refusal(options: RateLimitsOptions, limit: Limit, charges: Charges, state: CountState, charge: number) {
  options.onRefused(limit.reason);
  const { quota, windowSeconds } = limit.counter;
  const retryAfterSeconds = secondsOf(state.resetMs) ?? windowSeconds;
  charges.retryAfterSeconds = Math.max(charges.retryAfterSeconds ?? 0, retryAfterSeconds);
  const message =
    limit.reason === 'RATE_LIMIT_OPERATIONS_PER_MINUTE'
      ? `too many operations: a caller may send ${quota} a minute (RATE_LIMIT_OPERATIONS_PER_MINUTE); try again in ${retryAfterSeconds} s`
      : `too many upstream calls: a caller's operations may make ${quota} a minute (RATE_LIMIT_UPSTREAM_CALLS_PER_MINUTE) and this one would make ${charge}; try again in ${retryAfterSeconds} s`;
  return createGraphQLError(message, {
    extensions: {
      code: 'RATE_LIMITED',
      reason: limit.reason,
      retryAfterSeconds,
      // The status applies only to clients that accept application/graphql-response+json.
      http: { spec: true, status: 429 },
    },
  });
}

/**
 * `"operations";r=12;t=30`: each limit's remaining quota and the seconds
 * until its window ends, as this request's charges left it; a limit it did
 * not charge (its operations were refused first, or never ran) is looked up.
 */
async function serviceLimits(limits: readonly Limit[], charges: Charges, options: RateLimitsOptions): Promise<string> {
  const states = await Promise.all(
    limits.map((limit) => {
      const seen = charges.seen.get(limit);
      if (seen) return seen;
      return limit.counter.peek(charges.key).catch((error: unknown) => {
        options.onCountFailed(error);
        return undefined;
      });
    }),
  );
  return limits
    .flatMap((limit, i) => {
      const state = states[i];
      if (!state) return [];
      const remaining = Math.min(Math.max(limit.counter.quota - state.used, 0), limit.counter.quota);
      const reset = secondsOf(state.resetMs);
      return [`"${limit.policy}";r=${remaining}${reset === undefined ? '' : `;t=${reset}`}`];
    })
    .join(', ');
}

function secondsOf(ms: number | undefined): number | undefined {
  return ms === undefined ? undefined : Math.max(1, Math.ceil(ms / 1_000));
}
