// What the demo upstream saw, for tests and soaks to check: the requests it
// received (kept, or only counted), how many were answered at once, and the
// responses still open.

import type { IncomingMessage, ServerResponse } from 'node:http';

export interface RecordedRequest {
  method: string;
  /** `req.url` exactly as received, so tests can check encoding. */
  rawPath: string;
  /** The decoded org id; '' when the path is not an assistants route. */
  orgId: string;
  page: string | null;
  take: string | null;
  authorization: string | undefined;
  /** The W3C trace context the caller sent, if any. */
  traceparent: string | undefined;
}

export class Traffic {
  private recorded: RecordedRequest[] = [];
  private received = 0;
  private answering = 0;
  private peak = 0;
  /** Responses not yet closed: closing the server waits for them. */
  readonly open = new Set<ServerResponse>();

  /** `recordRequests`: keep every request, or only count them. */
  constructor(private readonly recordRequests: boolean) {}

  /** Every request received since start or the last reset, in order (a copy). */
  get requests(): RecordedRequest[] {
    return [...this.recorded];
  }

  get requestCount(): number {
    return this.received;
  }

  get inFlight(): number {
    return this.answering;
  }

  get peakConcurrency(): number {
    return this.peak;
  }

  /** Counts a response as in flight until it is finished or closed. */
  track(res: ServerResponse): void {
    this.open.add(res);
    this.answering++;
    this.peak = Math.max(this.peak, this.answering);
    // 'finish' (last byte handed to the OS) comes before the client can read
    // the answer, so a client's next request never overlaps it; 'close'
    // covers clients that went away.
    let counted = true;
    const done = () => {
      if (counted) this.answering--;
      counted = false;
    };
    res.once('finish', done);
    res.once('close', () => {
      this.open.delete(res);
      done();
    });
  }

  /** Counts a request, and keeps it when requests are recorded. */
  record(req: IncomingMessage, rawPath: string, orgId: string, query: URLSearchParams): void {
    this.received++;
    if (!this.recordRequests) return;
    this.recorded.push({
      method: req.method ?? '',
      rawPath,
      orgId,
      page: query.get('page'),
      take: query.get('take'),
      authorization: req.headers.authorization,
      traceparent: req.headers.traceparent as string | undefined,
    });
  }

  /** Forgets the requests; those still in flight begin the new peak. */
  reset(): void {
    this.recorded = [];
    this.received = 0;
    // Requests still in flight are part of the new measurement window.
    this.peak = this.answering;
  }
}
