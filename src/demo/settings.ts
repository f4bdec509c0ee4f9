// The demo upstream's options, checked once at start with short, exact
// messages, and the settings they make.

import { createSeedData } from './seed.ts';
import type { WireAssistant } from './wire.ts';

export interface DemoUpstreamOptions {
  /** Default '127.0.0.1'. */
  host?: string;
  /** Default 0 (ephemeral). */
  port?: number;
  /** Default ''; e.g. '/api/v2' serves /api/v2/orgs/{org}/assistants. */
  basePath?: string;
  /** Default 0: added before every answer. */
  latencyMs?: number;
  /** Default 1: number of the first page. */
  pageBase?: number;
  /** Default 100: a larger take is a 400. */
  maxTake?: number;
  /** Default createSeedData(). */
  data?: Map<string, WireAssistant[]>;
  /** Keep every request in `requests` (default true); long-running servers only count them. */
  recordRequests?: boolean;
  /**
   * Fail this share (0 to 1) of requests, each with one fault drawn from
   * `faultMenu`: every way this upstream can fail. Default 0.
   */
  faultRate?: number;
  /** Draws for `faultRate`; tests and soaks may seed it. Default Math.random. */
  random?: () => number;
  /**
   * Who may see what: `Authorization` header → the orgs it may list. A
   * request without a listed header gets a 401, one for another org a 403.
   * Default: anyone sees everything.
   */
  access?: ReadonlyMap<string, ReadonlySet<string>>;
}

export interface DemoSettings {
  readonly host: string;
  readonly port: number;
  /** '' or a path starting with '/', without a trailing one. */
  readonly basePath: string;
  readonly latencyMs: number;
  readonly pageBase: number;
  readonly maxTake: number;
  readonly data: ReadonlyMap<string, WireAssistant[]>;
  readonly recordRequests: boolean;
  readonly faultRate: number;
  readonly random: () => number;
  readonly access: ReadonlyMap<string, ReadonlySet<string>> | undefined;
}

/** The settings of `options`, defaults filled in; a RangeError names the first bad one. */
export function settingsOf(options: DemoUpstreamOptions): DemoSettings {
  const basePath = normalizeBasePath(options.basePath ?? '');
  const latencyMs = nonNegativeInteger('latencyMs', options.latencyMs ?? 0);
  const pageBase = integer('pageBase', options.pageBase ?? 1);
  const maxTake = integer('maxTake', options.maxTake ?? 100);
  if (maxTake < 1) throw new RangeError('maxTake must be at least 1');
  const data = options.data ?? createSeedData();
  const faultRate = options.faultRate ?? 0;
  if (!(faultRate >= 0 && faultRate <= 1)) throw new RangeError('faultRate must be from 0 to 1');
  return {
    host: options.host ?? '127.0.0.1',
    port: options.port ?? 0,
    basePath,
    latencyMs,
    pageBase,
    maxTake,
    data,
    recordRequests: options.recordRequests ?? true,
    faultRate,
    random: options.random ?? Math.random,
    access: options.access,
  };
}

function normalizeBasePath(basePath: string): string {
  const trimmed = basePath.replace(/\/+$/, '');
  if (trimmed === '') return '';
  if (!trimmed.startsWith('/') || /[?#]/.test(trimmed)) {
    throw new RangeError('basePath must start with "/" and hold no query or fragment');
  }
  return trimmed;
}

function integer(name: string, value: number): number {
  if (!Number.isSafeInteger(value)) throw new RangeError(`${name} must be an integer`);
  return value;
}

export function nonNegativeInteger(name: string, value: number): number {
  if (integer(name, value) < 0) throw new RangeError(`${name} must be >= 0`);
  return value;
}
