// The contract's error codes, and the one place where failures become
// GraphQL errors. Everything not listed here stays masked.

import type { GraphQLError } from 'graphql';
import { createGraphQLError } from 'graphql-yoga';

import { UpstreamError, UpstreamStatusError } from './upstream/errors.ts';

export type ErrorCode =
  | 'BAD_USER_INPUT'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'RATE_LIMITED'
  | 'UPSTREAM_TIMEOUT'
  | 'UPSTREAM_ERROR'
  | 'UPSTREAM_BAD_RESPONSE';

/**
 * Whether a value is a GraphQLError. By name, not `instanceof`: a test runner
 * or a bundler may load graphql-js twice, and each copy has its own class.
 */
export function isGraphQLError(value: unknown): value is GraphQLError {
  return value instanceof Error && value.name === 'GraphQLError';
}

/** Bad arguments, cursors or ids; its message is shown to the caller as is. */
export class BadInputError extends Error {
  override name = 'BadInputError';
  readonly code = 'BAD_USER_INPUT';
}

/** Upstream HTTP status → the contract's code. Unlisted statuses are UPSTREAM_ERROR. */
const codeByUpstreamStatus: ReadonlyMap<number, ErrorCode> = new Map([
  [401, 'UNAUTHENTICATED'],
  [403, 'FORBIDDEN'],
  [404, 'NOT_FOUND'],
  [429, 'RATE_LIMITED'],
]);

const messageByCode: Readonly<Record<ErrorCode, string>> = {
  BAD_USER_INPUT: 'Bad input',
  UNAUTHENTICATED: 'The upstream did not accept the credentials',
  FORBIDDEN: 'The credentials may not see this organization',
  NOT_FOUND: 'The upstream knows no such organization',
  RATE_LIMITED: 'The upstream is rate limiting requests; try again later',
  UPSTREAM_TIMEOUT: 'The upstream did not answer in time',
  UPSTREAM_ERROR: 'The upstream failed',
  UPSTREAM_BAD_RESPONSE: 'The upstream sent a response the gateway cannot read',
};

/**
 * The caller-facing GraphQL error for a known failure, or undefined for
 * anything else (which the server masks). Never includes upstream bodies.
 */
export function toGraphQLError(error: unknown, located?: GraphQLError): GraphQLError | undefined {
  // Keep where in the query and the response the error arose.
  const where = { nodes: located?.nodes, source: located?.source, positions: located?.positions, path: located?.path };
  if (error instanceof BadInputError) {
    return createGraphQLError(error.message, { ...where, extensions: { code: error.code } });
  }
  if (!(error instanceof UpstreamError)) return undefined;

  const extensions: Record<string, unknown> = {};
  let code: ErrorCode;
  let message: string;
  if (error instanceof UpstreamStatusError) {
    code = codeByUpstreamStatus.get(error.status) ?? 'UPSTREAM_ERROR';
    message = `${messageByCode[code]} (HTTP ${error.status})`;
    if (code === 'RATE_LIMITED' && error.retryAfterSeconds !== undefined) {
      extensions.retryAfterSeconds = error.retryAfterSeconds;
    }
  } else if (error.code === 'UPSTREAM_TIMEOUT') {
    code = 'UPSTREAM_TIMEOUT';
    message = error.message;
  } else if (error.code === 'UPSTREAM_BAD_RESPONSE') {
    code = 'UPSTREAM_BAD_RESPONSE';
    message = error.message;
  } else {
    code = 'UPSTREAM_ERROR';
    message = messageByCode.UPSTREAM_ERROR;
  }
  if (error.status !== undefined) extensions.upstreamStatus = error.status;
  return createGraphQLError(message, { ...where, extensions: { code, ...extensions } });
}
