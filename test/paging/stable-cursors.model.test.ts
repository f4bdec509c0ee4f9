// Stable cursors against an oracle, model-based (fast-check `fc.commands`): a
// client walks an organization page by page, forward or backward, while
// assistants are inserted and deleted anywhere in the list, several between
// two loads, as many as the search window covers. Every assistant that
// existed for the whole walk is returned exactly once, in order, and every
// page whose cursor's assistant moved or went says so.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createSeedData } from '../../src/demo/seed.ts';
import type { WireAssistant } from '../../src/demo/wire.ts';
import { dataOf, present, startTestGateway, type TestGateway } from '../helpers/gateway.ts';

const template = createSeedData().get('initech') ?? [];
const org = 'walk';

const walkPage = `
  query WalkPage($first: Int, $after: String, $last: Int, $before: String) {
    organization(restId: "${org}") {
      assistants(first: $first, after: $after, last: $last, before: $before) {
        edges { cursor node { restId } }
        pageInfo { hasNextPage hasPreviousPage }
        cursorCheck { status shift }
      }
    }
  }
`;

interface Walk {
  readonly direction: 'forward' | 'backward';
  /** The organization's ids now, as the demo holds them. */
  list: string[];
  /** Ids there when the walk began and never deleted since: each must be returned exactly once. */
  readonly survivors: Set<string>;
  /** Ids the walk returned, in the order it returned them. */
  readonly seen: string[];
  /** The cursor the next load pages from, with its item and neighbours as they stood when it was issued. */
  cursor?: { text: string; id: string; position: number; prev?: string; next?: string };
  done: boolean;
}

interface Real {
  readonly gateway: TestGateway;
}

type Connection = {
  edges: { cursor: string; node: { restId: string } }[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean };
  cursorCheck: { status: string; shift: number | null } | null;
};

async function load(real: Real, walk: Walk, size: number): Promise<Connection> {
  const variables =
    walk.direction === 'forward'
      ? { first: size, after: walk.cursor?.text ?? null }
      : { last: size, before: walk.cursor?.text ?? null };
  return present(dataOf(await real.gateway.query(walkPage, variables)).organization.assistants) as Connection;
}

/** Every status the current direction's walks met. */
let statusesSeen: string[] = [];

/** What the page's cursorCheck must say, from where the cursor's item is now. */
function expectCheck(walk: Walk, check: Connection['cursorCheck']): void {
  if (check && !statusesSeen.includes(check.status)) statusesSeen.push(check.status);
  const { cursor } = walk;
  if (!cursor) {
    expect(check).toBeNull();
    return;
  }
  const now = walk.list.indexOf(cursor.id);
  // Forward, a page that did not read the cursor's own position checks the item after it instead.
  const aligned =
    walk.direction === 'forward' && cursor.next !== undefined && walk.list[cursor.position + 1] === cursor.next;
  if (now === -1) {
    expect(check?.status, 'the cursor’s assistant is gone').toMatch(aligned ? /^(SUCCESSOR|EXACT)$/ : /^SUCCESSOR$/);
  } else if (now !== cursor.position) {
    if (aligned && check?.status === 'EXACT') return;
    expect(check, 'the cursor’s assistant moved').toEqual({ status: 'SHIFTED', shift: now - cursor.position });
  } else {
    expect(check).toEqual({ status: 'EXACT', shift: null });
  }
}

class LoadPage implements fc.AsyncCommand<Walk, Real> {
  constructor(readonly size: number) {}
  check = (walk: Readonly<Walk>) => !walk.done;
  async run(walk: Walk, real: Real): Promise<void> {
    const page = await load(real, walk, this.size);
    expectCheck(walk, page.cursorCheck);
    const ids = page.edges.map((edge) => edge.node.restId);
    const edge = walk.direction === 'forward' ? page.edges.at(-1) : page.edges[0];
    walk.seen.push(...(walk.direction === 'forward' ? ids : [...ids].reverse()));
    const more = walk.direction === 'forward' ? page.pageInfo.hasNextPage : page.pageInfo.hasPreviousPage;
    if (!more) walk.done = true;
    if (edge) {
      const position = walk.list.indexOf(edge.node.restId);
      walk.cursor = {
        text: edge.cursor,
        id: edge.node.restId,
        position,
        prev: walk.list[position - 1],
        next: walk.list[position + 1],
      };
    }
  }
  toString = () => `load(${this.size})`;
}

class Insert implements fc.AsyncCommand<Walk, Real> {
  constructor(readonly at: number) {}
  check = () => true;
  async run(walk: Walk, real: Real): Promise<void> {
    const position = this.at % (walk.list.length + 1);
    const id = real.gateway.upstream.insert(org, position);
    walk.list.splice(position, 0, id);
  }
  toString = () => `insert(${this.at})`;
}

class Delete implements fc.AsyncCommand<Walk, Real> {
  constructor(readonly at: number) {}
  check = (walk: Readonly<Walk>) => walk.list.length > 0;
  async run(walk: Walk, real: Real): Promise<void> {
    const position = this.at % walk.list.length;
    const id = walk.list[position] as string;
    // What the guarantee needs: the cursor's assistant or the one after it (which every cursor records) stays.
    const { cursor } = walk;
    const anchors = cursor ? [cursor.id, cursor.next ?? cursor.id] : [];
    if (anchors.length > 0 && anchors.every((anchor) => anchor === id || !walk.list.includes(anchor))) return;
    expect(real.gateway.upstream.remove(org, position)).toBe(id);
    walk.list.splice(position, 1);
    walk.survivors.delete(id);
  }
  toString = () => `delete(${this.at})`;
}

