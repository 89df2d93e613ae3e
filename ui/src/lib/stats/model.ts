// The booth's figures (GET /api/stats) as the admin app and the display show
// them: the answer read safely, the scales and buckets of the charts, and
// durations in words. Free of Preact and the network.

import type { TranslateFn } from '../i18n';

/** A set of waits from order to ready, in seconds. */
export interface WaitSummary {
  count: number;
  avgSeconds: number;
  p90Seconds: number;
}

/** One drink's waits, and the average over its ten latest orders. */
export interface DrinkWait extends WaitSummary {
  drink: string;
  last10AvgSeconds: number;
}

/** A name and how often it came up. */
export interface NamedCount {
  name: string;
  count: number;
}

/** One hour of the day (its start, RFC 3339) and the drinks made ready in it. */
export interface HourCount {
  start: string;
  drinks: number;
}

/** The figures of one booth day. */
export interface Stats {
  boothDay: number;
  ordered: number;
  completed: number;
  hours: HourCount[];
  wait: WaitSummary;
  waitByDrink: DrinkWait[];
  topDrinks: NamedCount[];
  topOptions: NamedCount[];
  cancellations: Record<string, number>;
  timeouts: Record<string, number>;
  refusals: Record<string, number>;
  recentGapSeconds: number;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

function summary(v: unknown): WaitSummary {
  const r = isRecord(v) ? v : {};
  return { count: num(r['count']), avgSeconds: num(r['avgSeconds']), p90Seconds: num(r['p90Seconds']) };
}

function counts(v: unknown): Record<string, number> {
  const out: Record<string, number> = {};
  if (!isRecord(v)) return out;
  for (const [k, n] of Object.entries(v)) if (typeof n === 'number' && n > 0) out[k] = n;
  return out;
}

function named(v: unknown): NamedCount[] {
  if (!Array.isArray(v)) return [];
  return v.filter(isRecord).filter((x) => typeof x['name'] === 'string').map((x) => ({ name: String(x['name']), count: num(x['count']) }));
}

/**
 * asStats reads the answer of GET /api/stats, or returns null. Lists the
 * kiosk leaves out or sends as null (a day without drinks) become empty.
 */
export function asStats(v: unknown): Stats | null {
  if (!isRecord(v) || typeof v['boothDay'] !== 'number') return null;
  const hours = Array.isArray(v['hours'])
    ? v['hours'].filter(isRecord).filter((h) => typeof h['start'] === 'string').map((h) => ({ start: String(h['start']), drinks: num(h['drinks']) }))
    : [];
  const waitByDrink = Array.isArray(v['waitByDrink'])
    ? v['waitByDrink']
        .filter(isRecord)
        .filter((d) => typeof d['drink'] === 'string')
        .map((d) => ({ drink: String(d['drink']), ...summary(d), last10AvgSeconds: num(d['last10AvgSeconds']) }))
    : [];
  return {
    boothDay: v['boothDay'],
    ordered: num(v['ordered']),
    completed: num(v['completed']),
    hours,
    wait: summary(v['wait']),
    waitByDrink,
    topDrinks: named(v['topDrinks']),
    topOptions: named(v['topOptions']),
    cancellations: counts(v['cancellations']),
    timeouts: counts(v['timeouts']),
    refusals: counts(v['refusals']),
    recentGapSeconds: num(v['recentGapSeconds']),
  };
}

/** A chart's value axis: its top and the values to mark, from 0. */
export interface Scale {
  max: number;
  ticks: number[];
}

/**
 * niceScale picks a value axis for data up to `max`: a step of 1, 2 or 5
 * times a power of ten (whole numbers only) giving at most `most` steps, and
 * a top that is a whole number of steps at or above `max`. A chart of
 * nothing still gets an axis from 0 to 1.
 */
export function niceScale(max: number, most = 5): Scale {
  const top = Math.max(1, Number.isFinite(max) ? max : 1);
  const rough = top / Math.max(1, most);
  const power = 10 ** Math.floor(Math.log10(rough));
  let step = Math.max(1, power);
  for (const m of [1, 2, 5, 10]) {
    step = Math.max(1, m * power);
    if (top / step <= most) break;
  }
  const steps = Math.ceil(top / step - 1e-9);
  const ticks = Array.from({ length: steps + 1 }, (_, i) => i * step);
  return { max: steps * step, ticks };
}

/** One bar of the drinks-per-hour chart. */
export interface HourBucket {
  /** The hour's start as Unix ms. */
  at: number;
  drinks: number;
}

const hourMs = 3_600_000;

/**
 * hourBuckets puts the hours in order and fills any hour the kiosk left out
 * with zero drinks, so the bars stand at even steps of time. Hours that are
 * not times are dropped.
 */
export function hourBuckets(hours: readonly HourCount[]): HourBucket[] {
  const byHour = new Map<number, number>();
  for (const h of hours) {
    const at = Date.parse(h.start);
    if (Number.isNaN(at)) continue;
    const key = Math.floor(at / hourMs) * hourMs;
    byHour.set(key, (byHour.get(key) ?? 0) + h.drinks);
  }
  if (byHour.size === 0) return [];
  const keys = [...byHour.keys()].sort((a, b) => a - b);
  const first = keys[0] ?? 0;
  const last = keys[keys.length - 1] ?? first;
  const out: HourBucket[] = [];
  for (let at = first; at <= last; at += hourMs) out.push({ at, drinks: byHour.get(at) ?? 0 });
  return out;
}

/** ranked lists a map of counts as named counts, most first, then by name; zero counts left out. */
export function ranked(m: Readonly<Record<string, number>>): NamedCount[] {
  return Object.entries(m)
    .filter(([, n]) => n > 0)
    .map(([name, count]) => ({ name, count }))
    .sort((a, b) => b.count - a.count || a.name.localeCompare(b.name));
}

/** total adds up a map of counts. */
export function total(m: Readonly<Record<string, number>>): number {
  return Object.values(m).reduce((a, b) => a + b, 0);
}

/** A duration split for words: whole minutes and the seconds left over. */
export interface MinSec {
  minutes: number;
  seconds: number;
}

/** minSec rounds seconds to whole seconds and splits them into minutes and seconds. */
export function minSec(totalSeconds: number): MinSec {
  const s = Math.max(0, Math.round(Number.isFinite(totalSeconds) ? totalSeconds : 0));
  return { minutes: Math.floor(s / 60), seconds: s % 60 };
}

/**
 * barLength is how long a bar of `value` is on an axis of `scale` drawn
 * `length` long; a value above 0 always shows as at least a sliver.
 */
export function barLength(value: number, scale: Scale, length: number): number {
  if (value <= 0 || scale.max <= 0) return 0;
  return Math.max(2, (Math.min(value, scale.max) / scale.max) * length);
}

/** boothDays lists the booth days to choose from, the current one first. */
export function boothDays(current: number): number[] {
  const n = Math.max(1, Math.floor(current));
  return Array.from({ length: n }, (_, i) => n - i);
}

/**
 * Staff events after which the figures may have changed: a drink ordered or
 * made ready, an order cancelled or timed out, a scan refused, a new day.
 */
export const statsEvents: ReadonlySet<string> = new Set([
  'OrderManager.WaitingCompletion',
  'OrderManager.OrderCompleted',
  'OrderManager.OrderCancelled',
  'OrderProcessor.OrderTimeOut',
  'OrderProcessor.ShopUnavailable',
  'Validator.ScanRefused',
  'ConfigService.BoothDayStarted',
]);

/** formatWait writes a wait in words: "45 s", "3 min", "3 min 20 s"; "–" when there is none. */
export function formatWait(seconds: number, t: TranslateFn): string {
  if (!(seconds > 0)) return t('stats.none');
  const { minutes, seconds: s } = minSec(seconds);
  if (minutes === 0) return t('stats.seconds', { seconds: s });
  return s === 0 ? t('stats.minutes', { minutes }) : t('stats.minSec', { minutes, seconds: s });
}
