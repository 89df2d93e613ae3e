import { describe, expect, it } from 'vitest';
import { connectRealtime, type MqttConnection, type MqttConnectOptions } from '../realtime';
import { asStaffEvent, passWholePayloads, unwrapPayload, wrapPayload } from './live';

const staffEvent = {
  type: 'OrderManager.OrderCompleted',
  version: 1,
  seq: 12,
  time: '2026-06-03T09:12:44.12Z',
  runTimeMs: 734120,
  detail: { orderId: 'o1', orderNumber: 2, baristaUserId: 'b1' },
};

describe('asStaffEvent', () => {
  it('reads an event of kiosk/staff/events', () => {
    expect(asStaffEvent(staffEvent)).toEqual(staffEvent);
  });

  it('reads an entry of GET /api/events, whose type is detail-type', () => {
    const { type, ...rest } = staffEvent;
    expect(asStaffEvent({ ...rest, 'detail-type': type, id: 'e1', source: 'order-manager' })).toMatchObject({
      type,
      seq: 12,
      id: 'e1',
      source: 'order-manager',
    });
  });

  it.each([null, 3, [], {}, { type: 'x', detail: {} }, { type: 'x', seq: 1 }, { type: 'x', seq: 1, detail: [] }])(
    'rejects %j',
    (v) => {
      expect(asStaffEvent(v)).toBeNull();
    },
  );
});

describe('whole payloads', () => {
  it('wraps any JSON payload and opens it again', () => {
    const wrapped = wrapPayload(JSON.stringify({ open: true }));
    expect(wrapped).not.toBeNull();
    const message = JSON.parse(new TextDecoder().decode(wrapped!));
    expect(unwrapPayload(message)).toEqual({ open: true });
    expect(wrapPayload('not json')).toBeNull();
    expect(unwrapPayload({ type: 'OrderManager.MakeOrder', detail: {} })).toBeUndefined();
  });

  it('hands the page the retained shop state and whole events through the shared client', () => {
    type Listener = (...args: never[]) => void;
    const listeners = new Map<string, Listener>();
    const fake = {
      on: (event: string, l: Listener) => listeners.set(event, l),
      subscribe: (_t: string[], _o: unknown, cb: (e: Error | null, g?: { topic: string; qos: number }[]) => void) =>
        cb(null, [{ topic: 'a', qos: 1 }]),
      end: () => undefined,
    } as unknown as MqttConnection;
    const got: [string, unknown][] = [];
    const errors: string[] = [];
    const rt = connectRealtime({
      url: 'ws://kiosk/mqtt',
      topics: ['kiosk/staff/events', 'kiosk/public/shop'],
      connect: passWholePayloads((_url: string, _o: MqttConnectOptions) => fake),
      onMessage: (m, topic) => got.push([topic, unwrapPayload(m)]),
      onError: (e) => errors.push(e.message),
      signals: null,
    });
    const emit = (event: string, ...args: unknown[]) => (listeners.get(event) as ((...a: unknown[]) => void) | undefined)?.(...args);
    emit('connect');
    const enc = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));
    emit('message', 'kiosk/public/shop', enc({ open: true, revision: 3 }));
    emit('message', 'kiosk/staff/events', enc(staffEvent));
    expect(got).toEqual([
      ['kiosk/public/shop', { open: true, revision: 3 }],
      ['kiosk/staff/events', staffEvent],
    ]);
    expect(errors).toEqual([]);
    rt.close();
  });
});
