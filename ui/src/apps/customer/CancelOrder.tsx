import { useState } from 'preact/hooks';
import { api, ApiError } from '../../lib/api';
import { t } from '../../lib/i18n';
import type { Order } from './model';

/** Props of CancelOrder. */
export interface CancelOrderProps {
  order: Order;
  onUpdated: (o: Order) => void;
  onReload: () => void;
}

/**
 * CancelOrder lets customers cancel their own order until a barista starts
 * it, after asking them to confirm.
 */
export function CancelOrder({ order, onUpdated, onReload }: CancelOrderProps) {
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  if (order.state !== 'waiting' && order.state !== 'queued') return null;

  const cancel = async () => {
    setBusy(true);
    setError('');
    try {
      onUpdated(await api<Order>('POST', `/api/orders/${encodeURIComponent(order.id)}/cancel`));
      setAsking(false);
    } catch (e) {
      const err = e instanceof ApiError ? e : new ApiError('network', String(e), 0);
      setError(err.code === 'order_being_made' ? t('customer.cancel.tooLate') : t('customer.error.generic', { message: err.message }));
      setAsking(false);
      onReload();
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="cancel">
      {asking ? (
        <div class="confirm" role="alertdialog" aria-labelledby="cancel-question">
          <p id="cancel-question">{t('customer.cancel.confirm')}</p>
          <div class="button-row">
            <button type="button" class="danger" disabled={busy} onClick={() => void cancel()}>
              {t('customer.cancel.yes')}
            </button>
            <button type="button" class="secondary" disabled={busy} onClick={() => setAsking(false)} autoFocus>
              {t('customer.cancel.no')}
            </button>
          </div>
        </div>
      ) : (
        <button type="button" class="danger" onClick={() => setAsking(true)}>
          {t('customer.cancel')}
        </button>
      )}
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
