// Failures of one upstream call, each with a stable `code`. They know nothing
// of GraphQL: `src/errors.ts` turns them into the contract's error codes.

export abstract class UpstreamError extends Error {
  abstract readonly code: string;
  /** The HTTP status the upstream answered with, if it answered. */
  readonly status: number | undefined;

  constructor(message: string, status?: number, options?: ErrorOptions) {
    super(message, options);
    this.status = status;
  }
}

/** The upstream answered with a status other than 200. */
export class UpstreamStatusError extends UpstreamError {
  override name = 'UpstreamStatusError';
  readonly code = 'UPSTREAM_STATUS';
  declare readonly status: number;
  /** From `Retry-After`, when the upstream said. */
  readonly retryAfterSeconds: number | undefined;

  constructor(status: number, retryAfterSeconds?: number) {
    super(`upstream answered ${status}`, status);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** The deadline passed before the upstream answered. */
export class UpstreamTimeoutError extends UpstreamError {
  override name = 'UpstreamTimeoutError';
  readonly code = 'UPSTREAM_TIMEOUT';

  constructor(timeoutMs: number) {
    super(`upstream did not answer within ${timeoutMs} ms`);
  }
}

/** The connection failed or dropped before a whole answer arrived. */
export class UpstreamConnectionError extends UpstreamError {
  override name = 'UpstreamConnectionError';
  readonly code = 'UPSTREAM_CONNECTION';

  constructor(cause: unknown) {
    super('upstream connection failed', undefined, { cause });
  }
}

/** A 200 whose body does not fit the upstream's contract. */
export class UpstreamBadResponseError extends UpstreamError {
  override name = 'UpstreamBadResponseError';
  readonly code = 'UPSTREAM_BAD_RESPONSE';

  /** `problem` names the bad path and what was expected, never the value. */
  constructor(readonly problem: string) {
    super(`upstream sent a body that does not fit: ${problem}`, 200);
  }
}
