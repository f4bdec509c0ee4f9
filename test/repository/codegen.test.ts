// Generated files are checked in for people to read and diff; this fails
// when they no longer match what `npm run codegen` would write: the schema
// files and the tests' typed documents, the assistant's decoder and OpenAPI
// schemas (from src/upstream/assistant-shape.ts), the every-field fragment
// as a module, and the tests' operations as a trusted-documents manifest.

import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { generate } from '@graphql-codegen/cli';
import type { Types } from '@graphql-codegen/plugin-helpers';
import { describe, expect, it } from 'vitest';
import config from '../../codegen.ts';

// Paths in codegen.ts are the repository's, wherever the tests run from.
const root = fileURLToPath(new URL('../..', import.meta.url));

describe('generated files', () => {
  it('are what `npm run codegen` writes from the current schema and tests', async () => {
    const outputs: Types.FileOutput[] = await generate({ ...config, cwd: root, silent: true }, false);
    expect(outputs.map((output) => output.filename).sort()).toEqual([
      'schema/assistants.openapi.yaml',
      'schema/schema.graphql',
      'schema/subgraph.graphql',
      'src/graphql/assistant-fields.generated.ts',
      'src/upstream/assistant-decoder.generated.ts',
      'test/generated/gql.ts',
      'test/generated/graphql.ts',
      'test/generated/index.ts',
      'test/generated/persisted-documents.json',
    ]);
    const stale: string[] = [];
    for (const { filename, content } of outputs) {
      const checkedIn = await readFile(new URL(`../../${filename}`, import.meta.url), 'utf8').catch(() => '(missing)');
      if (checkedIn !== content) stale.push(filename);
    }
    if (stale.length > 0) expect.fail(`stale: ${stale.join(', ')}; run \`npm run codegen\` and commit the result`);
  });
});
