// The contract's error codes and the GraphQL errors the gateway shows its
// callers; an upstream failure's are in upstream/caller-errors.ts. Every
// other failure stays masked.

import { type ASTNode, GraphQLError } from 'graphql';

export type ErrorCode =
  | 'BAD_USER_INPUT'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'RATE_LIMITED'
  | 'UPSTREAM_TIMEOUT'
  | 'UPSTREAM_ERROR'
  | 'UPSTREAM_BAD_RESPONSE'
  | 'LIMIT_EXCEEDED';

/**
 * Whether a value is a GraphQLError, subclasses included. By its tag, not
 * `instanceof`: a bundler or test runner may load graphql-js twice.
 */
export function isGraphQLError(value: unknown): value is GraphQLError {
  return Object.prototype.toString.call(value) === '[object GraphQLError]';
}

/** Bad arguments, cursors or ids: a GraphQL error from the start, shown to the caller as is. */
export class BadInputError extends GraphQLError {
  readonly code = 'BAD_USER_INPUT';

  constructor(message: string) {
    super(message, { extensions: { code: 'BAD_USER_INPUT' } });
  }
}

/** A request over one of the gateway's own limits; `reason` names the setting. */
export class LimitExceededError extends GraphQLError {
  readonly code = 'LIMIT_EXCEEDED';

  /** `nodes`: where in the document, for limits that a validation rule finds. */
  constructor(message: string, reason: string, nodes?: ASTNode) {
    super(message, { nodes, extensions: { code: 'LIMIT_EXCEEDED', reason } });
  }
}

/** An input value quoted for an error message: on one line, and not too long. */
export function quoteInput(value: string): string {
  const quoted = JSON.stringify(value);
  return quoted.length > 66 ? `${quoted.slice(0, 64)}…"` : quoted;
}

/**
 * A failure as one entry of a list reports it: a fresh Error, never one that
 * another entry holds too, so that nothing done to one entry's value (such as
 * branding it with a type) reaches another.
 */
export function errorOfOneEntry(error: unknown): Error {
  if (isGraphQLError(error)) {
    return new GraphQLError(error.message, { extensions: error.extensions, originalError: error.originalError });
  }
  const copy = new Error(error instanceof Error ? error.message : String(error), { cause: error });
  if (error instanceof Error) {
    copy.name = error.name;
    copy.stack = error.stack;
  }
  return copy;
}

/** For work whose caller has gone away. */
export function cancelledGraphQLError(): GraphQLError {
  return new GraphQLError('The request was cancelled before the upstream answered', {
    extensions: { code: 'UPSTREAM_ERROR' },
  });
}
