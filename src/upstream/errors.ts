// Failures of one upstream call, each with a stable `code`. They know nothing
// of GraphQL: `caller-errors.ts` turns them into the contract's error codes.

export type UpstreamFailure =
  | 'UPSTREAM_STATUS'
  | 'UPSTREAM_TIMEOUT'
  | 'UPSTREAM_CONNECTION'
  | 'UPSTREAM_BAD_RESPONSE'
  | 'UPSTREAM_BYTES_EXHAUSTED'
  | 'UPSTREAM_BUSY'
  | 'UPSTREAM_CIRCUIT_OPEN';

export abstract class UpstreamError extends Error {
  abstract readonly code: UpstreamFailure;
  /** The HTTP status the upstream answered with, if it answered. */
  readonly status: number | undefined;
  /** From `Retry-After`, when the upstream said. */
  readonly retryAfterSeconds: number | undefined;

  constructor(message: string, details: { status?: number; retryAfterSeconds?: number; cause?: unknown } = {}) {
    super(message, { cause: details.cause });
    this.status = details.status;
    this.retryAfterSeconds = details.retryAfterSeconds;
  }
}

/** The upstream answered with a status other than 200. */
export class UpstreamStatusError extends UpstreamError {
  override name = 'UpstreamStatusError';
  readonly code = 'UPSTREAM_STATUS' as const;
  declare readonly status: number;

  constructor(status: number, retryAfterSeconds?: number) {
    super(`upstream answered ${status}`, { status, retryAfterSeconds });
  }
}

/** The deadline passed before the upstream answered. */
export class UpstreamTimeoutError extends UpstreamError {
  override name = 'UpstreamTimeoutError';
  readonly code = 'UPSTREAM_TIMEOUT' as const;

  constructor(timeoutMs: number) {
    super(`upstream did not answer within ${timeoutMs} ms`);
  }
}

/** The connection failed or dropped before a whole answer arrived. */
export class UpstreamConnectionError extends UpstreamError {
  override name = 'UpstreamConnectionError';
  readonly code = 'UPSTREAM_CONNECTION' as const;

  constructor(cause: unknown) {
    super('upstream connection failed', { cause });
  }
}

/** A 200 whose body does not fit the upstream's contract. */
export class UpstreamBadResponseError extends UpstreamError {
  override name = 'UpstreamBadResponseError';
  readonly code = 'UPSTREAM_BAD_RESPONSE' as const;

  /** `problem` names the bad path and what was expected, never the value. */
  constructor(readonly problem: string) {
    super(`upstream sent a body that does not fit: ${problem}`, { status: 200 });
  }
}

/** The caller's request has read all the upstream bytes it may: the rest of this body is not read. */
export class UpstreamBytesExhaustedError extends UpstreamError {
  override name = 'UpstreamBytesExhaustedError';
  readonly code = 'UPSTREAM_BYTES_EXHAUSTED' as const;

  constructor(readonly maxBytes: number) {
    super(`the request may read at most ${maxBytes} bytes from the upstream`, { status: 200 });
  }
}

/** The gateway already has UPSTREAM_MAX_INFLIGHT calls in flight and its queue is full: refused without a call. */
export class UpstreamBusyError extends UpstreamError {
  override name = 'UpstreamBusyError';
  readonly code = 'UPSTREAM_BUSY' as const;

  constructor(maxInFlight: number, maxQueued: number) {
    super(
      `the gateway has ${maxInFlight} upstream calls in flight and ${maxQueued} waiting (UPSTREAM_MAX_INFLIGHT, UPSTREAM_MAX_QUEUED)`,
    );
  }
}

/** The upstream failed call after call: calls are paused (the circuit is open), refused without a call. */
export class UpstreamCircuitOpenError extends UpstreamError {
  override name = 'UpstreamCircuitOpenError';
  readonly code = 'UPSTREAM_CIRCUIT_OPEN' as const;

  constructor(retryInMs: number) {
    super(`the upstream is failing; calls to it are paused for ${Math.ceil(retryInMs / 1_000)} s`);
  }
}

/**
 * The upstream's own failures: 5xx, timeouts, connections that fail. Not a
 * 4xx (the upstream answered, about this caller), a body that does not fit,
 * nor a caller that went away.
 */
export function isUpstreamDown(error: unknown): boolean {
  if (error instanceof UpstreamStatusError) return error.status >= 500;
  return error instanceof UpstreamTimeoutError || error instanceof UpstreamConnectionError;
}
