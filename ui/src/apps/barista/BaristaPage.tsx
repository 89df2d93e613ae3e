import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { DrinkIcon } from '../../icons/DrinkIcon';
import { api } from '../../lib/api';
import { t } from '../../lib/i18n';
import { fromConfigEvent, fromShopState } from '../../lib/staff/config';
import { Confirm } from '../../lib/staff/Confirm';
import { errorCode, errorText } from '../../lib/staff/errors';
import { monotonicNow, useNotice, useNow } from '../../lib/staff/hooks';
import { rememberedId, rememberId } from '../../lib/staff/identity';
import { useStaffLive } from '../../lib/staff/live';
import { PrinterBadge, PrinterWarning } from '../../lib/staff/PrinterBadge';
import { createSeen } from '../../lib/staff/seen';
import { isSignedOut, signOut } from '../../lib/staff/session';
import type { Account, Config, Order, StaffEvent, StaffSession } from '../../lib/staff/types';
import { usePrinter } from '../../lib/staff/usePrinter';
import { Shell } from '../../lib/ui/Shell';
import { asBroadcast, type Broadcast } from '../../lib/booth/broadcast';
import { batches } from './batch';
import {
  applyEvent,
  applyOrder,
  boardFromSnapshot,
  columns,
  emptyBoard,
  pruneReady,
  type Board,
  type Card,
} from './board';
import { createCountdowns, type Countdowns } from './countdown';
import { BroadcastForm } from './BroadcastForm';
import { OrderCard } from './OrderCard';
import { announced, failed, request, type OpenSwitch } from './shop';
import { chime, setSoundEnabled, soundEnabled, unlockAudio } from './sound';

/** How long a completion is held on the tablet before it is sent, and a make can be undone. */
export const undoMs = 5000;

// Errors that mean another tablet (or the kiosk) got there first: the board
// is out of date, which is normal in a rush.
const races = new Set([
  'claimed_by_other',
  'order_finished',
  'order_not_queued',
  'order_not_making',
  'order_not_ready',
  'order_not_found',
]);

// If the kiosk's announcement of an open/close is lost, read the state again.
const switchCheckMs = 8000;

type Action = 'make' | 'unmake' | 'complete' | 'collect' | 'cancel';

/** Props of BaristaPage. */
export interface BaristaPageProps {
  session: StaffSession;
  onSignedOut: () => void;
}

/**
 * BaristaPage is the signed-in barista app: the board, the shop switch, the
 * sold-out switches, and the ticket printer's state with a reprint on cards.
 */
