// Whatever part of a response was served from a page past its freshness says
// so: `extensions.stale` lists `{ path, ageSeconds }`, one entry per field
// (upstream/staleness.ts).

import type { Plugin } from 'graphql-yoga';
import type { Context } from './context.ts';

export function useStaleExtension(): Plugin<Context> {
  return {
    onExecute({ args }) {
      return {
        onExecuteDone({ result, setResult }) {
          const stale = (args.contextValue as Context).staleness.parts;
          if (stale.length === 0 || Symbol.asyncIterator in result) return;
          setResult({ ...result, extensions: { ...result.extensions, stale } });
        },
      };
    },
  };
}
