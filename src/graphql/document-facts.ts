// What the gateway decides from an operation's parsed document, never from
// its text (a persisted operation arrives without one, and text matches
// comments and strings): whether the operation opens an `assistants`
// connection, which lets the loaders keep the pages a refetch scan read.

import { BREAK, type DocumentNode, Kind, visit } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Context } from './context.ts';

/** One answer per document object: documents are kept and reused by the document cache. */
const opensConnection = new WeakMap<DocumentNode, boolean>();

/** Whether any field of the document, its fragments included, is `assistants` (under any alias). */
export function namesAssistantsConnection(document: DocumentNode): boolean {
  let named = opensConnection.get(document);
  if (named === undefined) {
    named = false;
    visit(document, {
      [Kind.FIELD]: (field) => {
        if (field.name.value !== 'assistants') return undefined;
        named = true;
        return BREAK;
      },
    });
    opensConnection.set(document, named);
  }
  return named;
}

/** Tells each operation's context what its document opens, once it is parsed and before it runs. */
export function useDocumentFacts(): Plugin<Context> {
  return {
    onExecute({ args }) {
      (args.contextValue as Context).document.opensConnection = namesAssistantsConnection(args.document);
    },
  };
}