export function BaristaPage({ session, onSignedOut }: BaristaPageProps) {
  const isAdmin = session.role === 'admin';
  const now = useNow(1000);
  const [board, setBoard] = useState<Board>(emptyBoard);
  const [loaded, setLoaded] = useState(false);
  const [config, setConfig] = useState<Config | null>(null);
  const configRef = useRef(config);
  configRef.current = config;
  const [openSwitch, setOpenSwitch] = useState<OpenSwitch>({ open: false, pending: null });
  const [me, setMe] = useState<string | null>(() => session.id ?? rememberedId(session.username));
  const [staffNames, setStaffNames] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState<ReadonlySet<string>>(new Set());
  const [notice, showNotice] = useNotice();
  const [sound, setSound] = useState(soundEnabled);
  const [grouped, setGrouped] = useState(false);
  const [asking, setAsking] = useState<{ kind: 'cancel'; card: Card } | { kind: 'newDay' } | null>(null);
  const [, rerender] = useState(0);
  const [broadcast, setBroadcast] = useState<Broadcast | null>(null);

  // Latest values for callbacks that outlive a render (timers, realtime).
  const live = useRef({ sound, onSignedOut, showNotice });
  live.current = { sound, onSignedOut, showNotice };

  const seen = useMemo(() => createSeen(), []);
  const buffer = useRef<StaffEvent[] | null>(null);
  const refreshing = useRef(false);
  const again = useRef(false);

  const handleError = useCallback((error: unknown) => {
    if (isSignedOut(error)) {
      live.current.onSignedOut();
      return;
    }
    live.current.showNotice(errorText(error), 'error');
  }, []);

  const printer = usePrinter(handleError);
  const readPrinter = printer.read;

  // refresh reads the board and the configuration over HTTP: at sign-in, when
  // the live connection is (back) online, and when an event names an order
  // the board does not know. Events that arrive meanwhile are applied again
  // on top of the fresh read.
  const refresh = useCallback(async () => {
    if (refreshing.current) {
      again.current = true;
      return;
    }
    refreshing.current = true;
    buffer.current = [];
    try {
      const list = (state: string) => api<{ orders: Order[] }>('GET', `/api/orders?state=${state}`).then((r) => r.orders);
      const [queued, making, ready, cfg, notice] = await Promise.all([
        list('queued'),
        list('making'),
        list('ready'),
        api<Config>('GET', '/api/config'),
        api<unknown>('GET', '/api/broadcast').catch(() => undefined),
      ]);
      const at = monotonicNow();
      let next = boardFromSnapshot({ queued, making, ready }, at);
      for (const event of buffer.current) next = applyEvent(next, event, at, true);
      setBoard(next);
      setConfig(cfg);
      setOpenSwitch((s) => announced(s, cfg.open));
      const b = asBroadcast(notice);
      if (b !== undefined) setBroadcast(b);
      setLoaded(true);
    } catch (error) {
      handleError(error);
    } finally {
      refreshing.current = false;
      buffer.current = null;
      if (again.current) {
        again.current = false;
        void refresh();
      }
    }
  }, [handleError]);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  useEffect(() => {
    void readPrinter();
  }, [readPrinter]);

  // An admin can read the staff list: it names the baristas and says which account is this one.
  useEffect(() => {
    if (!isAdmin) return;
    api<{ accounts: Account[] }>('GET', '/api/staff')
      .then(({ accounts }) => {
        setStaffNames(Object.fromEntries(accounts.map((a) => [a.id, a.username])));
        const self = accounts.find((a) => a.username === session.username);
        if (self) {
          setMe(self.id);
          rememberId(session.username, self.id);
        }
      })
      .catch(() => {});
  }, [isAdmin, session.username]);

  const onEvent = useCallback((event: StaffEvent) => {
    if (!seen.first(event.seq)) return;
    buffer.current?.push(event);
    const at = monotonicNow();
    setBoard((b) => applyEvent(b, event, at));
    const d = event.detail;
    switch (event.type) {
      case 'OrderManager.WaitingCompletion':
        if (live.current.sound) chime();
        break;
      case 'ConfigService.ConfigChanged':
        if (typeof d['storeOpen'] === 'boolean') {
          const open = d['storeOpen'];
          setOpenSwitch((s) => announced(s, open));
        }
        setConfig((c) => (c ? fromConfigEvent(c, d) : c));
        break;
      case 'ConfigService.Broadcast': {
        const b = asBroadcast(d);
        if (b !== undefined) setBroadcast(b && { ...b, at: event.time });
        break;
      }
      case 'ConfigService.BoothDayStarted':
        if (typeof d['boothDay'] === 'number') {
          const day = d['boothDay'];
          setConfig((c) => (c ? { ...c, boothDay: day } : c));
          live.current.showNotice(t('barista.day.started', { day }));
        }
        break;
    }
  }, [seen]);

  const connection = useStaffLive(true, {
    onEvent,
    onShop: (shop) => {
      // A retained state older than what the page has says nothing new.
      const revision = typeof shop['revision'] === 'number' ? shop['revision'] : -1;
      if (configRef.current && revision < configRef.current.revision) return;
      if (typeof shop['open'] === 'boolean') {
        const open = shop['open'];
        setOpenSwitch((s) => announced(s, open));
      }
      setConfig((c) => (c ? fromShopState(c, shop) : c));
    },
    onPrinter: printer.fromTopic,
    onOnline: () => {
      void refresh();
      void readPrinter();
    },
    onSignedOut: () => live.current.onSignedOut(),
  });

  // An event about an order the board has not seen: read the board again.
  useEffect(() => {
    if (board.stale) void refresh();
  }, [board.stale, refresh]);

  // Ready drinks leave the ready column after a minute.
  useEffect(() => {
    setBoard((b) => pruneReady(b, now));
  }, [now]);

  const setCardBusy = (id: string, on: boolean) =>
    setBusy((s) => {
      const next = new Set(s);
      if (on) next.add(id);
      else next.delete(id);
      return next;
    });

  const act = useCallback(
    async (action: Action, card: Card): Promise<boolean> => {
      setCardBusy(card.id, true);
      try {
        const order = await api<Order>('POST', `/api/orders/${encodeURIComponent(card.id)}/${action}`);
        setBoard((b) => applyOrder(b, order, monotonicNow()));
        if (action === 'make' && order.baristaId) {
          setMe(order.baristaId);
          rememberId(session.username, order.baristaId);
        }
        return true;
      } catch (error) {
        if (races.has(errorCode(error))) {
          live.current.showNotice(t('barista.race', { number: card.number, reason: errorText(error) }));
          void refresh();
        } else {
          handleError(error);
        }
        return false;
      } finally {
        setCardBusy(card.id, false);
      }
    },
    [handleError, refresh, session.username],
  );

  // The board and the action as they are now, for timers that fire later.
  const boardRef = useRef(board);
  boardRef.current = board;
  const actRef = useRef(act);
  actRef.current = act;

  // Completing is held here for a few seconds, then sent: the kiosk cannot
  // take a completion back once the customer has been told.
  const holds = useRef<Countdowns | null>(null);
  const makeUndos = useRef<Countdowns | null>(null);
  if (!holds.current) {
    holds.current = createCountdowns(
      undoMs,
      (id) => {
        const card = boardRef.current.cards[id];
        if (card) void actRef.current('complete', card);
      },
      () => rerender((n) => n + 1),
    );
    makeUndos.current = createCountdowns(undoMs, () => {}, () => rerender((n) => n + 1));
  }
  useEffect(() => {
    const h = holds.current;
    const m = makeUndos.current;
    // A tablet put away with a completion held still sends it.
    const flush = () => h?.finishNow();
    addEventListener('pagehide', flush);
    return () => {
      removeEventListener('pagehide', flush);
      h?.finishNow();
      m?.dispose();
    };
  }, []);

  // Browsers play sound only after a tap on the page.
  useEffect(() => {
    const unlock = () => unlockAudio();
    addEventListener('pointerdown', unlock);
    return () => removeEventListener('pointerdown', unlock);
  }, []);

  const make = async (card: Card) => {
    if (await act('make', card)) makeUndos.current?.start(card.id);
  };
  const undoMake = (card: Card) => {
    makeUndos.current?.cancel(card.id);
    void act('unmake', card);
  };
  const complete = (card: Card) => {
    makeUndos.current?.cancel(card.id);
    holds.current?.start(card.id);
  };
  const undoComplete = (card: Card) => {
    holds.current?.cancel(card.id);
  };
  const cancel = async (card: Card) => {
    setAsking(null);
    holds.current?.cancel(card.id);
    makeUndos.current?.cancel(card.id);
    setCardBusy(card.id, true);
    try {
      const order = await api<Order>('POST', `/api/orders/${encodeURIComponent(card.id)}/cancel`);
      setBoard((b) => applyOrder(b, order, monotonicNow()));
      showNotice(t('barista.cancelled', { number: card.number }));
    } catch (error) {
      if (races.has(errorCode(error))) {
        showNotice(t('barista.race', { number: card.number, reason: errorText(error) }));
        void refresh();
      } else handleError(error);
    } finally {
      setCardBusy(card.id, false);
    }
  };

  // A ticket goes to the printer's queue; it prints when the printer can.
  const reprint = async (card: Card) => {
    const key = `reprint:${card.id}`;
    setCardBusy(key, true);
    try {
      await api<{ jobId: number }>('POST', `/api/orders/${encodeURIComponent(card.id)}/reprint`);
      showNotice(t('barista.reprinted', { number: card.number }));
    } catch (error) {
      handleError(error);
    } finally {
      setCardBusy(key, false);
    }
  };

  const reprintButton = (card: Card) =>
    printer.absent ? null : (
      <button
        type="button"
        class="big secondary reprint"
        disabled={busy.has(`reprint:${card.id}`)}
        onClick={() => void reprint(card)}
      >
        {t('barista.action.reprint')}
      </button>
    );

  const toggleShop = async () => {
    const open = !openSwitch.open;
    setOpenSwitch((s) => request(s, open));
    try {
      await api<Config>('PUT', '/api/shop/open', { open });
      // The switch settles on the kiosk's announcement; if that is lost on
      // the way, read the state again.
      setTimeout(() => {
        api<Config>('GET', '/api/config')
          .then((cfg) => {
            setConfig(cfg);
            setOpenSwitch((s) => announced(s, cfg.open));
          })
          .catch(() => {});
      }, switchCheckMs);
    } catch (error) {
      setOpenSwitch(failed);
      handleError(error);
    }
  };

  const startDay = async () => {
    setAsking(null);
    try {
      const { boothDay } = await api<{ boothDay: number }>('POST', '/api/booth-days');
      setConfig((c) => (c ? { ...c, boothDay } : c));
      showNotice(t('barista.day.started', { day: boothDay }));
    } catch (error) {
      handleError(error);
    }
  };

  const setAvailable = async (drinkId: string, available: boolean) => {
    setCardBusy(`drink:${drinkId}`, true);
    try {
      const cfg = await api<Config>('PUT', `/api/menu/${encodeURIComponent(drinkId)}/available`, { available });
      setConfig(cfg);
    } catch (error) {
      handleError(error);
    } finally {
      setCardBusy(`drink:${drinkId}`, false);
    }
  };

  const toggleSound = () => {
    const on = !sound;
    setSound(on);
    setSoundEnabled(on);
    if (on) {
      unlockAudio();
      chime();
    }
  };

  const doSignOut = async () => {
    // Held completions go out first, while the session still lets them.
    const held = holds.current?.list() ?? [];
    for (const p of held) holds.current?.cancel(p.id);
    await Promise.all(
      held.map((p) => {
        const card = boardRef.current.cards[p.id];
        return card ? act('complete', card) : Promise.resolve(false);
      }),
    );
    try {
      await signOut();
    } catch {
      // Signed out here either way; the cookie ends with the session.
    }
    onSignedOut();
  };

  const cols = columns(board, me, now);
  const held = holds.current.list();
  const undoable = makeUndos.current?.list() ?? [];
  const soldOut = config?.menu.filter((d) => !d.available).length ?? 0;

  // Read the clock now, not the once-a-second tick, so a fresh countdown starts at its full time.
  const secondsLeft = (endsAt: number) => Math.max(1, Math.ceil((endsAt - monotonicNow()) / 1000));

  const makingCard = (card: Card, muted: boolean, note?: string) => {
    const pending = held.find((p) => p.id === card.id);
    const isBusy = busy.has(card.id);
    return (
      <OrderCard key={card.id} card={card} now={now} muted={muted} {...(note ? { note } : {})}>
        {pending ? (
          <>
            <p class="order-held" role="status">
              {t('barista.complete.held', { seconds: secondsLeft(pending.endsAt) })}
            </p>
            <button type="button" class="big secondary" onClick={() => undoComplete(card)}>
              {t('barista.undo')}
            </button>
          </>
        ) : (
          <>
            <button type="button" class="big" disabled={isBusy} onClick={() => complete(card)}>
              {t('barista.action.complete')}
            </button>
            <button type="button" class="big secondary" disabled={isBusy} onClick={() => void act('unmake', card)}>
              {t('barista.action.unmake')}
            </button>
            <button
              type="button"
              class="big danger"
              disabled={isBusy}
              onClick={() => setAsking({ kind: 'cancel', card })}
            >
              {t('barista.action.cancel')}
            </button>
            {reprintButton(card)}
          </>
        )}
      </OrderCard>
    );
  };

  return (
    <Shell title={t('app.barista.title')} connection={connection}>
      <div class="barista-bar">
        <p class={`shop-state ${openSwitch.open ? 'is-open' : 'is-closed'}`}>
          {openSwitch.open ? t('barista.shop.isOpen') : t('barista.shop.isClosed')}
          {config && <span class="shop-day">{t('barista.day.current', { day: config.boothDay })}</span>}
        </p>
        <button
          type="button"
          class={openSwitch.open ? 'big secondary' : 'big'}
          disabled={openSwitch.pending !== null || !loaded}
          aria-busy={openSwitch.pending !== null}
          onClick={() => void toggleShop()}
        >
          {openSwitch.pending === true
            ? t('barista.shop.opening')
            : openSwitch.pending === false
              ? t('barista.shop.closing')
              : openSwitch.open
                ? t('barista.shop.close')
                : t('barista.shop.open')}
        </button>
        <button type="button" class="big secondary" aria-pressed={sound} onClick={toggleSound}>
          {sound ? t('barista.sound.on') : t('barista.sound.off')}
        </button>
        <button type="button" class="big secondary" onClick={() => setAsking({ kind: 'newDay' })}>
          {t('barista.day.new')}
        </button>
        {printer.state && !printer.absent && <PrinterBadge state={printer.state} />}
        <span class="barista-user">{t('barista.signedInAs', { name: session.username })}</span>
        <button type="button" class="big secondary" onClick={() => void doSignOut()}>
          {t('staff.signOut')}
        </button>
      </div>

      <div class="barista-notices">
        {printer.state && !printer.absent && <PrinterWarning state={printer.state} />}
        <p class={`notice${notice ? ` notice-${notice.kind}` : ''}`} role="status" aria-live="polite">
          {notice?.text ?? ''}
        </p>
        {undoable.map((p) => {
          const card = board.cards[p.id];
          if (!card || card.state !== 'making') return null;
          return (
            <p class="undo-bar" key={p.id}>
              <span>{t('barista.make.done', { number: card.number, seconds: secondsLeft(p.endsAt) })}</span>
              <button type="button" class="big secondary" onClick={() => undoMake(card)}>
                {t('barista.undo')}
              </button>
            </p>
          );
        })}
      </div>

      <BroadcastForm current={broadcast} onChange={setBroadcast} onError={handleError} />

      {config && (
        <details class="soldout">
          <summary>{t('barista.soldout.title', { count: soldOut })}</summary>
          <p class="soldout-hint">{t('barista.soldout.hint')}</p>
          <ul class="soldout-list">
            {config.menu.map((drink) => (
              <li key={drink.id}>
                <button
                  type="button"
                  class={drink.available ? 'big secondary soldout-toggle' : 'big danger soldout-toggle'}
                  aria-pressed={!drink.available}
                  disabled={busy.has(`drink:${drink.id}`)}
                  onClick={() => void setAvailable(drink.id, !drink.available)}
                >
                  <DrinkIcon name={drink.icon} size={32} />
                  <span>{drink.name}</span>
                  <span class="soldout-state">
                    {drink.available ? t('barista.soldout.available') : t('barista.soldout.soldOut')}
                  </span>
                </button>
              </li>
            ))}
          </ul>
        </details>
      )}

      {!loaded ? (
        <p>{t('staff.loading')}</p>
      ) : (
        <div class="board">
          <section class="column" aria-labelledby="col-new">
            <div class="column-head">
              <h2 id="col-new">
                {t('barista.column.new')} <span class="count">{cols.fresh.length}</span>
              </h2>
              <button type="button" class="secondary" aria-pressed={grouped} onClick={() => setGrouped(!grouped)}>
                {t('barista.batch.toggle')}
              </button>
            </div>
            {grouped ? (
              <ul class="batches">
                {batches(cols.fresh).map((b) => (
                  <li key={b.key} class="batch">
                    <DrinkIcon name={b.icon} size={40} />
                    <div>
                      <p class="batch-title">
                        {t('barista.batch.line', {
                          count: b.count,
                          drink: [b.drink, ...b.options].join(', '),
                        })}
                      </p>
                      <p class="batch-numbers">
                        {t('barista.batch.numbers', { numbers: b.numbers.join(', ') })}
                      </p>
                    </div>
                  </li>
                ))}
              </ul>
            ) : (
              <ul class="cards">
                {cols.fresh.map((card) => (
                  <OrderCard key={card.id} card={card} now={now}>
                    <button type="button" class="big" disabled={busy.has(card.id)} onClick={() => void make(card)}>
                      {t('barista.action.make')}
                    </button>
                    <button
                      type="button"
                      class="big danger"
                      disabled={busy.has(card.id)}
                      onClick={() => setAsking({ kind: 'cancel', card })}
                    >
                      {t('barista.action.cancel')}
                    </button>
                  </OrderCard>
                ))}
              </ul>
            )}
            {cols.fresh.length === 0 && <p class="empty">{t('barista.column.newEmpty')}</p>}
          </section>

          <section class="column" aria-labelledby="col-making">
            <div class="column-head">
              <h2 id="col-making">
                {t('barista.column.making')} <span class="count">{cols.mine.length}</span>
              </h2>
            </div>
            <ul class="cards">{cols.mine.map((card) => makingCard(card, false))}</ul>
            {cols.mine.length === 0 && <p class="empty">{t('barista.column.makingEmpty')}</p>}
            {cols.unknown.length > 0 && (
              <>
                <h3 class="group-head">{t('barista.column.unknown')}</h3>
                <ul class="cards">{cols.unknown.map((card) => makingCard(card, false))}</ul>
              </>
            )}
            {isAdmin && cols.others.length > 0 && (
              <>
                <h3 class="group-head">{t('barista.column.others')}</h3>
                <ul class="cards">
                  {cols.others.map((card) =>
                    makingCard(card, true, t('barista.card.by', { name: staffNames[card.baristaId] ?? t('barista.card.someone') })),
                  )}
                </ul>
              </>
            )}
          </section>

          <section class="column" aria-labelledby="col-ready">
            <div class="column-head">
              <h2 id="col-ready">
                {t('barista.column.ready')} <span class="count">{cols.ready.length}</span>
              </h2>
            </div>
            <ul class="cards">
              {cols.ready.map((card) => (
                <OrderCard key={card.id} card={card} now={now}>
                  <button type="button" class="big" disabled={busy.has(card.id)} onClick={() => void act('collect', card)}>
                    {t('barista.action.collect')}
                  </button>
                  {reprintButton(card)}
                </OrderCard>
              ))}
            </ul>
            {cols.ready.length === 0 && <p class="empty">{t('barista.column.readyEmpty')}</p>}
          </section>
        </div>
      )}

      {asking?.kind === 'cancel' && (
        <Confirm
          title={t('barista.cancel.title', { number: asking.card.number })}
          confirmLabel={t('barista.cancel.yes')}
          danger
          onConfirm={() => void cancel(asking.card)}
          onCancel={() => setAsking(null)}
        >
          <p>
            {t('barista.cancel.body', {
              name: asking.card.name,
              drink: asking.card.drink?.drink ?? '',
            })}
          </p>
        </Confirm>
      )}
      {asking?.kind === 'newDay' && (
        <Confirm
          title={t('barista.day.confirmTitle')}
          confirmLabel={t('barista.day.confirmYes')}
          onConfirm={() => void startDay()}
          onCancel={() => setAsking(null)}
        >
          <p>{t('barista.day.confirmBody')}</p>
        </Confirm>
      )}
    </Shell>
  );
}
