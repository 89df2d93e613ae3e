import { DrinkIcon } from '../../icons/DrinkIcon';
import { journeyUrl } from '../../lib/booth/links';
import { lang, t } from '../../lib/i18n';
import { describeChoices, type Order } from './model';
import { statusTitle } from './Status';

const timeFormat = new Intl.DateTimeFormat(lang, { hour: '2-digit', minute: '2-digit' });

function orderedAt(o: Order): string {
  const d = new Date(o.createdAt);
  return Number.isNaN(d.getTime()) ? '' : timeFormat.format(d);
}

/** Receipt shows one order in full. */
export function Receipt({ order, onBack }: { order: Order; onBack: () => void }) {
  const drink = order.drink;
  return (
    <section class="customer-panel receipt" aria-labelledby="receipt-title">
      <h2 id="receipt-title">
        {t('customer.receipt.title')}
        {order.number ? ` · ${t('customer.order.number', { number: order.number })}` : ''}
      </h2>
      {drink && <DrinkIcon name={drink.icon || drink.drink} size={64} />}
      <dl>
        <dt>{t('customer.receipt.drink')}</dt>
        <dd>{drink ? drink.drink : t('customer.receipt.noDrink')}</dd>
        {drink && drink.options.length > 0 && (
          <>
            <dt>{t('customer.receipt.options')}</dt>
            <dd>{describeChoices(drink.options)}</dd>
          </>
        )}
        <dt>{t('customer.receipt.status')}</dt>
        <dd>{statusTitle(order)}</dd>
        <dt>{t('customer.receipt.name')}</dt>
        <dd>{order.customerName}</dd>
        <dt>{t('customer.receipt.ordered')}</dt>
        <dd>{orderedAt(order)}</dd>
      </dl>
      <a class="button secondary-link wide" href={journeyUrl(order.id)}>
        {t('customer.journey')}
      </a>
      <button type="button" class="secondary wide" onClick={onBack}>
        {t('customer.back')}
      </button>
    </section>
  );
}

/** History lists today's orders; each opens its receipt. */
export function History({ orders, onOpen }: { orders: Order[]; onOpen: (id: string) => void }) {
  if (orders.length === 0) return null;
  return (
    <section class="history" aria-labelledby="history-title">
      <h2 id="history-title">{t('customer.history.title')}</h2>
      <ul>
        {orders.map((o) => (
          <li key={o.id} class="history-row">
            <button
              type="button"
              class="history-item"
              onClick={() => onOpen(o.id)}
            >
              <DrinkIcon name={o.drink?.icon ?? o.drink?.drink} size={40} />
              <span class="history-text">
                <span class="drink-name">{o.drink?.drink ?? t('customer.receipt.noDrink')}</span>
                <span class="hint">
                  {o.number ? `#${o.number} · ` : ''}
                  {statusTitle(o)}
                </span>
              </span>
            </button>
            <a class="history-journey" href={journeyUrl(o.id)}>
              {t('customer.history.journey')}
              <span class="visually-hidden">
                {' '}
                {t('customer.history.journeyOf', {
                  what: `${o.number ? `#${o.number} ` : ''}${o.drink?.drink ?? t('customer.receipt.noDrink')}`,
                })}
              </span>
            </a>
          </li>
        ))}
      </ul>
    </section>
  );
}
