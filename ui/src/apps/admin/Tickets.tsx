import { useEffect, useState } from 'preact/hooks';
import { api } from '../../lib/api';
import { t, type MessageKey } from '../../lib/i18n';
import { errorText } from '../../lib/staff/errors';
import { jobRows, selectedJob, type JobRow, type JobStatus } from '../../lib/staff/printer';
import { PrinterBadge, PrinterWarning } from '../../lib/staff/PrinterBadge';
import type { PrinterView } from '../../lib/staff/usePrinter';

/** Props of Tickets. */
export interface TicketsProps {
  printer: PrinterView;
}

const statusKey: Record<JobStatus, MessageKey> = {
  printed: 'admin.tickets.status.printed',
  waiting: 'admin.tickets.status.waiting',
  failing: 'admin.tickets.status.failing',
};

// The time a ticket was sent, as the kiosk's clock had it.
function timeOf(row: JobRow): string {
  return row.submittedMs === null ? row.job.submitted : new Date(row.submittedMs).toLocaleTimeString();
}

/**
 * Tickets shows the printer's state and its recent tickets, newest first,
 * with the chosen one as the printer drew it (an image of the exact bytes
 * sent) and its text for screen readers.
 */
export function Tickets({ printer }: TicketsProps) {
  const rows = jobRows(printer.jobs);
  const [chosen, setChosen] = useState<number | null>(null);
  const [refreshing, setRefreshing] = useState(false);
  const selected = selectedJob(rows, chosen);
  const row = rows.find((r) => r.job.id === selected) ?? null;

  const refresh = async () => {
    setRefreshing(true);
    try {
      await printer.read();
    } finally {
      setRefreshing(false);
    }
  };

  return (
    <section class="tickets" aria-labelledby="tickets-title">
      <h2 id="tickets-title">{t('admin.tickets.title')}</h2>
      {printer.absent ? (
        <p>{t('admin.tickets.absent')}</p>
      ) : (
        <>
          <p class="hint">{t('admin.tickets.intro')}</p>
          <div class="tickets-state">
            {printer.state && <PrinterBadge state={printer.state} />}
            <button type="button" class="secondary" disabled={refreshing} onClick={() => void refresh()}>
              {t('admin.tickets.refresh')}
            </button>
          </div>
          {printer.state && <PrinterWarning state={printer.state} />}
          {rows.length === 0 ? (
            <p class="tickets-empty">{t('admin.tickets.empty')}</p>
          ) : (
            <div class="tickets-body">
              <div>
                <h3 id="tickets-list-title">{t('admin.tickets.list')}</h3>
                <ul class="ticket-list" aria-labelledby="tickets-list-title">
                  {rows.map((r) => (
                    <li key={r.job.id}>
                      <button
                        type="button"
                        class={`ticket-row ticket-${r.status}`}
                        aria-pressed={r.job.id === selected}
                        onClick={() => setChosen(r.job.id)}
                      >
                        <span class="ticket-label">{t('admin.tickets.job', { id: r.job.id, label: r.job.label })}</span>
                        <span class="ticket-meta">
                          {t(statusKey[r.status])} · {t('admin.tickets.submitted', { time: timeOf(r) })} ·{' '}
                          {t('admin.tickets.attempts', { count: r.job.attempts })}
                        </span>
                        {r.job.lastError && (
                          <span class="ticket-error">{t('admin.tickets.lastError', { error: r.job.lastError })}</span>
                        )}
                      </button>
                    </li>
                  ))}
                </ul>
              </div>
              {row && <TicketPreview key={row.job.id} row={row} />}
            </div>
          )}
        </>
      )}
    </section>
  );
}

/** TicketPreview shows one ticket as an image, with its text for screen readers. */
function TicketPreview({ row }: { row: JobRow }) {
  const id = row.job.id;
  const [text, setText] = useState<string | null>(null);
  const [error, setError] = useState('');
  useEffect(() => {
    let live = true;
    api<{ text: string }>('GET', `/api/printer/jobs/${id}/preview`)
      .then((r) => live && setText(r.text))
      .catch((e: unknown) => live && setError(errorText(e)));
    return () => {
      live = false;
    };
  }, [id]);
  const textId = `ticket-text-${id}`;
  return (
    <figure class="ticket-preview" aria-labelledby={`ticket-caption-${id}`}>
      <figcaption id={`ticket-caption-${id}`}>{t('admin.tickets.preview', { id })}</figcaption>
      {error ? (
        <p class="form-error">{error}</p>
      ) : (
        <>
          <img
            class="ticket-image"
            src={`/api/printer/jobs/${id}/preview.png`}
            alt={t('admin.tickets.previewAlt', { id, label: row.job.label })}
            aria-describedby={text === null ? undefined : textId}
          />
          {text === null ? (
            <p class="hint">{t('admin.tickets.previewLoading')}</p>
          ) : (
            <div class="visually-hidden" id={textId}>
              <p>{t('admin.tickets.previewText')}</p>
              <pre>{text}</pre>
            </div>
          )}
        </>
      )}
    </figure>
  );
}
