// Identical upstream GETs in flight at the same time share one call: the same
// credential and page request (pageRequestKey), asked by concurrent GraphQL requests of this
// process (within one request, the page loader already asks once).
//
// The shared call belongs to nobody: a caller that goes away stops waiting,
// and the call is cancelled only when every caller has gone. Credentials never
// share: the key holds the `Authorization` header itself. It lives in this
// process only while the call is in flight, as the call's own headers do; a
// keyed hash of it (as the page cache's keys, which leave the process, hold)
// would cost every call a new HMAC.

import { type AssistantPageBody, type AssistantPageRequest, chargeBody, type UpstreamClient } from './client.ts';
import { pageRequestKey } from './page-request-key.ts';

export interface CoalescingOptions {
  /** Told of each caller that joined a call already in flight. */
  readonly onJoined?: () => void;
}

interface SharedCall {
  readonly answer: Promise<AssistantPageBody>;
  /** Every caller has gone: the call is cancelled, and nobody new may join it. */
  cancel(): void;
  /** Callers still waiting on it. */
  waiting: number;
}

/**
 * The client, with identical calls in flight shared. The map holds one entry
 * per call in flight, removed when it ends: it is bounded by the calls the
 * gateway has in flight.
 */
export function coalesceCalls(client: UpstreamClient, options: CoalescingOptions = {}): UpstreamClient {
  const inFlight = new Map<string, SharedCall>();

  function fetchAssistantPage(request: AssistantPageRequest): Promise<AssistantPageBody> {
    // A revalidation (If-None-Match) may answer 304 with no body: only callers who asked the same share it.
    // No header value holds a NUL, so the credential and the validator cannot run into the page's key.
    const credential = request.authorization === undefined ? '-' : `+${request.authorization}`;
    const key = `${credential}\u0000${request.ifNoneMatch ?? ''}\u0000${request.generations ?? ''}\u0000${pageRequestKey(request)}`;
    let shared = inFlight.get(key);
    if (shared) {
      options.onJoined?.();
    } else {
      const controller = new AbortController();
      const call: SharedCall = {
        cancel: () => {
          if (inFlight.get(key) === call) inFlight.delete(key);
          controller.abort(new DOMException('every caller went away', 'AbortError'));
        },
        waiting: 0,
        // Each caller pays the body's bytes from its own budget (below); the first caller's retry budget
        // and trace apply; nobody's abort signal does.
        answer: client
          .fetchAssistantPage({ ...request, signal: controller.signal, byteBudget: undefined })
          .finally(() => {
            if (inFlight.get(key) === call) inFlight.delete(key);
          }),
      };
      shared = call;
      inFlight.set(key, call);
    }
    return waitFor(shared, request.signal).then((body) => chargeBody(body, request));
  }

  return { fetchAssistantPage, close: () => client.close() };
}

/** The shared answer, or this caller's own abort; the last caller to leave cancels the call. */
function waitFor(call: SharedCall, signal: AbortSignal | undefined): Promise<AssistantPageBody> {
  call.waiting++;
  if (!signal) return call.answer.finally(() => call.waiting--);
  if (signal.aborted) {
    leave(call);
    return Promise.reject(signal.reason);
  }
  return new Promise<AssistantPageBody>((resolve, reject) => {
    let left = false;
    const onAbort = () => {
      left = true;
      leave(call);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    const settle = () => {
      signal.removeEventListener('abort', onAbort);
      if (!left) call.waiting--;
      return !left;
    };
    call.answer.then(
      (body) => settle() && resolve(body),
      (error: unknown) => settle() && reject(error),
    );
  });
}

function leave(call: SharedCall): void {
  call.waiting--;
  if (call.waiting === 0) call.cancel();
}
