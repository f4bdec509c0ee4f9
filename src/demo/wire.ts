// The upstream's JSON exactly as it is sent (snake_case), as declared in
// src/upstream/assistant-shape.ts. Only the demo upstream builds these; the
// gateway decodes `unknown` into records and never trusts this shape.

import type { assistantShape } from '../upstream/assistant-shape.ts';
import type { WireOf } from '../upstream/field-kinds.ts';

export type WireAssistant = WireOf<typeof assistantShape>;
export type WireAssistantConfig = WireAssistant['config'];
export type WireIntegration = WireAssistant['integrations'][number];
export type WireAction = WireAssistant['actions'][number];
