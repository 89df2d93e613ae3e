import { useCallback, useRef, useState } from 'preact/hooks';
import { api, ApiError } from '../api';
import { asPrinterInfo, asPrinterState, samePrinterState, type PrinterJob, type PrinterState } from './printer';

/** What a staff page knows about the ticket printer. */
export interface PrinterView {
  /** The kiosk has no printer (its printer routes answer 404). */
  absent: boolean;
  /** Null until the first read or message. */
  state: PrinterState | null;
  jobs: PrinterJob[];
  /** Reads GET /api/printer: at start and after every reconnect. */
  read: () => Promise<void>;
  /** Applies a message of the retained kiosk/staff/printer topic. */
  fromTopic: (value: Record<string, unknown>) => void;
}

/**
 * usePrinter keeps the printer's state from its retained topic and from
 * GET /api/printer. A read that started before a message arrived keeps the
 * message's state, which is newer; its list of tickets is taken either way.
 * Errors other than "no printer" go to onError.
 */
export function usePrinter(onError: (error: unknown) => void): PrinterView {
  const [absent, setAbsent] = useState(false);
  const [state, setState] = useState<PrinterState | null>(null);
  const [jobs, setJobs] = useState<PrinterJob[]>([]);
  const generation = useRef(0);
  const errors = useRef(onError);
  errors.current = onError;

  // An unchanged state keeps its identity, so effects that follow it do not run again.
  const keep = useCallback((next: PrinterState) => setState((s) => (samePrinterState(s, next) ? s : next)), []);

  const read = useCallback(async () => {
    const seen = generation.current;
    try {
      const info = asPrinterInfo(await api<unknown>('GET', '/api/printer'));
      setAbsent(false);
      if (!info) return;
      if (generation.current === seen) keep(info.state);
      setJobs(info.jobs);
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) setAbsent(true);
      else errors.current(error);
    }
  }, [keep]);

  const fromTopic = useCallback((value: Record<string, unknown>) => {
    const next = asPrinterState(value);
    if (!next) return;
    generation.current++;
    setAbsent(false);
    keep(next);
  }, [keep]);

  return { absent, state, jobs, read, fromTopic };
}
