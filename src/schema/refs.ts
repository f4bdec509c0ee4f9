// The object refs that the type files share: each type file implements its
// own and names the others' fields by these, so that no type file imports
// another (an Assistant has actions, an Action its assistant).

import type { ActionRecord, AssistantRecord, IntegrationRecord } from '../upstream/records.ts';
import { builder } from './builder.ts';
import type { OrganizationShape } from './global-id.ts';

export const Organization = builder.objectRef<OrganizationShape>('Organization');
export const Assistant = builder.objectRef<AssistantRecord>('Assistant');
export const Integration = builder.objectRef<IntegrationRecord>('Integration');
export const Action = builder.objectRef<ActionRecord>('Action');
