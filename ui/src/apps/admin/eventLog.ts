/**
 * The live event stream's model: the recent history of the log and every
 * event as it happens, merged by position (seq), newest first, and filtered
 * by order id and by type.
 */
import type { StaffEvent } from '../../lib/staff/types';

/** How many events the page keeps. */
export const keepEvents = 500;

/** merge adds events to a list: no seq twice, newest first, at most `keep`. */
export function merge(list: readonly StaffEvent[], incoming: readonly StaffEvent[], keep = keepEvents): StaffEvent[] {
  const bySeq = new Map<number, StaffEvent>();
  for (const e of list) bySeq.set(e.seq, e);
  for (const e of incoming) if (!bySeq.has(e.seq)) bySeq.set(e.seq, e);
  return [...bySeq.values()].sort((a, b) => b.seq - a.seq).slice(0, keep);
}

/** lastSeq is the newest position in the list, 0 for none: where to read on from. */
export function lastSeq(list: readonly StaffEvent[]): number {
  return list.reduce((m, e) => Math.max(m, e.seq), 0);
}

/** The stream's filter: part of an order id, and one type ('' for all). */
export interface EventFilter {
  orderId: string;
  type: string;
}

/** orderIdOf returns the order an event is about, or ''. */
export function orderIdOf(e: StaffEvent): string {
  const id = e.detail['orderId'];
  return typeof id === 'string' ? id : '';
}

/** filterEvents keeps the events that match the filter. */
export function filterEvents(list: readonly StaffEvent[], filter: EventFilter): StaffEvent[] {
  const id = filter.orderId.trim().toLowerCase();
  return list.filter((e) => (!filter.type || e.type === filter.type) && (!id || orderIdOf(e).toLowerCase().includes(id)));
}

/** typesOf lists the event types in the list, sorted, for the type filter. */
export function typesOf(list: readonly StaffEvent[]): string[] {
  return [...new Set(list.map((e) => e.type))].sort();
}

/**
 * readRecent reads the log's recent history through `page` (one call of
 * GET /api/events?after=…&limit=…): it reads on from `after` until the end and
 * keeps the newest `keep`. The log has no "latest N" query, so a long day is
 * a few pages.
 */
export async function readRecent(
  page: (after: number, limit: number) => Promise<StaffEvent[]>,
  after = 0,
  keep = keepEvents,
  pageSize = 1000,
): Promise<StaffEvent[]> {
  let out: StaffEvent[] = [];
  let from = after;
  for (;;) {
    const got = await page(from, pageSize);
    out = merge(out, got, keep);
    if (got.length < pageSize) return out;
    from = Math.max(from, lastSeq(got));
  }
}
