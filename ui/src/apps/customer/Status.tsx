import { DrinkIcon } from '../../icons/DrinkIcon';
import { t, type MessageKey } from '../../lib/i18n';
import { CancelOrder } from './CancelOrder';
import { describeChoices, estimateMinutes, isOpen, phaseOf, type Estimate, type Order, type Phase } from './model';

/** Props of Status. */
export interface StatusProps {
  order: Order;
  /** Place in the queue (1 is next); 0 when unknown or not queued. */
  position: number;
  /** The kiosk's latest guess of the wait; shown while the drink is queued or being made. */
  estimate: Estimate | null;
  onUpdated: (o: Order) => void;
  onReload: () => void;
  onReceipt: () => void;
  onDone: () => void;
}

const titles: Record<Phase, MessageKey> = {
  choosing: 'customer.status.choosing.title',
  queued: 'customer.status.queued.title',
  making: 'customer.status.making.title',
  ready: 'customer.status.ready.title',
  collected: 'customer.status.collected.title',
  cancelledByCustomer: 'customer.status.cancelledByCustomer.title',
  cancelledByStaff: 'customer.status.cancelledByStaff.title',
  customerTimeout: 'customer.status.customerTimeout.title',
  baristaTimeout: 'customer.status.baristaTimeout.title',
};

const bodies: Partial<Record<Phase, MessageKey>> = {
  queued: 'customer.status.queued.body',
  making: 'customer.status.making.body',
  collected: 'customer.status.collected.body',
  cancelledByCustomer: 'customer.status.cancelledByCustomer.body',
  cancelledByStaff: 'customer.status.cancelledByStaff.body',
  customerTimeout: 'customer.status.customerTimeout.body',
  baristaTimeout: 'customer.status.baristaTimeout.body',
};

/** statusTitle is the status of an order in words, e.g. for the receipt. */
export function statusTitle(o: Order): string {
  return t(titles[phaseOf(o)]);
}

/**
 * Status follows a submitted order live: in the queue, being made, ready
 * (full screen), or how it ended. The heading is a live region, so a screen
 * reader hears every change.
 */
export function Status({ order, position, estimate, onUpdated, onReload, onReceipt, onDone }: StatusProps) {
  const phase = phaseOf(order);
  const minutes = estimateMinutes(order, estimate);
  const body = bodies[phase];
  const drink = order.drink;
  return (
    <section class={`status status-${phase}`} data-phase={phase} aria-labelledby="status-title">
      {order.number ? (
        <p class="order-number">
          <span class="visually-hidden">{t('customer.order.number', { number: order.number })}</span>
          <span aria-hidden="true">{order.number}</span>
        </p>
      ) : null}
      <div aria-live="polite" aria-atomic="true">
        <h2 id="status-title" class="status-title">
          {t(titles[phase])}
        </h2>
        {phase === 'ready' && drink && <p class="status-body">{t('customer.status.ready.body', { drink: drink.drink })}</p>}
        {phase === 'queued' && position > 0 && <p class="status-position">{t('customer.status.position', { count: position })}</p>}
        {/* The guess changes with the position, so it is heard with it; it is in whole minutes, so it seldom changes alone. */}
        {minutes !== null && <p class="status-estimate">{t('customer.status.estimate', { count: minutes })}</p>}
        {body && <p class="status-body">{t(body)}</p>}
      </div>
      {drink && (
        <div class="summary-line">
          <DrinkIcon name={drink.icon || drink.drink} size={48} />
          <div>
            <p class="drink-name">{drink.drink}</p>
            {drink.options.length > 0 && <p class="hint">{describeChoices(drink.options)}</p>}
            <p class="hint">{t('customer.order.forName', { name: order.customerName })}</p>
          </div>
        </div>
      )}
      {isOpen(order) ? (
        <CancelOrder order={order} onUpdated={onUpdated} onReload={onReload} />
      ) : (
        <div class="button-row">
          <button type="button" class="secondary" onClick={onReceipt}>
            {t('customer.showReceipt')}
          </button>
          <button type="button" onClick={onDone}>
            {t('customer.done')}
          </button>
        </div>
      )}
    </section>
  );
}
