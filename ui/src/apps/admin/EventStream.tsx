import { useState } from 'preact/hooks';
import { api } from '../../lib/api';
import { t } from '../../lib/i18n';
import { asStaffEvent } from '../../lib/staff/live';
import type { StaffEvent } from '../../lib/staff/types';
import { filterEvents, orderIdOf, typesOf, type EventFilter } from './eventLog';

/** Props of EventStream. */
export interface EventStreamProps {
  events: StaffEvent[];
  /** False until the recent history has been read. */
  loaded: boolean;
  /** Adds events read for one order (its whole journey). */
  onMore: (events: StaffEvent[]) => void;
  onError: (error: unknown) => void;
}

const shown = 200;

// timeOf writes an event's wall-clock time for people (the kiosk's clock, as it was).
function timeOf(e: StaffEvent): string {
  const d = new Date(e.time);
  return Number.isNaN(d.getTime()) ? e.time : d.toLocaleTimeString();
}

// summary picks the few detail fields worth a glance.
function summary(e: StaffEvent): string {
  const d = e.detail;
  const parts: string[] = [];
  for (const k of ['orderNumber', 'action', 'cause', 'outcome', 'cancelledBy', 'by', 'reason', 'changed', 'storeOpen', 'boothDay']) {
    const v = d[k];
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') parts.push(`${k}: ${String(v)}`);
  }
  return parts.join(' · ');
}

/**
 * EventStream shows every event of the log as it happens, with the recent
 * history, newest first, filtered by order id and by type.
 */
export function EventStream({ events, loaded, onMore, onError }: EventStreamProps) {
  const [filter, setFilter] = useState<EventFilter>({ orderId: '', type: '' });
  const [searching, setSearching] = useState(false);
  const types = typesOf(events);
  const list = filterEvents(events, filter);

  // The whole journey of one order, also from before the recent history.
  const journey = async (e: Event) => {
    e.preventDefault();
    const id = filter.orderId.trim();
    if (!id) return;
    setSearching(true);
    try {
      const { events: got } = await api<{ events: unknown[] }>('GET', `/api/orders/${encodeURIComponent(id)}/events`);
      onMore(got.map(asStaffEvent).filter((x): x is StaffEvent => x !== null));
    } catch (error) {
      onError(error);
    } finally {
      setSearching(false);
    }
  };

  return (
    <section aria-labelledby="events-title">
      <h2 id="events-title">{t('admin.events.title')}</h2>
      <p class="hint">{t('admin.events.intro')}</p>
      <form class="event-filter" onSubmit={journey} role="search">
        <label class="field">
          <span>{t('admin.events.orderId')}</span>
          <input
            value={filter.orderId}
            autocapitalize="none"
            spellcheck={false}
            onInput={(e) => setFilter({ ...filter, orderId: e.currentTarget.value })}
          />
        </label>
        <button type="submit" class="secondary" disabled={searching || filter.orderId.trim() === ''}>
          {t('admin.events.journey')}
        </button>
        <label class="field">
          <span>{t('admin.events.type')}</span>
          <select value={filter.type} onChange={(e) => setFilter({ ...filter, type: e.currentTarget.value })}>
            <option value="">{t('admin.events.allTypes')}</option>
            {types.map((ty) => (
              <option key={ty} value={ty}>
                {ty}
              </option>
            ))}
          </select>
        </label>
      </form>
      <p role="status">
        {loaded ? t('admin.events.count', { count: list.length }) : t('staff.loading')}
      </p>
      <ol class="events">
        {list.slice(0, shown).map((e) => (
          <li key={e.seq} class="event">
            <details>
              <summary>
                <span class="event-seq">#{e.seq}</span> <time dateTime={e.time}>{timeOf(e)}</time>{' '}
                <strong class="event-type">{e.type}</strong> <span class="event-summary">{summary(e)}</span>
                {orderIdOf(e) && <span class="event-order">{orderIdOf(e)}</span>}
              </summary>
              {typeof e.detail['message'] === 'string' && <p>{e.detail['message']}</p>}
              <pre class="event-detail">{JSON.stringify(e.detail, null, 2)}</pre>
            </details>
          </li>
        ))}
      </ol>
      {list.length > shown && <p class="hint">{t('admin.events.more', { count: list.length - shown })}</p>}
    </section>
  );
}
