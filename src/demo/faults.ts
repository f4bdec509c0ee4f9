// The failures the demo upstream can be told to show: a fault is injected (or
// drawn at `faultRate` from the menu), taken by the requests it matches, and
// turns their answer into an error, a bad body, or a good one sent oddly.

import { type Answer, error } from './answers.ts';
import { nonNegativeInteger } from './settings.ts';
import type { WireAssistant } from './wire.ts';

export interface Fault {
  /** Only requests for this org (decoded id); default: every request. */
  orgId?: string;
  /** How many matching requests it hits; default: unlimited. */
  times?: number;
  /** Answer this status with a small JSON error body. */
  status?: number;
  /** Sets the Retry-After header (with `status`, typically 429/503). */
  retryAfter?: string;
  /** Extra delay before answering. */
  latencyMs?: number;
  /** 200 with invalid JSON / an object envelope / an array whose 2nd item is invalid. */
  body?: 'malformed' | 'wrong-shape' | 'bad-item';
  /** Destroy the socket before any byte / after the headers and half the body. */
  drop?: 'before-response' | 'mid-body';
  /** Answer as usual, with this Content-Type instead of JSON's. */
  contentType?: string;
  /** Answer as usual, the first assistant's instructions padded until the body is this many bytes. */
  padTo?: number;
  /** Answer as usual, without a Content-Length (chunked). */
  chunked?: boolean;
  /** Answer as usual, with this Cache-Control header. */
  cacheControl?: string;
}

/** Every kind of failure `faultRate` draws from, equally often. */
export const faultMenu: readonly Fault[] = Object.freeze([
  { status: 500 },
  { status: 502 },
  { status: 503, retryAfter: '0' },
  { status: 429, retryAfter: '0' },
  { status: 504 },
  { body: 'malformed' },
  { body: 'wrong-shape' },
  { body: 'bad-item' },
  { drop: 'before-response' },
  { drop: 'mid-body' },
  { latencyMs: 200 },
  { contentType: 'text/html; charset=utf-8' },
]);

interface ActiveFault extends Fault {
  remaining: number;
}

/** The injected faults, checked in insertion order, and the random ones of `faultRate`. */
export class FaultQueue {
  private faults: ActiveFault[] = [];

  constructor(
    private readonly faultRate: number,
    private readonly random: () => number,
  ) {}

  inject(fault: Fault): void {
    if (fault.status !== undefined && !(Number.isInteger(fault.status) && fault.status >= 200 && fault.status <= 599)) {
      throw new RangeError('fault.status must be an integer from 200 to 599');
    }
    if (fault.times !== undefined) nonNegativeInteger('fault.times', fault.times);
    if (fault.latencyMs !== undefined) nonNegativeInteger('fault.latencyMs', fault.latencyMs);
    this.faults.push({ ...fault, remaining: fault.times ?? Number.POSITIVE_INFINITY });
  }

  clear(): void {
    this.faults = [];
  }

  /** The fault a request for `orgId` meets, if any: the first injected one with times left, else maybe a drawn one. */
  take(orgId: string | null): Fault | undefined {
    const fault = this.faults.find((f) => f.remaining > 0 && (f.orgId === undefined || f.orgId === orgId));
    if (fault) {
      fault.remaining--;
      return fault;
    }
    if (this.faultRate > 0 && this.random() < this.faultRate) {
      return faultMenu[Math.floor(this.random() * faultMenu.length)];
    }
    return undefined;
  }
}

/** The answer a fault puts in place of the endpoint's (an error status, a bad body); undefined for the others. */
export function faultAnswer(
  fault: Fault | undefined,
  data: ReadonlyMap<string, readonly WireAssistant[]>,
  orgId: string | null,
): Answer | undefined {
  if (fault?.status !== undefined) return faultStatus(fault.status, fault.retryAfter);
  if (fault?.body !== undefined) return faultBody(fault.body, sampleFor(data, orgId));
  return undefined;
}

/** The answer as a fault has it sent: padded, with another Content-Type or Cache-Control, or chunked. */
export function dressed(answer: Answer, fault: Fault | undefined): Answer {
  const padded = fault?.padTo === undefined ? answer : padTo(answer, fault.padTo);
  const typed =
    fault?.contentType === undefined
      ? padded
      : { ...padded, headers: { ...padded.headers, 'content-type': fault.contentType } };
  const cached =
    fault?.cacheControl === undefined
      ? typed
      : { ...typed, headers: { ...typed.headers, 'cache-control': fault.cacheControl } };
  return fault?.chunked ? { ...cached, chunked: true } : cached;
}

const STATUS_CODES: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  429: 'rate_limited',
  500: 'internal',
  502: 'bad_gateway',
  503: 'unavailable',
  504: 'gateway_timeout',
};

function faultStatus(status: number, retryAfter: string | undefined): Answer {
  const answer = error(status, STATUS_CODES[status] ?? 'error', `Injected ${status}.`);
  return retryAfter === undefined ? answer : { ...answer, headers: { 'retry-after': retryAfter } };
}

/** A few real assistants, preferably the org's own, to fill injected bad bodies. */
function sampleFor(data: ReadonlyMap<string, readonly WireAssistant[]>, orgId: string | null): WireAssistant[] {
  const own = (orgId !== null && data.get(orgId)) || [];
  return (own.length >= 3 ? own : [...own, ...[...data.values()].flat()]).slice(0, 3);
}

function faultBody(kind: NonNullable<Fault['body']>, sample: readonly WireAssistant[]): Answer {
  switch (kind) {
    case 'malformed':
      return { status: 200, body: '[{"id":"asst_truncated","name":' };
    case 'wrong-shape':
      return { status: 200, body: JSON.stringify({ data: sample, total: sample.length, has_more: false }) };
    case 'bad-item': {
      const [first, second, ...rest] = sample;
      const broken = { ...(second ?? first), enabled: 'yes', config: undefined };
      return { status: 200, body: JSON.stringify([first ?? {}, broken, ...rest]) };
    }
  }
}

/** A page answer grown to `bytes` through its first assistant's instructions; other answers as they are. */
function padTo(answer: Answer, bytes: number): Answer {
  if (answer.status !== 200) return answer;
  const page = JSON.parse(answer.body) as WireAssistant[];
  const first = page[0];
  if (!first) return answer;
  const missing = Math.max(0, bytes - Buffer.byteLength(answer.body));
  page[0] = {
    ...first,
    config: { ...first.config, instructions: `${first.config.instructions ?? ''}${'x'.repeat(missing)}` },
  };
  return { ...answer, body: JSON.stringify(page) };
}
