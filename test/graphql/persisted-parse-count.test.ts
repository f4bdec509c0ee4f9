// A persisted request skips parse and validation: counted by wrapping the
// parse and validate functions every request goes through, in a yoga server
// with the gateway's trusted-documents plugins over a schema of its own.

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSchema, createYoga, type Plugin } from 'graphql-yoga';
import { describe, expect, it } from 'vitest';
import { PersistedDocuments } from '../../src/graphql/persisted-documents.ts';
import { useTrustedDocuments } from '../../src/graphql/trusted-documents.ts';

function counting() {
  const counts = { parse: 0, validate: 0 };
  const plugin: Plugin = {
    onParse({ parseFn, setParseFn }) {
      setParseFn((...args) => {
        counts.parse++;
        return parseFn(...args);
      });
    },
    onValidate({ validateFn, setValidationFn }) {
      setValidationFn((...args) => {
        counts.validate++;
        return validateFn(...args);
      });
    },
  };
  return { counts, plugin };
}

describe('a persisted request', () => {
  it('is parsed and validated once, at load, and never again however often it runs or the set reloads', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'manifest-'));
    try {
      const path = join(directory, 'manifest.json');
      await writeFile(path, JSON.stringify({ greeting: 'query Greeting { hello }' }));
      const { counts, plugin } = counting();
      let prepare: (text: string) => ReturnType<ReturnType<typeof yoga.getEnveloped>['parse']> = () => {
        throw new Error('not yet');
      };
      const documents = new PersistedDocuments({
        files: [path],
        prepare: (text) => {
          const document = prepare(text);
          const { validate, schema } = yoga.getEnveloped({} as never);
          const errors = validate(schema, document);
          return errors.length > 0 ? { errors } : document;
        },
      });
      const yoga = createYoga({
        schema: createSchema({ typeDefs: 'type Query { hello: String }', resolvers: { Query: { hello: () => 'hi' } } }),
        // No cache in front: every text is parsed and validated through the counted functions.
        parserAndValidationCache: false,
        plugins: [
          plugin,
          ...useTrustedDocuments({
            mode: 'enforce',
            documents,
            apq: undefined,
            introspection: true,
            maxTokens: 1_000,
            sharedMaxAgeSeconds: 0,
            identify: () => undefined,
            countArbitrary: () => undefined,
          }),
        ],
      });
      prepare = (text) => yoga.getEnveloped({} as never).parse(text);
      await documents.load();
      expect(counts).toEqual({ parse: 1, validate: 1 });

      for (let round = 0; round < 10; round++) {
        const response = await yoga.fetch('http://gateway/graphql', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ documentId: 'greeting' }),
        });
        expect(await response.json()).toEqual({ data: { hello: 'hi' } });
      }
      expect(counts).toEqual({ parse: 1, validate: 1 });

      // A reload prepares only what changed: the unchanged document is the one already held.
      const held = documents.get('greeting');
      await writeFile(path, JSON.stringify({ greeting: 'query Greeting { hello }', again: 'query Again { hello }' }));
      await documents.load();
      expect(counts).toEqual({ parse: 2, validate: 2 });
      expect(documents.get('greeting')).toBe(held);

      // Not vacuous: a document sent as text (introspection-only, which enforce lets run) is counted.
      const text = await yoga.fetch('http://gateway/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ __typename }' }),
      });
      expect(await text.json()).toEqual({ data: { __typename: 'Query' } });
      expect(counts).toEqual({ parse: 3, validate: 3 });
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });
});
