import { parseMessage, type RealtimeMessage } from './message';
import {
  defaultBackoff,
  initialState,
  step,
  type Backoff,
  type ConnectionEvent,
  type ConnectionState,
  type Effect,
} from './state';

/**
 * The part of an MQTT.js client this module uses. Tests pass a fake; pages get
 * the real one.
 */
export interface MqttConnection {
  on(event: 'connect', listener: () => void): unknown;
  on(event: 'close', listener: () => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  on(event: 'message', listener: (topic: string, payload: Uint8Array) => void): unknown;
  subscribe(
    topics: string[],
    options: { qos: 0 | 1 },
    callback: (error: Error | null, granted?: ReadonlyArray<{ topic: string; qos: number }>) => void,
  ): unknown;
  end(force?: boolean): unknown;
}

/** The options this module passes when it opens a connection. */
export interface MqttConnectOptions {
  username?: string;
  password?: string;
  clean: boolean;
  keepalive: number;
  connectTimeout: number;
  reconnectPeriod: number;
  resubscribe: boolean;
  /**
   * 'native' keeps MQTT.js's keepalive timer on the page: its default runs it
   * in a blob: worker, which the kiosk's Content Security Policy (rightly)
   * does not allow.
   */
  timerVariant: 'native';
}

/** Opens one MQTT connection attempt; MQTT.js's connect has this shape. */
export type MqttConnect = (url: string, options: MqttConnectOptions) => MqttConnection;

/** Timers and the current time, replaceable in tests. */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Where the browser reports network and visibility changes. */
export interface BrowserSignals {
  /** Calls back when the device says it is online again, or the page becomes visible. */
  onWake(listener: () => void): () => void;
  /** Calls back when the device says it has lost the network. */
  onNetworkLost(listener: () => void): () => void;
}

/** What a page passes to connectRealtime. */
export interface RealtimeOptions {
  /** The broker's WebSocket URL, e.g. ws://10.42.0.1/mqtt. */
  url: string;
  /** Credentials the server issued to this page, if it needs any. */
  username?: string;
  password?: string;
  /** Topics to follow; they are subscribed again on every connection. */
  topics: string[];
  /** Receives every well-formed message. Malformed ones go to onError. */
  onMessage: (message: RealtimeMessage, topic: string) => void;
  /** Receives the connection state after every change, so the page can show when it is offline. */
  onState?: (state: ConnectionState) => void;
  /**
   * Called each time the connection is back online after a loss, once the
   * subscriptions are in place: updates may have been missed, so the page
   * re-reads its state over HTTP.
   */
  onReconnect?: () => void;
  /** Receives problems worth logging: refused subscriptions, bad messages, broker errors. */
  onError?: (error: Error) => void;
  /** Overrides parts of the default backoff. */
  backoff?: Partial<Backoff>;

  /** Replaces MQTT.js (tests). By default MQTT.js is loaded on first use. */
  connect?: MqttConnect;
  /** Replaces the real clock (tests). */
  clock?: Clock;
  /** Replaces Math.random for the backoff jitter (tests). */
  random?: () => number;
  /** Replaces the browser's online/offline/visibility events (tests); null for none. */
  signals?: BrowserSignals | null;
}

/** A live realtime connection. */
export interface Realtime {
  /** The current connection state. */
  readonly state: ConnectionState;
  /** Skips the rest of the backoff wait and tries now (e.g. from a "Retry" button). */
  retryNow(): void;
  /** Closes the connection for good. */
  close(): void;
}

// Keepalive is short because phones drop Wi-Fi without a goodbye; the page
// should notice within about half a minute.
const keepaliveSeconds = 20;
const connectTimeoutMs = 10_000;

const realClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
};

let mqttModule: Promise<MqttConnect> | undefined;

// MQTT.js is loaded in its own chunk, so a page paints before the library has
// arrived; the browser fetches both at once.
function loadMqtt(): Promise<MqttConnect> {
  // The browser build of MQTT.js has only a default export.
  mqttModule ??= import('mqtt').then((m) => m.default.connect as unknown as MqttConnect);
  return mqttModule;
}

/** browserSignals reports the window's online/offline events and the page becoming visible. */
export function browserSignals(): BrowserSignals | null {
  if (typeof window === 'undefined' || typeof document === 'undefined') return null;
  return {
    onWake(listener) {
      const onVisible = () => {
        if (document.visibilityState === 'visible') listener();
      };
      window.addEventListener('online', listener);
      document.addEventListener('visibilitychange', onVisible);
      return () => {
        window.removeEventListener('online', listener);
        document.removeEventListener('visibilitychange', onVisible);
      };
    },
    onNetworkLost(listener) {
      window.addEventListener('offline', listener);
      return () => window.removeEventListener('offline', listener);
    },
  };
}

