// The counts behind the per-caller rate limits (graphql/rate-limits.ts), on
// rate-limiter-flexible: in this process, or in Redis so that every replica
// charges the same count. Redis down or slow never fails a request: the count
// goes on in this process (the library's insurance limiter), each count that
// could not reach Redis is counted as a store error, and the outage is told
// once (redis-connection.ts). While Redis is away the counts skip it, one probe
// a second finding out whether it is back.

import { LRUCache } from 'lru-cache';
import {
  RateLimiterCompatibleAbstract,
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
} from 'rate-limiter-flexible';
import { RedisConnection, type RedisConnectionOptions } from './redis-connection.ts';

/** A caller's count in the current window. */
export interface CountState {
  /** The charge fit in the quota (a look without a charge always does). */
  readonly allowed: boolean;
  /** What the caller has used of the quota in this window (past it, when refused). */
  readonly used: number;
  /** Milliseconds until the window ends and the count starts again; undefined while the caller has no count. */
  readonly resetMs: number | undefined;
}

/** One quota's counts, each caller's under its key, in fixed windows that start with the caller's first charge. */
export interface RateCounter {
  readonly quota: number;
  readonly windowSeconds: number;
  /** Adds `points` to the caller's count: not allowed once the count passes the quota (the points stay counted). */
  consume(key: string, points: number): Promise<CountState>;
  /** Adds points (a positive number) or gives them back (a negative one), refusing nothing. */
  adjust(key: string, points: number): Promise<void>;
  /** The caller's count, unchanged. */
  peek(key: string): Promise<CountState>;
}

export interface RateCounterOptions {
  /** Part of the store's keys: each quota counts apart. */
  readonly name: string;
  readonly quota: number;
  readonly windowSeconds: number;
}

/** Where the counts are kept: one connection to Redis for all of them, or none. */
export interface RateCounterStore {
  counter(options: RateCounterOptions): RateCounter;
  /** Settles once the first connection to Redis is made or has failed, or after `ms`. */
  connected(ms: number): Promise<void>;
  close(): void;
}

type Limiter = Pick<RateLimiterMemory, 'consume' | 'penalty' | 'reward' | 'get'>;

/** Counts in this process only. */
export function createMemoryCounters(): RateCounterStore {
  return {
    counter(options) {
      const local = memoryLimiter(options);
      return countsOn(() => local, options);
    },
    connected: () => Promise.resolve(),
    close: () => {},
  };
}

/** Counts in Redis, shared by every replica; in this process while Redis does not answer. */
export function createRedisCounters(options: RedisConnectionOptions): RateCounterStore {
  const connection = new RedisConnection(options);
  return {
    counter(counter) {
      const local = memoryLimiter(counter);
      const shared = new RateLimiterRedis({
        storeClient: connection.client,
        keyPrefix: keyPrefixOf(counter),
        points: counter.quota,
        duration: counter.windowSeconds,
        // Not connected: straight to the insurance, without waiting for a command to fail.
        rejectIfRedisNotReady: true,
        insuranceLimiter: new FallbackCount(local, () => connection.commandFailed()),
      });
      return countsOn(() => {
        if (connection.available()) return shared;
        // One command a second (at most) finds out whether Redis is back.
        void connection.attempt((redis) => redis.ping(), undefined);
        return local;
      }, counter);
    },
    connected: (ms) => connection.connected(ms),
    close: () => connection.close(),
  };
}

function keyPrefixOf({ name }: RateCounterOptions): string {
  return `rate:${name}`;
}

function memoryLimiter(options: RateCounterOptions): RateLimiterMemory {
  return new RateLimiterMemory({
    keyPrefix: keyPrefixOf(options),
    points: options.quota,
    duration: options.windowSeconds,
  });
}

/**
 * Distinct callers counted apart in one window, at most. An in-process count
 * holds about 1 KB a caller for its window, and a caller key costs a client
 * nothing to change: past this many, new callers share one count until
 * older ones' windows end.
 */
export const maxCallersPerWindow = 50_000;

/** Each caller's key, or the shared `overflow` key once `maxCallersPerWindow` others count in this window. */
function admission(windowSeconds: number): (key: string, admit: boolean) => string {
  const callers = new LRUCache<string, true>({ max: maxCallersPerWindow, ttl: windowSeconds * 1_000 });
  return (key, admit) => {
    if (callers.has(key)) return key;
    if (callers.size >= maxCallersPerWindow) {
      // The oldest may have outlived its window: let go of those first.
      callers.purgeStale();
      if (callers.size >= maxCallersPerWindow) return 'overflow';
    }
    if (admit) callers.set(key, true, { noUpdateTTL: true });
    return key;
  };
}

/** A counter over whichever limiter `limiter` picks for each command. */
function countsOn(limiter: () => Limiter, { quota, windowSeconds }: RateCounterOptions): RateCounter {
  const admitted = admission(windowSeconds);
  const state = (res: RateLimiterRes, allowed: boolean): CountState => ({
    allowed,
    used: res.consumedPoints,
    resetMs: res.msBeforeNext > 0 ? res.msBeforeNext : undefined,
  });
  return {
    quota,
    windowSeconds,
    async consume(key, points) {
      try {
        return state(await limiter().consume(admitted(key, true), points), true);
      } catch (error) {
        // Over the quota: the library rejects with the count, the points counted.
        if (error instanceof RateLimiterRes) return state(error, false);
        throw error;
      }
    },
    async adjust(key, points) {
      if (points > 0) await limiter().penalty(admitted(key, true), points);
      else if (points < 0) await limiter().reward(admitted(key, false), -points);
    },
    async peek(key) {
      const res = await limiter().get(admitted(key, false));
      return res === null || res.msBeforeNext <= 0 ? { allowed: true, used: 0, resetMs: undefined } : state(res, true);
    },
  };
}

/**
 * The insurance of a Redis count: the same count in this process, told of
 * each use (a command that could not reach Redis). A limiter of its own kind,
 * so that the counts that skip Redis while it is away use `local` untold.
 */
class FallbackCount extends RateLimiterCompatibleAbstract {
  override readonly keyPrefix: string;
  override blockDuration = 0;
  override execEvenly = false;

  constructor(
    private readonly local: RateLimiterMemory,
    private readonly used: () => void,
  ) {
    super();
    this.keyPrefix = local.keyPrefix;
  }

  override consume(key: string | number, points?: number, options?: Record<string, unknown>) {
    this.used();
    return this.local.consume(key, points, options);
  }

  override penalty(key: string | number, points?: number, options?: Record<string, unknown>) {
    this.used();
    return this.local.penalty(key, points, options);
  }

  override reward(key: string | number, points?: number, options?: Record<string, unknown>) {
    this.used();
    return this.local.reward(key, points, options);
  }

  override get(key: string | number, options?: Record<string, unknown>) {
    this.used();
    return this.local.get(key, options);
  }

  override set(key: string | number, points: number, seconds: number, options?: Record<string, unknown>) {
    this.used();
    return this.local.set(key, points, seconds, options);
  }

  override block(key: string | number, seconds: number, options?: Record<string, unknown>) {
    this.used();
    return this.local.block(key, seconds, options);
  }

  override delete(key: string | number, options?: Record<string, unknown>) {
    this.used();
    return this.local.delete(key, options);
  }
}
