// Staleness, the one place that knows it: a page the page cache served past
// its freshness (stale-while-revalidate, stale-if-error) is as old as the
// time since it was fetched; every record on it, and what the record holds,
// is that old too; and each field of a response that shows such data is
// listed, with the age, in `extensions.stale`.

import type { AssistantRecord } from './records.ts';

/** How old a page kept since `storedAt` is at `now` (ms since the epoch): whole seconds, never negative. */
export function staleAgeSeconds(storedAt: number, now: number): number {
  return Math.max(0, Math.floor((now - storedAt) / 1_000));
}

/** One entry of `extensions.stale`. */
export interface StalePart {
  readonly path: readonly (string | number)[];
  readonly ageSeconds: number;
}

/** One operation's staleness: which pages and records it loaded came stale, and which fields show them. */
export class OperationStaleness {
  /** Pages, records and their parts, by identity. Made only once a stale page arrives: most operations never see one. */
  private agesOf: WeakMap<object, number> | undefined;
  /** The operation's `extensions.stale`, in the order its fields resolved. */
  readonly parts: StalePart[] = [];

  /** A page's records arrived from a page served `ageSeconds` past its fetch. */
  notePage(records: readonly AssistantRecord[], ageSeconds: number | undefined): void {
    if (ageSeconds === undefined) return;
    this.agesOf ??= new WeakMap();
    this.agesOf.set(records, ageSeconds);
  }

  /** The age of the oldest stale page among `pages`, if any was stale. */
  oldestOf(pages: readonly (readonly AssistantRecord[])[]): number | undefined {
    return oldest(pages.map((page) => this.agesOf?.get(page)));
  }

  /** A record found on `page`: it, its integrations and its actions are as old as the page. */
  noteFound(record: AssistantRecord, page: readonly AssistantRecord[]): void {
    const age = this.agesOf?.get(page);
    if (age === undefined || !this.agesOf) return;
    this.agesOf.set(record, age);
    for (const part of [...record.integrations, ...record.actions]) this.agesOf.set(part, age);
  }

  /** Lists the field at `path` when `value` (a record or a part of one) came from a stale page. */
  noteValue(path: readonly (string | number)[], value: unknown): void {
    if (typeof value !== 'object' || value === null) return;
    this.noteAge(path, this.agesOf?.get(value));
  }

  /** Lists the field at `path` when its data is `ageSeconds` old (a connection's window of pages). */
  noteAge(path: readonly (string | number)[], ageSeconds: number | undefined): void {
    if (ageSeconds !== undefined) this.parts.push({ path, ageSeconds });
  }
}

/** The largest of the ages that are known. */
function oldest(ages: readonly (number | undefined)[]): number | undefined {
  const known = ages.filter((age) => age !== undefined);
  return known.length > 0 ? Math.max(...known) : undefined;
}
