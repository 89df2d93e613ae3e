import type { FunctionComponent } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { DrinkIcon } from '../../icons/DrinkIcon';
import { api, ApiError } from '../../lib/api';
import { asBroadcast, topicBroadcast, type Broadcast } from '../../lib/booth/broadcast';
import { BroadcastBanner } from '../../lib/booth/BroadcastBanner';
import { lang, locales, t } from '../../lib/i18n';
import { useRealtime, type ConnectionState, type RealtimeMessage } from '../../lib/realtime';
import { brokerUrl } from '../../lib/session/brokerUrl';
import type { StatsViewProps } from '../../lib/stats/StatsView';
import { formatAge, formatClock, monotonicNow, useMonotonicTick } from '../../lib/time';
import { Shell } from '../../lib/ui/Shell';
import {
  ageOf,
  asQR,
  asQueue,
  asSetup,
  asShopOpen,
  asWifi,
  clockAtLeast,
  clockFromDate,
  kioskNow,
  languageUrl,
  qrImageSize,
  qrView,
  splitQueue,
  wifiImageSize,
  wifiImageUrl,
  type KioskClock,
  type QRState,
  type QRView,
  type QueueEntry,
  type Setup,
  type WifiState,
} from './model';

/** The topics the display follows; the kiosk puts no private data on them. */
const topicQR = 'kiosk/display/qr';
const topicQueue = 'kiosk/public/queue';
const topicShop = 'kiosk/public/shop';

/** How many entries each column shows; more would not be readable from across the room. */
const maxPreparing = 12;
const maxReady = 8;

const retryMs = 5000;

/**
 * The display's page: the queue (the default), or the day's figures beside
 * the QR code between rushes (/display/?view=stats).
 */
type Page = 'queue' | 'stats';

function pageFromUrl(): Page {
  return new URLSearchParams(location.search).get('view') === 'stats' ? 'stats' : 'queue';
}

// The figures and their charts load only on the figures page.
type StatsComponent = FunctionComponent<StatsViewProps>;
function loadStatsView(): Promise<StatsComponent> {
  return import('../../lib/stats/StatsView').then((m) => m.StatsView);
}

type SignIn = 'checking' | 'signedIn' | 'needsPairing' | 'pairingInvalid' | 'unreachable';

interface Credentials {
  url: string;
  username: string;
  password: string;
}

interface Live {
  qr: QRState | null;
  queue: QueueEntry[];
  /** When the queue arrived, on the monotonic clock: its ages are as of then. */
  queueAt: number;
  open: boolean | null;
  clock: KioskClock | null;
  /** The booth's Wi-Fi, from the QR topic; null when none is set. */
  wifi: WifiState | null;
  /** Staff's message to everyone waiting. */
  broadcast: Broadcast | null;
  /** The booth day, from the shop state; 0 until known. */
  boothDay: number;
  /** Bumped by every change of the queue: the figures may have changed. */
  queueChanges: number;
}

// A pairing code works once: after it has signed the screen in, a reload
// must not try it again.
function forgetPairCode() {
  const url = new URL(location.href);
  if (!url.searchParams.has('pair')) return;
  url.searchParams.delete('pair');
  history.replaceState(null, '', url.pathname + url.search + url.hash);
}

async function signIn(): Promise<SignIn> {
  try {
    const who = await api<{ kind?: string }>('GET', '/api/session');
    if (who.kind) return 'signedIn';
    const pair = new URLSearchParams(location.search).get('pair');
    if (pair) {
      await api('POST', '/api/display/pair', { code: pair });
      forgetPairCode();
    } else {
      await api('POST', '/api/display/session');
    }
    return 'signedIn';
  } catch (e) {
    if (!(e instanceof ApiError) || e.status === 0 || e.status >= 500) return 'unreachable';
    if (e.code === 'pairing_invalid') {
      forgetPairCode();
      return 'pairingInvalid';
    }
    return 'needsPairing';
  }
}

