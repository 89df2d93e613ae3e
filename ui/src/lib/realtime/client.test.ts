import { describe, expect, it, vi } from 'vitest';
import {
  connectRealtime,
  type BrowserSignals,
  type Clock,
  type MqttConnectOptions,
  type MqttConnection,
  type RealtimeOptions,
} from './client';
import type { RealtimeMessage } from './message';
import type { ConnectionStatus } from './state';

type Listener = (...args: never[]) => void;

/** A fake MQTT.js connection: the test plays the broker's part. */
class FakeConnection implements MqttConnection {
  listeners = new Map<string, Listener[]>();
  subscribed: string[][] = [];
  pendingSubscribe: ((error: Error | null, granted?: { topic: string; qos: number }[]) => void) | null = null;
  ended = false;

  constructor(
    readonly url: string,
    readonly options: MqttConnectOptions,
  ) {}

  on(event: string, listener: Listener) {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
    return this;
  }
  emit(event: string, ...args: unknown[]) {
    for (const l of this.listeners.get(event) ?? []) (l as (...a: unknown[]) => void)(...args);
  }
  subscribe(topics: string[], _opts: { qos: 0 | 1 }, cb: NonNullable<FakeConnection['pendingSubscribe']>) {
    this.subscribed.push(topics);
    this.pendingSubscribe = cb;
    return this;
  }
  end() {
    this.ended = true;
    return this;
  }

  /** Accepts the connection and every subscription. */
  accept() {
    this.emit('connect');
    const topics = this.subscribed.at(-1) ?? [];
    this.pendingSubscribe?.(null, topics.map((topic) => ({ topic, qos: 1 })));
  }
  send(topic: string, body: string) {
    this.emit('message', topic, new TextEncoder().encode(body));
  }
}

class FakeClock implements Clock {
  time = 1_000_000;
  timers = new Map<number, { at: number; fn: () => void }>();
  next = 1;
  now() {
    return this.time;
  }
  setTimeout(fn: () => void, ms: number) {
    const id = this.next++;
    this.timers.set(id, { at: this.time + ms, fn });
    return id;
  }
  clearTimeout(id: unknown) {
    this.timers.delete(id as number);
  }
  advance(ms: number) {
    this.time += ms;
    for (const [id, t] of [...this.timers].sort((a, b) => a[1].at - b[1].at)) {
      if (t.at <= this.time) {
        this.timers.delete(id);
        t.fn();
      }
    }
  }
}

class FakeSignals implements BrowserSignals {
  wake: (() => void)[] = [];
  lost: (() => void)[] = [];
  onWake(l: () => void) {
    this.wake.push(l);
    return () => (this.wake = this.wake.filter((x) => x !== l));
  }
  onNetworkLost(l: () => void) {
    this.lost.push(l);
    return () => (this.lost = this.lost.filter((x) => x !== l));
  }
}

function setup(extra: Partial<RealtimeOptions> = {}) {
  const conns: FakeConnection[] = [];
  const clock = new FakeClock();
  const signals = new FakeSignals();
  const messages: [RealtimeMessage, string][] = [];
  const statuses: ConnectionStatus[] = [];
  const errors: string[] = [];
  const onReconnect = vi.fn();
  const realtime = connectRealtime({
    url: 'ws://127.0.0.1:8080/mqtt',
    username: 'display',
    password: 'secret',
    topics: ['orders/display', 'config'],
    onMessage: (m, topic) => messages.push([m, topic]),
    onState: (s) => statuses.push(s.status),
    onReconnect,
    onError: (e) => errors.push(e.message),
    backoff: { initialMs: 1000, maxMs: 4000, jitter: 0 },
    connect: (url, options) => {
      const c = new FakeConnection(url, options);
      conns.push(c);
      return c;
    },
    clock,
    signals,
    ...extra,
  });
  const last = () => conns.at(-1)!;
  return { realtime, conns, last, clock, signals, messages, statuses, errors, onReconnect };
}

