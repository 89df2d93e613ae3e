import type { FunctionComponent } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../../lib/api';
import { t } from '../../lib/i18n';
import { fromConfigEvent, fromShopState } from '../../lib/staff/config';
import { errorText } from '../../lib/staff/errors';
import { useNotice } from '../../lib/staff/hooks';
import { asStaffEvent, useStaffLive } from '../../lib/staff/live';
import { isSignedOut, signOut } from '../../lib/staff/session';
import type { Config, StaffEvent, StaffSession } from '../../lib/staff/types';
import { usePrinter } from '../../lib/staff/usePrinter';
import { Shell } from '../../lib/ui/Shell';
import type { StatsViewProps } from '../../lib/stats/StatsView';
import { statsEvents } from '../../lib/stats/model';
import { BoothForm } from './BoothForm';
import { asCloseStatus, closeOnEvent, type CloseStatus } from './closeModel';
import { Closing } from './Closing';
import { Displays } from './Displays';
import { EventStream } from './EventStream';
import { lastSeq, merge, readRecent } from './eventLog';
import { Health } from './Health';
import { MenuEditor } from './MenuEditor';
import { SettingsForm } from './SettingsForm';
import { StaffAccounts } from './StaffAccounts';
import { Tickets } from './Tickets';

const sections = ['menu', 'settings', 'staff', 'displays', 'tickets', 'stats', 'health', 'closing', 'events'] as const;
type Section = (typeof sections)[number];

const sectionKey = {
  menu: 'admin.nav.menu',
  settings: 'admin.nav.settings',
  staff: 'admin.nav.staff',
  displays: 'admin.nav.displays',
  tickets: 'admin.nav.tickets',
  stats: 'admin.nav.stats',
  health: 'admin.nav.health',
  closing: 'admin.nav.closing',
  events: 'admin.nav.events',
} as const;

// The figures and their charts load when the section is first opened.
type StatsComponent = FunctionComponent<StatsViewProps>;
let statsView: Promise<StatsComponent> | undefined;
function loadStatsView(): Promise<StatsComponent> {
  statsView ??= import('../../lib/stats/StatsView').then((m) => m.StatsView);
  return statsView;
}

// The events after which the kiosk prints a ticket (when a barista makes the
// order, or when it is queued with --ticket-when queued).
const ticketEvents = new Set(['OrderManager.MakeOrder', 'OrderProcessor.WaitingCompletion']);

function initialSection(): Section {
  const hash = globalThis.location?.hash.slice(1) ?? '';
  return (sections as readonly string[]).includes(hash) ? (hash as Section) : 'menu';
}

/** Props of AdminPage. */
export interface AdminPageProps {
  session: StaffSession;
  onSignedOut: () => void;
}

/**
 * AdminPage is the signed-in admin app: menu, settings and the booth, staff,
 * displays, the ticket printer, the day's figures, the box's health, closing
 * the booth with the exports and backup, and the event stream.
 */
