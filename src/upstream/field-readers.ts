// How each kind of field (field-kinds.ts) is read from raw JSON: its type
// checks, its bounds and its leniency. A value that does not fit throws
// UpstreamBadResponseError naming its path and the expected type, never the
// value itself: it could be a secret. A field's path is `${path}.${key}`,
// put together only when it fails.

import { UpstreamBadResponseError } from './errors.ts';
import type { JsonObject } from './field-kinds.ts';

export function fail(path: string, expected: string, got: unknown): never {
  throw new UpstreamBadResponseError(`${path}: expected ${expected}, got ${describe(got)}`);
}

/** The JSON type of a value, never the value. */
function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}

export function readObject(value: unknown, path: string): JsonObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    fail(path, 'an object', value);
  }
  return value as JsonObject;
}

/**
 * The longest text a field may hold: above any real one (the longest
 * instructions run to a few hundred thousand characters), low enough that
 * one field cannot fill a response with many megabytes.
 */
const maxTextChars = 1_000_000;
/** The longest id: ids go into global ids and cursors. */
const maxIdChars = 1_000;

export function readText(value: unknown, path: string, key: string): string {
  if (typeof value !== 'string') fail(`${path}.${key}`, 'a string', value);
  return bounded(value, maxTextChars, `${path}.${key}`);
}

export function readOptionalText(value: unknown, path: string, key: string): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'string') fail(`${path}.${key}`, 'a string or null', value);
  return bounded(value, maxTextChars, `${path}.${key}`);
}

function bounded(value: string, maxChars: number, path: string): string {
  if (value.length > maxChars) {
    throw new UpstreamBadResponseError(
      `${path}: expected a string of at most ${maxChars} characters, got one of ${value.length}`,
    );
  }
  return value;
}

export function readId(value: unknown, path: string, key: string): string {
  // A lone surrogate (possible through JSON's \u escapes) could not be put in a global id.
  if (typeof value === 'string' && value !== '' && value.isWellFormed())
    return bounded(value, maxIdChars, `${path}.${key}`);
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  return fail(`${path}.${key}`, 'a non-empty string or integer id', value);
}

export function readOptionalId(value: unknown, path: string, key: string): string | null {
  if (value === null || value === undefined || value === '') return null;
  return readId(value, path, key);
}

export function readFlag(value: unknown, path: string, key: string): boolean {
  if (typeof value !== 'boolean') fail(`${path}.${key}`, 'a boolean', value);
  return value;
}

export function readList(value: unknown, path: string, key: string): readonly unknown[] {
  if (value === null || value === undefined) return [];
  if (!Array.isArray(value)) fail(`${path}.${key}`, 'an array', value);
  return value;
}

export function readJson(value: unknown, path: string, key: string): JsonObject {
  if (value === null || value === undefined) return {};
  return readObject(value, `${path}.${key}`);
}

export function readTextList(value: unknown, path: string, key: string): string[] {
  return readList(value, path, key).map((item, i) => {
    if (typeof item !== 'string') fail(`${path}.${key}[${i}]`, 'a string', item);
    return bounded(item, maxTextChars, `${path}.${key}[${i}]`);
  });
}

const isoTimestamp = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/i;

/**
 * An ISO-8601 date or date-time as a UTC instant. A date alone is midnight
 * UTC; a date-time without an offset is read as UTC, not as server-local.
 */
export function readTimestamp(value: unknown, path: string, key: string): string {
  if (typeof value === 'string') {
    const known = utcInstants.get(value);
    if (known !== undefined) return known;
    const instant = toUtcInstant(value);
    if (instant !== undefined) {
      // The same timestamps come back page after page: remember a bounded number.
      if (utcInstants.size >= maxRememberedInstants) utcInstants.clear();
      utcInstants.set(value, instant);
      return instant;
    }
  }
  return fail(`${path}.${key}`, 'an ISO-8601 date or date-time', value);
}

const utcInstants = new Map<string, string>();
const maxRememberedInstants = 50_000;

function toUtcInstant(value: string): string | undefined {
  const match = isoTimestamp.exec(value);
  if (!match) return undefined;
  const [, year, month, day, hour, , , zone] = match;
  const normalised = hour === undefined ? `${value}T00:00:00Z` : zone ? value : `${value}Z`;
  const instant = new Date(normalised);
  if (Number.isNaN(instant.getTime()) || !isCalendarDate(Number(year), Number(month), Number(day))) return undefined;
  return instant.toISOString();
}

/** Whether a written date exists: Date would quietly move 30 February to March. */
function isCalendarDate(year: number, month: number, day: number): boolean {
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}
