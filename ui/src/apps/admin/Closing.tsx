import { useState } from 'preact/hooks';
import { api } from '../../lib/api';
import { eventsCsvUrl, backupUrl, ordersCsvUrl } from '../../lib/booth/links';
import { t } from '../../lib/i18n';
import { Confirm } from '../../lib/staff/Confirm';
import { boothDays } from '../../lib/stats/model';
import { asCloseStatus, type CloseStatus } from './closeModel';

/** Props of Closing. */
export interface ClosingProps {
  /** Where closing stands; null until read. */
  status: CloseStatus | null;
  onStatus: (status: CloseStatus) => void;
  boothDay: number;
  onError: (error: unknown) => void;
}

/**
 * Closing ends the booth's day: a button (asked twice) that closes the shop
 * to new orders, then the progress as the open orders end, then "Safe to
 * unplug" with the backup's name. Below it, the day's exports and the whole
 * backup to download.
 */
export function Closing({ status, onStatus, boothDay, onError }: ClosingProps) {
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);

  const close = async () => {
    setAsking(false);
    setBusy(true);
    try {
      const s = asCloseStatus(await api<unknown>('POST', '/api/booth/close'));
      if (s) onStatus(s);
    } catch (error) {
      onError(error);
    } finally {
      setBusy(false);
    }
  };

  const reopen = async () => {
    setBusy(true);
    try {
      await api('PUT', '/api/shop/open', { open: true });
      onStatus({ state: 'open', openOrders: 0 });
    } catch (error) {
      onError(error);
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <section aria-labelledby="closing-title" class="closing">
        <h2 id="closing-title">{t('admin.closing.title')}</h2>
        <div class={`closing-state closing-${status?.state ?? 'unknown'}`} role="status" aria-live="polite" data-state={status?.state ?? ''}>
          {!status ? (
            <p>{t('staff.loading')}</p>
          ) : status.state === 'open' ? (
            <p>{t('admin.closing.openBody')}</p>
          ) : status.state === 'closing' ? (
            <>
              <p class="closing-big">{t('admin.closing.progress', { count: status.openOrders })}</p>
              <p>{t('admin.closing.closingBody')}</p>
              {status.error && <p class="field-error">{t('admin.closing.retrying', { error: status.error })}</p>}
            </>
          ) : (
            <>
              <p class="closing-big closing-safe">{t('admin.closing.safe')}</p>
              {status.backup && <p>{t('admin.closing.backup', { name: status.backup })}</p>}
              {status.copies?.map((c) => (
                <p key={c}>{t('admin.closing.copy', { path: c })}</p>
              ))}
              <p>{t('admin.closing.closedBody')}</p>
            </>
          )}
        </div>
        {status?.state === 'open' && (
          <button type="button" class="danger" disabled={busy} onClick={() => setAsking(true)}>
            {t('admin.closing.close')}
          </button>
        )}
        {status && status.state !== 'open' && (
          <button type="button" class="secondary" disabled={busy} onClick={() => void reopen()}>
            {t('admin.closing.reopen')}
          </button>
        )}
      </section>

      <section aria-labelledby="exports-title" class="exports">
        <h2 id="exports-title">{t('admin.exports.title')}</h2>
        <p class="hint">{t('admin.exports.intro')}</p>
        <ul class="export-list">
          <li>
            <a href={ordersCsvUrl()} download>
              {t('admin.exports.ordersToday', { day: boothDay })}
            </a>
          </li>
          {boothDays(boothDay)
            .slice(1)
            .map((d) => (
              <li key={d}>
                <a href={ordersCsvUrl(d)} download>
                  {t('admin.exports.ordersDay', { day: d })}
                </a>
              </li>
            ))}
          <li>
            <a href={eventsCsvUrl} download>
              {t('admin.exports.events')}
            </a>
          </li>
          <li>
            <a href={backupUrl} download>
              {t('admin.exports.backup')}
            </a>
          </li>
        </ul>
        <p class="hint">
          {t('admin.exports.restore')} <code>kiosk restore --data DIR FILE</code>
        </p>
      </section>

      {asking && (
        <Confirm
          title={t('admin.closing.confirmTitle')}
          confirmLabel={t('admin.closing.confirmYes')}
          danger
          onConfirm={() => void close()}
          onCancel={() => setAsking(false)}
        >
          <p>{t('admin.closing.confirmBody')}</p>
        </Confirm>
      )}
    </>
  );
}
