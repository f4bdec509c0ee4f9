// Trusted documents: a request names a persisted document by its id and the
// gateway runs the document it holds, parsed and validated at load
// (persisted-documents.ts). Built on yoga's persisted-operations plugin; what
// it leaves to us is here: which forms of ids clients send
// (contract/persisted-ids.ts), what an arbitrary document (query text) may do
// in each PERSISTED_DOCUMENTS_MODE, registering automatic persisted queries,
// and Cache-Control for persisted GETs that anyone may share.

import { createHash } from 'node:crypto';
import { usePersistedOperations } from '@graphql-yoga/plugin-persisted-operations';
import { type DocumentNode, type GraphQLError, Kind, parse } from 'graphql';
import { createGraphQLError, type Plugin } from 'graphql-yoga';
import type { ApqStore } from '../cache/apq-store.ts';
import type { PersistedDocumentsMode } from '../config.ts';
import { maxIdLength, type PersistedId, persistedIdOf, persistedIdParameters } from '../contract/persisted-ids.ts';
import type { PersistedDocuments } from './persisted-documents.ts';

/** What the operation's telemetry is told of the document it runs. */
export interface DocumentIdentity {
  /** The persisted id it was asked for by. */
  readonly persistedId?: string;
  /** The SHA-256 of an arbitrary document's text, in PERSISTED_DOCUMENTS_MODE=log. */
  readonly documentHash?: string;
}

export interface TrustedDocumentsOptions {
  readonly mode: PersistedDocumentsMode;
  /** The manifests' documents; undefined when PERSISTED_DOCUMENTS is unset. */
  readonly documents: PersistedDocuments | undefined;
  /** Registered APQ documents; undefined unless APQ=true. */
  readonly apq: ApqStore | undefined;
  /** INTROSPECTION: an introspection-only document runs even when arbitrary ones are refused. */
  readonly introspection: boolean;
  /** MAX_TOKENS, for reading a document that is refused unless it is introspection only. */
  readonly maxTokens: number;
  /** PERSISTED_GET_MAX_AGE_SECONDS: how long a shareable persisted GET's response may be cached; 0: not at all. */
  readonly sharedMaxAgeSeconds: number;
  /** Tells the operation's telemetry which document it runs (context: the operation's). */
  readonly identify: (context: object, identity: DocumentIdentity) => void;
  /** Counts an arbitrary document in `log` (it runs) or `enforce` (refused) mode. */
  readonly countArbitrary: (outcome: 'run' | 'refused') => void;
}

