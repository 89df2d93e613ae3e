import { t } from '../i18n';
import { printerSummary, type PrinterState } from './printer';

/** Props of PrinterBadge and PrinterWarning. */
export interface PrinterBadgeProps {
  state: PrinterState;
}

/**
 * PrinterBadge is the printer's state in a few words ("Printer: paper out ·
 * 2 tickets waiting"), coloured by how urgent it is; the words alone say it all.
 */
export function PrinterBadge({ state }: PrinterBadgeProps) {
  const s = printerSummary(state);
  return (
    <p class={`printer-badge printer-${s.level}`} data-health={state.health} title={state.detail || s.full}>
      <span class="printer-badge-icon" aria-hidden="true">
        {s.level === 'ok' ? '✓' : s.level === 'problem' ? '!' : '?'}
      </span>
      <span class="printer-badge-label">{s.label}</span>
      {s.waiting && <span class="printer-badge-waiting">{s.waiting}</span>}
      {s.paper && <span class="printer-badge-paper">{s.paper}</span>}
    </p>
  );
}

/**
 * PrinterWarning tells staff what to do when the printer needs a person. It
 * sits in the page's flow and blocks nothing: orders go on while tickets wait.
 */
export function PrinterWarning({ state }: PrinterBadgeProps) {
  const s = printerSummary(state);
  if (!s.warning) return null;
  return (
    <div class="printer-warning" role="status" data-health={state.health}>
      <p class="printer-warning-text">{s.warning}</p>
      {state.detail && <p class="printer-warning-detail">{t('staff.printer.detail', { detail: state.detail })}</p>}
    </div>
  );
}
