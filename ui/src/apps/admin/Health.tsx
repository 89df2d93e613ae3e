import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../../lib/api';
import { lang, t, type MessageKey } from '../../lib/i18n';
import { asHealth, healthLines, type Health as Report, type HealthLine, type Level } from './healthModel';

/** Props of Health. */
export interface HealthProps {
  onError: (error: unknown) => void;
}

// The page reads the report again while it is open.
const everyMs = 10_000;

const dateTime = new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'medium' });

function when(iso: string): string {
  const d = new Date(iso);
  return iso === '' || Number.isNaN(d.getTime()) ? iso : dateTime.format(d);
}

const partKeys: Record<HealthLine['part'], MessageKey> = {
  database: 'admin.health.part.database',
  disk: 'admin.health.part.disk',
  clock: 'admin.health.part.clock',
  printer: 'admin.health.part.printer',
  light: 'admin.health.part.light',
  clients: 'admin.health.part.clients',
  backup: 'admin.health.part.backup',
  version: 'admin.health.part.version',
};

// The level in words too, so colour is never the only sign.
const levelKeys: Record<Level, MessageKey> = {
  ok: 'admin.health.level.ok',
  warn: 'admin.health.level.warn',
  bad: 'admin.health.level.bad',
  info: 'admin.health.level.info',
};

/**
 * Health shows the box's health (GET /api/health): the database, free disk,
 * the clock, the printer, the light, who is connected, the last backup and
 * the version, with a clear warning when the clock is behind.
 */
export function Health({ onError }: HealthProps) {
  const [report, setReport] = useState<Report | null>(null);
  const [busy, setBusy] = useState(false);
  const errors = useRef(onError);
  errors.current = onError;

  const read = useCallback(async () => {
    setBusy(true);
    try {
      setReport(asHealth(await api<unknown>('GET', '/api/health')));
    } catch (error) {
      errors.current(error);
    } finally {
      setBusy(false);
    }
  }, []);

  useEffect(() => {
    void read();
    const id = setInterval(() => void read(), everyMs);
    return () => clearInterval(id);
  }, [read]);

  const lines = report ? healthLines(report, lang, when) : [];
  const behind = report?.clock.behind === true;

  return (
    <section aria-labelledby="health-title">
      <h2 id="health-title">{t('admin.health.title')}</h2>
      <p class="hint">{t('admin.health.intro')}</p>
      {behind && (
        <p class="health-alert" role="alert">
          {t('admin.health.clockAlert')}
        </p>
      )}
      {!report ? (
        <p>{t('staff.loading')}</p>
      ) : (
        <ul class="health-list">
          {lines.map((l) => (
            <li key={l.part} class={`health-line level-${l.level}`} data-part={l.part} data-level={l.level}>
              <span class="health-part">{t(partKeys[l.part])}</span>
              <span class="health-level">{t(levelKeys[l.level])}</span>
              <span class="health-text">{t(l.text, l.params)}</span>
            </li>
          ))}
        </ul>
      )}
      <button type="button" class="secondary" disabled={busy} onClick={() => void read()}>
        {t('admin.health.refresh')}
      </button>
    </section>
  );
}
