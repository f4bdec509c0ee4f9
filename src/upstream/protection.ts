// What the gateway does to protect the upstream: at most UPSTREAM_MAX_INFLIGHT
// calls at once (UPSTREAM_MAX_QUEUED more wait; past that, refused at once as
// RATE_LIMITED), and a circuit breaker that stops calling an upstream that
// fails call after call, and probes it again after a while.

import { createCircuitBreaker } from './circuit-breaker.ts';
import type { AssistantPageRequest, UpstreamClient } from './client.ts';
import { createConcurrencyLimit } from './concurrency-limit.ts';
import { isUpstreamDown, UpstreamBusyError, UpstreamCircuitOpenError, UpstreamError } from './errors.ts';

export interface ProtectionOptions {
  readonly maxInFlight: number;
  readonly maxQueued: number;
  /** Failed calls in a row that open the circuit; 0: no breaker. */
  readonly breakerThreshold: number;
  readonly breakerOpenMs: number;
  /** Told when the circuit opens (true) or closes (false). */
  readonly onCircuitChange?: (open: boolean) => void;
  readonly now?: () => number;
}

export function protectUpstream(client: UpstreamClient, options: ProtectionOptions): UpstreamClient {
  const limit = createConcurrencyLimit({
    maxActive: options.maxInFlight,
    maxWaiting: options.maxQueued,
    refusal: () => new UpstreamBusyError(options.maxInFlight, options.maxQueued),
  });
  const breaker =
    options.breakerThreshold > 0
      ? createCircuitBreaker({
          threshold: options.breakerThreshold,
          openMs: options.breakerOpenMs,
          now: options.now,
          onChange: options.onCircuitChange,
        })
      : undefined;

  async function call(request: AssistantPageRequest) {
    if (!breaker) return client.fetchAssistantPage(request);
    const admitted = breaker.admit();
    if (!admitted.allowed) throw new UpstreamCircuitOpenError(admitted.retryInMs);
    try {
      const body = await client.fetchAssistantPage(request);
      breaker.record(false, admitted.probe);
      return body;
    } catch (error) {
      if (error instanceof UpstreamError) breaker.record(isUpstreamDown(error), admitted.probe);
      else breaker.abandon(admitted.probe);
      throw error;
    }
  }

  return {
    fetchAssistantPage: (request) => limit.run(() => call(request), request.signal),
    close: () => client.close(),
  };
}
