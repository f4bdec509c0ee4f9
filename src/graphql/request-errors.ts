// Errors of a request as a whole (syntax, validation, variables) carry the
// contract's BAD_USER_INPUT, and those of the gateway's request limits
// (tokens, depth, aliases, directives, cost, batch size) LIMIT_EXCEEDED; the
// more specific cause stays beside it as `reason`.

import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { type ErrorCode, isGraphQLError } from '../contract/errors.ts';

const requestErrorCodes = new Set([undefined, 'GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED', 'BAD_REQUEST']);

/** Errors a limit plugin raised, with the setting that refused them. */
const limitReasons = new WeakMap<Error, string>();

/** For a limit plugin's `onReject`: marks the error it raises as that limit's. */
export function rejectedBy(setting: string) {
  return (_context: unknown, error: Error) => {
    limitReasons.set(error, setting);
  };
}

/** Yoga refuses a batch over its limit with HTTP 413, and nothing else it raises has that status. */
function limitOf(error: GraphQLError): string | undefined {
  const reason = limitReasons.get(error) ?? (error.originalError ? limitReasons.get(error.originalError) : undefined);
  if (reason) return reason;
  const http = error.extensions?.http as { status?: number } | undefined;
  return http?.status === 413 ? 'MAX_BATCH' : undefined;
}

export function useRequestErrorCodes(): Plugin {
  return {
    onResultProcess({ result, setResult }) {
      if (Symbol.asyncIterator in result) return;
      const results = Array.isArray(result) ? result : [result];
      if (!results.some((one) => one.errors?.some(isRequestError))) return;
      const mapped = results.map((one) =>
        one.errors
          ? { ...one, errors: one.errors.map((error) => (isRequestError(error) ? asBadInput(error) : error)) }
          : one,
      );
      setResult(Array.isArray(result) ? mapped : (mapped[0] as (typeof mapped)[number]));
    },
  };
}

/** An error of the request as a whole: it has no path into the response. */
function isRequestError(error: GraphQLError | Error): error is GraphQLError {
  return (
    isGraphQLError(error) &&
    error.path === undefined &&
    requestErrorCodes.has(error.extensions?.code as string | undefined)
  );
}

function asBadInput(error: GraphQLError): GraphQLError {
  // Some executors (graphql-jit) leave `extensions` out.
  const { code, ...extensions } = error.extensions ?? {};
  // Yoga's `originalError` of a body that is not JSON quotes the body back: keep its name only
  // (yoga answers 400 rather than 200 because it is there).
  const original = extensions.originalError as { name?: unknown } | undefined;
  if (original && typeof original === 'object' && !isGraphQLError(original)) {
    extensions.originalError = { name: original.name };
  }
  const limit = limitOf(error);
  const contractCode: ErrorCode = limit ? 'LIMIT_EXCEEDED' : 'BAD_USER_INPUT';
  const reason = limit ?? code;
  return new GraphQLError(error.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    originalError: error.originalError,
    extensions: { ...extensions, code: contractCode, ...(reason === undefined ? {} : { reason }) },
  });
}