/** The display app: the QR code to order with, and the drinks being prepared and ready. */
export function App() {
  const [status, setStatus] = useState<SignIn>('checking');
  const [credentials, setCredentials] = useState<Credentials | null>(null);
  const [live, setLive] = useState<Live>({
    qr: null,
    queue: [],
    queueAt: monotonicNow(),
    open: null,
    clock: null,
    wifi: null,
    broadcast: null,
    boothDay: 0,
    queueChanges: 0,
  });
  const [page] = useState<Page>(pageFromUrl);
  const setup = useSetup();
  const [Stats, setStats] = useState<StatsComponent | null>(null);
  useEffect(() => {
    if (page === 'stats') void loadStatsView().then((c) => setStats(() => c));
  }, [page]);
  // Bumped by every message per topic, so a slower HTTP read never overwrites newer news.
  const generation = useRef<Record<string, number>>({});
  const bump = (topic: string) => {
    generation.current[topic] = (generation.current[topic] ?? 0) + 1;
  };

  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const attempt = async () => {
      const result = await signIn();
      if (stopped) return;
      setStatus(result);
      if (result === 'signedIn') {
        try {
          setCredentials(await api<Credentials>('GET', '/api/realtime'));
          return;
        } catch {
          setStatus('unreachable');
        }
      }
      // A screen left on its own keeps trying: the kiosk may still be starting.
      timer = setTimeout(() => void attempt(), retryMs);
    };
    void attempt();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, []);

  // catchUp reads everything over HTTP: at start and after every reconnect.
  const catchUp = useCallback(async () => {
    const seen = { ...generation.current };
    const unchanged = (topic: string) => (generation.current[topic] ?? 0) === (seen[topic] ?? 0);
    const [qrR, queueR, shopR, noticeR] = await Promise.allSettled([
      fetch('/api/display/qr', { credentials: 'same-origin', headers: { Accept: 'application/json' } }).then(
        async (res) => ({ at: monotonicNow(), date: res.headers.get('Date'), ok: res.ok, body: (await res.json()) as unknown }),
      ),
      api<unknown>('GET', '/api/queue'),
      api<unknown>('GET', '/api/shop'),
      api<unknown>('GET', '/api/broadcast'),
    ]);
    const at = monotonicNow();
    setLive((s) => {
      const next = { ...s };
      if (qrR.status === 'fulfilled' && qrR.value.ok) {
        const clock = clockFromDate(qrR.value.date, qrR.value.at) ?? next.clock;
        const qr = asQR(qrR.value.body);
        next.clock = clock;
        if (qr && unchanged(topicQR)) {
          next.qr = qr;
          // The HTTP answer may not name the Wi-Fi; then the topic's word stands.
          const body = qrR.value.body;
          if (typeof body === 'object' && body !== null && 'wifi' in body) next.wifi = asWifi(body) ?? null;
        }
        if (next.qr) next.clock = clockAtLeast(next.clock, next.qr.startsAt, qrR.value.at);
      }
      if (queueR.status === 'fulfilled' && unchanged(topicQueue)) {
        const queue = asQueue(queueR.value);
        if (queue) Object.assign(next, { queue, queueAt: at });
      }
      if (shopR.status === 'fulfilled' && unchanged(topicShop)) {
        const open = asShopOpen(shopR.value);
        if (open !== null) next.open = open;
        next.boothDay = dayOf(shopR.value) ?? next.boothDay;
      }
      if (noticeR.status === 'fulfilled' && unchanged(topicBroadcast)) {
        const b = asBroadcast(noticeR.value);
        if (b !== undefined) next.broadcast = b;
      }
      next.queueChanges++;
      return next;
    });
  }, []);

  const onMessage = useCallback((message: RealtimeMessage, topic: string) => {
    const at = monotonicNow();
    if (topic === topicQR) {
      const qr = asQR(message.detail);
      if (!qr) return;
      bump(topic);
      const wifi = asWifi(message.detail) ?? null;
      setLive((s) => ({ ...s, qr, wifi, clock: clockAtLeast(s.clock, qr.startsAt, at) }));
    } else if (topic === topicQueue) {
      const queue = asQueue(message.detail);
      if (!queue) return;
      bump(topic);
      setLive((s) => ({ ...s, queue, queueAt: at, queueChanges: s.queueChanges + 1 }));
    } else if (topic === topicShop) {
      const open = asShopOpen(message.detail);
      if (open === null) return;
      bump(topic);
      const day = dayOf(message.detail);
      setLive((s) => ({ ...s, open, boothDay: day ?? s.boothDay }));
    } else if (topic === topicBroadcast) {
      const b = asBroadcast(message.detail);
      if (b === undefined) return;
      bump(topic);
      setLive((s) => ({ ...s, broadcast: b }));
    }
  }, []);

  const connection = useRealtime(
    credentials
      ? {
          url: brokerUrl(credentials.url, location),
          username: credentials.username,
          password: credentials.password,
          topics: [topicQR, topicQueue, topicShop, topicBroadcast],
          onMessage,
          onReconnect: () => void catchUp(),
        }
      : null,
  );

  useEffect(() => {
    if (credentials) void catchUp();
  }, [credentials, catchUp]);

  const now = useMonotonicTick(1000, status === 'signedIn');
  const view = qrView(live.open, live.qr, kioskNow(live.clock, now));

  // The kiosk announces the next code when a period ends; if it has not
  // arrived a few seconds later, ask for it.
  const ended = view.kind === 'soon' && view.reason === 'ended';
  useEffect(() => {
    if (!ended) return;
    const id = setInterval(() => void catchUp(), retryMs);
    return () => clearInterval(id);
  }, [ended, catchUp]);

  let body;
  if (status !== 'signedIn') {
    body = <SignInPanel status={status} />;
  } else {
    const columns = splitQueue(live.queue);
    const elapsed = now - live.queueAt;
    body = page === 'stats' ? (
      <div class="display-grid display-stats">
        <QRPanel view={view} wifi={live.wifi} />
        <div class="display-panel stats-panel">
          {Stats ? (
            <Stats currentDay={live.boothDay} refreshKey={live.queueChanges} variant="display" />
          ) : (
            <p class="display-note">{t('display.statsLoading')}</p>
          )}
        </div>
      </div>
    ) : (
      <div class="display-grid">
        <QRPanel view={view} wifi={live.wifi} />
        <QueueColumn
          id="preparing"
          title={t('display.preparing')}
          empty={t('display.emptyPreparing')}
          entries={columns.preparing}
          max={maxPreparing}
          elapsed={elapsed}
        />
        <QueueColumn
          id="ready"
          title={t('display.ready')}
          empty={t('display.emptyReady')}
          entries={columns.ready}
          max={maxReady}
          elapsed={elapsed}
        />
      </div>
    );
  }

  return (
    <Shell title={t('app.display.title')} connection={credentials ? connection : null}>
      {setup && setup.problems.length > 0 && <SetupProblems problems={setup.problems} />}
      {status === 'signedIn' && <BroadcastBanner broadcast={live.broadcast} label={t('display.broadcast')} />}
      {body}
      {credentials && <LiveIndicator state={connection} />}
    </Shell>
  );
}

