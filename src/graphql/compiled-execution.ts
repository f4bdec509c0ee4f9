// Compiled execution (graphql-jit) for hot operations, graphql-js for the rest.
//
// Memory: a compiled operation weighs up to a few megabytes, so only a
// document that has already run `compileAfterUses` times is compiled, and
// compiled operations stay within `maxBytes` (estimated from their tokens;
// least recently used go first). V8 would
// also keep the generated source of every `new Function` graphql-jit ever
// called in its eval cache until the heap nears its limit; that cache only
// pays for code evaluated again and again, which a server does not do, so it
// is turned off for the process.
//
// Correctness: graphql-jit loses the order of a list whose items fail
// asynchronously, and compiles one operation of a document; such operations
// stay on graphql-js:
// - documents with more than one operation (the operation name picks one);
// - operations that select, anywhere, a list field whose items may fail on
//   their own: nullable items and a resolver of its own (federation's
//   `_entities`, say), unless the field declares that it settles every item
//   before it answers (`settlesListItems`, as `nodes` does: a failed id is an
//   Error value in place, which compiled code keeps in order).
//
// Key order: graphql-jit builds an object with a fragment's fields after
// their siblings (`{ ...F id }` comes out `id` first), where the spec and
// graphql-js keep the order of the document. A compiled operation's data
// writer (data-writer.ts) writes the spec's order, so every object of a known
// type answers as graphql-js does; the values of an interface or union, and
// a result the writer does not fit, keep graphql-jit's order. Clients read
// keys by name; only a byte-for-byte comparison of answers would see it.
// Errors are put in graphql-js's form (compiled-errors.ts).

import { setFlagsFromString } from 'node:v8';
import {
  BREAK,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  type GraphQLField,
  type GraphQLSchema,
  isListType,
  isNonNullType,
  Kind,
  TypeInfo,
  visit,
  visitWithTypeInfo,
} from 'graphql';
import { type CompiledQuery, compileQuery, isCompiledQuery } from 'graphql-jit';
import type { Plugin } from 'graphql-yoga';
import { LRUCache } from 'lru-cache';
import { withGraphqlJsErrors } from './compiled-errors.ts';
import { type GeneratedDataWriter, generateDataWriter } from './data-writer.ts';
import { countTokens, estimatedDocumentBytes } from './document-cache.ts';
import { responseShapeOf } from './response-shape.ts';
import { writeDataWith } from './result-serializer.ts';

/**
 * Heap a compiled operation costs per token of its document: measured at
 * 1.1-3.3 KB (see docs/operations.md, Memory); the estimate takes the top,
 * plus the document itself, which the compiled code keeps alive.
 */
const compiledBytesPerToken = 3_500;
const estimatedCompiledBytes = (document: DocumentNode) =>
  Math.max(1, countTokens(document)) * compiledBytesPerToken + estimatedDocumentBytes(document);
/**
 * Heap a generated data writer costs per character of its source, once
 * optimised: measured at 13 (about 820 KB for every field of a page of
 * assistants; its code writes each key's bytes one by one).
 */
const writerBytesPerSourceChar = 14;

/** A compiled operation, and the writer generated for its `data` when its keys are certain. */
interface CompiledOperation {
  readonly query: CompiledQuery;
  readonly writer: GeneratedDataWriter | undefined;
  /** Its document (the compiled query keeps it alive anyway): where its errors' locations point. */
  readonly document: DocumentNode;
}

export interface CompiledExecutionOptions {
  /** Estimated bytes of compiled operations kept at most; 0 runs everything on graphql-js. */
  readonly maxBytes: number;
  /** Runs a document has on graphql-js before it is compiled. */
  readonly compileAfterUses: number;
}

export interface CompiledExecution extends Plugin {
  /** How many operations are compiled right now, and their estimated bytes. */
  readonly compiled: () => { readonly count: number; readonly bytes: number };
  /**
   * Compiles a persisted document now, into the same bounded memory as any
   * other (it may be let go, and compiled again once used again): its first
   * request already runs compiled.
   */
  readonly precompile: (schema: GraphQLSchema, document: DocumentNode) => void;
}

/** A field extension: the field's resolver settles every list item itself, failed ones as Error values in place. */
export const settlesListItems = 'settlesListItems';