export function AdminPage({ session, onSignedOut }: AdminPageProps) {
  const [section, setSection] = useState<Section>(initialSection);
  const [config, setConfig] = useState<Config | null>(null);
  const [events, setEvents] = useState<StaffEvent[]>([]);
  const [eventsLoaded, setEventsLoaded] = useState(false);
  const [notice, showNotice] = useNotice(6000);
  const [closeStatus, setCloseStatus] = useState<CloseStatus | null>(null);
  const closeRef = useRef(closeStatus);
  closeRef.current = closeStatus;
  const [statsTick, setStatsTick] = useState(0);
  const [Stats, setStats] = useState<StatsComponent | null>(null);
  const eventsRef = useRef(events);
  eventsRef.current = events;
  const live = useRef({ onSignedOut, showNotice });
  live.current = { onSignedOut, showNotice };

  const onError = useCallback((error: unknown) => {
    if (isSignedOut(error)) live.current.onSignedOut();
    else live.current.showNotice(errorText(error), 'error');
  }, []);
  const onNotice = useCallback((text: string) => live.current.showNotice(text), []);

  const readClose = useCallback(async () => {
    try {
      const s = asCloseStatus(await api<unknown>('GET', '/api/booth/close'));
      if (s) setCloseStatus(s);
    } catch (error) {
      onError(error);
    }
  }, [onError]);

  // While the booth is closing, look again now and then too: an order timing
  // out ends closing without anyone here doing anything.
  const closing = closeStatus?.state === 'closing';
  useEffect(() => {
    if (!closing) return;
    const id = setInterval(() => void readClose(), 5000);
    return () => clearInterval(id);
  }, [closing, readClose]);

  useEffect(() => {
    if (section !== 'stats' || Stats) return;
    void loadStatsView().then((c) => setStats(() => c));
  }, [section, Stats]);
  const printer = usePrinter(onError);
  const readPrinter = printer.read;

  // Reads the configuration, and the log from the last event seen (all of
  // the recent history the first time): at sign-in and after a reconnect.
  const catchUp = useCallback(async () => {
    try {
      setConfig(await api<Config>('GET', '/api/config'));
      const page = async (after: number, limit: number) => {
        const { events: got } = await api<{ events: unknown[] }>('GET', `/api/events?after=${after}&limit=${limit}`);
        return got.map(asStaffEvent).filter((x): x is StaffEvent => x !== null);
      };
      const recent = await readRecent(page, lastSeq(eventsRef.current));
      setEvents((list) => merge(list, recent));
      setEventsLoaded(true);
    } catch (error) {
      onError(error);
    }
  }, [onError]);

  useEffect(() => {
    void catchUp();
    void readPrinter();
    void readClose();
  }, [catchUp, readPrinter, readClose]);

  // A change of the printer's state (a ticket queued, printed or failing),
  // or an event that prints a ticket, changes the list of tickets: read it
  // again a moment later, once for a burst of them.
  const printerState = printer.state;
  const [ticketNews, setTicketNews] = useState(0);
  useEffect(() => {
    if (!printerState && ticketNews === 0) return;
    const id = setTimeout(() => void readPrinter(), 1000);
    return () => clearTimeout(id);
  }, [printerState, ticketNews, readPrinter]);

  const connection = useStaffLive(true, {
    onEvent: (event) => {
      setEvents((list) => merge(list, [event]));
      if (ticketEvents.has(event.type)) setTicketNews((n) => n + 1);
      if (statsEvents.has(event.type)) setStatsTick((n) => n + 1);
      const step = closeOnEvent(closeRef.current, event);
      if (step.status !== closeRef.current) setCloseStatus(step.status);
      if (step.reread) void readClose();
      const d = event.detail;
      if (event.type === 'ConfigService.ConfigChanged') {
        setConfig((c) => (c ? fromConfigEvent(c, d) : c));
      } else if (event.type === 'ConfigService.BoothDayStarted' && typeof d['boothDay'] === 'number') {
        const day = d['boothDay'];
        setConfig((c) => (c ? { ...c, boothDay: day } : c));
      }
    },
    onShop: (shop) => setConfig((c) => (c ? fromShopState(c, shop) : c)),
    onPrinter: printer.fromTopic,
    onOnline: () => {
      void catchUp();
      void readPrinter();
      void readClose();
      setStatsTick((n) => n + 1);
    },
    onSignedOut: () => live.current.onSignedOut(),
  });

  const go = (s: Section) => {
    setSection(s);
    if (s === 'tickets') void readPrinter();
    history.replaceState(null, '', `#${s}`);
  };

  const doSignOut = async () => {
    try {
      await signOut();
    } catch {
      // The session ends with its cookie either way.
    }
    onSignedOut();
  };

  return (
    <Shell title={t('app.admin.title')} connection={connection}>
      <div class="admin-bar">
        {config && (
          <p class="admin-state">
            {config.open ? t('admin.shopOpen') : t('admin.shopClosed')} · {t('admin.boothDay', { day: config.boothDay })}
          </p>
        )}
        <span class="admin-user">{t('admin.signedInAs', { name: session.username })}</span>
        <button type="button" class="secondary" onClick={() => void doSignOut()}>
          {t('staff.signOut')}
        </button>
      </div>
      <nav class="admin-nav" aria-label={t('admin.nav.label')}>
        <ul>
          {sections.map((s) => (
            <li key={s}>
              <a
                href={`#${s}`}
                class={s === section ? 'button' : 'button secondary-link'}
                aria-current={s === section ? 'page' : undefined}
                onClick={(e) => {
                  e.preventDefault();
                  go(s);
                }}
              >
                {t(sectionKey[s])}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <p class={`notice${notice ? ` notice-${notice.kind}` : ''}`} role="status" aria-live="polite">
        {notice?.text ?? ''}
      </p>

      {!config ? (
        <p>{t('staff.loading')}</p>
      ) : section === 'menu' ? (
        <MenuEditor menu={config.menu} onSaved={setConfig} onError={onError} />
      ) : section === 'settings' ? (
        <>
          <SettingsForm settings={config.settings} onSaved={setConfig} onError={onError} />
          {config.booth ? (
            <BoothForm booth={config.booth} onSaved={setConfig} onError={onError} />
          ) : (
            <p class="hint">{t('admin.booth.missing')}</p>
          )}
        </>
      ) : section === 'staff' ? (
        <StaffAccounts session={session} onError={onError} onNotice={onNotice} />
      ) : section === 'displays' ? (
        <Displays onError={onError} onNotice={onNotice} />
      ) : section === 'tickets' ? (
        <Tickets printer={printer} />
      ) : section === 'stats' ? (
        Stats ? (
          <Stats currentDay={config.boothDay} refreshKey={statsTick} variant="admin" onError={onError} />
        ) : (
          <p>{t('staff.loading')}</p>
        )
      ) : section === 'health' ? (
        <Health onError={onError} />
      ) : section === 'closing' ? (
        <Closing status={closeStatus} onStatus={setCloseStatus} boothDay={config.boothDay} onError={onError} />
      ) : (
        <EventStream
          events={events}
          loaded={eventsLoaded}
          onMore={(more) => setEvents((list) => merge(list, more, Math.max(list.length + more.length, 500)))}
          onError={onError}
        />
      )}
    </Shell>
  );
}
