import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api';
import { lang, t, type MessageKey } from '../i18n';
import { BarTable, ColumnChart, type ChartItem } from './charts';
import { asStats, boothDays, formatWait, hourBuckets, ranked, type Stats } from './model';
import './stats.css';

/** Props of StatsView. */
export interface StatsViewProps {
  /** Today's booth day: the days to choose from are 1 to it. */
  currentDay: number;
  /** Changes whenever the figures may have changed (an order event, the queue); today's are read again. */
  refreshKey: number;
  /** The admin app shows everything and a choice of day; the display the figures customers care about. */
  variant: 'admin' | 'display';
  onError?: (error: unknown) => void;
}

// A burst of events (a rush) is read once, a moment after it.
const refreshDelayMs = 1000;

const hourFormat = new Intl.DateTimeFormat(lang, { hour: '2-digit', minute: '2-digit' });

const refusalKeys: Record<string, MessageKey> = {
  qr_invalid: 'stats.refusal.qr_invalid',
  qr_expired: 'stats.refusal.qr_expired',
  qr_used_up: 'stats.refusal.qr_used_up',
  shop_closed: 'stats.refusal.shop_closed',
  queue_full: 'stats.refusal.queue_full',
  daily_limit: 'stats.refusal.daily_limit',
  open_order_exists: 'stats.refusal.open_order_exists',
};

const endKeys: Record<string, MessageKey> = {
  'cancel:customer': 'stats.end.cancelCustomer',
  'cancel:staff': 'stats.end.cancelStaff',
  'timeout:customer': 'stats.end.timeoutCustomer',
  'timeout:barista': 'stats.end.timeoutBarista',
};

function endLabel(key: string): string {
  const k = endKeys[key];
  return k ? t(k) : key;
}

/**
 * StatsView shows a booth day's figures from GET /api/stats: drinks per
 * hour, waits from order to ready (overall and per drink, with the last ten
 * of each), the top drinks and options, how orders ended without a drink,
 * and refused scans. Today's figures are read again when refreshKey changes.
 */
