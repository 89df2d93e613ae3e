import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { api, ApiError } from '../../lib/api';
import { asBroadcast, topicBroadcast, type Broadcast } from '../../lib/booth/broadcast';
import { BroadcastBanner } from '../../lib/booth/BroadcastBanner';
import { t } from '../../lib/i18n';
import { useRealtime, type RealtimeMessage } from '../../lib/realtime';
import { brokerUrl } from '../../lib/session/brokerUrl';
import { deadlineFrom, monotonicNow } from '../../lib/time';
import { Shell } from '../../lib/ui/Shell';
import { alertReady, unlockSound } from './alert';
import {
  applyEvent,
  asEvent,
  asOrder,
  asQueue,
  asShop,
  becameReady,
  currentOrder,
  estimateOf,
  isOpen,
  merge,
  phaseOf,
  positionInQueue,
  refusalFor,
  SeenEvents,
  todaysOrders,
  type Estimate,
  type MenuItem,
  type Order,
  type Phase,
  type QueueEntry,
  type Refusal,
  type Shop,
} from './model';
import { Choose } from './Choose';
import { History, Receipt } from './Receipt';
import { Status } from './Status';

/** What GET /api/realtime gives a phone. */
interface Credentials {
  url: string;
  username: string;
  password: string;
  customerTopic: string;
}

type View =
  | { kind: 'loading' }
  | { kind: 'unreachable' }
  | { kind: 'home' }
  | { kind: 'name'; error: string }
  | { kind: 'refused'; refusal: Refusal; message: string }
  | { kind: 'order' }
  | { kind: 'receipt'; id: string; back: 'home' | 'order' };

interface State {
  view: View;
  code: string | null;
  shop: Shop | null;
  orders: Order[];
  order: Order | null;
  /** When the time to choose runs out, on the monotonic clock. */
  deadline: number | null;
  queue: QueueEntry[] | null;
  /** The kiosk's latest guess of the shown order's wait (HTTP answers only). */
  estimate: Estimate | null;
  /** Staff's message to everyone waiting. */
  broadcast: Broadcast | null;
}

// After the queue changes, the order is read again for a fresh estimate;
// a burst of changes is read once.
const estimateReadMs = 1500;

const nameKey = 'kiosk.customer.name';

function savedName(): string {
  try {
    return localStorage.getItem(nameKey) ?? '';
  } catch {
    return '';
  }
}

function saveName(name: string) {
  try {
    localStorage.setItem(nameKey, name);
  } catch {
    // Private mode: the name is typed again next time.
  }
}

// The code is good for one order: once the order is open, a reload must
// come back to the order, not offer the code again.
function forgetCode() {
  const url = new URL(location.href);
  if (!url.searchParams.has('code')) return;
  url.searchParams.delete('code');
  history.replaceState(null, '', url.pathname + url.search + url.hash);
}

// withOrder takes news of an order into the state: the shown order, its
// deadline, and its line in the history.
function withOrder(s: State, incoming: Order, receivedAt: number): State {
  const shown = s.order && s.order.id === incoming.id ? merge(s.order, incoming) : s.order;
  let deadline = s.deadline;
  if (shown && shown.id === incoming.id && shown.state === 'waiting' && typeof incoming.timeLeftMs === 'number') {
    // Time only runs down: a retained snapshot read late must not add any back.
    const next = deadlineFrom(incoming.timeLeftMs, receivedAt);
    deadline = deadline === null ? next : Math.min(deadline, next);
  }
  const i = s.orders.findIndex((o) => o.id === incoming.id);
  const orders =
    i < 0 ? [incoming, ...s.orders] : s.orders.map((o, j) => (j === i ? merge(o, incoming) : o));
  return { ...s, order: shown, deadline, orders };
}

function show(s: State, o: Order, receivedAt: number): State {
  return withOrder({ ...s, order: o, deadline: null, view: { kind: 'order' } }, o, receivedAt);
}

// withEstimate keeps the estimate of an HTTP answer about the shown order.
function withEstimate(s: State, answer: Order): State {
  if (s.order && s.order.id !== answer.id) return s;
  return { ...s, estimate: estimateOf(answer) };
}

