// Persisted-document manifests as clients' tools write them, read into one
// map of id → document text:
// - graphql-codegen's client preset (`persisted-documents.json`) and the
//   Relay compiler's persisted query map: a JSON object of id → text;
// - Apollo's persisted query manifest:
//   `{"format":"apollo-persisted-query-manifest","version":1,"operations":[{id,name,type,body}]}`.
// A file that does not fit is an error naming the file and, where there is
// one, the id.

import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { ConfigError } from '../config.ts';
import { canonicalId, maxIdLength, sha256Id } from '../contract/persisted-ids.ts';

/** One document of a manifest, and the file it came from (for errors). */
export interface ManifestEntry {
  readonly text: string;
  readonly file: string;
}

/**
 * A manifest that cannot be used: a bad PERSISTED_DOCUMENTS setting, whose
 * message is one line naming the variable, the file and the id.
 */
export class ManifestError extends ConfigError {
  override name = 'ManifestError';

  constructor(reason: string) {
    super(`PERSISTED_DOCUMENTS: ${reason}`);
  }
}

/** Largest manifest read: far beyond any frontend's operations, well short of a mistaken path to a large file. */
const maxManifestBytes = 64 * 1024 * 1024;

/**
 * Every document of every file, by id as requests name it (a SHA-256 in one
 * spelling: contract/persisted-ids.ts). A SHA-256 id must be its text's; the
 * same id in two places must name the same text.
 */
export async function readManifests(files: readonly string[]): Promise<Map<string, ManifestEntry>> {
  const entries = new Map<string, ManifestEntry>();
  for (const file of files) {
    for (const [given, text] of documentsOf(file, await readManifest(file))) {
      const id = canonicalId(given);
      if (sha256Id(given) !== undefined && createHash('sha256').update(text).digest('hex') !== id) {
        throw new ManifestError(`${shown(file)}: id "${given}" is a SHA-256, but not its document's`);
      }
      if (id.length > maxIdLength)
        throw new ManifestError(`${shown(file)}: id "${given.slice(0, 40)}…" is over ${maxIdLength} characters`);
      const known = entries.get(id);
      if (known && known.text !== text) {
        throw new ManifestError(`${shown(file)}: id "${given}" names another document in ${shown(known.file)}`);
      }
      entries.set(id, { text, file });
    }
  }
  return entries;
}

async function readManifest(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as { code?: string }).code ?? 'unreadable';
    throw new ManifestError(`${shown(file)}: cannot be read (${code})`);
  }
  if (text.length > maxManifestBytes) throw new ManifestError(`${shown(file)}: over ${maxManifestBytes} bytes`);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ManifestError(`${shown(file)}: not JSON (${(error as Error).message})`);
  }
}

/** The id → text pairs of one manifest, in either format. */
function documentsOf(file: string, manifest: unknown): [string, string][] {
  if (typeof manifest !== 'object' || manifest === null || Array.isArray(manifest)) {
    throw new ManifestError(`${shown(file)}: expected a JSON object of id → document, or an Apollo manifest`);
  }
  const record = manifest as Record<string, unknown>;
  if (record.format === 'apollo-persisted-query-manifest') return apolloDocuments(file, record);
  return Object.entries(record).map(([id, text]) => {
    if (typeof text !== 'string') throw new ManifestError(`${shown(file)}: id "${id}" is not a document's text`);
    return [id, text];
  });
}

function apolloDocuments(file: string, manifest: Record<string, unknown>): [string, string][] {
  if (manifest.version !== 1) {
    throw new ManifestError(`${shown(file)}: Apollo manifest version ${String(manifest.version)}, expected 1`);
  }
  if (!Array.isArray(manifest.operations))
    throw new ManifestError(`${shown(file)}: Apollo manifest without operations`);
  return manifest.operations.map((operation: unknown, index) => {
    const { id, body } = (operation ?? {}) as { id?: unknown; body?: unknown };
    if (typeof id !== 'string' || id === '') {
      throw new ManifestError(`${shown(file)}: operation ${index} has no id`);
    }
    if (typeof body !== 'string') throw new ManifestError(`${shown(file)}: id "${id}" has no body`);
    return [id, body];
  });
}

/** A file as errors name it: the name an operator gave, cut to its last part when it is long. */
function shown(file: string): string {
  return file.length > 120 ? `…/${basename(file)}` : file;
}
