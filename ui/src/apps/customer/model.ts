// The customer app's logic, free of Preact and the network so it can be
// tested on its own: what the kiosk sends (orders, events, the menu), what
// the phone shows for it, and what to do after a refusal.

import type { MessageKey } from '../../lib/i18n';

/** An order's state on the kiosk (docs/order-core.md). */
export type OrderState = 'waiting' | 'queued' | 'making' | 'completed' | 'cancelled';

/** One option the customer chose, e.g. Milk: Oat. */
export interface Choice {
  group: string;
  choice: string;
}

/** The drink on an order. */
export interface DrinkOrder {
  drinkId: string;
  drink: string;
  icon: string;
  options: Choice[];
}

/** An order as its customer sees it (GET /api/orders/mine, the retained …/order topic). */
export interface Order {
  id: string;
  customerName: string;
  boothDay: number;
  number?: number;
  state: OrderState;
  ready: boolean;
  drink?: DrinkOrder;
  endReason?: string;
  createdAt: string;
  submittedAt?: string;
  completedAt?: string;
  endedAt?: string;
  collectedAt?: string;
  /** Time left to choose (waiting) as of the answer; absent when none. */
  timeLeftMs?: number;
  /** Place in the queue, 1 is next; 0 or absent when not queued. */
  position?: number;
  /** The kiosk's guess of the time until ready (HTTP answers only); absent while it has too little to go on. */
  estimatedWaitSeconds?: number;
}

/** One option group of a drink: the customer picks exactly one choice. */
export interface OptionGroup {
  name: string;
  choices: string[];
}

/** One drink on the menu. */
export interface MenuItem {
  id: string;
  name: string;
  icon: string;
  available: boolean;
  options: OptionGroup[];
}

/** The shop as a customer sees it: GET /api/shop, or the retained kiosk/public/shop topic. */
export interface Shop {
  open: boolean;
  menu: MenuItem[];
  boothDay: number;
  revision: number;
  customerTimeoutSeconds?: number;
}

/** An event of the customer's own order, as published on …/events. */
export interface CustomerEvent {
  type: string;
  seq: number;
  orderId: string;
  orderNumber?: number;
  state: OrderState;
  action?: string;
  cancelledBy?: string;
  cause?: string;
  outcome?: string;
  by?: string;
}

/** One entry of the public queue (kiosk/public/queue). */
export interface QueueEntry {
  number: number;
  name: string;
  drink: string;
  icon: string;
  state: 'queued' | 'making' | 'ready';
  sinceSubmittedMs: number;
  sinceCompletedMs?: number;
}

const states: readonly string[] = ['waiting', 'queued', 'making', 'completed', 'cancelled'];

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** asOrder checks that a message is an order, or returns null. */
export function asOrder(v: unknown): Order | null {
  if (!isRecord(v)) return null;
  if (typeof v['id'] !== 'string' || typeof v['state'] !== 'string' || !states.includes(v['state'])) return null;
  return v as unknown as Order;
}

/** asEvent checks that a message is a customer event, or returns null. */
export function asEvent(v: unknown): CustomerEvent | null {
  if (!isRecord(v)) return null;
  if (typeof v['type'] !== 'string' || typeof v['orderId'] !== 'string') return null;
  if (typeof v['state'] !== 'string' || !states.includes(v['state'])) return null;
  return v as unknown as CustomerEvent;
}

/** asShop reads the shop from GET /api/shop or the shop topic (which nests the settings). */
export function asShop(v: unknown): Shop | null {
  if (!isRecord(v) || typeof v['open'] !== 'boolean' || !Array.isArray(v['menu'])) return null;
  const settings = isRecord(v['settings']) ? v['settings'] : {};
  const timeout = v['customerTimeoutSeconds'] ?? settings['customerTimeoutSeconds'];
  return {
    open: v['open'],
    menu: v['menu'] as MenuItem[],
    boothDay: typeof v['boothDay'] === 'number' ? v['boothDay'] : 0,
    revision: typeof v['revision'] === 'number' ? v['revision'] : 0,
    ...(typeof timeout === 'number' ? { customerTimeoutSeconds: timeout } : {}),
  };
}

/** asQueue reads the public queue, or returns null. */
export function asQueue(v: unknown): QueueEntry[] | null {
  if (!isRecord(v)) return null;
  const list = v['orders'] ?? v['queue'];
  return Array.isArray(list) ? (list as QueueEntry[]) : null;
}

