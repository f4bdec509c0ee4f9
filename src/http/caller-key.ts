// Whose count a request is charged to, for the per-caller rate limits
// (RATE_LIMIT_KEY): a keyed hash of its `Authorization`, its client's address
// (the socket's peer, or the right-most untrusted hop of `X-Forwarded-For`
// when the peer is a trusted proxy), or a header it sends. Every key is a
// keyed hash, so no credential, address or client id is ever part of a key
// kept in Redis; a request without what its key is made of shares `anonymous`.

import { createHmac } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { BlockList, isIP } from 'node:net';
import type { RateLimitKey } from '../config.ts';

/** The key of callers that bring nothing to tell them apart. */
export const anonymousCaller = 'anonymous';

export interface CallerKeyOptions {
  readonly key: RateLimitKey;
  /** TRUSTED_PROXIES: addresses and CIDR ranges whose `X-Forwarded-For` is believed. */
  readonly trustedProxies: readonly string[];
  /** The key of the hash: CACHE_KEY_SECRET, or a random one per process. */
  readonly secret: string | Buffer;
}

/** `serverContext`: yoga's, which holds node:http's request (`req`) and through it the socket. */
export type CallerKeyOf = (request: Request, serverContext: unknown) => string;

export function callerKeyOf(options: CallerKeyOptions): CallerKeyOf {
  const hash = (kind: string, value: string) =>
    createHmac('sha256', options.secret).update(`${kind}:${value}`).digest('base64url');
  const { key } = options;
  if (key.kind === 'credential') {
    return (request) => {
      // An empty header is no credential.
      const authorization = request.headers.get('authorization');
      return authorization ? hash('credential', authorization) : anonymousCaller;
    };
  }
  if (key.kind === 'header') {
    return (request) => {
      const value = request.headers.get(key.header)?.trim();
      return value ? hash('header', value) : anonymousCaller;
    };
  }
  const clientAddress = clientAddressOf(options.trustedProxies);
  return (request, serverContext) => {
    const address = clientAddress(peerOf(serverContext), request.headers.get('x-forwarded-for'));
    return address === undefined ? anonymousCaller : hash('ip', address);
  };
}

/** The socket's peer address, from the node:http request in yoga's server context. */
function peerOf(serverContext: unknown): string | undefined {
  const req = (serverContext as { req?: IncomingMessage } | undefined)?.req;
  return req?.socket?.remoteAddress;
}

/**
 * The client's address: the peer's, unless the peer is a trusted proxy; then
 * `X-Forwarded-For` read from the right (each proxy appends the address it
 * was called from), past every trusted proxy, to the first hop that is not
 * one. Hops further left were written by the client itself and are never read.
 */
export function clientAddressOf(trustedProxies: readonly string[]) {
  const trusted = blockListOf(trustedProxies);
  const isTrusted = (address: string) => trusted.check(address, isIP(address) === 6 ? 'ipv6' : 'ipv4');
  return (peer: string | undefined, forwardedFor: string | null): string | undefined => {
    const direct = peer === undefined ? undefined : plainAddress(peer);
    if (direct === undefined || forwardedFor === null || !isTrusted(direct)) return direct;
    let client = direct;
    const hops = forwardedFor.split(',');
    for (let i = hops.length - 1; i >= 0; i--) {
      const written = (hops[i] as string).trim();
      const hop = plainAddress(written);
      // A hop that is no address is no proxy of ours: it stands for its client as written (hashed, bounded),
      // so that such clients do not all count as the proxy that passed them on.
      if (hop === undefined) return written.slice(0, maxHopLength) || client;
      client = hop;
      if (!isTrusted(hop)) return hop;
    }
    return client;
  };
}

function blockListOf(entries: readonly string[]): BlockList {
  const list = new BlockList();
  for (const entry of entries) {
    const [address = '', prefix] = entry.split('/');
    // `::ffff:10.0.0.1` is 10.0.0.1, as peers are; a range is taken as it is written.
    const plain = prefix === undefined ? (plainAddress(address) ?? address) : address;
    const type = isIP(plain) === 6 ? 'ipv6' : 'ipv4';
    if (prefix === undefined) list.addAddress(plain, type);
    else list.addSubnet(plain, Number(prefix), type);
  }
  return list;
}

/** An IP address as one spelling: an IPv4-mapped IPv6 address (`::ffff:10.0.0.1`) as IPv4; undefined for no address. */
function plainAddress(written: string): string | undefined {
  // Some load balancers add the client's port: `203.0.113.7:5555`, `[2001:db8::1]:443`.
  const value =
    /^\[([^\]]+)\](?::\d+)?$/.exec(written)?.[1] ?? /^(\d{1,3}(?:\.\d{1,3}){3}):\d+$/.exec(written)?.[1] ?? written;
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(value)?.[1];
  if (mapped !== undefined) return mapped;
  return isIP(value) === 0 ? undefined : value;
}

/** The most of a hop that is no address kept as its client's key. */
const maxHopLength = 100;
