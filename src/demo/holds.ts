// Holds: a test asks the demo upstream to keep the next request (for an org,
// or any) unanswered until it lets go, and learns when that request arrived,
// so it waits on what it means instead of sleeping.

export interface HeldRequest {
  readonly arrived: Promise<void>;
  /** Lets it be answered (as it would be now: faults and access are read after the hold). */
  release(): void;
}

interface Hold {
  readonly orgId: string | undefined;
  readonly held: PromiseWithResolvers<void>;
  readonly released: PromiseWithResolvers<void>;
}

export class Holds {
  /** Holds not yet met, in the order asked. */
  private waiting: Hold[] = [];

  /** Holds the next request for `orgId` (any org when absent). */
  hold(orgId: string | undefined): HeldRequest {
    const hold: Hold = { orgId, held: Promise.withResolvers(), released: Promise.withResolvers() };
    this.waiting.push(hold);
    return { arrived: hold.held.promise, release: () => hold.released.resolve() };
  }

  /**
   * Meets the first hold that waits for a request for `orgId`: settles when
   * it is released. Undefined when none waits, so an unheld request goes on
   * without yielding.
   */
  meet(orgId: string | null | undefined): Promise<void> | undefined {
    const hold = this.waiting.find((candidate) => candidate.orgId === undefined || candidate.orgId === orgId);
    if (!hold) return undefined;
    this.waiting = this.waiting.filter((candidate) => candidate !== hold);
    hold.held.resolve();
    return hold.released.promise;
  }
}
