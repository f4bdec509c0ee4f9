// graphql-jit's field errors in graphql-js's form. graphql-jit gives an
// error its `locations` but not the field nodes or source positions they come
// from, so an error rebuilt from those (as yoga rebuilds every error of a
// response) loses them; and it puts `errors` after `data`, where graphql-js
// puts them first. Put right here, a compiled operation's errors read as
// graphql-js's do.

import { type DocumentNode, type ExecutionResult, GraphQLError, type Source, type SourceLocation } from 'graphql';

export function withGraphqlJsErrors(result: ExecutionResult, document: DocumentNode): ExecutionResult {
  if (!result.errors?.length) return result;
  const source = document.loc?.source;
  const errors = source ? result.errors.map((error) => locatedInSource(error, source)) : result.errors;
  const { data, extensions } = result;
  return extensions === undefined ? { errors, data } : { errors, data, extensions };
}

/** The error with source positions for its locations, from which any copy of it computes them again. */
function locatedInSource(error: GraphQLError, source: Source): GraphQLError {
  if (error.source !== undefined || !error.locations?.length) return error;
  const lineStarts = lineStartsOf(source.body);
  return new GraphQLError(error.message, {
    source,
    positions: error.locations.map((location) => positionOf(location, lineStarts)),
    path: error.path,
    originalError: error.originalError ?? undefined,
    extensions: error.extensions,
  });
}

/** Where each line starts, counting lines as GraphQL's lexer does (`\r\n`, `\n` or `\r` ends one). */
function lineStartsOf(body: string): number[] {
  const starts = [0];
  for (let i = 0; i < body.length; i++) {
    const code = body.charCodeAt(i);
    if (code === 13 && body.charCodeAt(i + 1) === 10) i++;
    if (code === 10 || code === 13) starts.push(i + 1);
  }
  return starts;
}

function positionOf({ line, column }: SourceLocation, lineStarts: readonly number[]): number {
  return (lineStarts[line - 1] ?? 0) + column - 1;
}
