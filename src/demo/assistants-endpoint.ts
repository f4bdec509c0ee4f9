// The demo's one REST endpoint, GET {basePath}/orgs/{org}/assistants?page&take
// (CONTRACT §1): its route, who may call it, its pages over the org's current
// list and their validator.

import { type Answer, error } from './answers.ts';
import type { OrgLists } from './org-lists.ts';
import type { DemoSettings } from './settings.ts';

const DEFAULT_TAKE = 20;
const ROUTE = /^\/orgs\/([^/]+)\/assistants$/;
const INTEGER = /^-?\d+$/;

export interface Route {
  /** Decoded org id; null when the segment is not valid percent-encoding. */
  orgId: string | null;
}

export function matchRoute(pathname: string, basePath: string): Route | null {
  if (!pathname.startsWith(basePath)) return null;
  const match = ROUTE.exec(pathname.slice(basePath.length));
  if (!match?.[1]) return null;
  try {
    return { orgId: decodeURIComponent(match[1]) };
  } catch {
    return { orgId: null };
  }
}

/** A 401 or 403 for a caller that may not list this org, under `access`. */
export function refusal(
  access: DemoSettings['access'],
  authorization: string | undefined,
  route: Route | null,
): Answer | undefined {
  if (!access || !route?.orgId) return undefined;
  const visible = authorization === undefined ? undefined : access.get(authorization);
  if (!visible) return error(401, 'unauthorized', 'Missing or unknown credentials.');
  if (!visible.has(route.orgId)) return error(403, 'forbidden', 'These credentials may not see this organization.');
  return undefined;
}

/** The page asked for, or the 4xx that says why there is none. */
export function answerPage(
  { pageBase, maxTake }: Pick<DemoSettings, 'pageBase' | 'maxTake'>,
  lists: OrgLists,
  method: string | undefined,
  route: Route | null,
  query: URLSearchParams,
): Answer {
  if (!route) return error(404, 'not_found', 'No such endpoint.');
  if (route.orgId === null) return error(400, 'bad_request', 'The org id is not valid percent-encoding.');
  if (method !== 'GET') {
    return { ...error(405, 'method_not_allowed', 'Only GET is allowed.'), headers: { allow: 'GET' } };
  }

  const page = parseInteger(query.get('page'), pageBase);
  if (page === null || page < pageBase) {
    return error(400, 'bad_request', `page must be an integer >= ${pageBase}.`);
  }
  const take = parseInteger(query.get('take'), DEFAULT_TAKE);
  if (take === null || take < 1 || take > maxTake) {
    return error(400, 'bad_request', `take must be an integer from 1 to ${maxTake}.`);
  }
  const assistants = lists.current.get(route.orgId);
  if (!assistants) return error(404, 'not_found', 'Unknown organization.');

  const start = (page - pageBase) * take;
  return {
    status: 200,
    body: JSON.stringify(assistants.slice(start, start + take)),
    headers: { etag: lists.etag(route.orgId) },
  };
}

/**
 * The 304 that replaces a page the caller holds already, or undefined.
 * `etag` is the org's validator: one for all its pages, changed by any
 * change to its list, so a revalidation is a 304 until the list changes.
 */
export function notModified(answer: Answer, ifNoneMatch: string | undefined, etag: string): Answer | undefined {
  if (answer.status !== 200 || ifNoneMatch !== etag) return undefined;
  return { status: 304, body: '', headers: { etag, ...pick(answer.headers, 'cache-control') } };
}

function pick(headers: Record<string, string> | undefined, name: string): Record<string, string> {
  const value = headers?.[name];
  return value === undefined ? {} : { [name]: value };
}

/** null when present but not an integer; `fallback` when absent. */
export function parseInteger(raw: string | null, fallback: number): number | null {
  if (raw === null) return fallback;
  if (!INTEGER.test(raw)) return null;
  const value = Number(raw);
  return Number.isSafeInteger(value) ? value : null;
}
