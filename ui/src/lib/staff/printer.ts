/**
 * The ticket printer as staff see it: its state (the retained
 * kiosk/staff/printer topic and GET /api/printer), the words the badge and
 * the warning use, and the list of recent tickets. Free of Preact and the
 * network, so it is unit-tested on its own.
 */
import { t as translate, type MessageKey, type TranslateFn } from '../i18n';

/** What the kiosk knows about the printer; see docs/realtime.md, kiosk/staff/printer. */
export type PrinterHealth = 'unknown' | 'ok' | 'offline' | 'paper_out' | 'cover_open' | 'error';

const healths: readonly PrinterHealth[] = ['unknown', 'ok', 'offline', 'paper_out', 'cover_open', 'error'];

/** The printer's state. */
export interface PrinterState {
  health: PrinterHealth;
  /** The last error or the printer's own words; empty when all is well. */
  detail: string;
  paperNearEnd: boolean;
  /** Tickets waiting for the printer. */
  pending: number;
}

/** One recent ticket (GET /api/printer, jobs). */
export interface PrinterJob {
  id: number;
  label: string;
  /** RFC 3339, on the kiosk's clock. */
  submitted: string;
  printed: boolean;
  attempts: number;
  lastError?: string;
}

/** GET /api/printer. */
export interface PrinterInfo {
  state: PrinterState;
  jobs: PrinterJob[];
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * asPrinterState reads the printer's state from the topic or the API, or
 * returns null when it is not one. A health this app does not know yet is
 * shown as an error: something is wrong that staff should look at.
 */
export function asPrinterState(v: unknown): PrinterState | null {
  if (!isRecord(v) || typeof v['health'] !== 'string') return null;
  const health = (healths as readonly string[]).includes(v['health']) ? (v['health'] as PrinterHealth) : 'error';
  const pending = typeof v['pending'] === 'number' && Number.isFinite(v['pending']) ? Math.max(0, Math.floor(v['pending'])) : 0;
  return {
    health,
    detail: typeof v['detail'] === 'string' ? v['detail'] : '',
    paperNearEnd: v['paperNearEnd'] === true,
    pending,
  };
}

/** samePrinterState reports whether two states say the same. */
export function samePrinterState(a: PrinterState | null, b: PrinterState | null): boolean {
  if (a === null || b === null) return a === b;
  return a.health === b.health && a.detail === b.detail && a.paperNearEnd === b.paperNearEnd && a.pending === b.pending;
}

/** asPrinterJobs reads the jobs of GET /api/printer, dropping anything that is not a job. */
export function asPrinterJobs(v: unknown): PrinterJob[] {
  if (!Array.isArray(v)) return [];
  const out: PrinterJob[] = [];
  for (const j of v) {
    if (!isRecord(j) || typeof j['id'] !== 'number') continue;
    out.push({
      id: j['id'],
      label: typeof j['label'] === 'string' ? j['label'] : '',
      submitted: typeof j['submitted'] === 'string' ? j['submitted'] : '',
      printed: j['printed'] === true,
      attempts: typeof j['attempts'] === 'number' ? j['attempts'] : 0,
      ...(typeof j['lastError'] === 'string' && j['lastError'] !== '' ? { lastError: j['lastError'] } : {}),
    });
  }
  return out;
}

/** asPrinterInfo reads GET /api/printer, or returns null. */
export function asPrinterInfo(v: unknown): PrinterInfo | null {
  if (!isRecord(v)) return null;
  const state = asPrinterState(v['state']);
  return state ? { state, jobs: asPrinterJobs(v['jobs']) } : null;
}

const healthKey: Record<PrinterHealth, MessageKey> = {
  unknown: 'staff.printer.health.unknown',
  ok: 'staff.printer.health.ok',
  offline: 'staff.printer.health.offline',
  paper_out: 'staff.printer.health.paper_out',
  cover_open: 'staff.printer.health.cover_open',
  error: 'staff.printer.health.error',
};

const warningKey: Partial<Record<PrinterHealth, MessageKey>> = {
  offline: 'staff.printer.warning.offline',
  paper_out: 'staff.printer.warning.paper_out',
  cover_open: 'staff.printer.warning.cover_open',
  error: 'staff.printer.warning.error',
};

/** How the badge looks: its colour follows this, its words say the same. */
export type PrinterLevel = 'ok' | 'unknown' | 'problem';

/** The printer badge and its warning, in words. */
export interface PrinterSummary {
  level: PrinterLevel;
  /** "Printer: ok", "Printer: paper out" … */
  label: string;
  /** "2 tickets waiting", or '' when none wait. */
  waiting: string;
  /** The whole badge as one sentence, for screen readers and tooltips. */
  full: string;
  /** What to do, when the printer needs a person; null when it does not. */
  warning: string | null;
  /** "Paper running low", or ''. */
  paper: string;
}

/**
 * printerSummary puts the printer's state into words. "Unknown" (nothing has
 * been printed since the kiosk started) is no reason to warn anyone; every
 * other state but ok is.
 */
export function printerSummary(state: PrinterState, t: TranslateFn = translate): PrinterSummary {
  const level: PrinterLevel = state.health === 'ok' ? 'ok' : state.health === 'unknown' ? 'unknown' : 'problem';
  const label = t(healthKey[state.health]);
  const waiting = state.pending > 0 ? t('staff.printer.waiting', { count: state.pending }) : '';
  const paper = state.paperNearEnd && state.health !== 'paper_out' ? t('staff.printer.paperLow') : '';
  const key = warningKey[state.health];
  const warning = key ? t(key, { count: state.pending }) : null;
  return { level, label, waiting, full: [label, waiting, paper].filter(Boolean).join('. '), warning, paper };
}

/** A ticket's status in the list. */
export type JobStatus = 'printed' | 'waiting' | 'failing';

/** jobStatus says whether a ticket has printed, waits its turn, or has failed at least once and waits. */
export function jobStatus(job: PrinterJob): JobStatus {
  if (job.printed) return 'printed';
  return job.lastError ? 'failing' : 'waiting';
}

/** One line of the tickets list. */
export interface JobRow {
  job: PrinterJob;
  status: JobStatus;
  /** When it was submitted, as the kiosk's clock had it; null when unreadable. */
  submittedMs: number | null;
}

/**
 * jobRows orders recent tickets newest first (by id: the kiosk numbers them
 * in the order they were submitted, which holds even when its clock jumps).
 */
export function jobRows(jobs: readonly PrinterJob[]): JobRow[] {
  return [...jobs]
    .sort((a, b) => b.id - a.id)
    .map((job) => {
      const ms = Date.parse(job.submitted);
      return { job, status: jobStatus(job), submittedMs: Number.isNaN(ms) ? null : ms };
    });
}

/**
 * selectedJob keeps the selection on the ticket chosen while it is still
 * listed, else falls back to the newest; null when there are none.
 */
export function selectedJob(rows: readonly JobRow[], chosen: number | null): number | null {
  if (chosen !== null && rows.some((r) => r.job.id === chosen)) return chosen;
  return rows[0]?.job.id ?? null;
}
