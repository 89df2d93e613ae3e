import { useCallback, useEffect, useState } from 'preact/hooks';
import { DrinkIcon } from '../../icons/DrinkIcon';
import { api, ApiError } from '../../lib/api';
import { lang, t } from '../../lib/i18n';
import { Shell } from '../../lib/ui/Shell';
import { asJourney, describeStep, type Journey, type JourneyOrder } from './model';

type Load =
  | { kind: 'loading' }
  | { kind: 'missing' }
  | { kind: 'error'; code: string; message: string }
  | { kind: 'ready'; journey: Journey };

const timeFormat = new Intl.DateTimeFormat(lang, { hour: '2-digit', minute: '2-digit', second: '2-digit' });

function clock(time: string): string {
  const d = new Date(time);
  return Number.isNaN(d.getTime()) ? '' : timeFormat.format(d);
}

// The order's state in words, as its customer would say it.
function stateText(o: JourneyOrder): string {
  switch (o.state) {
    case 'waiting':
      return t('journey.state.waiting');
    case 'queued':
      return t('journey.state.queued');
    case 'making':
      return t('journey.state.making');
    case 'completed':
      return o.ready ? t('journey.state.ready') : t('journey.state.collected');
    case 'cancelled':
      return o.endReason === 'customer_timeout' || o.endReason === 'barista_timeout'
        ? t('journey.state.timedOut')
        : t('journey.state.cancelled');
    default:
      return o.state;
  }
}

/**
 * JourneyPage shows one order's timeline (/journey/?order=ID): each step,
 * what happened, when, which part of the kiosk did it and why. The customer
 * reaches it from their receipt and history, staff from an order's card.
 */
export function JourneyPage() {
  const id = new URLSearchParams(location.search).get('order') ?? '';
  const [load, setLoad] = useState<Load>(id ? { kind: 'loading' } : { kind: 'missing' });
  const [staff, setStaff] = useState(false);

  const read = useCallback(async () => {
    if (!id) return;
    try {
      const j = asJourney(await api<unknown>('GET', `/api/orders/${encodeURIComponent(id)}/journey`));
      setLoad(j ? { kind: 'ready', journey: j } : { kind: 'error', code: 'bad_answer', message: '' });
    } catch (error) {
      const e = error instanceof ApiError ? error : new ApiError('network', String(error), 0);
      setLoad({ kind: 'error', code: e.code, message: e.message });
    }
  }, [id]);

  useEffect(() => {
    void read();
    api<{ kind?: string }>('GET', '/api/session')
      .then((who) => setStaff(who.kind === 'staff'))
      .catch(() => {});
  }, [read]);

  const back = staff ? (
    <a class="button secondary-link" href="/barista/">
      {t('journey.backStaff')}
    </a>
  ) : (
    <a class="button secondary-link" href="/">
      {t('journey.backCustomer')}
    </a>
  );

  let body;
  switch (load.kind) {
    case 'missing':
      body = <p class="journey-note">{t('journey.missing')}</p>;
      break;
    case 'loading':
      body = (
        <p class="journey-note" role="status">
          {t('journey.loading')}
        </p>
      );
      break;
    case 'error':
      body = (
        <section class="journey-panel" role="alert" aria-labelledby="journey-error">
          <h2 id="journey-error">{t('journey.error.title')}</h2>
          <p>
            {load.code === 'network'
              ? t('journey.error.network')
              : load.code === 'not_found' || load.code === 'not_your_order' || load.code === 'order_not_found'
                ? t('journey.error.notFound')
                : t('journey.error.other')}
          </p>
          <button type="button" onClick={() => void read()}>
            {t('journey.tryAgain')}
          </button>
        </section>
      );
      break;
    case 'ready': {
      const { order, steps } = load.journey;
      const drink = order.drink;
      body = (
        <>
          <section class="journey-panel journey-order" aria-labelledby="journey-order-title">
            {drink && <DrinkIcon name={drink.icon || drink.drink} size={56} />}
            <div>
              <h2 id="journey-order-title">
                {order.number ? t('journey.orderNumber', { number: order.number }) : t('journey.orderNoNumber')}
              </h2>
              <p>
                {drink ? drink.drink : t('journey.noDrink')} · {t('journey.forName', { name: order.customerName })}
              </p>
              <p class="journey-state">{t('journey.stateNow', { state: stateText(order) })}</p>
            </div>
          </section>
          <section class="journey-intro" aria-labelledby="journey-how">
            <h2 id="journey-how">{t('journey.how.title')}</h2>
            <p>{t('journey.how.body')}</p>
          </section>
          <h2 id="journey-steps">{t('journey.steps', { count: steps.length })}</h2>
          <ol class="journey-steps" aria-labelledby="journey-steps">
            {steps.map((s, i) => {
              const w = describeStep(s, t);
              return (
                <li key={`${i}-${s.type}`} class={`journey-step tone-${w.tone}`} data-type={s.type}>
                  <h3 class="step-title">{w.title}</h3>
                  <p class="step-when">
                    <time dateTime={s.time}>{clock(s.time)}</time> · {w.after}
                  </p>
                  <p class="step-why">{w.why}</p>
                  <p class="step-source">
                    <span class="source-name">{w.source}</span>
                    {w.sourceHelp && <span class="source-help"> · {w.sourceHelp}</span>}
                  </p>
                  <details class="step-log">
                    <summary>{t('journey.log')}</summary>
                    <p>
                      <code>{s.type}</code>
                    </p>
                    {s.message && <p lang="en">{s.message}</p>}
                  </details>
                </li>
              );
            })}
          </ol>
          <p>
            <button type="button" class="secondary" onClick={() => void read()}>
              {t('journey.refresh')}
            </button>
          </p>
        </>
      );
      break;
    }
  }

  return (
    <Shell title={t('journey.title')}>
      <div class="journey">
        <p class="journey-back">{back}</p>
        {body}
      </div>
    </Shell>
  );
}
