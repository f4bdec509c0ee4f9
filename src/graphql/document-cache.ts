// Bounded memory of parsed and validated documents. Yoga keeps both by
// default, 1,024 documents of any size for an hour. A parsed document keeps
// every token of its text, so what it costs grows with its tokens, up to
// MAX_TOKENS: here the bound is in (estimated) bytes, so that many small
// documents or a few large ones fit. Validation results hang off the
// document (yoga keeps them in a WeakMap), so they go with it.

import type { DocumentNode } from 'graphql';
import type { YogaServerOptions } from 'graphql-yoga';
import { LRUCache } from 'lru-cache';

/**
 * Heap a cached document costs per token of its text, with validation:
 * measured at 350-800 bytes (see docs/operations.md, Memory); the
 * estimate takes the top. Its text is kept too (two bytes a character at
 * most), and a comment or a string is one token of any length.
 */
const documentBytesPerToken = 800;
/** A refused query keeps its text (two bytes a character at most) and an error. */
const parseErrorBytes = (text: string) => 2 * text.length + 2_048;

type ParserAndValidationCache = Exclude<
  YogaServerOptions<Record<string, unknown>, Record<string, unknown>>['parserAndValidationCache'],
  boolean | undefined
>;

export interface DocumentCache extends ParserAndValidationCache {
  /** Estimated bytes held right now, parsed documents and parse errors together. */
  readonly bytes: () => number;
  /** How many documents and parse errors are held right now. */
  readonly count: () => number;
}

/**
 * Parsed documents and parse errors by query text, least recently used
 * first out, each kind within `maxBytes`; 0 parses and validates every
 * request afresh.
 */
export function createDocumentCache(maxBytes: number): DocumentCache | false {
  if (maxBytes === 0) return false;
  const documents = new LRUCache<string, DocumentNode>({
    maxSize: maxBytes,
    sizeCalculation: (document) => estimatedDocumentBytes(document),
  });
  const errors = new LRUCache<string, object>({
    maxSize: maxBytes,
    sizeCalculation: (_, text) => parseErrorBytes(text),
  });
  return {
    documentCache: {
      get: (text) => (isPersistedPlaceholder(text) ? undefined : documents.get(text)),
      set: (text, document) => {
        if (!isPersistedPlaceholder(text)) documents.set(text, document);
      },
    },
    errorCache: {
      get: (text) => errors.get(text),
      set: (text, error) => errors.set(text, error as object),
    },
    validationCache: true,
    bytes: () => documents.calculatedSize + errors.calculatedSize,
    count: () => documents.size + errors.size,
  };
}

/**
 * What yoga's persisted-operations plugin puts in place of a persisted
 * document's text. Its manifest holds the parsed document, and after a
 * reload the same id may name another one: kept here, the old one would be
 * served in its place.
 */
function isPersistedPlaceholder(text: string): boolean {
  return text.startsWith('__PERSISTED_OPERATION_');
}

export function estimatedDocumentBytes(document: DocumentNode): number {
  return Math.max(1, countTokens(document)) * documentBytesPerToken + 2 * (document.loc?.source.body.length ?? 0);
}

/** The tokens of a document's text, comments included: what its parsed form keeps alive. */
export function countTokens(document: DocumentNode): number {
  let count = 0;
  for (let token = document.loc?.startToken ?? null; token; token = token.next) count++;
  return count;
}
