// Finding objects by the REST keys inside their global ids. The upstream has
// no get-by-id endpoint: every lookup goes through the org-scan loader, so all
// ids of one org in one request share one scan. Used by `node`/`nodes` and by
// federation's `_entities`.

import { errorOfOneEntry } from './errors.ts';
import { splitKey } from './global-id.ts';
import type { Loaders } from './loaders.ts';
import type { ActionRecord, AssistantRecord, IntegrationRecord } from './upstream/records.ts';

export function findAssistant(key: string, loaders: Loaders): Promise<AssistantRecord | null> {
  const [orgId, assistantId] = splitKey(key, 2, 'Assistant') as [string, string];
  return loaders.assistant.load({ orgId, assistantId });
}

export async function findIntegration(key: string, loaders: Loaders): Promise<IntegrationRecord | null> {
  const [orgId, assistantId, id] = splitKey(key, 3, 'Integration') as [string, string, string];
  const assistant = await loaders.assistant.load({ orgId, assistantId });
  return assistant?.integrations.find((integration) => integration.id === id) ?? null;
}

export async function findAction(key: string, loaders: Loaders): Promise<ActionRecord | null> {
  const [orgId, assistantId, id] = splitKey(key, 3, 'Action') as [string, string, string];
  const assistant = await loaders.assistant.load({ orgId, assistantId });
  return assistant?.actions.find((action) => action.id === id) ?? null;
}

/**
 * One result per key, in key order: null for a key not found, a rejection for
 * one that is malformed or failed, which fails only its own entry. Each gets
 * an Error of its own: one failed org scan answers the keys of several types
 * (an assistant, its integrations, its actions), and an error shared between
 * entries would be changed by what is done to each.
 */
export function findAll<T>(keys: readonly string[], find: (key: string) => Promise<T | null>): Promise<T | null>[] {
  return keys.map((key) =>
    // A malformed key throws synchronously: it fails only its own entry.
    Promise.resolve()
      .then(() => find(key))
      .catch((error: unknown) => Promise.reject(errorOfOneEntry(error))),
  );
}