/**
 * useSetup reads how the box was set up, once it answers: a display in
 * another language than the booth's reloads in it, and booth.toml's
 * problems are shown until the file is fixed (they change only at a start).
 */
function useSetup(): Setup | null {
  const [setup, setSetup] = useState<Setup | null>(null);
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const read = async () => {
      try {
        const s = asSetup(await api<unknown>('GET', '/api/setup'));
        if (!s) return;
        const reload = languageUrl(location.href, lang, s.language, Object.keys(locales));
        if (reload) location.replace(reload);
        else setSetup(s);
      } catch {
        timer = setTimeout(() => void read(), retryMs);
      }
    };
    void read();
    return () => clearTimeout(timer);
  }, []);
  return setup;
}

function SetupProblems({ problems }: { problems: string[] }) {
  return (
    <section class="display-panel display-setup" role="alert" aria-labelledby="setup-title">
      <h2 id="setup-title">{t('display.setup.title')}</h2>
      <ul>
        {problems.map((p, i) => (
          <li key={i}>{p}</li>
        ))}
      </ul>
      <p>{t('display.setup.note')}</p>
    </section>
  );
}

// dayOf reads the booth day from the shop state (topic or GET /api/shop).
function dayOf(v: unknown): number | null {
  if (typeof v !== 'object' || v === null) return null;
  const day = (v as Record<string, unknown>)['boothDay'];
  return typeof day === 'number' ? day : null;
}

function SignInPanel({ status }: { status: SignIn }) {
  if (status === 'checking') return <p class="display-note">{t('display.signingIn')}</p>;
  if (status === 'unreachable') return <p class="display-note">{t('display.unreachable')}</p>;
  const pairing = status === 'pairingInvalid';
  return (
    <section class="display-panel" aria-labelledby="signin-title">
      <h2 id="signin-title">{pairing ? t('display.pairingInvalid.title') : t('display.needsPairing.title')}</h2>
      <p>{pairing ? t('display.pairingInvalid.body') : t('display.needsPairing.body')}</p>
    </section>
  );
}

// useQRPixels measures the QR's box, so the kiosk draws the image at the size it is shown.
function useQRPixels(): [number, (el: HTMLElement | null) => void] {
  const [size, setSize] = useState(512);
  const [el, setEl] = useState<HTMLElement | null>(null);
  useEffect(() => {
    if (!el) return;
    const measure = () => setSize(qrImageSize(el.clientWidth, globalThis.devicePixelRatio ?? 1));
    measure();
    window.addEventListener('resize', measure);
    return () => window.removeEventListener('resize', measure);
  }, [el]);
  return [size, setEl];
}

