/**
 * The barista board's state, built from the orders the kiosk lists and kept
 * up to date by the events of kiosk/staff/events. Plain functions of plain
 * data: the time is always passed in (milliseconds on the tablet's monotonic
 * clock, which a change of its wall clock does not move), so tests drive it.
 */
import type { DrinkOrder, Order, StaffEvent } from '../../lib/staff/types';

/** Where a card is on the board. */
export type CardState = 'queued' | 'making' | 'ready';

/** One order on the board. */
export interface Card {
  id: string;
  number: number;
  /** The customer's name, shown as text. */
  name: string;
  drink: DrinkOrder | null;
  state: CardState;
  /** The staff account making it; '' unless it is being made. */
  baristaId: string;
  /** When the drink was submitted, on this tablet's clock (its age counts from here). */
  submittedAt: number;
  /** When it became ready, on this tablet's clock; null unless ready. */
  readyAt: number | null;
}

/** The board: every order it knows, by id. */
export interface Board {
  cards: Readonly<Record<string, Card>>;
  /**
   * Set when an event named an order the board does not know in a way that
   * needs its details (it was made or completed): the page should re-read
   * the orders.
   */
  stale: boolean;
}

/** How long a drink stays in the ready column unless it is handed over first. */
export const readyKeepMs = 60_000;

/** An empty board. */
export const emptyBoard: Board = { cards: {}, stale: false };

/** What GET /api/orders gave for each state the board shows. */
export interface Snapshot {
  queued: Order[];
  making: Order[];
  ready: Order[];
}

/** cardFromOrder makes a card of an order as the API gives it, or null if it has no place on the board. */
export function cardFromOrder(order: Order, now: number): Card | null {
  let state: CardState;
  if (order.state === 'queued') state = 'queued';
  else if (order.state === 'making') state = 'making';
  else if (order.state === 'completed' && order.ready) state = 'ready';
  else return null;
  return {
    id: order.id,
    number: order.number ?? 0,
    name: order.customerName,
    drink: order.drink ?? null,
    state,
    baristaId: state === 'making' ? (order.baristaId ?? '') : '',
    submittedAt: now - (order.sinceSubmittedMs ?? 0),
    readyAt: state === 'ready' ? now - (order.sinceCompletedMs ?? 0) : null,
  };
}

/** boardFromSnapshot builds the board from the orders the kiosk listed. */
export function boardFromSnapshot(snapshot: Snapshot, now: number): Board {
  const cards: Record<string, Card> = {};
  for (const order of [...snapshot.queued, ...snapshot.making, ...snapshot.ready]) {
    const card = cardFromOrder(order, now);
    if (card) cards[card.id] = card;
  }
  return { cards, stale: false };
}

/**
 * applyOrder puts an order as an action's answer gave it on the board: the
 * answer is the kiosk's word, newer than any event the board has seen.
 */
