// Each org's list of assistants as this demo instance has changed it:
// inserted and removed assistants, for tests of stable cursors and for people
// paging in GraphiQL, and the validator that tells a cache the list changed.
// The seed may be shared by other instances (tests pass one `data` to many),
// so an org's array is copied on its first change and never written through.

import { randomBytes } from 'node:crypto';
import type { WireAssistant } from './wire.ts';

/** The validator of every page of an org whose list has not changed. */
export const seedEtag = '"seed-1"';

export class OrgLists {
  /** Org id → its list: the seed's own array until the org's first change, then this instance's copy. */
  private readonly lists: Map<string, WireAssistant[]>;
  /** The orgs whose array is this instance's copy. */
  private readonly copied = new Set<string>();
  /** Changes per org since start; absent for an unchanged org. */
  private readonly versions = new Map<string, number>();
  /** This demo's own mark in its validators: another demo (a restart) never answers 304 to this one's. */
  private readonly instance = randomBytes(4).toString('hex');
  private inserted = 0;

  constructor(private readonly seed: ReadonlyMap<string, WireAssistant[]>) {
    this.lists = new Map(seed);
  }

  /** Every org's current list, for the endpoint and the faults that fill bad bodies with real assistants. */
  get current(): ReadonlyMap<string, readonly WireAssistant[]> {
    return this.lists;
  }

  /** A snapshot of the org's current list. */
  assistantsOf(orgId: string): readonly WireAssistant[] {
    return [...this.listOf(orgId)];
  }

  /**
   * The validator of the org's pages: `seedEtag` until its list changes,
   * then one per change, so a revalidation after a change is answered whole.
   * Unknown orgs have no pages; they get `seedEtag` too.
   */
  etag(orgId: string | null | undefined): string {
    const version = orgId == null ? undefined : this.versions.get(orgId);
    // Percent-encoded: an org id may hold quotes, spaces or any Unicode, an ETag only visible ASCII.
    return version === undefined ? seedEtag : `"${encodeURIComponent(orgId as string)}-${this.instance}-v${version}"`;
  }

  /** Inserts a copy of a seed assistant, with fresh ids, at `position` (0 to the list's length); returns its id. */
  insert(orgId: string, position: number, name?: string): string {
    const list = this.listOf(orgId);
    if (!isPositionIn(position, list.length)) {
      throw new RangeError(`${sizeOf(orgId, list)}: insert at 0 to ${list.length}, not ${position}`);
    }
    const assistant = this.freshAssistant(orgId, name);
    this.changing(orgId).splice(position, 0, assistant);
    return assistant.id;
  }

  /** Removes the assistant at `position` (0 to the list's length - 1); returns its id. */
  remove(orgId: string, position: number): string {
    const list = this.listOf(orgId);
    if (list.length === 0) throw new RangeError(`${sizeOf(orgId, list)}: nothing to remove`);
    if (!isPositionIn(position, list.length - 1)) {
      throw new RangeError(`${sizeOf(orgId, list)}: remove at 0 to ${list.length - 1}, not ${position}`);
    }
    const [removed] = this.changing(orgId).splice(position, 1);
    return (removed as WireAssistant).id;
  }

  private listOf(orgId: string): WireAssistant[] {
    const list = this.lists.get(orgId);
    if (!list) throw new RangeError(`no organization ${JSON.stringify(orgId)}`);
    return list;
  }

  /** The org's own copy, made on its first change, with the change counted. */
  private changing(orgId: string): WireAssistant[] {
    if (!this.copied.has(orgId)) {
      this.lists.set(orgId, [...this.listOf(orgId)]);
      this.copied.add(orgId);
    }
    this.versions.set(orgId, (this.versions.get(orgId) ?? 0) + 1);
    return this.listOf(orgId);
  }

  /**
   * A copy of the org's first seed assistant (of the first seed assistant of
   * any org when it has none), with ids no other assistant of this instance
   * has, created now.
   */
  private freshAssistant(orgId: string, name: string | undefined): WireAssistant {
    const template = this.seed.get(orgId)?.[0] ?? [...this.seed.values()].find((list) => list.length > 0)?.[0];
    if (!template) throw new RangeError('the seed holds no assistant to copy');
    let n: number;
    do n = ++this.inserted;
    while (this.isTaken(n));
    const id = `asst_ins_${n}`;
    const now = new Date().toISOString();
    const copy = structuredClone(template);
    return {
      ...copy,
      id,
      name: name ?? `Inserted ${n}`,
      integrations: copy.integrations.map((child, k) => ({
        ...child,
        id: `int_ins_${n}_${k + 1}`,
        assistant_id: id,
        created_at: now,
        updated_at: now,
      })),
      actions: copy.actions.map((child, k) => ({
        ...child,
        id: `act_ins_${n}_${k + 1}`,
        assistant_id: id,
        created_at: now,
        updated_at: now,
      })),
      created_at: now,
      updated_at: now,
    };
  }

  /** Whether an id `freshAssistant` would make for `n` is taken already: a hand-made `data` may use the pattern. */
  private isTaken(n: number): boolean {
    const id = `asst_ins_${n}`;
    const childPrefixes = [`int_ins_${n}_`, `act_ins_${n}_`];
    return [...this.lists.values()].some((list) =>
      list.some(
        (assistant) =>
          assistant.id === id ||
          [...assistant.integrations, ...assistant.actions].some((child) =>
            childPrefixes.some((prefix) => child.id.startsWith(prefix)),
          ),
      ),
    );
  }
}

function isPositionIn(position: number, last: number): boolean {
  return Number.isInteger(position) && position >= 0 && position <= last;
}

function sizeOf(orgId: string, list: readonly WireAssistant[]): string {
  const count = list.length === 0 ? 'no assistants' : list.length === 1 ? '1 assistant' : `${list.length} assistants`;
  return `${JSON.stringify(orgId)} has ${count}`;
}
