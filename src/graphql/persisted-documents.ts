// The trusted documents the gateway runs by id: read from the manifests,
// each parsed, validated (with every rule an arbitrary document meets) and
// compiled once, at load. A reload (SIGHUP) builds a whole new set and swaps
// it in; a set that fails to load leaves the old one serving. A request in
// flight keeps the document it was given.

import type { DocumentNode } from 'graphql';
import { type ManifestEntry, ManifestError, readManifests } from './persisted-manifests.ts';

/** A document's text → its parsed and validated form, or the errors that refuse it. */
export type PrepareDocument = (text: string) => DocumentNode | { readonly errors: readonly { message: string }[] };

export interface PersistedDocumentsOptions {
  readonly files: readonly string[];
  readonly prepare: PrepareDocument;
}

export interface LoadedSet {
  readonly count: number;
}

/** Documents prepared before the event loop gets a turn: a large manifest must not stall other requests. */
const preparedPerTurn = 25;

export class PersistedDocuments {
  private documents = new Map<string, DocumentNode>();
  /** The same documents by their text: a reload prepares only what changed. */
  private byText = new Map<string, DocumentNode>();

  constructor(private readonly options: PersistedDocumentsOptions) {}

  /** The document of an id (as contract/persisted-ids.ts reads it), if a manifest has it. */
  get(id: string): DocumentNode | undefined {
    return this.documents.get(id);
  }

  get count(): number {
    return this.documents.size;
  }

  /** Reads every manifest anew; on any error (a ManifestError naming file and id) the set in use stays. */
  async load(): Promise<LoadedSet> {
    const entries = await readManifests(this.options.files);
    const documents = new Map<string, DocumentNode>();
    const byText = new Map<string, DocumentNode>();
    let fresh = 0;
    for (const [id, entry] of entries) {
      let document = byText.get(entry.text) ?? this.byText.get(entry.text);
      if (!document) {
        document = prepared(id, entry, this.options.prepare);
        if (++fresh % preparedPerTurn === 0) await new Promise((resolve) => setImmediate(resolve));
      }
      documents.set(id, document);
      byText.set(entry.text, document);
    }
    this.documents = documents;
    this.byText = byText;
    return { count: documents.size };
  }
}

function prepared(id: string, entry: ManifestEntry, prepare: PrepareDocument): DocumentNode {
  let result: ReturnType<PrepareDocument>;
  try {
    result = prepare(entry.text);
  } catch (error) {
    // A syntax error, or a limit met while parsing.
    result = { errors: [error as Error] };
  }
  if ('kind' in result) return result;
  const reasons = result.errors.map((error) => error.message.replaceAll('\n', ' ')).join('; ');
  throw new ManifestError(`${entry.file}: document "${id}" is not valid: ${reasons}`);
}
