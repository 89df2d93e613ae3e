import { describe, expect, it } from 'vitest';
import type { StaffEvent } from '../../lib/staff/types';
import { filterEvents, lastSeq, merge, readRecent, typesOf } from './eventLog';

const ev = (seq: number, type = 'OrderManager.MakeOrder', orderId = `order-${seq}`): StaffEvent => ({
  seq,
  type,
  time: '2026-06-03T09:00:00Z',
  detail: orderId ? { orderId } : {},
});

describe('merging the stream', () => {
  it('keeps each seq once, newest first, up to a limit', () => {
    const list = merge([ev(1), ev(3)], [ev(2), ev(3), ev(4)]);
    expect(list.map((e) => e.seq)).toEqual([4, 3, 2, 1]);
    expect(merge(list, [ev(5)], 3).map((e) => e.seq)).toEqual([5, 4, 3]);
    expect(lastSeq(list)).toBe(4);
    expect(lastSeq([])).toBe(0);
  });
});

describe('filtering the stream', () => {
  const list = merge([], [ev(1, 'A', 'tdhh-1'), ev(2, 'B', 'tdhh-1'), ev(3, 'A', 'xyz-2'), ev(4, 'ConfigService.ConfigChanged', '')]);

  it('by order id, in part and in any case', () => {
    expect(filterEvents(list, { orderId: 'TDHH', type: '' }).map((e) => e.seq)).toEqual([2, 1]);
  });

  it('by type', () => {
    expect(filterEvents(list, { orderId: '', type: 'A' }).map((e) => e.seq)).toEqual([3, 1]);
  });

  it('by both, or by neither', () => {
    expect(filterEvents(list, { orderId: 'tdhh', type: 'A' }).map((e) => e.seq)).toEqual([1]);
    expect(filterEvents(list, { orderId: ' ', type: '' })).toHaveLength(4);
  });

  it('lists the types for the filter', () => {
    expect(typesOf(list)).toEqual(['A', 'B', 'ConfigService.ConfigChanged']);
  });
});

describe('reading the recent history', () => {
  it('reads on page by page and keeps the newest', async () => {
    const log = Array.from({ length: 25 }, (_, i) => ev(i + 1));
    const calls: [number, number][] = [];
    const page = async (after: number, limit: number) => {
      calls.push([after, limit]);
      return log.filter((e) => e.seq > after).slice(0, limit);
    };
    const got = await readRecent(page, 0, 8, 10);
    expect(calls).toEqual([
      [0, 10],
      [10, 10],
      [20, 10],
    ]);
    expect(got.map((e) => e.seq)).toEqual([25, 24, 23, 22, 21, 20, 19, 18]);
  });

  it('reads on from a position after a reconnect', async () => {
    const got = await readRecent(async (after) => (after === 7 ? [ev(8), ev(9)] : []), 7);
    expect(got.map((e) => e.seq)).toEqual([9, 8]);
  });
});
