import { describe, expect, it } from 'vitest';
import { createTranslator } from '../i18n';
import { asStats, barLength, boothDays, formatWait, hourBuckets, minSec, niceScale, ranked, total } from './model';

describe('niceScale', () => {
  it('gives an empty chart an axis from 0 to 1', () => {
    expect(niceScale(0)).toEqual({ max: 1, ticks: [0, 1] });
    expect(niceScale(Number.NaN)).toEqual({ max: 1, ticks: [0, 1] });
  });
  it('counts in ones while that needs few steps', () => {
    expect(niceScale(3)).toEqual({ max: 3, ticks: [0, 1, 2, 3] });
    expect(niceScale(5)).toEqual({ max: 5, ticks: [0, 1, 2, 3, 4, 5] });
  });
  it('steps by 1, 2 or 5 times a power of ten, with the top at or above the data', () => {
    expect(niceScale(7)).toEqual({ max: 8, ticks: [0, 2, 4, 6, 8] });
    expect(niceScale(23)).toEqual({ max: 25, ticks: [0, 5, 10, 15, 20, 25] });
    expect(niceScale(100)).toEqual({ max: 100, ticks: [0, 20, 40, 60, 80, 100] });
    expect(niceScale(101)).toEqual({ max: 150, ticks: [0, 50, 100, 150] });
    expect(niceScale(1234).ticks.every((t) => t % 500 === 0)).toBe(true);
  });
  it('never uses fractions, even for small values', () => {
    expect(niceScale(0.4)).toEqual({ max: 1, ticks: [0, 1] });
  });
});

describe('hourBuckets', () => {
  it('puts hours in order and fills the gaps with zero', () => {
    const got = hourBuckets([
      { start: '2026-06-03T11:00:00Z', drinks: 4 },
      { start: '2026-06-03T09:00:00Z', drinks: 7 },
    ]);
    expect(got.map((b) => [new Date(b.at).toISOString().slice(11, 16), b.drinks])).toEqual([
      ['09:00', 7],
      ['10:00', 0],
      ['11:00', 4],
    ]);
  });
  it('adds up two entries of one hour and drops what is not a time', () => {
    const got = hourBuckets([
      { start: '2026-06-03T09:00:00Z', drinks: 1 },
      { start: '2026-06-03T09:30:00Z', drinks: 2 },
      { start: 'soon', drinks: 9 },
    ]);
    expect(got).toEqual([{ at: Date.parse('2026-06-03T09:00:00Z'), drinks: 3 }]);
  });
  it('is empty for a day without drinks', () => {
    expect(hourBuckets([])).toEqual([]);
  });
});

describe('asStats', () => {
  it('reads a fresh day, whose per-drink list is null', () => {
    const s = asStats({
      boothDay: 2, cancellations: {}, completed: 0, hours: [], ordered: 0, recentGapSeconds: 0, refusals: {},
      timeouts: {}, topDrinks: [], topOptions: [], wait: { avgSeconds: 0, count: 0, p90Seconds: 0 }, waitByDrink: null,
    });
    expect(s).toMatchObject({ boothDay: 2, waitByDrink: [], hours: [], wait: { count: 0 } });
  });
  it('reads the figures of a busy day', () => {
    const s = asStats({
      boothDay: 1, ordered: 3, completed: 2,
      hours: [{ start: '2026-06-03T09:00:00Z', drinks: 2 }],
      wait: { count: 2, avgSeconds: 90.5, p90Seconds: 120 },
      waitByDrink: [{ drink: 'Mocha', count: 2, avgSeconds: 90.5, p90Seconds: 120, last10AvgSeconds: 90.5 }],
      topDrinks: [{ name: 'Mocha', count: 3 }],
      topOptions: [{ name: 'Milk: Oat', count: 2 }],
      cancellations: { customer: 1, staff: 0 }, timeouts: { barista: 1 }, refusals: { queue_full: 4 },
    });
    expect(s?.waitByDrink[0]).toEqual({ drink: 'Mocha', count: 2, avgSeconds: 90.5, p90Seconds: 120, last10AvgSeconds: 90.5 });
    expect(s?.cancellations).toEqual({ customer: 1 });
    expect(s?.refusals).toEqual({ queue_full: 4 });
  });
  it('refuses what is not a day', () => {
    expect(asStats(null)).toBeNull();
    expect(asStats({ error: { code: 'not_found' } })).toBeNull();
  });
});

describe('helpers', () => {
  it('ranks counts, most first, then by name', () => {
    expect(ranked({ queue_full: 2, shop_closed: 5, qr_expired: 2, none: 0 })).toEqual([
      { name: 'shop_closed', count: 5 },
      { name: 'qr_expired', count: 2 },
      { name: 'queue_full', count: 2 },
    ]);
    expect(total({ a: 2, b: 3 })).toBe(5);
  });
  it('splits seconds into minutes and seconds', () => {
    expect(minSec(0)).toEqual({ minutes: 0, seconds: 0 });
    expect(minSec(59.6)).toEqual({ minutes: 1, seconds: 0 });
    expect(minSec(754.2)).toEqual({ minutes: 12, seconds: 34 });
  });
  it('draws a bar in proportion, never invisible when above 0', () => {
    const s = niceScale(10);
    expect(barLength(5, s, 200)).toBe(100);
    expect(barLength(0, s, 200)).toBe(0);
    expect(barLength(0.01, s, 200)).toBe(2);
    expect(barLength(50, s, 200)).toBe(200);
  });
  it('lists the booth days, the current one first', () => {
    expect(boothDays(3)).toEqual([3, 2, 1]);
    expect(boothDays(0)).toEqual([1]);
  });
});

describe('formatWait', () => {
  const en = createTranslator('en').t;
  const de = createTranslator('de').t;
  it('writes a wait in minutes and seconds', () => {
    expect(formatWait(0, en)).toBe('–');
    expect(formatWait(45.4, en)).toBe('45 s');
    expect(formatWait(200, en)).toBe('3 min 20 s');
    expect(formatWait(200, de)).toBe('3 min 20 s');
    expect(formatWait(120.2, en)).toBe('2 min');
  });
});