describe('connectRealtime', () => {
  it('connects with the caller’s URL and credentials and leaves reconnecting to itself', () => {
    const { last } = setup();
    expect(last().url).toBe('ws://127.0.0.1:8080/mqtt');
    expect(last().options).toMatchObject({
      username: 'display',
      password: 'secret',
      reconnectPeriod: 0,
      resubscribe: false,
      clean: true,
    });
  });

  it('is online only once the subscriptions are acknowledged', () => {
    const { last, realtime, statuses } = setup();
    expect(realtime.state.status).toBe('connecting');
    last().emit('connect');
    expect(last().subscribed).toEqual([['orders/display', 'config']]);
    expect(realtime.state.status).toBe('connecting');
    last().pendingSubscribe?.(null, [{ topic: 'orders/display', qos: 1 }, { topic: 'config', qos: 1 }]);
    expect(realtime.state.status).toBe('online');
    expect(statuses).toEqual(['connecting', 'online']);
  });

  it('hands parsed messages to the page and reports bad ones', () => {
    const { last, messages, errors } = setup();
    last().accept();
    last().send('config', '{"type":"ConfigService.ConfigChanged","detail":{"storeOpen":true}}');
    last().send('config', 'garbage');
    expect(messages).toEqual([[{ type: 'ConfigService.ConfigChanged', detail: { storeOpen: true } }, 'config']]);
    expect(errors).toHaveLength(1);
  });

  it('keeps going when the page’s handler throws', () => {
    const { last, errors } = setup({
      onMessage: () => {
        throw new Error('boom');
      },
    });
    last().accept();
    last().send('config', '{"type":"x","detail":{}}');
    expect(errors).toEqual(['boom']);
  });

  it('reconnects with backoff, resubscribes and asks the page to catch up', () => {
    const { conns, last, clock, realtime, statuses, onReconnect } = setup();
    last().accept();
    last().emit('close');
    expect(realtime.state).toMatchObject({ status: 'offline', retryAt: clock.time + 1000 });
    expect(conns[0]!.ended).toBe(true);

    clock.advance(999);
    expect(conns).toHaveLength(1);
    clock.advance(1);
    expect(conns).toHaveLength(2);
    last().emit('close'); // the attempt fails
    clock.advance(1999);
    expect(conns).toHaveLength(2);
    clock.advance(1);
    expect(conns).toHaveLength(3);

    expect(onReconnect).not.toHaveBeenCalled();
    last().accept();
    expect(last().subscribed).toEqual([['orders/display', 'config']]);
    expect(onReconnect).toHaveBeenCalledTimes(1);
    // Each offline snapshot differs: waiting (with retryAt) or trying.
    expect(statuses).toEqual(['connecting', 'online', 'offline', 'offline', 'offline', 'offline', 'online']);
  });

  it('ignores events from connections it has given up on', () => {
    const { conns, last, clock, realtime, messages } = setup();
    last().accept();
    last().emit('close');
    clock.advance(1000);
    const old = conns[0]!;
    old.send('config', '{"type":"late","detail":{}}');
    old.emit('close');
    old.emit('connect');
    expect(messages).toEqual([]);
    expect(realtime.state).toMatchObject({ status: 'offline', retryAt: null });
  });

  it('retries at once when the browser says the network is back', () => {
    const { conns, signals, realtime } = setup();
    conns[0]!.emit('close');
    expect(realtime.state.status).toBe('offline');
    signals.wake.forEach((l) => l());
    expect(conns).toHaveLength(2);
  });

  it('shows offline at once when the browser loses the network', () => {
    const { conns, last, signals, realtime } = setup();
    last().accept();
    signals.lost.forEach((l) => l());
    expect(realtime.state.status).toBe('offline');
    expect(conns[0]!.ended).toBe(true);
  });

  it('treats a failed subscription as a lost connection, a refused topic as an error', () => {
    const first = setup();
    first.last().emit('connect');
    first.last().pendingSubscribe?.(new Error('connection closed'));
    expect(first.realtime.state.status).toBe('offline');

    const second = setup();
    second.last().emit('connect');
    second.last().pendingSubscribe?.(null, [{ topic: 'orders/display', qos: 1 }, { topic: 'config', qos: 128 }]);
    expect(second.realtime.state.status).toBe('online');
    expect(second.errors).toEqual(['realtime: subscription refused for config']);
  });

  it('closes for good', () => {
    const { conns, last, clock, signals, realtime } = setup();
    last().accept();
    last().emit('close');
    realtime.close();
    clock.advance(60_000);
    expect(conns).toHaveLength(1);
    expect(realtime.state).toMatchObject({ status: 'offline', stopped: true });
    expect(signals.wake).toHaveLength(0);
    expect(signals.lost).toHaveLength(0);
  });
});
