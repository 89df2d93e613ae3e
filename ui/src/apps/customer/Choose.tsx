import { useEffect, useRef, useState } from 'preact/hooks';
import { DrinkIcon } from '../../icons/DrinkIcon';
import { api, ApiError } from '../../lib/api';
import { t } from '../../lib/i18n';
import { formatClock, msLeft, useMonotonicTick } from '../../lib/time';
import { unlockSound } from './alert';
import { CancelOrder } from './CancelOrder';
import { defaultChoices, describeChoices, drinkRequest, type MenuItem, type Order } from './model';

/** Props of Choose. */
export interface ChooseProps {
  order: Order;
  menu: MenuItem[];
  shopOpen: boolean;
  /** When the time to choose runs out, on the monotonic clock; null if unknown. */
  deadline: number | null;
  /** The shop's time to choose, for the bar's full length. */
  timeoutMs: number;
  onUpdated: (o: Order) => void;
  onReload: () => void;
}

// Countdown shows the time left to choose, with a bar. The visible text
// changes every second, so it is not a live region; a screen reader hears
// once when one minute is left, and when the time is up.
function Countdown({ deadline, total }: { deadline: number; total: number }) {
  const now = useMonotonicTick(1000);
  const left = msLeft(deadline, now);
  const share = total > 0 ? Math.min(1, left / total) : 0;
  const urgent = left <= 60_000;
  return (
    <div class={urgent ? 'countdown urgent' : 'countdown'}>
      <p class="countdown-text">
        {left > 0 ? t('customer.choose.timeLeft', { time: formatClock(left) }) : t('customer.choose.timeUp')}
      </p>
      <progress max={1000} value={Math.round(share * 1000)} aria-hidden="true" />
      <p class="visually-hidden" aria-live="polite">
        {left === 0 ? t('customer.choose.timeUp') : urgent ? t('customer.choose.oneMinute') : ''}
      </p>
    </div>
  );
}

/** Choose is the menu: one drink, one choice in each of its option groups, then Order. */
export function Choose({ order, menu, shopOpen, deadline, timeoutMs, onUpdated, onReload }: ChooseProps) {
  const [drinkId, setDrinkId] = useState<string | null>(null);
  const [choices, setChoices] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const optionsRef = useRef<HTMLElement>(null);
  // The whole time to choose, for the bar: the shop's setting, or the largest time left seen.
  const total = useRef(timeoutMs);
  total.current = Math.max(total.current, timeoutMs, order.timeLeftMs ?? 0);

  const item = menu.find((m) => m.id === drinkId) ?? null;

  const pick = (m: MenuItem) => {
    setDrinkId(m.id);
    setChoices(defaultChoices(m));
    setError('');
  };

  // A drink that sells out while the customer looks at it is unselected.
  useEffect(() => {
    if (item && !item.available) {
      setDrinkId(null);
      setError(t('customer.choose.soldOutNow'));
    }
  }, [item?.available]);

  useEffect(() => {
    if (drinkId) optionsRef.current?.scrollIntoView?.({ behavior: 'smooth', block: 'start' });
  }, [drinkId]);

  const submit = async () => {
    if (!item) return;
    // The tap on Order lets the phone chime later, when the drink is ready.
    unlockSound();
    setBusy(true);
    setError('');
    try {
      onUpdated(await api<Order>('PUT', `/api/orders/${encodeURIComponent(order.id)}/drink`, drinkRequest(item, choices)));
    } catch (e) {
      const err = e instanceof ApiError ? e : new ApiError('network', String(e), 0);
      if (err.code === 'drink_unavailable') {
        setDrinkId(null);
        setError(t('customer.choose.soldOutNow'));
        onReload();
      } else if (err.code === 'order_submitted' || err.code === 'order_finished') {
        onReload();
      } else {
        setError(t('customer.error.generic', { message: err.message }));
      }
    } finally {
      setBusy(false);
    }
  };

  const chosen = item ? drinkRequest(item, choices) : null;

  return (
    <div class="choose">
      <h2>{t('customer.choose.title', { name: order.customerName })}</h2>
      {deadline !== null && <Countdown deadline={deadline} total={total.current} />}
      {!shopOpen && <p class="hint">{t('customer.choose.closedNote')}</p>}

      <fieldset class="menu">
        <legend>{t('customer.choose.menu')}</legend>
        <div class="menu-grid">
          {menu.map((m) => (
            <label key={m.id} class={m.id === drinkId ? 'drink-card selected' : 'drink-card'} data-drink={m.id}>
              <input
                type="radio"
                name="drink"
                value={m.id}
                checked={m.id === drinkId}
                disabled={!m.available}
                onChange={() => pick(m)}
              />
              <DrinkIcon name={m.icon || m.name} size={56} />
              <span class="drink-name">{m.name}</span>
              {!m.available && <span class="sold-out">{t('customer.choose.soldOut')}</span>}
            </label>
          ))}
        </div>
      </fieldset>

      <section ref={optionsRef} class="options" aria-labelledby="options-title">
        <h3 id="options-title">{t('customer.choose.options')}</h3>
        {!item && <p class="hint">{t('customer.choose.pickFirst')}</p>}
        {item?.options.map((g) => (
          <fieldset key={g.name} class="option-group">
            <legend>{g.name}</legend>
            <div class="choices">
              {g.choices.map((c) => (
                <label key={c} class={choices[g.name] === c ? 'choice selected' : 'choice'}>
                  <input
                    type="radio"
                    name={`option-${g.name}`}
                    value={c}
                    checked={choices[g.name] === c}
                    onChange={() => setChoices((old) => ({ ...old, [g.name]: c }))}
                  />
                  <span>{c}</span>
                </label>
              ))}
            </div>
          </fieldset>
        ))}
      </section>

      {item && chosen && (
        <section class="summary" aria-labelledby="summary-title">
          <h3 id="summary-title">{t('customer.choose.summary')}</h3>
          <div class="summary-line">
            <DrinkIcon name={item.icon || item.name} size={48} />
            <div>
              <p class="drink-name">{item.name}</p>
              {chosen.options.length > 0 && <p class="hint">{describeChoices(chosen.options)}</p>}
            </div>
          </div>
          <button type="button" class="wide order-button" disabled={busy} onClick={() => void submit()}>
            {busy ? t('customer.choose.ordering') : t('customer.choose.order')}
          </button>
        </section>
      )}
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <CancelOrder order={order} onUpdated={onUpdated} onReload={onReload} />
    </div>
  );
}
