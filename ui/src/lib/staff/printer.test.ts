import { describe, expect, it } from 'vitest';
import { createTranslator } from '../i18n';
import {
  asPrinterInfo,
  asPrinterState,
  jobRows,
  jobStatus,
  printerSummary,
  samePrinterState,
  selectedJob,
  type PrinterJob,
  type PrinterState,
} from './printer';

const en = createTranslator('en').t;
const de = createTranslator('de').t;

const state = (s: Partial<PrinterState>): PrinterState => ({ health: 'ok', detail: '', paperNearEnd: false, pending: 0, ...s });

describe('reading the printer state', () => {
  it('reads the topic and the API alike', () => {
    expect(asPrinterState({ health: 'offline', detail: 'dial tcp: no route to host', paperNearEnd: false, pending: 2 })).toEqual({
      health: 'offline',
      detail: 'dial tcp: no route to host',
      paperNearEnd: false,
      pending: 2,
    });
    expect(asPrinterState({ health: 'ok', paperNearEnd: true, pending: 0 })).toEqual(state({ paperNearEnd: true }));
  });

  it('refuses what is not a state, and takes an unknown health for an error', () => {
    expect(asPrinterState(null)).toBeNull();
    expect(asPrinterState({ pending: 1 })).toBeNull();
    expect(asPrinterState([])).toBeNull();
    expect(asPrinterState({ health: 'on_fire', pending: -3 })).toEqual(state({ health: 'error', pending: 0 }));
  });

  it('reads GET /api/printer, dropping jobs it cannot read', () => {
    const info = asPrinterInfo({
      state: { health: 'ok', paperNearEnd: false, pending: 0 },
      jobs: [{ id: 1, label: 'order 1', submitted: '2026-06-03T09:00:00Z', printed: true, attempts: 1 }, { label: 'no id' }],
    });
    expect(info?.jobs).toEqual([{ id: 1, label: 'order 1', submitted: '2026-06-03T09:00:00Z', printed: true, attempts: 1 }]);
    expect(asPrinterInfo({ jobs: [] })).toBeNull();
    expect(asPrinterInfo({ state: { health: 'ok' }, jobs: null })?.jobs).toEqual([]);
  });

  it('knows an unchanged state', () => {
    expect(samePrinterState(state({}), state({}))).toBe(true);
    expect(samePrinterState(state({}), state({ pending: 1 }))).toBe(false);
    expect(samePrinterState(null, state({}))).toBe(false);
    expect(samePrinterState(null, null)).toBe(true);
  });
});

describe('the printer badge in words', () => {
  it('names every state, and the tickets waiting', () => {
    const cases: [PrinterState, string, string][] = [
      [state({}), 'Printer: ok', ''],
      [state({ health: 'unknown' }), 'Printer: not known yet', ''],
      [state({ health: 'offline', pending: 2 }), 'Printer: offline', '2 tickets waiting'],
      [state({ health: 'paper_out', pending: 1 }), 'Printer: paper out', '1 ticket waiting'],
      [state({ health: 'cover_open' }), 'Printer: cover open', ''],
      [state({ health: 'error', pending: 1200 }), 'Printer: error', '1,200 tickets waiting'],
    ];
    for (const [s, label, waiting] of cases) {
      const got = printerSummary(s, en);
      expect(got.label).toBe(label);
      expect(got.waiting).toBe(waiting);
      expect(got.full).toBe([label, waiting].filter(Boolean).join('. '));
    }
  });

  it('warns only when the printer needs a person', () => {
    expect(printerSummary(state({}), en)).toMatchObject({ level: 'ok', warning: null });
    expect(printerSummary(state({ health: 'unknown' }), en)).toMatchObject({ level: 'unknown', warning: null });
    for (const health of ['offline', 'paper_out', 'cover_open', 'error'] as const) {
      const s = printerSummary(state({ health }), en);
      expect(s.level).toBe('problem');
      expect(s.warning).toMatch(/^The ticket printer/);
      expect(s.warning).toContain('Orders go on');
    }
    expect(printerSummary(state({ health: 'paper_out' }), en).warning).toContain('new roll');
  });

  it('says when the paper runs low, but not when it has run out', () => {
    expect(printerSummary(state({ paperNearEnd: true }), en)).toMatchObject({
      level: 'ok',
      paper: 'Paper running low',
      full: 'Printer: ok. Paper running low',
    });
    expect(printerSummary(state({ health: 'paper_out', paperNearEnd: true }), en).paper).toBe('');
  });

  it('speaks German', () => {
    const s = printerSummary(state({ health: 'paper_out', pending: 3 }), de);
    expect(s.label).toBe('Drucker: kein Papier');
    expect(s.waiting).toBe('3 Bons warten');
    expect(printerSummary(state({ pending: 1 }), de).waiting).toBe('1 Bon wartet');
    expect(s.warning).toContain('neue Rolle');
  });
});

describe('the list of tickets', () => {
  const job = (id: number, j: Partial<PrinterJob> = {}): PrinterJob => ({
    id,
    label: `order ${id}`,
    submitted: '2026-06-03T09:00:00Z',
    printed: true,
    attempts: 1,
    ...j,
  });

  it('says whether a ticket printed, waits, or keeps failing', () => {
    expect(jobStatus(job(1))).toBe('printed');
    expect(jobStatus(job(1, { printed: false, attempts: 0 }))).toBe('waiting');
    expect(jobStatus(job(1, { printed: false, attempts: 3, lastError: 'paper out' }))).toBe('failing');
  });

  it('lists the newest first, by number, whatever the clock said', () => {
    const rows = jobRows([job(1, { submitted: '2026-06-03T09:00:00Z' }), job(3, { submitted: '2020-01-01T00:00:00Z' }), job(2, { submitted: 'garbled' })]);
    expect(rows.map((r) => r.job.id)).toEqual([3, 2, 1]);
    expect(rows[1]?.submittedMs).toBeNull();
    expect(rows[2]?.submittedMs).toBe(Date.UTC(2026, 5, 3, 9));
  });

  it('keeps the chosen ticket selected while it is listed, else the newest', () => {
    const rows = jobRows([job(1), job(2), job(3)]);
    expect(selectedJob(rows, null)).toBe(3);
    expect(selectedJob(rows, 1)).toBe(1);
    expect(selectedJob(rows, 99)).toBe(3);
    expect(selectedJob([], 1)).toBeNull();
  });
});