export function StatsView({ currentDay, refreshKey, variant, onError }: StatsViewProps) {
  const [day, setDay] = useState(0); // 0: today, whichever day that is
  const [stats, setStats] = useState<Stats | null>(null);
  const [failed, setFailed] = useState(false);
  const errors = useRef(onError);
  errors.current = onError;

  const read = useCallback(async (which: number) => {
    try {
      const s = asStats(await api<unknown>('GET', which ? `/api/stats?boothDay=${which}` : '/api/stats'));
      setStats(s);
      setFailed(s === null);
    } catch (error) {
      setFailed(true);
      errors.current?.(error);
    }
  }, []);

  useEffect(() => {
    void read(day);
  }, [day, read]);

  // Today's figures follow the day as it goes; an earlier day's stay as they are.
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    if (day !== 0) return;
    const id = setTimeout(() => void read(0), refreshDelayMs);
    return () => clearTimeout(id);
  }, [refreshKey, day, read]);

  const full = variant === 'admin';
  const hours: ChartItem[] = stats ? hourBuckets(stats.hours).map((b) => ({ label: hourFormat.format(b.at), value: b.drinks })) : [];
  const ends: ChartItem[] = stats
    ? [
        ...ranked(stats.cancellations).map((c) => ({ label: endLabel(`cancel:${c.name}`), value: c.count })),
        ...ranked(stats.timeouts).map((c) => ({ label: endLabel(`timeout:${c.name}`), value: c.count })),
      ]
    : [];
  const refusals: ChartItem[] = stats
    ? ranked(stats.refusals).map((c) => {
        const k = refusalKeys[c.name];
        return { label: k ? t(k) : c.name, value: c.count };
      })
    : [];

  return (
    <section class={`stats stats-${variant}`} aria-labelledby="stats-title" aria-busy={stats === null && !failed}>
      <div class="stats-head">
        <h2 id="stats-title">
          {stats ? t('stats.title', { day: stats.boothDay }) : t('stats.titleLoading')}
        </h2>
        {full && (
          <label class="field stats-day">
            <span>{t('stats.day')}</span>
            <select value={String(day)} onChange={(e) => setDay(Number(e.currentTarget.value))}>
              {boothDays(currentDay).map((d) => (
                <option key={d} value={d === currentDay ? '0' : String(d)}>
                  {d === currentDay ? t('stats.dayToday', { day: d }) : t('stats.dayN', { day: d })}
                </option>
              ))}
            </select>
          </label>
        )}
      </div>
      {failed && !stats && <p class="stats-empty">{t('stats.unavailable')}</p>}
      {!stats ? (
        !failed && <p>{t('stats.loading')}</p>
      ) : (
        <>
          <dl class="stats-tiles">
            <div class="tile">
              <dt>{t('stats.made')}</dt>
              <dd>{stats.completed}</dd>
            </div>
            {full && (
              <div class="tile">
                <dt>{t('stats.ordered')}</dt>
                <dd>{stats.ordered}</dd>
              </div>
            )}
            <div class="tile">
              <dt>{t('stats.avgWait')}</dt>
              <dd>{formatWait(stats.wait.avgSeconds, t)}</dd>
            </div>
            <div class="tile">
              <dt>{t('stats.p90Wait')}</dt>
              <dd>{formatWait(stats.wait.p90Seconds, t)}</dd>
            </div>
            {full && (
              <div class="tile">
                <dt>{t('stats.pace')}</dt>
                <dd>{stats.recentGapSeconds > 0 ? t('stats.paceValue', { time: formatWait(stats.recentGapSeconds, t) }) : t('stats.none')}</dd>
              </div>
            )}
          </dl>
          {full && (
            <>
              <p class="hint stats-note">{t('stats.waitNote')}</p>
              <p class="hint stats-note">
                {t('stats.onDisplay')} <a href="/display/?view=stats">/display/?view=stats</a>
              </p>
            </>
          )}

          {hours.length === 0 ? (
            <p class="stats-empty">{t('stats.noDrinks')}</p>
          ) : (
            <ColumnChart id="stats-hours" title={t('stats.perHour')} valueHeading={t('stats.hour')} items={hours} />
          )}

          <div class="stats-grid">
            <section class="bar-table" aria-labelledby="stats-waits-title">
              <h3 id="stats-waits-title">{t('stats.waitByDrink')}</h3>
              {stats.waitByDrink.length === 0 ? (
                <p class="stats-empty">{t('stats.noWaits')}</p>
              ) : (
                <table class="wait-table">
                  <thead>
                    <tr>
                      <th scope="col">{t('stats.drink')}</th>
                      {full && (
                        <th scope="col" class="num">
                          {t('stats.count')}
                        </th>
                      )}
                      <th scope="col" class="num">
                        {t('stats.avg')}
                      </th>
                      {full && (
                        <th scope="col" class="num">
                          {t('stats.p90')}
                        </th>
                      )}
                      <th scope="col" class="num">
                        {t('stats.last10')}
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {stats.waitByDrink.map((d) => (
                      <tr key={d.drink}>
                        <th scope="row">{d.drink}</th>
                        {full && <td class="num">{d.count}</td>}
                        <td class="num">{formatWait(d.avgSeconds, t)}</td>
                        {full && <td class="num">{formatWait(d.p90Seconds, t)}</td>}
                        <td class="num">{formatWait(d.last10AvgSeconds, t)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
            </section>
            <BarTable
              id="stats-drinks"
              title={t('stats.topDrinks')}
              nameHeading={t('stats.drink')}
              valueHeading={t('stats.count')}
              empty={t('stats.noDrinks')}
              items={stats.topDrinks.slice(0, full ? 10 : 5).map((d) => ({ label: d.name, value: d.count }))}
            />
            {full && (
              <>
                <BarTable
                  id="stats-options"
                  title={t('stats.topOptions')}
                  nameHeading={t('stats.option')}
                  valueHeading={t('stats.count')}
                  empty={t('stats.noOptions')}
                  items={stats.topOptions.slice(0, 10).map((d) => ({ label: d.name, value: d.count }))}
                />
                <BarTable
                  id="stats-ends"
                  title={t('stats.ends')}
                  nameHeading={t('stats.cause')}
                  valueHeading={t('stats.count')}
                  empty={t('stats.noEnds')}
                  items={ends}
                />
                <BarTable
                  id="stats-refusals"
                  title={t('stats.refusals')}
                  nameHeading={t('stats.reason')}
                  valueHeading={t('stats.count')}
                  empty={t('stats.noRefusals')}
                  items={refusals}
                />
              </>
            )}
          </div>
        </>
      )}
    </section>
  );
}
