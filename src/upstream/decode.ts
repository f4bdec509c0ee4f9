// Raw JSON → typed records, in one pass. Each assistant is read by
// assistant-decoder.generated.ts, which `npm run codegen` writes from
// assistant-shape.ts; each field by its kind's reader (field-readers.ts). A
// value that does not fit throws UpstreamBadResponseError naming its path and
// the expected type, never the value itself: it could be a secret. Fields
// are read in the shape's order, so of several bad fields the first there is
// the one named.
//
// Lenient where real upstreams are messy and the meaning is clear: a missing
// optional string is null, a null list is empty, numeric ids become strings.

import { decodeAssistant } from './assistant-decoder.generated.ts';
import { fail } from './field-readers.ts';
import type { AssistantRecord } from './records.ts';

export function decodeAssistantList(body: unknown, orgId: string): AssistantRecord[] {
  if (!Array.isArray(body)) fail('body', 'a JSON array', body);
  const assistants = new Array<AssistantRecord>(body.length);
  for (let i = 0; i < body.length; i++) {
    assistants[i] = decodeAssistant(body[i], `[${i}]`, orgId);
  }
  return assistants;
}