/** What the phone shows for an order. */
export type Phase =
  | 'choosing'
  | 'queued'
  | 'making'
  | 'ready'
  | 'collected'
  | 'cancelledByCustomer'
  | 'cancelledByStaff'
  | 'customerTimeout'
  | 'baristaTimeout';

/** phaseOf says what the phone shows for an order. */
export function phaseOf(o: Order): Phase {
  switch (o.state) {
    case 'waiting':
      return 'choosing';
    case 'queued':
      return 'queued';
    case 'making':
      return 'making';
    case 'completed':
      return o.ready ? 'ready' : 'collected';
    case 'cancelled':
      switch (o.endReason) {
        case 'cancelled_by_customer':
          return 'cancelledByCustomer';
        case 'customer_timeout':
          return 'customerTimeout';
        case 'barista_timeout':
          return 'baristaTimeout';
        default:
          return 'cancelledByStaff';
      }
  }
}

/** isOpen reports whether an order is still in progress (choosing, queued or being made). */
export function isOpen(o: Order): boolean {
  return o.state === 'waiting' || o.state === 'queued' || o.state === 'making';
}

/** isFinished reports whether an order has ended (ready, collected, cancelled or timed out). */
export function isFinished(o: Order): boolean {
  return !isOpen(o);
}

/**
 * currentOrder picks the order the phone should show on load from the
 * customer's orders (newest first): the newest one still in progress or
 * waiting for collection, or null.
 */
export function currentOrder(orders: readonly Order[]): Order | null {
  return orders.find((o) => isOpen(o) || (o.state === 'completed' && o.ready)) ?? null;
}

/**
 * merge combines what the phone knows about an order with newer news of it.
 * Messages and HTTP answers can cross, so an order that has ended never goes
 * back to being in progress, and a collected drink never becomes ready again.
 */
export function merge(known: Order | null, incoming: Order): Order {
  if (!known || known.id !== incoming.id) return incoming;
  if (isFinished(known) && isOpen(incoming)) return known;
  if (known.state === 'completed' && !known.ready && incoming.state === 'completed' && incoming.ready) return known;
  if (known.state === 'cancelled' && incoming.state === 'completed') return known;
  if (known.state === 'completed' && incoming.state === 'cancelled') return known;
  return incoming;
}

/**
 * applyEvent folds one of the customer's events into the order it is about;
 * events of other orders leave it as it is. The retained snapshot follows
 * each event with the whole order; the event alone is enough to show the
 * right screen.
 */
export function applyEvent(o: Order, e: CustomerEvent): Order {
  if (e.orderId !== o.id) return o;
  const next: Order = { ...o, state: e.state };
  if (e.orderNumber) next.number = e.orderNumber;
  if (e.state !== 'queued') next.position = 0;
  switch (e.type) {
    case 'OrderManager.OrderCompleted':
      next.ready = true;
      next.endReason = 'completed';
      break;
    case 'OrderManager.OrderCollected':
      next.ready = false;
      break;
    case 'OrderManager.OrderCancelled':
      next.ready = false;
      next.endReason = e.cancelledBy === 'customer' ? 'cancelled_by_customer' : 'cancelled_by_staff';
      break;
    case 'OrderProcessor.OrderTimeOut':
      next.ready = false;
      next.endReason = e.cause === 'customer' ? 'customer_timeout' : 'barista_timeout';
      break;
  }
  return merge(o, next);
}

/**
 * positionInQueue is the order's place among the queued orders of the public
 * queue (1 is next), so the phone can count down as other drinks are made;
 * null when the order is not queued there.
 */
export function positionInQueue(queue: readonly QueueEntry[], number: number | undefined): number | null {
  if (!number) return null;
  const mine = queue.find((e) => e.number === number);
  if (!mine || mine.state !== 'queued') return null;
  return queue.filter((e) => e.state === 'queued' && e.number < number).length + 1;
}

/**
 * becameReady reports a change from any other phase to ready, which is when
 * the phone chimes and vibrates (once, and not for a drink that was already
 * ready when the page opened).
 */
export function becameReady(before: Phase | null, after: Phase | null): boolean {
  return before !== null && before !== 'ready' && after === 'ready';
}

/** What the customer can do after a refusal. */
export type NextStep = 'rescan' | 'retry' | 'history' | 'resume';

/** A refused scan as the phone explains it. */
export interface Refusal {
  code: string;
  title: MessageKey;
  body: MessageKey;
  next: NextStep;
}

