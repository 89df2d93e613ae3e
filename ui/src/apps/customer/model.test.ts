import { describe, expect, it } from 'vitest';
import {
  applyEvent,
  asEvent,
  asOrder,
  asQueue,
  asShop,
  becameReady,
  cleanName,
  currentOrder,
  defaultChoices,
  describeChoices,
  drinkRequest,
  estimateMinutes,
  estimateOf,
  merge,
  phaseOf,
  positionInQueue,
  refusalFor,
  SeenEvents,
  todaysOrders,
  type CustomerEvent,
  type MenuItem,
  type Order,
  type QueueEntry,
} from './model';

const base: Order = {
  id: 'o1',
  customerName: 'Zoë',
  boothDay: 1,
  state: 'waiting',
  ready: false,
  createdAt: '2026-06-03T09:00:00Z',
  timeLeftMs: 900_000,
};

const latte: MenuItem = {
  id: 'latte',
  name: 'Caffè Latte',
  icon: 'latte',
  available: true,
  options: [
    { name: 'Milk', choices: ['Regular', 'Oat'] },
    { name: 'Syrup', choices: ['None', 'Vanilla', 'Caramel'] },
  ],
};

function event(type: string, state: CustomerEvent['state'], extra: Partial<CustomerEvent> = {}): CustomerEvent {
  return { type, seq: 1, orderId: 'o1', state, ...extra };
}

describe('phaseOf', () => {
  it.each<[Partial<Order>, string]>([
    [{ state: 'waiting' }, 'choosing'],
    [{ state: 'queued' }, 'queued'],
    [{ state: 'making' }, 'making'],
    [{ state: 'completed', ready: true }, 'ready'],
    [{ state: 'completed', ready: false }, 'collected'],
    [{ state: 'cancelled', endReason: 'cancelled_by_customer' }, 'cancelledByCustomer'],
    [{ state: 'cancelled', endReason: 'cancelled_by_staff' }, 'cancelledByStaff'],
    [{ state: 'cancelled', endReason: 'customer_timeout' }, 'customerTimeout'],
    [{ state: 'cancelled', endReason: 'barista_timeout' }, 'baristaTimeout'],
    [{ state: 'cancelled' }, 'cancelledByStaff'],
  ])('%o is %s', (patch, want) => {
    expect(phaseOf({ ...base, ...patch })).toBe(want);
  });
});

describe('state from events', () => {
  it('follows an order from the queue to ready', () => {
    let o: Order = { ...base };
    o = applyEvent(o, event('OrderProcessor.WaitingCompletion', 'queued', { orderNumber: 7 }));
    expect(o).toMatchObject({ state: 'queued', number: 7 });
    expect(phaseOf(o)).toBe('queued');
    o = applyEvent(o, event('OrderManager.MakeOrder', 'making', { orderNumber: 7, action: 'make' }));
    expect(phaseOf(o)).toBe('making');
    expect(o.position).toBe(0);
    o = applyEvent(o, event('OrderManager.MakeOrder', 'queued', { orderNumber: 7, action: 'unmake' }));
    expect(phaseOf(o)).toBe('queued');
    o = applyEvent(o, event('OrderManager.MakeOrder', 'making', { action: 'make' }));
    o = applyEvent(o, event('OrderManager.OrderCompleted', 'completed'));
    expect(phaseOf(o)).toBe('ready');
    expect(o.number).toBe(7);
    o = applyEvent(o, event('OrderProcessor.orderFinished', 'completed', { outcome: 'completed' }));
    expect(phaseOf(o)).toBe('ready');
    o = applyEvent(o, event('OrderManager.OrderCollected', 'completed', { by: 'expired' }));
    expect(phaseOf(o)).toBe('collected');
  });

  it('tells each way an order can end apart', () => {
    const queued: Order = { ...base, state: 'queued', number: 3 };
    expect(phaseOf(applyEvent(base, event('OrderProcessor.OrderTimeOut', 'cancelled', { cause: 'customer' })))).toBe(
      'customerTimeout',
    );
    expect(phaseOf(applyEvent(queued, event('OrderProcessor.OrderTimeOut', 'cancelled', { cause: 'barista' })))).toBe(
      'baristaTimeout',
    );
    expect(
      phaseOf(applyEvent(queued, event('OrderManager.OrderCancelled', 'cancelled', { cancelledBy: 'customer' }))),
    ).toBe('cancelledByCustomer');
    expect(phaseOf(applyEvent(queued, event('OrderManager.OrderCancelled', 'cancelled', { cancelledBy: 'staff' })))).toBe(
      'cancelledByStaff',
    );
  });

  it('ignores events of other orders', () => {
    const o = applyEvent(base, { ...event('OrderManager.OrderCompleted', 'completed'), orderId: 'other' });
    expect(o).toBe(base);
  });

  it('never brings an ended order back, whatever arrives late', () => {
    const done: Order = { ...base, state: 'cancelled', endReason: 'customer_timeout' };
    expect(merge(done, { ...base, state: 'waiting' })).toBe(done);
    const collected: Order = { ...base, state: 'completed', ready: false };
    expect(merge(collected, { ...base, state: 'completed', ready: true })).toBe(collected);
    expect(merge(collected, { ...base, state: 'cancelled' })).toBe(collected);
    const making: Order = { ...base, state: 'making' };
    const back: Order = { ...base, state: 'queued' };
    expect(merge(making, back)).toBe(back); // unmake is a real change
    expect(merge(null, back)).toBe(back);
  });

  it('counts each event once', () => {
    const seen = new SeenEvents(3);
    expect(seen.first(5)).toBe(true);
    expect(seen.first(5)).toBe(false);
    seen.first(6);
    seen.first(7);
    seen.first(8); // forgets 5
    expect(seen.first(8)).toBe(false);
    expect(seen.first(5)).toBe(true);
  });
});

