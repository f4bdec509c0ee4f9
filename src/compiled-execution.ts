// Compiled execution (graphql-jit) for the operations it runs exactly as
// graphql-js would, and graphql-js for the rest. graphql-jit caches compiled
// code by document alone, and loses the order of a list whose items fail
// asynchronously; both matter to correctness, so such operations stay on
// graphql-js:
// - documents with more than one operation (the operation name picks one);
// - operations with federation's `_entities` at the root, whose items may each
//   fail on their own. (`nodes` settles every item before it answers, so a
//   failed id is an Error value in place, which compiled code keeps in order.)

import { useGraphQlJit } from '@envelop/graphql-jit';
import { type DocumentNode, Kind, type SelectionSetNode } from 'graphql';
import type { Plugin } from 'graphql-yoga';

const itemByItemRootFields = new Set(['_entities']);

export function useCompiledExecution(): Plugin {
  const compilable = new WeakMap<DocumentNode, boolean>();
  return useGraphQlJit(
    {},
    {
      // Yoga reuses one parsed document per distinct query, so this is decided once per query.
      enableIf: ({ document }) => {
        let verdict = compilable.get(document);
        if (verdict === undefined) {
          verdict = isCompilable(document);
          compilable.set(document, verdict);
        }
        return verdict;
      },
    },
  ) as Plugin;
}

export function isCompilable(document: DocumentNode): boolean {
  const operations = document.definitions.filter((definition) => definition.kind === Kind.OPERATION_DEFINITION);
  if (operations.length !== 1) return false;
  const fragments = new Map(
    document.definitions.flatMap((definition) =>
      definition.kind === Kind.FRAGMENT_DEFINITION ? [[definition.name.value, definition.selectionSet] as const] : [],
    ),
  );
  const rootFields = new Set<string>();
  const seen = new Set<string>();
  const collect = (selectionSet: SelectionSetNode) => {
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) rootFields.add(selection.name.value);
      else if (selection.kind === Kind.INLINE_FRAGMENT) collect(selection.selectionSet);
      else if (!seen.has(selection.name.value)) {
        seen.add(selection.name.value);
        const fragment = fragments.get(selection.name.value);
        if (fragment) collect(fragment);
      }
    }
  };
  collect((operations[0] as { selectionSet: SelectionSetNode }).selectionSet);
  return ![...rootFields].some((field) => itemByItemRootFields.has(field));
}