const refusals: Record<string, Omit<Refusal, 'code'>> = {
  qr_expired: { title: 'customer.refused.qrExpired.title', body: 'customer.refused.qrExpired.body', next: 'rescan' },
  qr_used_up: { title: 'customer.refused.qrUsedUp.title', body: 'customer.refused.qrUsedUp.body', next: 'rescan' },
  qr_invalid: { title: 'customer.refused.qrInvalid.title', body: 'customer.refused.qrInvalid.body', next: 'rescan' },
  shop_closed: { title: 'customer.refused.shopClosed.title', body: 'customer.refused.shopClosed.body', next: 'retry' },
  queue_full: { title: 'customer.refused.queueFull.title', body: 'customer.refused.queueFull.body', next: 'retry' },
  daily_limit: { title: 'customer.refused.dailyLimit.title', body: 'customer.refused.dailyLimit.body', next: 'history' },
  open_order_exists: {
    title: 'customer.refused.openOrder.title',
    body: 'customer.refused.openOrder.body',
    next: 'resume',
  },
  network: { title: 'customer.refused.network.title', body: 'customer.refused.network.body', next: 'retry' },
};

/**
 * refusalFor maps an error code from POST /api/orders to what the phone
 * says and offers next. Codes it does not know get a general screen with a
 * retry; name_invalid is not a refusal (the form shows it) and gives null.
 */
export function refusalFor(code: string): Refusal | null {
  if (code === 'name_invalid') return null;
  const known = refusals[code];
  if (known) return { code, ...known };
  return { code, title: 'customer.refused.other.title', body: 'customer.refused.other.body', next: 'retry' };
}

/** defaultChoices picks the first choice of every option group: what the kiosk assumes too. */
export function defaultChoices(item: MenuItem): Record<string, string> {
  const out: Record<string, string> = {};
  for (const g of item.options) {
    const first = g.choices[0];
    if (first !== undefined) out[g.name] = first;
  }
  return out;
}

/** drinkRequest is the body of PUT /api/orders/{id}/drink: one choice per group, in menu order. */
export function drinkRequest(
  item: MenuItem,
  choices: Readonly<Record<string, string>>,
): { drinkId: string; options: Choice[] } {
  const options: Choice[] = [];
  for (const g of item.options) {
    const c = choices[g.name];
    if (c !== undefined && g.choices.includes(c)) options.push({ group: g.name, choice: c });
  }
  return { drinkId: item.id, options };
}

/** describeChoices writes the options as "Milk: Oat, Syrup: None". */
export function describeChoices(options: readonly Choice[]): string {
  return options.map((o) => `${o.group}: ${o.choice}`).join(', ');
}

/** todaysOrders are the customer's orders of the current booth day, newest first. */
export function todaysOrders(orders: readonly Order[], boothDay: number | null): Order[] {
  if (boothDay === null || boothDay === 0) return [...orders];
  return orders.filter((o) => o.boothDay === boothDay);
}

/**
 * SeenEvents remembers the sequence numbers of recent events, since the
 * kiosk delivers each at least once.
 */
export class SeenEvents {
  private readonly seen = new Set<number>();
  constructor(private readonly limit = 200) {}

  /** first reports whether this is the first time the event arrives, and remembers it. */
  first(seq: number): boolean {
    if (this.seen.has(seq)) return false;
    this.seen.add(seq);
    if (this.seen.size > this.limit) {
      const oldest = this.seen.values().next().value;
      if (oldest !== undefined) this.seen.delete(oldest);
    }
    return true;
  }
}

/** cleanName trims a typed first name; the kiosk checks it again. */
export function cleanName(name: string): string {
  return name.replace(/\s+/g, ' ').trim();
}

/** The longest first name the kiosk accepts. */
export const maxNameLength = 30;

/** The kiosk's latest guess of how long an order still waits, as of an HTTP answer. */
export interface Estimate {
  orderId: string;
  seconds: number;
}

/**
 * estimateOf takes the estimated wait from an HTTP answer about an order.
 * An answer without one means the kiosk has nothing to go on (or the order
 * is no longer waiting): null.
 */
export function estimateOf(o: Order): Estimate | null {
  const s = o.estimatedWaitSeconds;
  return typeof s === 'number' && s > 0 ? { orderId: o.id, seconds: s } : null;
}

/**
 * estimateMinutes is what the status screen says for an estimate: whole
 * minutes, at least 1; null when there is no estimate for this order or it
 * is not in the queue or being made.
 */
export function estimateMinutes(o: Order, e: Estimate | null): number | null {
  if (!e || e.orderId !== o.id || (o.state !== 'queued' && o.state !== 'making')) return null;
  return Math.max(1, Math.round(e.seconds / 60));
}
