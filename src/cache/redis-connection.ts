// One connection to Redis whose commands never fail their caller: each is
// bounded by REDIS_TIMEOUT_MS, a failed one answers its fallback and is
// counted, and an outage is told once, when it starts and when it ends.

import { Redis } from 'ioredis';

export interface RedisConnectionOptions {
  readonly url: string;
  /** Longest a command may take before it is given up on. */
  readonly timeoutMs: number;
  /** Told of every failed command. */
  readonly onError: () => void;
  /** Told when Redis stops answering, and when it answers again: once per outage. */
  readonly onOutage: (down: boolean) => void;
}

const probeIntervalMs = 1_000;

export class RedisConnection {
  private readonly redis: Redis;
  private down = false;
  private everReady = false;
  private lastProbe = 0;

  constructor(private readonly options: RedisConnectionOptions) {
    this.redis = new Redis(options.url, {
      commandTimeout: options.timeoutMs,
      connectTimeout: Math.max(options.timeoutMs, 1_000),
      // A command while Redis is away fails at once rather than waiting in a queue.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      // Reconnect for ever, at most every 2 s.
      retryStrategy: (attempt) => Math.min(attempt * 100, 2_000),
      lazyConnect: false,
    });
    // A connection that fails or drops is an outage, from the start too.
    this.redis.on('error', () => this.outage());
    this.redis.on('ready', () => {
      this.everReady = true;
      this.answering();
    });
  }

  /**
   * `command`'s result, or `fallback` when it fails. While Redis is away, one
   * command a second finds out whether it is back; the rest do not wait on it.
   */
  async attempt<T>(command: (redis: Redis) => Promise<T>, fallback: T): Promise<T> {
    if (this.down) {
      if (Date.now() - this.lastProbe < probeIntervalMs) return fallback;
      this.lastProbe = Date.now();
    }
    try {
      const result = await command(this.redis);
      // Answering again after a slow spell (a timeout is not a disconnection, so no 'ready' follows).
      if (this.redis.status === 'ready') this.answering();
      return result;
    } catch {
      this.failed();
      return fallback;
    }
  }

  /**
   * The client itself, for a library that sends its own commands
   * (cache/rate-limit-store.ts); it tells `commandFailed` of each that fails.
   */
  get client(): Redis {
    return this.redis;
  }

  /** A command sent on `client` failed: counted, and an outage once Redis has answered before. */
  commandFailed(): void {
    this.failed();
  }

  /** False while Redis is not answering. */
  available(): boolean {
    return !this.down;
  }

  /** Settles once the first connection is made or has failed, or after `ms`. */
  connected(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      if (this.everReady || this.down) return resolve();
      const done = () => {
        clearTimeout(timer);
        this.redis.off('ready', done);
        this.redis.off('error', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.redis.once('ready', done);
      this.redis.once('error', done);
    });
  }

  close(): void {
    this.redis.disconnect();
  }

  // A command that fails counts; it is an outage once Redis has answered before
  // (commands sent while the first connection is still being made only miss).
  private failed(): void {
    this.options.onError();
    if (this.everReady) this.outage();
  }

  private outage(): void {
    if (this.down) return;
    this.down = true;
    this.options.onOutage(true);
  }

  private answering(): void {
    if (!this.down) return;
    this.down = false;
    this.options.onOutage(false);
  }
}
