import { describe, expect, it } from 'vitest';
import type { Order } from '../../lib/staff/types';
import {
  applyEvent,
  applyOrder,
  boardFromSnapshot,
  columns,
  emptyBoard,
  pruneReady,
  readyKeepMs,
  visibleOptions,
  type Board,
} from './board';

const latte = {
  drinkId: 'latte',
  drink: 'Caffè Latte',
  icon: 'latte',
  options: [
    { group: 'Milk', choice: 'Oat' },
    { group: 'Syrup', choice: 'None' },
  ],
};

function order(over: Partial<Order> & { id: string }): Order {
  return {
    customerName: 'Zoë',
    boothDay: 1,
    number: 1,
    state: 'queued',
    ready: false,
    drink: latte,
    createdAt: '2026-06-03T09:00:00Z',
    ...over,
  };
}

const submitted = (id: string, number: number, name = 'Kim') => ({
  type: 'OrderManager.WaitingCompletion',
  detail: { orderId: id, userId: 'c1', orderNumber: number, boothDay: 1, customerName: name, drinkOrder: latte },
});
const made = (id: string, barista: string) => ({
  type: 'OrderManager.MakeOrder',
  detail: { orderId: id, orderNumber: 1, action: 'make', baristaUserId: barista },
});
const unmade = (id: string) => ({
  type: 'OrderManager.MakeOrder',
  detail: { orderId: id, orderNumber: 1, action: 'unmake', baristaUserId: '' },
});
const completed = (id: string) => ({ type: 'OrderManager.OrderCompleted', detail: { orderId: id, baristaUserId: 'b1' } });
const ev = (type: string, id: string, extra: Record<string, unknown> = {}) => ({ type, detail: { orderId: id, ...extra } });

function fold(events: { type: string; detail: Record<string, unknown> }[], at = 0, start: Board = emptyBoard): Board {
  return events.reduce((b, e) => applyEvent(b, e, at), start);
}

describe('the board from a snapshot', () => {
  it('places queued, making and ready orders, with ages counted back from the kiosk’s', () => {
    const b = boardFromSnapshot(
      {
        queued: [order({ id: 'q', number: 3, sinceSubmittedMs: 30_000 })],
        making: [order({ id: 'm', number: 2, state: 'making', baristaId: 'b1' })],
        ready: [order({ id: 'r', number: 1, state: 'completed', ready: true, sinceCompletedMs: 20_000 })],
      },
      100_000,
    );
    expect(b.cards['q']).toMatchObject({ state: 'queued', submittedAt: 70_000, number: 3, name: 'Zoë' });
    expect(b.cards['m']).toMatchObject({ state: 'making', baristaId: 'b1' });
    expect(b.cards['r']).toMatchObject({ state: 'ready', readyAt: 80_000 });
  });

  it('leaves out collected and cancelled orders', () => {
    const b = boardFromSnapshot(
      { queued: [], making: [], ready: [order({ id: 'x', state: 'completed', ready: false }), order({ id: 'y', state: 'cancelled' })] },
      0,
    );
    expect(b.cards).toEqual({});
  });
});

