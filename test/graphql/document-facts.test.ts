// Whether an operation opens an `assistants` connection is read from its
// parsed document: fields under any alias and in fragments count; the word in
// a comment, a string or another field's name does not.

import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { namesAssistantsConnection } from '../../src/graphql/document-facts.ts';

describe('namesAssistantsConnection', () => {
  it.each([
    ['a connection', '{ organization(restId: "acme") { assistants(first: 1) { nodes { id } } } }', true],
    ['under an alias', '{ organization(restId: "acme") { list: assistants { nodes { id } } } }', true],
    [
      'in a fragment',
      'query Q { organization(restId: "acme") { ...F } } fragment F on Organization { assistants { nodes { id } } }',
      true,
    ],
    ['a refetch only', '{ nodes(ids: ["x"]) { id } }', false],
    ['the word in a comment', '# assistants\n{ nodes(ids: ["x"]) { id } }', false],
    ['the word in a string', '{ organization(restId: "assistants") { id } }', false],
    ['the word as an alias of another field', '{ assistants: nodes(ids: ["x"]) { id } }', false],
  ])('%s', (_name, text, expected) => {
    expect(namesAssistantsConnection(parse(text))).toBe(expected);
  });

  it('answers a document object it has seen from memory, the same way', () => {
    const document = parse('{ organization(restId: "acme") { assistants { nodes { id } } } }');
    expect(namesAssistantsConnection(document)).toBe(true);
    expect(namesAssistantsConnection(document)).toBe(true);
  });
});