export function applyOrder(board: Board, order: Order, now: number): Board {
  const card = cardFromOrder(order, now);
  const cards = { ...board.cards };
  const old = cards[order.id];
  if (!card) {
    delete cards[order.id];
  } else if (old) {
    // Keep the ages the board already counts, so a card does not jump.
    const readyAt = card.state === 'ready' ? (old.readyAt ?? card.readyAt) : null;
    cards[order.id] = { ...card, submittedAt: old.submittedAt, readyAt };
  } else {
    cards[order.id] = card;
  }
  return { ...board, cards };
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const num = (v: unknown): number => (typeof v === 'number' ? v : 0);

function drinkOf(v: unknown): DrinkOrder | null {
  if (typeof v !== 'object' || v === null) return null;
  const d = v as Record<string, unknown>;
  const options = Array.isArray(d['options'])
    ? d['options'].flatMap((o) =>
        typeof o === 'object' && o !== null ? [{ group: str((o as Record<string, unknown>)['group']), choice: str((o as Record<string, unknown>)['choice']) }] : [],
      )
    : [];
  return { drinkId: str(d['drinkId']), drink: str(d['drink']), icon: str(d['icon']), options };
}

function without(board: Board, id: string): Board {
  if (!(id in board.cards)) return board;
  const cards = { ...board.cards };
  delete cards[id];
  return { ...board, cards };
}

function update(board: Board, id: string, change: Partial<Card>): Board {
  const card = board.cards[id];
  if (!card) return board;
  return { ...board, cards: { ...board.cards, [id]: { ...card, ...change } } };
}

/**
 * applyEvent folds one event of the log into the board. It is idempotent and
 * forgiving: an event seen twice changes nothing more, and an event about an
 * order the board has not seen marks it stale (unless replay is set, for
 * events re-applied over a fresh snapshot, which may well be older).
 */
export function applyEvent(board: Board, event: Pick<StaffEvent, 'type' | 'detail'>, now: number, replay = false): Board {
  const d = event.detail;
  const id = str(d['orderId']);
  if (!id) return board;
  const card = board.cards[id];
  const missing = (b: Board): Board => (replay || b.stale ? b : { ...b, stale: true });

  switch (event.type) {
    case 'OrderManager.WaitingCompletion': {
      // A drink was submitted: it joins the queue. Seen again later (the log
      // delivers at least once), it must not pull a made order back.
      if (card) return board;
      const next: Card = {
        id,
        number: num(d['orderNumber']),
        name: str(d['customerName']),
        drink: drinkOf(d['drinkOrder']),
        state: 'queued',
        baristaId: '',
        submittedAt: now,
        readyAt: null,
      };
      return { ...board, cards: { ...board.cards, [id]: next } };
    }
    case 'OrderManager.MakeOrder': {
      if (!card) return missing(board);
      if (card.state === 'ready') return board;
      if (str(d['action']) === 'unmake') return update(board, id, { state: 'queued', baristaId: '' });
      return update(board, id, { state: 'making', baristaId: str(d['baristaUserId']) });
    }
    case 'OrderManager.OrderCompleted': {
      if (!card) return missing(board);
      if (card.state === 'ready') return board;
      return update(board, id, { state: 'ready', baristaId: '', readyAt: now });
    }
    case 'OrderProcessor.orderFinished': {
      const outcome = str(d['outcome']);
      if (outcome === 'completed') {
        if (!card) return missing(board);
        return card.state === 'ready' ? board : update(board, id, { state: 'ready', baristaId: '', readyAt: now });
      }
      return without(board, id);
    }
    case 'OrderManager.OrderCancelled':
    case 'OrderProcessor.OrderTimeOut':
    case 'OrderManager.OrderCollected':
      return without(board, id);
    default:
      return board;
  }
}

/** pruneReady drops ready cards that have been in the ready column for readyKeepMs. */
export function pruneReady(board: Board, now: number, keepMs = readyKeepMs): Board {
  const expired = Object.values(board.cards).filter((c) => c.state === 'ready' && c.readyAt !== null && now - c.readyAt >= keepMs);
  if (expired.length === 0) return board;
  const cards = { ...board.cards };
  for (const c of expired) delete cards[c.id];
  return { ...board, cards };
}

/** Whose an order being made is, from this tablet's point of view. */
export type Owner = 'mine' | 'other' | 'unknown';

/** ownerOf says whose a card being made is; 'unknown' while the page does not know its own account id. */
export function ownerOf(card: Card, me: string | null): Owner {
  if (!me) return 'unknown';
  return card.baristaId === me ? 'mine' : 'other';
}

/** The board's columns. */
export interface Columns {
  /** Every queued order: nobody is making it. */
  fresh: Card[];
  /** Orders this barista is making. */
  mine: Card[];
  /** Orders another barista is making (an admin sees them; a barista does not). */
  others: Card[];
  /** Orders being made while the page does not know its own account id. */
  unknown: Card[];
  /** Ready for pickup, for at most readyKeepMs. */
  ready: Card[];
}

const byNumber = (a: Card, b: Card) => a.number - b.number || a.submittedAt - b.submittedAt;

/** columns sorts the board into its columns, each by order number. */
export function columns(board: Board, me: string | null, now: number, keepMs = readyKeepMs): Columns {
  const out: Columns = { fresh: [], mine: [], others: [], unknown: [], ready: [] };
  for (const card of Object.values(board.cards)) {
    if (card.state === 'queued') out.fresh.push(card);
    else if (card.state === 'making') {
      const owner = ownerOf(card, me);
      (owner === 'mine' ? out.mine : owner === 'other' ? out.others : out.unknown).push(card);
    } else if (card.readyAt === null || now - card.readyAt < keepMs) out.ready.push(card);
  }
  out.fresh.sort(byNumber);
  out.mine.sort(byNumber);
  out.others.sort(byNumber);
  out.unknown.sort(byNumber);
  out.ready.sort(byNumber);
  return out;
}

/** visibleOptions lists a drink's chosen options worth reading: "None" says nothing. */
export function visibleOptions(drink: DrinkOrder | null): string[] {
  if (!drink) return [];
  return drink.options.map((o) => o.choice).filter((c) => c !== '' && c.trim().toLowerCase() !== 'none');
}
