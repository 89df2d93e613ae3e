import { describe, expect, it } from 'vitest';
import type { StaffEvent } from '../../lib/staff/types';
import { asCloseStatus, closeOnEvent, type CloseStatus } from './closeModel';

let seq = 0;
const ev = (type: string, detail: Record<string, unknown> = {}): StaffEvent => ({ seq: ++seq, type, time: '', detail });

describe('asCloseStatus', () => {
  it('reads each state', () => {
    expect(asCloseStatus({ state: 'open', openOrders: 0 })).toEqual({ state: 'open', openOrders: 0 });
    expect(asCloseStatus({ state: 'closing', openOrders: 2 })).toEqual({ state: 'closing', openOrders: 2 });
    expect(asCloseStatus({ state: 'closed', openOrders: 0, backup: 'kiosk-2026-06-03-180000.db', copies: ['/media/usb/kiosk.db'] })).toEqual({
      state: 'closed',
      openOrders: 0,
      backup: 'kiosk-2026-06-03-180000.db',
      copies: ['/media/usb/kiosk.db'],
    });
  });
  it('keeps why a backup failed', () => {
    expect(asCloseStatus({ state: 'closing', openOrders: 0, error: 'disk full' })?.error).toBe('disk full');
  });
  it('refuses what it does not know', () => {
    expect(asCloseStatus({ state: 'asleep' })).toBeNull();
    expect(asCloseStatus(null)).toBeNull();
  });
});

describe('closeOnEvent', () => {
  const open: CloseStatus = { state: 'open', openOrders: 0 };
  it('goes from open to closing, with the orders still open', () => {
    const step = closeOnEvent(open, ev('ConfigService.BoothClosing', { openOrders: 3, actorId: 'a' }));
    expect(step).toEqual({ status: { state: 'closing', openOrders: 3 }, reread: false });
  });
  it('reads the count again when an order ends while closing, not otherwise', () => {
    const closing: CloseStatus = { state: 'closing', openOrders: 3 };
    expect(closeOnEvent(closing, ev('OrderProcessor.orderFinished', { outcome: 'completed' }))).toEqual({ status: closing, reread: true });
    expect(closeOnEvent(open, ev('OrderProcessor.orderFinished', { outcome: 'completed' })).reread).toBe(false);
    expect(closeOnEvent(closing, ev('OrderManager.MakeOrder')).reread).toBe(false);
  });
  it('is closed, with the backup, when the kiosk says so', () => {
    const step = closeOnEvent({ state: 'closing', openOrders: 1 }, ev('ConfigService.BoothClosed', { backup: 'kiosk-x.db', copies: [] }));
    expect(step.status).toEqual({ state: 'closed', openOrders: 0, backup: 'kiosk-x.db' });
  });
  it('starts again when the shop opens', () => {
    const closed: CloseStatus = { state: 'closed', openOrders: 0, backup: 'kiosk-x.db' };
    expect(closeOnEvent(closed, ev('ConfigService.ConfigChanged', { storeOpen: true, changed: 'open' }))).toEqual({
      status: { state: 'open', openOrders: 0 },
      reread: true,
    });
    // Closing the shop (which closing itself does) changes nothing here.
    const closing: CloseStatus = { state: 'closing', openOrders: 2 };
    expect(closeOnEvent(closing, ev('ConfigService.ConfigChanged', { storeOpen: false, changed: 'open' })).status).toBe(closing);
    // A menu change while closed is not an opening.
    expect(closeOnEvent(closed, ev('ConfigService.ConfigChanged', { storeOpen: false, changed: 'menu' })).status).toBe(closed);
  });
});