/**
 * connectRealtime connects to the broker over WebSocket, follows the given
 * topics and hands each message (see RealtimeMessage) to onMessage. It never
 * publishes. When the connection drops it reconnects with backoff, reporting
 * each state change to onState and calling onReconnect once it is back.
 */
export function connectRealtime(options: RealtimeOptions): Realtime {
  const clock = options.clock ?? realClock;
  const random = options.random ?? Math.random;
  const backoff: Backoff = { ...defaultBackoff, ...options.backoff };
  const report = (error: unknown) => {
    options.onError?.(error instanceof Error ? error : new Error(String(error)));
  };

  let state = initialState;
  let timer: unknown = null;
  let current: MqttConnection | null = null;

  const dispatch = (event: ConnectionEvent) => {
    const [next, effects] = step(state, event, { now: clock.now(), backoff, random });
    const changed = next !== state;
    state = next;
    if (changed) options.onState?.(state);
    effects.forEach(run);
  };

  const run = (effect: Effect) => {
    switch (effect.type) {
      case 'connect':
        void open();
        break;
      case 'wait':
        timer = clock.setTimeout(() => {
          timer = null;
          dispatch({ type: 'retry' });
        }, effect.ms);
        break;
      case 'cancelWait':
        if (timer !== null) clock.clearTimeout(timer);
        timer = null;
        break;
      case 'catchUp':
        try {
          options.onReconnect?.();
        } catch (error) {
          report(error);
        }
        break;
      case 'close':
        drop();
        stopSignals();
        break;
    }
  };

  // drop forgets the current connection, so its late events are ignored, and closes it.
  const drop = () => {
    const conn = current;
    current = null;
    conn?.end(true);
  };

  const open = async () => {
    drop();
    let connect: MqttConnect;
    try {
      connect = options.connect ?? (await loadMqtt());
    } catch (error) {
      report(error);
      dispatch({ type: 'lost' });
      return;
    }
    if (state.stopped) return;

    const conn = connect(options.url, {
      ...(options.username === undefined ? {} : { username: options.username }),
      ...(options.password === undefined ? {} : { password: options.password }),
      clean: true,
      keepalive: keepaliveSeconds,
      connectTimeout: connectTimeoutMs,
      // Reconnection and resubscription are this module's job, with backoff.
      reconnectPeriod: 0,
      resubscribe: false,
      timerVariant: 'native',
    });
    current = conn;
    const live = () => current === conn;

    conn.on('connect', () => {
      if (!live()) return;
      if (options.topics.length === 0) {
        dispatch({ type: 'online' });
        return;
      }
      conn.subscribe(options.topics, { qos: 1 }, (error, granted) => {
        if (!live()) return;
        if (error) {
          report(error);
          drop();
          dispatch({ type: 'lost' });
          return;
        }
        const refused = (granted ?? []).filter((g) => g.qos === 128).map((g) => g.topic);
        if (refused.length > 0) report(new Error(`realtime: subscription refused for ${refused.join(', ')}`));
        dispatch({ type: 'online' });
      });
    });
    conn.on('message', (topic, payload) => {
      if (!live()) return;
      const message = parseMessage(payload);
      if (!message) {
        report(new Error(`realtime: ignored a message on ${topic} that is not a JSON object`));
        return;
      }
      try {
        options.onMessage(message, topic);
      } catch (error) {
        report(error);
      }
    });
    conn.on('error', (error) => {
      if (live()) report(error);
    });
    conn.on('close', () => {
      if (!live()) return;
      drop();
      dispatch({ type: 'lost' });
    });
  };

  const signals = options.signals === undefined ? browserSignals() : options.signals;
  const unsubscribers = signals
    ? [
        signals.onWake(() => dispatch({ type: 'retryNow' })),
        signals.onNetworkLost(() => {
          // The device knows before the keepalive does; show offline at once.
          if (state.status !== 'online') return;
          drop();
          dispatch({ type: 'lost' });
        }),
      ]
    : [];
  const stopSignals = () => unsubscribers.splice(0).forEach((off) => off());

  options.onState?.(state);
  void open();

  return {
    get state() {
      return state;
    },
    retryNow: () => dispatch({ type: 'retryNow' }),
    close: () => dispatch({ type: 'stop' }),
  };
}
