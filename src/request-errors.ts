// Errors of a request as a whole (syntax, validation, limits, variables,
// batching) carry the contract's BAD_USER_INPUT; the more specific cause
// that GraphQL servers usually give stays beside it as `reason`.

import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { type ErrorCode, isGraphQLError } from './errors.ts';

const requestErrorCodes = new Set([undefined, 'GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED', 'BAD_REQUEST']);

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
  const badInput: ErrorCode = 'BAD_USER_INPUT';
  return new GraphQLError(error.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    originalError: error.originalError,
    extensions: { ...extensions, code: badInput, ...(code === undefined ? {} : { reason: code }) },
  });
}
