// `AssistantConnection.cursorCheck`: what the gateway found when it checked a
// page's `after` or `before` cursor against the list (paging/anchoring.ts).
// On the connection, not on PageInfo: Apollo Client keeps a connection's
// extra fields per page, and Relay does not refresh extra PageInfo fields.

import type { CursorCheck } from '../paging/anchoring.ts';
import { builder } from './builder.ts';

const CursorCheckStatus = builder.enumType('CursorCheckStatus', {
  description: 'What the check of a cursor found where the cursor pointed.',
  values: {
    UNCHECKED: { description: 'A cursor of the old format (v1): its offset was used as it is, unchecked.' },
    EXACT: {
      description:
        'The page follows on exactly from the cursor: its assistant is where the cursor says (or, where the page did not read that position, the assistant after it is).',
    },
    SHIFTED: {
      description:
        'Its assistant moved (assistants were added or removed before it): the page follows on from where it is now; `shift` says how far it moved.',
    },
    SUCCESSOR: {
      description:
        'Its assistant is gone: the page follows on from where it stood, between its neighbours, so no assistant that is still there is skipped or repeated.',
    },
    NOT_FOUND: {
      description:
        'Neither its assistant nor its neighbours were found near the cursor (the list changed more than CURSOR_SEARCH_PAGES pages cover): the offset was used, and the page may repeat or skip assistants.',
    },
  } as const,
});

export const CursorCheckRef = builder.objectRef<CursorCheck>('CursorCheck').implement({
  description: "What the gateway found when it checked this page's `after` or `before` cursor against the list.",
  fields: (t) => ({
    status: t.field({ type: CursorCheckStatus, description: 'What was found.', resolve: (check) => check.status }),
    shift: t.int({
      nullable: true,
      description:
        'For SHIFTED: how many positions the cursor’s assistant moved (positive: further down the list). Null otherwise.',
      resolve: (check) => check.shift ?? null,
    }),
  }),
});