/** Deletes the cursor's own assistant (the edit a stable cursor most has to survive), when a neighbour stays. */
class DeleteCursorItem implements fc.AsyncCommand<Walk, Real> {
  check = (walk: Readonly<Walk>) => walk.cursor !== undefined && walk.list.includes(walk.cursor.id);
  async run(walk: Walk, real: Real): Promise<void> {
    await new Delete(walk.list.indexOf(walk.cursor?.id as string)).run(walk, real);
  }
  toString = () => 'deleteCursorItem';
}

/** Loads (no more edits) until the walk reaches the end of the list. */
async function finish(walk: Walk, real: Real): Promise<void> {
  for (let guard = 0; !walk.done && guard < 500; guard++) await new LoadPage(7).run(walk, real);
  expect(walk.done).toBe(true);
}

const edits = () =>
  fc.oneof(
    fc.nat(1_000).map((at) => new Insert(at)),
    fc.nat(1_000).map((at) => new Delete(at)),
    fc.constant(new DeleteCursorItem()),
  ) as fc.Arbitrary<fc.AsyncCommand<Walk, Real>>;

describe('stable cursors, against an oracle', () => {
  for (const direction of ['forward', 'backward'] as const) {
    it(`return every assistant that stayed exactly once, in order, walking ${direction} while the list changes`, async () => {
      statusesSeen = [];
      await fc.assert(
        fc.asyncProperty(
          fc.integer({ min: 0, max: 60 }),
          fc.constantFrom(5, 10, 25),
          fc.commands([fc.integer({ min: 1, max: 12 }).map((size) => new LoadPage(size)), edits()], {
            maxCommands: 30,
          }),
          async (size, maxTake, commands) => {
            const assistants: WireAssistant[] = structuredClone(template.slice(0, size));
            await using gateway = await startTestGateway({
              env: { UPSTREAM_MAX_TAKE: String(maxTake) },
              // An empty org's inserts copy another org's assistant.
              upstream: {
                data: new Map([
                  [org, assistants],
                  ['other', structuredClone(template.slice(0, 1))],
                ]),
              },
            });
            const real = { gateway };
            const list = assistants.map((assistant) => assistant.id);
            const walk: Walk = { direction, list, survivors: new Set(list), seen: [], done: false };
            if (direction === 'backward') await startFromTheEnd(walk, real);
            // Edits between two loads stay within what one search page covers.
            await fc.asyncModelRun(() => ({ model: walk, real }), limitEdits(commands, Math.min(maxTake - 1, 4)));
            await finish(walk, real);
            const order = walk.direction === 'forward' ? walk.list : [...walk.list].reverse();
            const expected = order.filter((id) => walk.survivors.has(id));
            expect(walk.seen.filter((id) => walk.survivors.has(id))).toEqual(expected);
          },
        ),
        // Random runs, plus one walk that surely meets a moved cursor and a deleted one.
        { numRuns: 60, examples: [[20, 10, movedThenDeleted(direction)]] },
      );
      // Not vacuous: the walks met moved and deleted cursors, not only unchanged lists.
      expect(statusesSeen).toEqual(expect.arrayContaining(['EXACT', 'SHIFTED', 'SUCCESSOR']));
    });
  }
});

/**
 * A walk whose cursor's assistant is moved by an insert before it, then deleted: the pages after say
 * SHIFTED, then SUCCESSOR, then EXACT.
 */
function movedThenDeleted(direction: Walk['direction']): fc.AsyncCommand<Walk, Real>[] {
  const forward = direction === 'forward' ? [new LoadPage(5)] : [];
  return [...forward, new Insert(0), new LoadPage(5), new DeleteCursorItem(), new LoadPage(5)];
}

/** A backward walk begins at the list's last item, with the cursor a forward page gave it. */
async function startFromTheEnd(walk: Walk, real: Real): Promise<void> {
  if (walk.list.length === 0) {
    walk.done = true;
    return;
  }
  const forward: Walk = { ...walk, direction: 'forward', seen: [], cursor: undefined, done: false };
  if (walk.list.length > 1) {
    // The item before the last, so the next forward page is just the last one.
    while (!forward.done && forward.seen.length < walk.list.length - 1) {
      await new LoadPage(Math.min(12, walk.list.length - 1 - forward.seen.length)).run(forward, real);
    }
  }
  const last = await load(real, forward, 1);
  const edge = present(last.edges[0]);
  walk.seen.push(edge.node.restId);
  const position = walk.list.length - 1;
  walk.cursor = { text: edge.cursor, id: edge.node.restId, position, prev: walk.list[position - 1] };
}

/** At most `most` edits in a row between two loads. */
function limitEdits(
  commands: Iterable<fc.AsyncCommand<Walk, Real>>,
  most: number,
): Iterable<fc.AsyncCommand<Walk, Real>> {
  const kept: fc.AsyncCommand<Walk, Real>[] = [];
  let run = 0;
  for (const command of commands) {
    run = command instanceof LoadPage ? 0 : run + 1;
    if (run <= most) kept.push(command);
  }
  return kept;
}