export function useCompiledExecution(options: CompiledExecutionOptions): CompiledExecution {
  if (options.maxBytes === 0) return { compiled: () => ({ count: 0, bytes: 0 }), precompile: () => undefined };
  setFlagsFromString('--no-compilation-cache');

  // By query text, so that a document parsed again (after the document cache
  // let it go) finds its compiled form.
  const compiled = new LRUCache<string, CompiledOperation>({ maxSize: options.maxBytes });
  // By document: yoga hands out one parsed document per query text while its
  // document cache keeps it, so a use count lives exactly as long as that.
  const uses = new WeakMap<DocumentNode, number>();
  const compilable = new WeakMap<DocumentNode, boolean>();

  /** Compiles the operation, with its data writer where both fit, and keeps it. */
  function compile(schema: GraphQLSchema, document: DocumentNode, operationName: string | undefined) {
    const size = estimatedCompiledBytes(document);
    if (size > options.maxBytes) return undefined;
    const query = compileQuery(schema, document, operationName);
    // What graphql-jit cannot compile, graphql-js runs (and reports, if it is an error).
    if (!isCompiledQuery(query)) return undefined;
    const generated = dataWriterFor(schema, document, operationName);
    const withWriter = size + (generated?.sourceLength ?? 0) * writerBytesPerSourceChar;
    const writer = withWriter <= options.maxBytes ? generated : undefined;
    const operation: CompiledOperation = { query, writer, document };
    compiled.set(document.loc?.source.body ?? '', operation, { size: writer ? withWriter : size });
    return operation;
  }

  function compiledFor(args: ExecutionArgs): CompiledOperation | undefined {
    const text = args.document.loc?.source.body;
    if (text === undefined) return undefined;
    const known = compiled.get(text);
    if (known) return known;

    let verdict = compilable.get(args.document);
    if (verdict === undefined) {
      verdict = isCompilable(args.schema, args.document);
      compilable.set(args.document, verdict);
    }
    if (!verdict) return undefined;
    const used = uses.get(args.document) ?? 0;
    if (used < options.compileAfterUses) {
      uses.set(args.document, used + 1);
      return undefined;
    }
    // An operation that could never fit would be compiled again on every use: it stays on graphql-js.
    return compile(args.schema, args.document, args.operationName ?? undefined);
  }

  return {
    compiled: () => ({ count: compiled.size, bytes: compiled.calculatedSize }),
    precompile(schema, document) {
      if (document.loc === undefined || !isCompilable(schema, document)) return;
      compile(schema, document, undefined);
    },
    onExecute({ args, setExecuteFn }) {
      const operation = compiledFor(args);
      if (operation) setExecuteFn((run) => executeCompiled(operation, run));
    },
  };
}

/** The writer for an operation's data, if its keys are certain; none if it cannot be generated (the generic walk serves). */
function dataWriterFor(schema: GraphQLSchema, document: DocumentNode, operationName: string | undefined) {
  try {
    const shape = responseShapeOf(schema, document, operationName);
    return shape && generateDataWriter(shape);
  } catch {
    return undefined;
  }
}

function executeCompiled({ query, writer, document }: CompiledOperation, run: ExecutionArgs) {
  const result = query.query(run.rootValue, run.contextValue, run.variableValues);
  const settled = (done: ExecutionResult) => {
    if (writer) writeDataWith(done.data, writer.write);
    return withGraphqlJsErrors(done, document);
  };
  return result instanceof Promise ? result.then(settled) : settled(result);
}

export function isCompilable(schema: GraphQLSchema, document: DocumentNode): boolean {
  const operations = document.definitions.filter((definition) => definition.kind === Kind.OPERATION_DEFINITION);
  if (operations.length !== 1) return false;
  // Fragments are visited with their own type condition, so a field reached through one counts too.
  const typeInfo = new TypeInfo(schema);
  let compilable = true;
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field() {
        const field = typeInfo.getFieldDef();
        if (field && itemsMayFailApart(field)) {
          compilable = false;
          return BREAK;
        }
        return undefined;
      },
    }),
  );
  return compilable;
}

/** A list whose items may each fail on their own, in any order: graphql-jit would lose their places. */
function itemsMayFailApart(field: GraphQLField<unknown, unknown>): boolean {
  const type = isNonNullType(field.type) ? field.type.ofType : field.type;
  if (!isListType(type) || isNonNullType(type.ofType)) return false;
  return field.resolve !== undefined && field.extensions?.[settlesListItems] !== true;
}
