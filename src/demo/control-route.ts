// The demo's control route, for people who try stable cursors by hand:
// POST {basePath}/_demo/orgs/{org}/insert?at=N[&name=…] and
// POST {basePath}/_demo/orgs/{org}/remove?at=N change an org's list as a
// test's insert() and remove() do. It is no part of the upstream's API
// (schema/assistants.openapi.yaml does not describe it) and the gateway never
// calls it.

import { type Answer, error } from './answers.ts';
import { parseInteger } from './assistants-endpoint.ts';
import type { OrgLists } from './org-lists.ts';

const ROUTE = /^\/_demo\/orgs\/([^/]+)\/([^/]+)$/;

export interface ControlRoute {
  /** Decoded org id; null when the segment is not valid percent-encoding. */
  orgId: string | null;
  /** What to do: 'insert' or 'remove' are answered, anything else is a 404. */
  change: string;
}

export function matchControl(pathname: string, basePath: string): ControlRoute | null {
  if (!pathname.startsWith(basePath)) return null;
  const match = ROUTE.exec(pathname.slice(basePath.length));
  if (!match?.[1] || !match[2]) return null;
  try {
    return { orgId: decodeURIComponent(match[1]), change: match[2] };
  } catch {
    return { orgId: null, change: match[2] };
  }
}

/** `{ id, size }` after the change, or the 4xx that says why there was none. */
export function answerControl(
  lists: OrgLists,
  method: string | undefined,
  route: ControlRoute,
  query: URLSearchParams,
): Answer {
  const { orgId, change } = route;
  if (change !== 'insert' && change !== 'remove') {
    return error(404, 'not_found', `No such change "${change}": use insert or remove.`);
  }
  if (method !== 'POST') {
    return { ...error(405, 'method_not_allowed', 'Only POST is allowed.'), headers: { allow: 'POST' } };
  }
  if (orgId === null) return error(400, 'bad_request', 'The org id is not valid percent-encoding.');
  if (!lists.current.has(orgId)) return error(404, 'not_found', 'Unknown organization.');
  if (query.get('at') === null) {
    return error(400, 'bad_request', `at is required: the position to ${change} at, counted from 0.`);
  }
  const at = parseInteger(query.get('at'), 0);
  if (at === null) return error(400, 'bad_request', 'at must be an integer.');

  try {
    const id = change === 'insert' ? lists.insert(orgId, at, query.get('name') ?? undefined) : lists.remove(orgId, at);
    return { status: 200, body: JSON.stringify({ id, size: lists.current.get(orgId)?.length }) };
  } catch (cause) {
    // A position outside the list: its message names the list's size and the positions allowed.
    if (cause instanceof RangeError) return error(400, 'bad_request', `${cause.message}.`);
    throw cause;
  }
}
