// What the gateway works with once an upstream body has been decoded:
// camelCase, validated, timestamps normalised to ISO-8601 UTC instants. The
// fields come from assistant-shape.ts; only the links between records are
// written here.

import type { actionShape, assistantShape, integrationShape } from './assistant-shape.ts';
import type { RecordOf } from './field-kinds.ts';

export type { JsonObject } from './field-kinds.ts';

export interface AssistantRecord extends Omit<RecordOf<typeof assistantShape>, 'integrations' | 'actions'> {
  /** The org whose list this assistant was read from. */
  readonly orgId: string;
  readonly integrations: readonly IntegrationRecord[];
  readonly actions: readonly ActionRecord[];
}

export type AssistantConfigRecord = AssistantRecord['config'];
export type ConversationConfigRecord = AssistantConfigRecord['conversation'];

export interface IntegrationRecord extends RecordOf<typeof integrationShape> {
  /** The assistant whose list holds this integration. */
  readonly assistant: AssistantRecord;
}

export interface ActionRecord extends RecordOf<typeof actionShape> {
  /** The assistant whose list holds this action. */
  readonly assistant: AssistantRecord;
}
