// What gateway tests wait for instead of time: requests held at the demo
// upstream until the test releases them, and the gateway's own count of the
// upstream calls it still has under way.

import type { DemoUpstream } from '../../src/demo/upstream.ts';

export interface HeldRequests {
  /** Settles once every one of them is held: all of them in flight at once. */
  readonly arrived: Promise<void>;
  /** Lets every one of them be answered. */
  release(): void;
}

/** Holds the next upstream request of each org named (`undefined`: of any org), one hold each, until released. */
export function holdEach(upstream: Pick<DemoUpstream, 'hold'>, orgIds: readonly (string | undefined)[]): HeldRequests {
  const holds = orgIds.map((orgId) => upstream.hold(orgId));
  return {
    arrived: Promise.all(holds.map((held) => held.arrived)).then(() => undefined),
    release() {
      for (const held of holds) held.release();
    },
  };
}

/**
 * Upstream calls the gateway has under way (its `upstream_requests_in_flight`).
 * A call leaves it once its answer has been read, so unlike the upstream's own
 * `inFlight` (which drops as the last byte is sent), 0 here means the gateway
 * has every answer in hand.
 */
export async function callsUnderWay(gateway: { metricsText(): Promise<string> }): Promise<number> {
  const value = /^upstream_requests_in_flight (\d+)$/m.exec(await gateway.metricsText())?.[1];
  if (value === undefined) throw new Error('no upstream_requests_in_flight in the metrics');
  return Number(value);
}