describe('position and ready', () => {
  const queue: QueueEntry[] = [
    { number: 1, name: 'A', drink: 'Tea', icon: 'tea', state: 'making', sinceSubmittedMs: 0 },
    { number: 2, name: 'B', drink: 'Tea', icon: 'tea', state: 'queued', sinceSubmittedMs: 0 },
    { number: 4, name: 'C', drink: 'Tea', icon: 'tea', state: 'queued', sinceSubmittedMs: 0 },
    { number: 5, name: 'D', drink: 'Tea', icon: 'tea', state: 'ready', sinceSubmittedMs: 0, sinceCompletedMs: 1 },
  ];

  it('counts the queued orders ahead in the public queue', () => {
    expect(positionInQueue(queue, 2)).toBe(1);
    expect(positionInQueue(queue, 4)).toBe(2);
    expect(positionInQueue(queue, 1)).toBeNull(); // being made
    expect(positionInQueue(queue, 5)).toBeNull(); // ready
    expect(positionInQueue(queue, 9)).toBeNull();
    expect(positionInQueue(queue, undefined)).toBeNull();
  });

  it('moves up as the orders ahead are made', () => {
    const later = queue.map((e) => (e.number === 2 ? { ...e, state: 'making' as const } : e));
    expect(positionInQueue(later, 4)).toBe(1);
  });

  it('chimes only on the change to ready', () => {
    expect(becameReady('queued', 'ready')).toBe(true);
    expect(becameReady('making', 'ready')).toBe(true);
    expect(becameReady('ready', 'ready')).toBe(false);
    expect(becameReady(null, 'ready')).toBe(false); // already ready when the page opened
    expect(becameReady('making', 'collected')).toBe(false);
  });
});

describe('refusalFor', () => {
  it.each([
    ['qr_expired', 'rescan'],
    ['qr_used_up', 'rescan'],
    ['qr_invalid', 'rescan'],
    ['shop_closed', 'retry'],
    ['queue_full', 'retry'],
    ['daily_limit', 'history'],
    ['open_order_exists', 'resume'],
    ['network', 'retry'],
    ['http_502', 'retry'],
  ])('%s: next step %s', (code, next) => {
    const r = refusalFor(code);
    expect(r?.next).toBe(next);
    expect(r?.code).toBe(code);
  });

  it('gives each refusal its own words', () => {
    const codes = ['qr_expired', 'qr_used_up', 'qr_invalid', 'shop_closed', 'queue_full', 'daily_limit', 'open_order_exists'];
    const titles = new Set(codes.map((c) => refusalFor(c)?.title));
    expect(titles.size).toBe(codes.length);
  });

  it('leaves a bad name to the form', () => {
    expect(refusalFor('name_invalid')).toBeNull();
  });
});