describe('the board from events', () => {
  it('follows an order from new to making to ready to handed over', () => {
    let b = fold([submitted('a', 7, 'Alex')], 1000);
    expect(b.cards['a']).toMatchObject({ state: 'queued', number: 7, name: 'Alex', submittedAt: 1000 });
    expect(b.cards['a']?.drink?.drink).toBe('Caffè Latte');
    b = applyEvent(b, made('a', 'b1'), 2000);
    expect(b.cards['a']).toMatchObject({ state: 'making', baristaId: 'b1' });
    b = applyEvent(b, completed('a'), 3000);
    expect(b.cards['a']).toMatchObject({ state: 'ready', readyAt: 3000, baristaId: '' });
    b = applyEvent(b, ev('OrderProcessor.orderFinished', 'a', { outcome: 'completed' }), 3001);
    expect(b.cards['a']?.readyAt).toBe(3000);
    b = applyEvent(b, ev('OrderManager.OrderCollected', 'a', { by: 'staff' }), 4000);
    expect(b.cards['a']).toBeUndefined();
    expect(b.stale).toBe(false);
  });

  it('puts an unmade order back in the queue', () => {
    const b = fold([submitted('a', 1), made('a', 'b1'), unmade('a')]);
    expect(b.cards['a']).toMatchObject({ state: 'queued', baristaId: '' });
  });

  it.each([
    ['a cancel', ev('OrderManager.OrderCancelled', 'a', { cancelledBy: 'customer' })],
    ['a barista timeout', ev('OrderProcessor.OrderTimeOut', 'a', { cause: 'barista' })],
    ['a finish without completion', ev('OrderProcessor.orderFinished', 'a', { outcome: 'timed_out' })],
  ])('drops an order on %s', (_, e) => {
    const b = fold([submitted('a', 1), made('a', 'b1'), e]);
    expect(b.cards['a']).toBeUndefined();
  });

  it('ignores a repeat of an event (the log delivers at least once)', () => {
    const once = fold([submitted('a', 1), made('a', 'b1')]);
    const twice = fold([submitted('a', 1), made('a', 'b1'), submitted('a', 1), made('a', 'b1')]);
    expect(twice).toEqual(once);
    const done = fold([submitted('a', 1), made('a', 'b1'), completed('a')], 5);
    expect(applyEvent(done, made('a', 'b1'), 9)).toEqual(done);
    expect(applyEvent(done, completed('a'), 9)).toEqual(done);
  });

  it('asks for a fresh read when an event names an order it has not seen made', () => {
    expect(applyEvent(emptyBoard, made('zz', 'b1'), 0).stale).toBe(true);
    expect(applyEvent(emptyBoard, completed('zz'), 0).stale).toBe(true);
    // ... but not while replaying over a fresh read, nor for an order that is gone anyway.
    expect(applyEvent(emptyBoard, made('zz', 'b1'), 0, true).stale).toBe(false);
    expect(applyEvent(emptyBoard, ev('OrderManager.OrderCancelled', 'zz'), 0).stale).toBe(false);
  });

  it('ignores events of no order and events it does not use', () => {
    expect(applyEvent(emptyBoard, { type: 'ConfigService.ConfigChanged', detail: { storeOpen: true } }, 0)).toBe(emptyBoard);
    expect(applyEvent(emptyBoard, ev('Validator.NewOrder', 'a'), 0)).toBe(emptyBoard);
  });

  it('takes an action’s answer as the kiosk’s word, keeping the age it counts', () => {
    let b = fold([submitted('a', 4)], 1000);
    b = applyOrder(b, order({ id: 'a', number: 4, state: 'making', baristaId: 'me', sinceSubmittedMs: 0 }), 5000);
    expect(b.cards['a']).toMatchObject({ state: 'making', baristaId: 'me', submittedAt: 1000 });
    b = applyOrder(b, order({ id: 'a', number: 4, state: 'completed', ready: true }), 6000);
    expect(b.cards['a']).toMatchObject({ state: 'ready', readyAt: 6000 });
    b = applyOrder(b, order({ id: 'a', number: 4, state: 'completed', ready: false, collectedAt: 'x' }), 7000);
    expect(b.cards['a']).toBeUndefined();
  });
});

describe('the columns', () => {
  const board = fold([
    submitted('n3', 3),
    submitted('n1', 1),
    submitted('m5', 5),
    submitted('m2', 2),
    submitted('o4', 4),
    made('m5', 'me'),
    made('m2', 'me'),
    made('o4', 'other'),
  ]);

  it('puts every queued order in New and my orders in Making, each by number', () => {
    const c = columns(board, 'me', 0);
    expect(c.fresh.map((x) => x.number)).toEqual([1, 3]);
    expect(c.mine.map((x) => x.number)).toEqual([2, 5]);
    expect(c.others.map((x) => x.number)).toEqual([4]);
    expect(c.unknown).toEqual([]);
  });

  it('never shows an order another barista makes in New', () => {
    const c = columns(board, 'me', 0);
    expect(c.fresh.some((x) => x.id === 'o4')).toBe(false);
  });

  it('cannot tell mine from others’ until it knows its account', () => {
    const c = columns(board, null, 0);
    expect(c.mine).toEqual([]);
    expect(c.unknown.map((x) => x.number)).toEqual([2, 4, 5]);
  });

  it('keeps ready drinks for a minute on an injected clock, then clears them', () => {
    let b = fold([submitted('r', 9), made('r', 'me'), completed('r')], 10_000);
    expect(columns(b, 'me', 10_000).ready.map((x) => x.number)).toEqual([9]);
    expect(columns(b, 'me', 10_000 + readyKeepMs - 1).ready).toHaveLength(1);
    expect(columns(b, 'me', 10_000 + readyKeepMs).ready).toHaveLength(0);
    b = pruneReady(b, 10_000 + readyKeepMs - 1);
    expect(b.cards['r']).toBeDefined();
    b = pruneReady(b, 10_000 + readyKeepMs);
    expect(b.cards['r']).toBeUndefined();
  });

  it('clears a ready drink at once when it is handed over', () => {
    const b = fold([submitted('r', 9), made('r', 'me'), completed('r'), ev('OrderManager.OrderCollected', 'r', { by: 'staff' })]);
    expect(columns(b, 'me', 0).ready).toEqual([]);
  });
});

describe('visibleOptions', () => {
  it('hides None', () => {
    expect(visibleOptions(latte)).toEqual(['Oat']);
    expect(visibleOptions(null)).toEqual([]);
  });
});
