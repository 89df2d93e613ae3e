import type { ComponentChildren } from 'preact';
import { DrinkIcon } from '../../icons/DrinkIcon';
import { journeyUrl } from '../../lib/booth/links';
import { t } from '../../lib/i18n';
import { ageLevel, formatAge } from './age';
import { visibleOptions, type Card } from './board';

/** Props of OrderCard. */
export interface OrderCardProps {
  card: Card;
  now: number;
  /** Shown for orders someone else is making. */
  muted?: boolean;
  /** A line under the drink, e.g. who is making it. */
  note?: string;
  children?: ComponentChildren;
}

const levelText = {
  fresh: 'barista.age.fresh',
  waiting: 'barista.age.waiting',
  late: 'barista.age.late',
} as const;

/**
 * OrderCard shows one order: its number, the customer's name, the drink and
 * its options, and how long it has waited as a stripe whose colour and word
 * change at 2 and 5 minutes. Ready cards count the time since they were ready.
 */
export function OrderCard({ card, now, muted = false, note, children }: OrderCardProps) {
  const ready = card.state === 'ready';
  const age = ready ? now - (card.readyAt ?? now) : now - card.submittedAt;
  const level = ready ? 'ready' : ageLevel(age);
  const options = visibleOptions(card.drink);
  const titleId = `order-${card.id}`;
  return (
    <li>
      <article
        class={`order-card age-${level}${muted ? ' muted' : ''}`}
        aria-labelledby={titleId}
        data-order={card.number}
      >
        <h3 class="order-title" id={titleId}>
          <span class="order-number">
            <span class="visually-hidden">{t('barista.card.number')} </span>
            {card.number}
          </span>
          <span class="order-name">{card.name}</span>
        </h3>
        <div class="order-drink">
          <DrinkIcon name={card.drink?.icon} size={40} />
          <div>
            <p class="order-drink-name">{card.drink?.drink ?? t('barista.card.noDrink')}</p>
            {options.length > 0 && <p class="order-options">{options.join(' · ')}</p>}
            {note && <p class="order-note">{note}</p>}
          </div>
        </div>
        <p class="order-age">
          <span class="age-label">
            {ready ? t('barista.age.ready') : t(levelText[ageLevel(age)])}
          </span>{' '}
          <span class="age-time">{formatAge(age)}</span>
        </p>
        {/* Any order's journey, in a new tab so the board stays open. */}
        <a class="order-journey" href={journeyUrl(card.id)} target="_blank" rel="noopener">
          {t('barista.card.journey')}
          <span class="visually-hidden"> {t('barista.card.journeyOf', { number: card.number })}</span>
        </a>
        {children && <div class="order-actions">{children}</div>}
      </article>
    </li>
  );
}
