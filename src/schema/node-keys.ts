// The key inside each node type's global id: the REST ids that locate its
// record (see global-id.ts). One table, read by the types' `id` options.

import { joinKey, type NodeTypename } from '../global-id.ts';
import type { ActionRecord, AssistantRecord, IntegrationRecord } from '../upstream/records.ts';

/** An organization is only its REST id: nothing about it is fetched until a field needs it. */
export interface OrganizationShape {
  readonly restId: string;
}

export const nodeKeys = {
  Organization: (org: OrganizationShape) => joinKey([org.restId]),
  Assistant: (assistant: AssistantRecord) => joinKey([assistant.orgId, assistant.id]),
  Integration: (integration: IntegrationRecord) =>
    joinKey([integration.assistant.orgId, integration.assistant.id, integration.id]),
  Action: (action: ActionRecord) => joinKey([action.assistant.orgId, action.assistant.id, action.id]),
} as const satisfies Record<NodeTypename, (record: never) => string>;