export function useTrustedDocuments(options: TrustedDocumentsOptions): Plugin[] {
  /** Each operation's persisted id, by its context (one per operation, a batch's too). */
  const ids = new WeakMap<object, PersistedId>();
  /** Operations that run a manifest's document: validated at load, not again. */
  const listed = new WeakSet<object>();
  /** APQ registrations under way: the document is kept once it validates. */
  const registering = new WeakMap<object, { hash: string; text: string }>();

  const gate: Plugin = {
    onParams({ params, request, context, setParams }) {
      // Yoga refuses such a batch item later; the plugins after this one would read its fields first.
      if (typeof params !== 'object' || params === null) throw notAnObject(params);
      const search = request.method === 'GET' ? new URL(request.url).searchParams : undefined;
      const persisted = persistedIdOf(params as Record<string, unknown>, search);
      const text = typeof params.query === 'string' ? params.query : undefined;
      if (!persisted && malformedId(params as Record<string, unknown>, search)) throw badId();
      if (persisted) {
        const listedHere = options.documents?.get(persisted.id) !== undefined;
        if (text === undefined || listedHere || options.mode === 'enforce') {
          // The id wins over text sent beside it: the gateway runs the document it holds (or refuses the id).
          if (text !== undefined) setParams({ ...params, query: undefined });
          if (listedHere) listed.add(context);
          ids.set(context, persisted);
          options.identify(context, { persistedId: persisted.id });
          return;
        }
        if (persisted.kind === 'apq' && options.apq) {
          registering.set(context, { hash: persisted.id, text: checkedHash(persisted.id, text) });
          options.identify(context, { persistedId: persisted.id });
        }
      }
      // Text runs (an APQ registration's too): the id beside it, if any, decides nothing.
      if (text !== undefined) arbitraryDocument(options, context, text);
    },
    onValidate({ context, setResult }) {
      if (listed.has(context)) {
        setResult([]);
        return;
      }
      const registration = registering.get(context);
      if (!registration) return;
      return ({ valid }) => {
        if (valid) options.apq?.set(registration.hash, registration.text);
      };
    },
  };

  return [
    gate,
    usePersistedOperations({
      // The gate above has refused what must be refused.
      allowArbitraryOperations: true,
      extractPersistedOperationId: (_params, _request, context) => ids.get(context)?.id ?? null,
      getPersistedOperation: (id, _request, context) =>
        documentOf(options, id, context, ids.get(context)) as ReturnType<typeof documentOf>,
      customErrors: {
        // An APQ hash not known: the client may send its text, unless only manifests' documents run.
        notFound: ({ context }) =>
          ids.get(context)?.kind === 'apq' && (options.apq || options.mode !== 'enforce')
            ? persistedQueryNotFound()
            : notInList(ids.get(context)),
        keyNotFound: () => (options.mode === 'enforce' ? idRequired() : noDocument()),
      },
    }),
    useSharedPersistedGets(options.sharedMaxAgeSeconds, ids),
  ];
}

/** A manifest's document, or else (for an APQ hash) a registered one's text. */
function documentOf(
  options: TrustedDocumentsOptions,
  id: string,
  context: object,
  persisted: PersistedId | undefined,
): DocumentNode | string | null | Promise<string | null> {
  const listed = options.documents?.get(id);
  if (listed) return listed;
  if (!options.apq || persisted?.kind !== 'apq') return null;
  // A registered document is no manifest's: `log` counts it as `enforce` would refuse it.
  const found = (text: string | undefined) => {
    if (text !== undefined && options.mode === 'log') arbitraryDocument(options, context, text);
    return text ?? null;
  };
  const registered = options.apq.get(id);
  return registered instanceof Promise ? registered.then(found) : found(registered);
}

/** Query text with no id: counted and identified by its hash in `log`, refused in `enforce` (introspection aside). */
function arbitraryDocument(options: TrustedDocumentsOptions, context: object, text: string): void {
  if (options.mode === 'allow') return;
  // What `enforce` lets run, `log` does not count.
  if (options.introspection && text.includes('__') && isIntrospectionOnly(text, options.maxTokens)) return;
  if (options.mode === 'log') {
    options.countArbitrary('run');
    options.identify(context, { documentHash: sha256(text) });
    return;
  }
  options.countArbitrary('refused');
  throw idRequired();
}

/** An id parameter that names no usable id: not a string, empty, or too long. */
function malformedId(params: Readonly<Record<string, unknown>>, search: URLSearchParams | undefined): boolean {
  return persistedIdParameters.some((name) => params[name] != null || search?.has(name) === true);
}

/** Whether every operation of the text asks only for `__schema`, `__type` or `__typename`: what tools send. */
export function isIntrospectionOnly(text: string, maxTokens: number): boolean {
  let document: DocumentNode;
  try {
    document = parse(text, { noLocation: true, maxTokens });
  } catch {
    return false;
  }
  const operations = document.definitions.filter((definition) => definition.kind === Kind.OPERATION_DEFINITION);
  return (
    operations.length > 0 &&
    operations.every(
      (operation) =>
        operation.operation === 'query' &&
        operation.selectionSet.selections.every(
          (selection) => selection.kind === Kind.FIELD && selection.name.value.startsWith('__'),
        ),
    )
  );
}

