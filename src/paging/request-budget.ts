// What one HTTP request may ask of the upstream, whatever the shape of its
// query or batch: every call and retry takes a call (MAX_UPSTREAM_CALLS),
// every chunk of a body its bytes (MAX_UPSTREAM_BYTES_PER_REQUEST).

import type { ByteBudget } from '../upstream/client.ts';

export interface RequestBudget {
  readonly maxCalls: number;
  /** Takes one call; false when none is left. */
  takeCall(): boolean;
  readonly bytes: ByteBudget;
}

export function createRequestBudget(maxCalls: number, maxBytes: number): RequestBudget {
  let calls = maxCalls;
  let bytes = maxBytes;
  return {
    maxCalls,
    takeCall: () => {
      if (calls === 0) return false;
      calls--;
      return true;
    },
    bytes: {
      maxBytes,
      take: (wanted) => {
        if (wanted > bytes) return false;
        bytes -= wanted;
        return true;
      },
    },
  };
}