describe('choosing', () => {
  it('starts every group at its first choice, None included', () => {
    expect(defaultChoices(latte)).toEqual({ Milk: 'Regular', Syrup: 'None' });
  });

  it('sends one choice per group in menu order, and nothing unknown', () => {
    expect(drinkRequest(latte, { Syrup: 'Vanilla', Milk: 'Oat', Size: 'Large' })).toEqual({
      drinkId: 'latte',
      options: [
        { group: 'Milk', choice: 'Oat' },
        { group: 'Syrup', choice: 'Vanilla' },
      ],
    });
    expect(drinkRequest(latte, { Milk: 'Cream' }).options).toEqual([]);
  });

  it('describes the options', () => {
    expect(describeChoices([{ group: 'Milk', choice: 'Oat' }, { group: 'Syrup', choice: 'None' }])).toBe(
      'Milk: Oat, Syrup: None',
    );
  });

  it('cleans a typed name', () => {
    expect(cleanName('  Zoë   Anne ')).toBe('Zoë Anne');
  });
});

describe('the current order and today', () => {
  it('resumes the newest order in progress or ready', () => {
    const old: Order = { ...base, id: 'old', state: 'cancelled' };
    const queued: Order = { ...base, id: 'q', state: 'queued' };
    const ready: Order = { ...base, id: 'r', state: 'completed', ready: true };
    const collected: Order = { ...base, id: 'c', state: 'completed', ready: false };
    expect(currentOrder([queued, old])?.id).toBe('q');
    expect(currentOrder([ready, old])?.id).toBe('r');
    expect(currentOrder([collected, old])).toBeNull();
    expect(currentOrder([])).toBeNull();
  });

  it('keeps only the orders of the current booth day', () => {
    const orders = [
      { ...base, id: 'a', boothDay: 2 },
      { ...base, id: 'b', boothDay: 1 },
    ];
    expect(todaysOrders(orders, 2).map((o) => o.id)).toEqual(['a']);
    expect(todaysOrders(orders, null)).toHaveLength(2);
  });
});

describe('reading messages', () => {
  it('reads an order snapshot and rejects others', () => {
    expect(asOrder({ ...base, position: 2 })?.id).toBe('o1');
    expect(asOrder({ orders: [] })).toBeNull();
    expect(asOrder({ id: 'x', state: 'lost' })).toBeNull();
  });

  it('reads a customer event', () => {
    expect(asEvent({ type: 'OrderManager.MakeOrder', seq: 3, orderId: 'o1', state: 'making' })?.seq).toBe(3);
    expect(asEvent({ type: 'x', orderId: 'o1' })).toBeNull();
  });

  it('reads the shop from the API and from the topic', () => {
    expect(asShop({ open: true, menu: [], boothDay: 2, revision: 4, customerTimeoutSeconds: 900 })).toEqual({
      open: true,
      menu: [],
      boothDay: 2,
      revision: 4,
      customerTimeoutSeconds: 900,
    });
    expect(asShop({ open: false, menu: [], settings: { customerTimeoutSeconds: 30 } })?.customerTimeoutSeconds).toBe(30);
    expect(asShop({ menu: [] })).toBeNull();
  });

  it('reads the queue from the topic and from the API', () => {
    expect(asQueue({ orders: [] })).toEqual([]);
    expect(asQueue({ queue: [] })).toEqual([]);
    expect(asQueue({})).toBeNull();
  });
});

describe('estimated wait', () => {
  const queued = { id: 'o1', customerName: 'Zoë', boothDay: 1, state: 'queued', ready: false, createdAt: '' } as const;
  it('takes the estimate from an HTTP answer, or none', () => {
    expect(estimateOf({ ...queued, estimatedWaitSeconds: 200 })).toEqual({ orderId: 'o1', seconds: 200 });
    expect(estimateOf({ ...queued })).toBeNull();
    expect(estimateOf({ ...queued, estimatedWaitSeconds: 0 })).toBeNull();
  });
  it('says whole minutes, at least one', () => {
    expect(estimateMinutes({ ...queued }, { orderId: 'o1', seconds: 200 })).toBe(3);
    expect(estimateMinutes({ ...queued }, { orderId: 'o1', seconds: 20 })).toBe(1);
    expect(estimateMinutes({ ...queued, state: 'making' }, { orderId: 'o1', seconds: 95 })).toBe(2);
  });
  it('says nothing without an estimate, for another order, or once the drink is ready', () => {
    expect(estimateMinutes({ ...queued }, null)).toBeNull();
    expect(estimateMinutes({ ...queued }, { orderId: 'o2', seconds: 200 })).toBeNull();
    expect(estimateMinutes({ ...queued, state: 'completed', ready: true }, { orderId: 'o1', seconds: 200 })).toBeNull();
  });
});