function QRPanel({ view, wifi }: { view: QRView; wifi: WifiState | null }) {
  const [pixels, measureRef] = useQRPixels();
  return (
    <section class="display-panel qr-panel" aria-labelledby="qr-title" data-qr={view.kind}>
      {view.kind === 'loading' && <h2 id="qr-title">{t('display.signingIn')}</h2>}
      {view.kind === 'closed' && (
        <div class="qr-closed">
          <h2 id="qr-title">{t('display.closed.title')}</h2>
          <p>{t('display.closed.body')}</p>
        </div>
      )}
      {view.kind === 'show' && (
        <>
          <h2 id="qr-title">{t('display.scanToOrder')}</h2>
          <div class="qr-box" ref={measureRef}>
            <img
              class="qr-image"
              src={`/api/display/qr.png?size=${pixels}&v=${encodeURIComponent(view.qr.code)}`}
              alt={t('display.qrAlt')}
              width={pixels}
              height={pixels}
            />
          </div>
          <p class="qr-drinks">{t('display.drinksLeft', { count: view.qr.drinksLeft })}</p>
          <div class="qr-period">
            <progress max={1000} value={Math.round(view.share * 1000)} aria-hidden="true" />
            <p>{t('display.periodLeft', { time: formatClock(view.msLeft) })}</p>
          </div>
        </>
      )}
      {view.kind === 'soon' && (
        <div class="qr-soon">
          <h2 id="qr-title">{t('display.soon.title')}</h2>
          <p class="qr-soon-time">
            {view.msLeft > 0 ? t('display.soon.body', { time: formatClock(view.msLeft) }) : t('display.soon.waiting')}
          </p>
        </div>
      )}
      {/* Phones must be on the booth's Wi-Fi to order: a small code joins it. */}
      {wifi && view.kind !== 'loading' && <WifiJoin wifi={wifi} pixels={wifiImageSize(pixels)} />}
    </section>
  );
}

// WifiJoin is the small code that joins the booth's Wi-Fi, with its name in words.
function WifiJoin({ wifi, pixels }: { wifi: WifiState; pixels: number }) {
  return (
    <div class="wifi-join" data-ssid={wifi.ssid}>
      <img
        class="wifi-image"
        src={wifiImageUrl(wifi, pixels)}
        alt={t('display.wifi.alt', { ssid: wifi.ssid })}
        width={pixels}
        height={pixels}
      />
      <p class="wifi-text">{t('display.wifi.join', { ssid: wifi.ssid })}</p>
    </div>
  );
}

const stateLabels = {
  queued: 'display.state.queued',
  making: 'display.state.making',
  ready: 'display.state.ready',
} as const;

function QueueColumn(props: {
  id: string;
  title: string;
  empty: string;
  entries: QueueEntry[];
  max: number;
  elapsed: number;
}) {
  const { id, title, empty, entries, max, elapsed } = props;
  const shown = entries.slice(0, max);
  const more = entries.length - shown.length;
  return (
    <section class={`display-panel queue-column queue-${id}`} aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>
        {title} <span class="queue-count">({entries.length})</span>
      </h2>
      {shown.length === 0 ? (
        <p class="queue-empty">{empty}</p>
      ) : (
        <ol class="queue-list">
          {shown.map((e) => (
            <li key={e.number} class={`queue-entry entry-${e.state}`} data-number={e.number}>
              <span class="entry-number">
                <span class="visually-hidden">{t('display.number', { number: e.number })}</span>
                <span aria-hidden="true">{e.number}</span>
              </span>
              <DrinkIcon name={e.icon || e.drink} size={56} />
              <span class="entry-text">
                <span class="entry-name">{e.name}</span>
                <span class="entry-drink">{e.drink}</span>
                <span class="entry-meta">
                  {t(stateLabels[e.state])} ·{' '}
                  {t(e.state === 'ready' ? 'display.readyAge' : 'display.age', { time: formatAge(ageOf(e, elapsed)) })}
                </span>
              </span>
            </li>
          ))}
        </ol>
      )}
      {more > 0 && <p class="queue-more">{t('display.more', { count: more })}</p>}
    </section>
  );
}

// LiveIndicator is always on screen, so a frozen display is obvious from across the room.
function LiveIndicator({ state }: { state: ConnectionState }) {
  const label =
    state.status === 'online'
      ? t('display.live')
      : state.status === 'offline'
        ? t('display.offline')
        : t('display.connecting');
  return (
    <p class={`live-indicator live-${state.status}`} data-live={state.status}>
      <span class="live-dot" aria-hidden="true" />
      {label}
    </p>
  );
}
