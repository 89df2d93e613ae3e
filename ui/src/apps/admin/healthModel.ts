// The box's health (GET /api/health) as the admin app lists it: one line per
// part, each ok, a warning or a problem, with what to do. Free of Preact and
// the network.

import type { MessageKey, Params } from '../../lib/i18n';

/** The kiosk's health report. */
export interface Health {
  version: string;
  database: { ok: boolean; error?: string; sizeBytes: number; schema: number };
  disk: { freeBytes: number; totalBytes: number; low: boolean };
  clock: { now: string; runningSeconds: number; lastEvent?: string; behind: boolean };
  printer?: { health?: string; pending?: number; paperNearEnd?: boolean; detail?: string };
  light: { simulated: boolean };
  clients: Record<string, number>;
  lastBackup?: { name: string; at: string };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
const rec = (v: unknown): Record<string, unknown> => (isRecord(v) ? v : {});

/** asHealth reads the report, or returns null. */
export function asHealth(v: unknown): Health | null {
  if (!isRecord(v) || !isRecord(v['database']) || !isRecord(v['clock'])) return null;
  const db = v['database'];
  const disk = rec(v['disk']);
  const clock = v['clock'];
  const clients: Record<string, number> = {};
  for (const [k, n] of Object.entries(rec(v['clients']))) if (typeof n === 'number') clients[k] = n;
  const out: Health = {
    version: typeof v['version'] === 'string' ? v['version'] : '',
    database: { ok: db['ok'] === true, sizeBytes: num(db['sizeBytes']), schema: num(db['schema']) },
    disk: { freeBytes: num(disk['freeBytes']), totalBytes: num(disk['totalBytes']), low: disk['low'] === true },
    clock: { now: typeof clock['now'] === 'string' ? clock['now'] : '', runningSeconds: num(clock['runningSeconds']), behind: clock['behind'] === true },
    light: { simulated: rec(v['light'])['simulated'] === true },
    clients,
  };
  if (typeof db['error'] === 'string' && db['error'] !== '') out.database.error = db['error'];
  if (typeof clock['lastEvent'] === 'string') out.clock.lastEvent = clock['lastEvent'];
  if (isRecord(v['printer'])) out.printer = v['printer'] as Health['printer'] & object;
  const backup = v['lastBackup'];
  if (isRecord(backup) && typeof backup['name'] === 'string') {
    out.lastBackup = { name: backup['name'], at: typeof backup['at'] === 'string' ? backup['at'] : '' };
  }
  return out;
}

/** A size in words: bytes, KB, MB or GB (powers of 1024), one decimal where it helps. */
export function formatBytes(n: number, locale = 'en'): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = Math.max(0, n);
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  const digits = i === 0 || v >= 100 ? 0 : 1;
  return `${new Intl.NumberFormat(locale, { maximumFractionDigits: digits, minimumFractionDigits: 0 }).format(v)} ${units[i]}`;
}

/** How a part is: fine, worth a look, or in trouble. */
export type Level = 'ok' | 'warn' | 'bad' | 'info';

/** One line of the health page: the part, how it is, and what it says (a message key with its values). */
export interface HealthLine {
  part: 'database' | 'disk' | 'clock' | 'printer' | 'light' | 'clients' | 'backup' | 'version';
  level: Level;
  text: MessageKey;
  params: Params;
}

/**
 * healthLines turns the report into the page's lines, in a fixed order;
 * `time` writes the report's times for people.
 * The clock is a problem when it is behind: a Pi without a battery clock
 * started in the past, and its time must be set before times mean anything.
 */
export function healthLines(h: Health, locale = 'en', time: (iso: string) => string = (iso) => iso): HealthLine[] {
  const lines: HealthLine[] = [];
  lines.push(
    h.database.ok
      ? { part: 'database', level: 'ok', text: 'admin.health.database.ok', params: { size: formatBytes(h.database.sizeBytes, locale), schema: h.database.schema } }
      : { part: 'database', level: 'bad', text: 'admin.health.database.bad', params: { error: h.database.error ?? '' } },
  );
  const free = formatBytes(h.disk.freeBytes, locale);
  const totalBytes = formatBytes(h.disk.totalBytes, locale);
  lines.push(
    h.disk.low
      ? { part: 'disk', level: 'warn', text: 'admin.health.disk.low', params: { free, total: totalBytes } }
      : { part: 'disk', level: 'ok', text: 'admin.health.disk.ok', params: { free, total: totalBytes } },
  );
  lines.push(
    h.clock.behind
      ? { part: 'clock', level: 'bad', text: 'admin.health.clock.behind', params: { now: time(h.clock.now), last: time(h.clock.lastEvent ?? '') } }
      : { part: 'clock', level: 'ok', text: 'admin.health.clock.ok', params: { now: time(h.clock.now) } },
  );
  const p = h.printer;
  if (!p) lines.push({ part: 'printer', level: 'info', text: 'admin.health.printer.none', params: {} });
  else if (p.health === 'ok') lines.push({ part: 'printer', level: p.paperNearEnd ? 'warn' : 'ok', text: p.paperNearEnd ? 'admin.health.printer.paperLow' : 'admin.health.printer.ok', params: { pending: num(p.pending) } });
  else if (p.health === 'unknown' || p.health === undefined) lines.push({ part: 'printer', level: 'info', text: 'admin.health.printer.unknown', params: {} });
  else lines.push({ part: 'printer', level: 'bad', text: 'admin.health.printer.bad', params: { state: p.health, pending: num(p.pending) } });
  lines.push({ part: 'light', level: 'info', text: h.light.simulated ? 'admin.health.light.simulated' : 'admin.health.light.real', params: {} });
  const c = h.clients;
  lines.push({
    part: 'clients',
    level: 'info',
    text: 'admin.health.clients',
    params: { phones: num(c['customer']), tablets: num(c['barista']) + num(c['admin']), displays: num(c['display']) },
  });
  lines.push(
    h.lastBackup
      ? { part: 'backup', level: 'ok', text: 'admin.health.backup.at', params: { name: h.lastBackup.name, at: time(h.lastBackup.at) } }
      : { part: 'backup', level: 'info', text: 'admin.health.backup.none', params: {} },
  );
  lines.push({ part: 'version', level: 'info', text: 'admin.health.version', params: { version: h.version || '?' } });
  return lines;
}
