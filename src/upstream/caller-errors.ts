// An upstream failure as its caller sees it: the contract's code, a message
// that names no upstream body, and the status and `Retry-After` when the
// upstream answered.

import { GraphQLError } from 'graphql';
import type { ErrorCode } from '../contract/errors.ts';
import type { UpstreamError } from './errors.ts';

/** Upstream status → the contract's code; unlisted statuses are UPSTREAM_ERROR. */
const codeByStatus: ReadonlyMap<number, ErrorCode> = new Map([
  [401, 'UNAUTHENTICATED'],
  [403, 'FORBIDDEN'],
  [404, 'NOT_FOUND'],
  [429, 'RATE_LIMITED'],
]);

/** Each upstream failure, by its `code`: the contract's code and the caller's message. */
const contractByFailure: Readonly<
  Record<UpstreamError['code'], (error: UpstreamError) => { code: ErrorCode; message: string; reason?: string }>
> = {
  UPSTREAM_STATUS: (error) => {
    const code = codeByStatus.get(error.status as number) ?? 'UPSTREAM_ERROR';
    return { code, message: `${messageByCode[code]} (HTTP ${error.status})` };
  },
  UPSTREAM_TIMEOUT: (error) => ({ code: 'UPSTREAM_TIMEOUT', message: error.message }),
  UPSTREAM_CONNECTION: () => ({ code: 'UPSTREAM_ERROR', message: 'The upstream could not be reached' }),
  // Names the bad path of the body, never its values.
  UPSTREAM_BAD_RESPONSE: (error) => ({ code: 'UPSTREAM_BAD_RESPONSE', message: error.message }),
  UPSTREAM_BYTES_EXHAUSTED: (error) => ({
    code: 'LIMIT_EXCEEDED',
    message: error.message,
    reason: 'MAX_UPSTREAM_BYTES_PER_REQUEST',
  }),
  // The gateway's own protection of the upstream: try again shortly.
  UPSTREAM_BUSY: (error) => ({ code: 'RATE_LIMITED', message: error.message, reason: 'UPSTREAM_MAX_INFLIGHT' }),
  UPSTREAM_CIRCUIT_OPEN: (error) => ({ code: 'UPSTREAM_ERROR', message: error.message, reason: 'CIRCUIT_OPEN' }),
};

const messageByCode: Readonly<Record<ErrorCode, string>> = {
  BAD_USER_INPUT: 'Bad input',
  UNAUTHENTICATED: 'The upstream did not accept the credentials',
  FORBIDDEN: 'The credentials may not see this organization',
  NOT_FOUND: 'The upstream knows no such organization',
  RATE_LIMITED: 'The upstream is rate limiting requests; try again later',
  UPSTREAM_TIMEOUT: 'The upstream did not answer in time',
  UPSTREAM_ERROR: 'The upstream failed',
  UPSTREAM_BAD_RESPONSE: 'The upstream sent a response the gateway cannot read',
  LIMIT_EXCEEDED: 'The request is over a limit of the gateway',
};

/** The contract's code for an upstream failure, as the caller will see it. */
export function contractCodeOf(error: UpstreamError): ErrorCode {
  return contractByFailure[error.code](error).code;
}

/**
 * The caller-facing error for an upstream failure: the contract's code, the
 * upstream's status and `Retry-After` when it answered, never its body.
 */
export function upstreamGraphQLError(error: UpstreamError): GraphQLError {
  const { code, message, reason } = contractByFailure[error.code](error);
  const extensions: Record<string, unknown> = { code };
  if (reason !== undefined) extensions.reason = reason;
  else if (error.status !== undefined) extensions.upstreamStatus = error.status;
  if (code === 'RATE_LIMITED' && error.retryAfterSeconds !== undefined) {
    extensions.retryAfterSeconds = error.retryAfterSeconds;
  }
  return new GraphQLError(message, { extensions });
}
