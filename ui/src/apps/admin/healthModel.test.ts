import { describe, expect, it } from 'vitest';
import { asHealth, formatBytes, healthLines } from './healthModel';

const report = {
  clients: { customer: 12, barista: 2, admin: 1, display: 1 },
  clock: { behind: false, lastEvent: '2026-06-03T09:00:00Z', now: '2026-06-03T09:00:00Z', runningSeconds: 40 },
  database: { ok: true, schema: 6, sizeBytes: 151552 },
  disk: { freeBytes: 80888303616, low: false, totalBytes: 270553174016 },
  light: { simulated: true },
  printer: { health: 'ok', paperNearEnd: false, pending: 0 },
  version: 'dev',
};

const line = (lines: ReturnType<typeof healthLines>, part: string) => lines.find((l) => l.part === part);

describe('healthLines', () => {
  it('says every part is fine on a healthy box', () => {
    const lines = healthLines(asHealth(report)!);
    expect(lines.map((l) => l.part)).toEqual(['database', 'disk', 'clock', 'printer', 'light', 'clients', 'backup', 'version']);
    expect(line(lines, 'database')).toMatchObject({ level: 'ok', text: 'admin.health.database.ok', params: { size: '148 KB', schema: 6 } });
    expect(line(lines, 'disk')).toMatchObject({ level: 'ok', params: { free: '75.3 GB', total: '252 GB' } });
    expect(line(lines, 'clients')?.params).toEqual({ phones: 12, tablets: 3, displays: 1 });
    expect(line(lines, 'light')?.text).toBe('admin.health.light.simulated');
    expect(line(lines, 'backup')?.text).toBe('admin.health.backup.none');
  });
  it('warns of a clock that is behind and a disk that is nearly full', () => {
    const lines = healthLines(asHealth({ ...report, clock: { ...report.clock, behind: true }, disk: { freeBytes: 100 << 20, totalBytes: 8 * 1024 ** 3, low: true } })!);
    expect(line(lines, 'clock')).toMatchObject({ level: 'bad', text: 'admin.health.clock.behind' });
    expect(line(lines, 'disk')).toMatchObject({ level: 'warn', text: 'admin.health.disk.low', params: { free: '100 MB', total: '8 GB' } });
  });
  it('reports a broken database, a printer in trouble and the last backup', () => {
    const lines = healthLines(
      asHealth({
        ...report,
        database: { ok: false, error: 'disk I/O error', schema: 6, sizeBytes: 0 },
        printer: { health: 'paper_out', pending: 3 },
        lastBackup: { name: 'kiosk-2026-06-03-180000.db', at: '2026-06-03T18:00:00Z' },
      })!,
    );
    expect(line(lines, 'database')).toMatchObject({ level: 'bad', params: { error: 'disk I/O error' } });
    expect(line(lines, 'printer')).toMatchObject({ level: 'bad', params: { state: 'paper_out', pending: 3 } });
    expect(line(lines, 'backup')).toMatchObject({ level: 'ok', params: { name: 'kiosk-2026-06-03-180000.db' } });
  });
  it('says so when there is no printer', () => {
    const { printer: _, ...noPrinter } = report;
    expect(line(healthLines(asHealth(noPrinter)!), 'printer')).toMatchObject({ level: 'info', text: 'admin.health.printer.none' });
  });
  it('refuses what is not a report', () => {
    expect(asHealth({ version: 'dev' })).toBeNull();
  });
});

describe('formatBytes', () => {
  it('writes sizes in binary units', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1536)).toBe('1.5 KB');
    expect(formatBytes(200 * 1024 * 1024)).toBe('200 MB');
    expect(formatBytes(1536, 'de')).toBe('1,5 KB');
  });
});