/** The customer app: scan, name, choose, and follow the order live. */
export function App() {
  const [state, setState] = useState<State>(() => ({
    view: { kind: 'loading' },
    code: new URLSearchParams(location.search).get('code'),
    shop: null,
    orders: [],
    order: null,
    deadline: null,
    queue: null,
    estimate: null,
    broadcast: null,
  }));
  const [credentials, setCredentials] = useState<Credentials | null>(null);
  const [name, setName] = useState(savedName);
  const [busy, setBusy] = useState(false);
  const seen = useRef(new SeenEvents());
  const latest = useRef(state);
  latest.current = state;

  const loadCredentials = useCallback(async () => {
    try {
      const c = await api<Credentials>('GET', '/api/realtime');
      if (c.customerTopic) setCredentials((old) => (old && old.password === c.password ? old : c));
    } catch {
      // No customer cookie yet (before the first scan), or offline: try again after the next scan or reload.
    }
  }, []);

  // refresh re-reads the shop and the customer's orders. On the first load
  // it decides which screen to show; afterwards (a reconnect) it only brings
  // what is shown up to date.
  const refresh = useCallback(
    async (first: boolean) => {
      const [shopR, mineR, noticeR] = await Promise.allSettled([
        api<unknown>('GET', '/api/shop'),
        api<{ orders: Order[] }>('GET', '/api/orders/mine'),
        api<unknown>('GET', '/api/broadcast'),
      ]);
      const at = monotonicNow();
      const shop = shopR.status === 'fulfilled' ? asShop(shopR.value) : null;
      const notice = noticeR.status === 'fulfilled' ? asBroadcast(noticeR.value) : undefined;
      if (notice !== undefined) setState((s) => ({ ...s, broadcast: notice }));
      if (mineR.status === 'rejected') {
        if (first) setState((s) => ({ ...s, shop: shop ?? s.shop, view: { kind: 'unreachable' } }));
        return;
      }
      const mine = (mineR.value.orders ?? []).map(asOrder).filter((o): o is Order => o !== null);
      setState((s) => {
        let next: State = { ...s, shop: shop ?? s.shop, orders: mine };
        if (first || s.view.kind === 'unreachable' || s.view.kind === 'loading') {
          const cur = currentOrder(mine);
          if (cur && (isOpen(cur) || !s.code)) {
            forgetCode();
            return withEstimate(show({ ...next, code: null }, cur, at), cur);
          }
          return { ...next, view: s.code ? { kind: 'name', error: '' } : { kind: 'home' } };
        }
        if (s.order) {
          const fresh = mine.find((o) => o.id === s.order?.id);
          if (fresh) next = withEstimate(withOrder(next, fresh, at), fresh);
        } else if (s.view.kind === 'home') {
          const cur = currentOrder(mine);
          if (cur && isOpen(cur)) next = withEstimate(show(next, cur, at), cur);
        }
        return next;
      });
      if (mine.length > 0) void loadCredentials();
    },
    [loadCredentials],
  );

  // Credentials follow once the phone has orders (refresh) or opens one (scan):
  // before its first scan it has no customer cookie, and nothing to follow.
  useEffect(() => {
    void refresh(true);
  }, [refresh]);

  // The estimate follows the queue: when it changes, read the order again.
  const estimateTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const readEstimate = useCallback(() => {
    clearTimeout(estimateTimer.current);
    estimateTimer.current = setTimeout(() => {
      const o = latest.current.order;
      if (!o || (o.state !== 'queued' && o.state !== 'making')) return;
      api<Order>('GET', `/api/orders/${encodeURIComponent(o.id)}`)
        .then((fresh) => setState((s) => withEstimate(withOrder(s, fresh, monotonicNow()), fresh)))
        .catch(() => {});
    }, estimateReadMs);
  }, []);
  useEffect(() => () => clearTimeout(estimateTimer.current), []);

  const onMessage = useCallback((message: RealtimeMessage, topic: string) => {
    const at = monotonicNow();
    if (topic === topicBroadcast) {
      const b = asBroadcast(message.detail);
      if (b !== undefined) setState((s) => ({ ...s, broadcast: b }));
    } else if (topic === 'kiosk/public/shop') {
      const shop = asShop(message.detail);
      if (shop) setState((s) => ({ ...s, shop }));
    } else if (topic === 'kiosk/public/queue') {
      const queue = asQueue(message.detail);
      if (queue) {
        setState((s) => ({ ...s, queue }));
        readEstimate();
      }
    } else if (topic.endsWith('/order')) {
      const o = asOrder(message.detail);
      if (!o) return;
      setState((s) => {
        if (s.order?.id === o.id) return withOrder(s, o, at);
        // An order opened elsewhere (another tab) while this page waits at the start.
        if (isOpen(o) && (s.view.kind === 'home' || s.view.kind === 'name' || s.view.kind === 'refused')) {
          forgetCode();
          return show({ ...s, code: null }, o, at);
        }
        return withOrder(s, o, at);
      });
    } else if (topic.endsWith('/events')) {
      const e = asEvent(message.detail);
      if (!e || !seen.current.first(e.seq)) return;
      setState((s) => {
        const known = s.orders.find((o) => o.id === e.orderId);
        if (!known) return s;
        const updated = applyEvent(s.order?.id === e.orderId ? s.order : known, e);
        return withOrder(s, updated, at);
      });
    }
  }, [readEstimate]);

  const connection = useRealtime(
    credentials
      ? {
          url: brokerUrl(credentials.url, location),
          username: credentials.username,
          password: credentials.password,
          topics: [
            `${credentials.customerTopic}/events`,
            `${credentials.customerTopic}/order`,
            'kiosk/public/queue',
            'kiosk/public/shop',
            topicBroadcast,
          ],
          onMessage,
          onReconnect: () => void refresh(false),
        }
      : null,
  );

  // The chime and vibration when the drink becomes ready, once per order.
  const phase: Phase | null = state.order ? phaseOf(state.order) : null;
  const lastPhase = useRef<{ id: string; phase: Phase } | null>(null);
  useEffect(() => {
    const before = lastPhase.current && lastPhase.current.id === state.order?.id ? lastPhase.current.phase : null;
    if (becameReady(before, phase)) alertReady();
    lastPhase.current = state.order && phase ? { id: state.order.id, phase } : null;
  }, [state.order?.id, phase]);

  const scan = async () => {
    const code = latest.current.code;
    const typed = name.replace(/\s+/g, ' ').trim();
    if (!code) return;
    unlockSound();
    setBusy(true);
    try {
      const o = await api<Order>('POST', '/api/orders', { code, name: typed });
      saveName(typed);
      forgetCode();
      setState((s) => show({ ...s, code: null }, o, monotonicNow()));
      void loadCredentials();
    } catch (error) {
      const e = error instanceof ApiError ? error : new ApiError('network', String(error), 0);
      if (e.code === 'name_invalid') {
        setState((s) => ({ ...s, view: { kind: 'name', error: t('customer.name.invalid') } }));
      } else if (e.code === 'open_order_exists') {
        forgetCode();
        setState((s) => ({ ...s, code: null, view: { kind: 'loading' } }));
        await refresh(true);
        void loadCredentials();
      } else {
        const refusal = refusalFor(e.code);
        if (refusal) setState((s) => ({ ...s, view: { kind: 'refused', refusal, message: e.message } }));
      }
    } finally {
      setBusy(false);
    }
  };

  // Every HTTP answer about the order also brings the kiosk's estimate.
  const orderUpdated = (o: Order) => setState((s) => withEstimate(withOrder(s, o, monotonicNow()), o));
  const reloadOrder = async (id: string) => {
    try {
      orderUpdated(await api<Order>('GET', `/api/orders/${encodeURIComponent(id)}`));
    } catch {
      // The next reconnect or message brings it.
    }
  };
  const goHome = () => setState((s) => ({ ...s, order: null, deadline: null, view: { kind: 'home' } }));

  const { view, shop, order, orders } = state;
  const today = todaysOrders(orders, shop?.boothDay ?? null);
  const position = useMemo(
    () => (order && state.queue ? positionInQueue(state.queue, order.number) : null),
    [order, state.queue],
  );

  let body;
  switch (view.kind) {
    case 'loading':
      body = <p class="customer-note" role="status">{t('customer.loading')}</p>;
      break;
    case 'unreachable':
      body = (
        <section class="customer-panel" aria-labelledby="unreachable-title">
          <h2 id="unreachable-title">{t('customer.unreachable.title')}</h2>
          <p>{t('customer.unreachable.body')}</p>
          <button type="button" class="wide" onClick={() => void refresh(true)}>
            {t('customer.tryAgain')}
          </button>
        </section>
      );
      break;
    case 'home':
      body = (
        <>
          <section class="customer-panel scan-hint" aria-labelledby="home-title">
            <div class="scan-icon" aria-hidden="true" />
            <h2 id="home-title">{t('customer.home.title')}</h2>
            <p>{t('customer.home.body')}</p>
          </section>
          <History orders={today} onOpen={(id) => setState((s) => ({ ...s, view: { kind: 'receipt', id, back: 'home' } }))} />
        </>
      );
      break;
    case 'name':
      body = (
        <form
          class="customer-panel"
          aria-labelledby="name-title"
          onSubmit={(e) => {
            e.preventDefault();
            void scan();
          }}
        >
          <h2 id="name-title">{t('customer.name.title')}</h2>
          <label for="customer-name" class="field-label">
            {t('customer.name.label')}
          </label>
          <input
            id="customer-name"
            name="name"
            type="text"
            autocomplete="given-name"
            autocapitalize="words"
            enterkeyhint="go"
            required
            maxLength={30}
            value={name}
            aria-describedby={view.error ? 'name-hint name-error' : 'name-hint'}
            aria-invalid={view.error ? 'true' : undefined}
            onInput={(e) => setName((e.target as HTMLInputElement).value)}
          />
          <p id="name-hint" class="hint">
            {t('customer.name.hint')}
          </p>
          {view.error && (
            <p id="name-error" class="error" role="alert">
              {view.error}
            </p>
          )}
          <button type="submit" class="wide" disabled={busy || name.trim() === ''}>
            {busy ? t('customer.busy') : t('customer.name.submit')}
          </button>
        </form>
      );
      break;
    case 'refused':
      body = (
        <>
          <section class="customer-panel refused" role="alert" aria-labelledby="refused-title" data-refusal={view.refusal.code}>
            <h2 id="refused-title">{t(view.refusal.title)}</h2>
            <p>{t(view.refusal.body)}</p>
            {view.refusal.code !== 'network' && view.refusal.title === 'customer.refused.other.title' && (
              <p class="hint">{view.message}</p>
            )}
            {view.refusal.next === 'rescan' && <p class="hint">{t('customer.refused.rescanHint')}</p>}
            {view.refusal.next === 'retry' && (
              <button type="button" class="wide" disabled={busy} onClick={() => void scan()}>
                {busy ? t('customer.busy') : t('customer.tryAgain')}
              </button>
            )}
          </section>
          <History orders={today} onOpen={(id) => setState((s) => ({ ...s, view: { kind: 'receipt', id, back: 'home' } }))} />
        </>
      );
      break;
    case 'order':
      if (!order) {
        body = null;
        break;
      }
      body =
        order.state === 'waiting' ? (
          <Choose
            order={order}
            menu={shop?.menu ?? ([] as MenuItem[])}
            shopOpen={shop?.open ?? true}
            deadline={state.deadline}
            timeoutMs={(shop?.customerTimeoutSeconds ?? 0) * 1000}
            onUpdated={orderUpdated}
            onReload={() => {
              void refresh(false);
              void reloadOrder(order.id);
            }}
          />
        ) : (
          <Status
            order={order}
            position={position ?? order.position ?? 0}
            estimate={state.estimate}
            onUpdated={orderUpdated}
            onReload={() => void reloadOrder(order.id)}
            onReceipt={() => setState((s) => ({ ...s, view: { kind: 'receipt', id: order.id, back: 'order' } }))}
            onDone={goHome}
          />
        );
      break;
    case 'receipt': {
      const o = orders.find((x) => x.id === view.id) ?? (order?.id === view.id ? order : null);
      body = o ? (
        <Receipt
          order={o}
          onBack={() => setState((s) => ({ ...s, view: view.back === 'order' && s.order ? { kind: 'order' } : { kind: 'home' } }))}
        />
      ) : null;
      break;
    }
  }

  return (
    <Shell title={t('app.customer.title')} connection={credentials ? connection : null}>
      <div class={phase === 'ready' && view.kind === 'order' ? 'customer customer-ready' : 'customer'}>
        <BroadcastBanner broadcast={state.broadcast} label={t('customer.broadcast')} />
        {body}
      </div>
    </Shell>
  );
}