/** The text whose SHA-256 is `hash`, as APQ requires; any other is refused. */
function checkedHash(hash: string, text: string): string {
  if (sha256(text) !== hash) {
    throw createGraphQLError('provided sha does not match query', {
      extensions: { code: 'BAD_USER_INPUT', http: refusedBeforeRunning },
    });
  }
  return text;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * A persisted GET asked for without credentials runs the same document for
 * everyone: with PERSISTED_GET_MAX_AGE_SECONDS, its complete answer may be
 * kept by browsers and CDNs for that long.
 */
function useSharedPersistedGets(maxAgeSeconds: number, ids: WeakMap<object, PersistedId>): Plugin {
  if (maxAgeSeconds === 0) return {};
  const shareable = new WeakMap<Request, boolean>();
  const header = `public, max-age=${maxAgeSeconds}`;
  return {
    onParams({ request, context }) {
      // GET carries no batch: one operation, whose answer depends on nothing but its URL and Accept.
      const candidate =
        request.method === 'GET' &&
        !request.headers.has('authorization') &&
        !/no-store/i.test(request.headers.get('cache-control') ?? '') &&
        ids.has(context);
      shareable.set(request, candidate);
    },
    onExecutionResult({ request, result }) {
      // Only a complete, fresh answer is shared: not one with errors (an upstream failure), nor stale data.
      if (!result || Symbol.asyncIterator in result || result.errors?.length || result.extensions?.stale) {
        shareable.set(request, false);
      }
    },
    onResponse({ request, response }) {
      if (shareable.get(request) !== true || response.status !== 200) return;
      response.headers.set('cache-control', header);
      const vary = response.headers.get('vary') ?? '';
      if (!/(^|,)\s*(accept|\*)\s*(,|$)/i.test(vary)) response.headers.append('vary', 'Accept');
    },
  };
}

/**
 * A request refused before it ran answers 400 to a client that accepts
 * `application/graphql-response+json`, as one that does not parse does
 * (GraphQL over HTTP: a response without data is not a 200 there), and 200
 * to one that accepts only `application/json`.
 */
const refusedBeforeRunning = { spec: true, status: 400 };

function persistedQueryNotFound(): GraphQLError {
  // The message is what Apollo Client and urql look for before they send the text.
  return createGraphQLError('PersistedQueryNotFound', {
    extensions: { code: 'PERSISTED_QUERY_NOT_FOUND', http: refusedBeforeRunning },
  });
}

function notInList(persisted: PersistedId | undefined): GraphQLError {
  return createGraphQLError(
    `persisted document ${JSON.stringify(persisted?.id ?? '')} is in no manifest of this gateway`,
    { extensions: { code: 'PERSISTED_QUERY_NOT_IN_LIST', http: refusedBeforeRunning } },
  );
}

function idRequired(): GraphQLError {
  return createGraphQLError(
    'this gateway runs persisted documents only: send the id of one (documentId, extensions.persistedQuery.sha256Hash or doc_id) instead of its text',
    { extensions: { code: 'PERSISTED_QUERY_ID_REQUIRED', http: refusedBeforeRunning } },
  );
}

function badId(): GraphQLError {
  return createGraphQLError(
    `a persisted document's id (${persistedIdParameters.join(', ')}) must be a string of 1 to ${maxIdLength} characters`,
    { extensions: { code: 'BAD_USER_INPUT', http: refusedBeforeRunning } },
  );
}

/** Yoga's own refusal of a batch item that is not an object, with its words. */
function notAnObject(params: unknown): GraphQLError {
  return createGraphQLError(`Expected params to be an object but given ${params === null ? 'null' : typeof params}.`, {
    extensions: { code: 'BAD_REQUEST', http: { status: 400 } },
  });
}

function noDocument(): GraphQLError {
  return createGraphQLError('Must provide a query or the id of a persisted document.', {
    extensions: { code: 'BAD_USER_INPUT', http: refusedBeforeRunning },
  });
}
