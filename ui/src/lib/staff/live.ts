import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api';
import {
  useRealtime,
  type ConnectionState,
  type MqttConnect,
  type MqttConnection,
  type RealtimeMessage,
} from '../realtime';
import { brokerUrl } from '../session/brokerUrl';
import { isSignedOut } from './session';
import type { StaffEvent } from './types';

/**
 * The staff topics: every event of the log, the shop's current state and the
 * ticket printer's state (both retained).
 */
export const topicStaffEvents = 'kiosk/staff/events';
export const topicShop = 'kiosk/public/shop';
export const topicPrinter = 'kiosk/staff/printer';

/** What GET /api/realtime gives a signed-in member of staff. */
export interface RealtimeCredentials {
  url: string;
  username: string;
  password: string;
}

/**
 * asStaffEvent reads one message of kiosk/staff/events (or one entry of
 * GET /api/events, whose type is "detail-type"), or returns null.
 */
export function asStaffEvent(value: unknown): StaffEvent | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const v = value as Record<string, unknown>;
  const type = typeof v['type'] === 'string' ? v['type'] : v['detail-type'];
  const detail = v['detail'];
  if (typeof type !== 'string' || type === '' || typeof v['seq'] !== 'number') return null;
  if (typeof detail !== 'object' || detail === null || Array.isArray(detail)) return null;
  return {
    seq: v['seq'],
    type,
    time: typeof v['time'] === 'string' ? v['time'] : '',
    detail: detail as Record<string, unknown>,
    ...(typeof v['id'] === 'string' ? { id: v['id'] } : {}),
    ...(typeof v['source'] === 'string' ? { source: v['source'] } : {}),
    ...(typeof v['version'] === 'number' ? { version: v['version'] } : {}),
    ...(typeof v['runTimeMs'] === 'number' ? { runTimeMs: v['runTimeMs'] } : {}),
  };
}

// The shared realtime client hands pages {type, detail} only, and reports any
// other payload as an error. The staff apps need the whole payload: an event's
// seq and time, and the retained shop state, which is not an event. So each
// JSON payload is passed through inside an envelope of this type and opened
// again in onMessage; the client keeps its reconnect and liveness rules.
const wholePayload = 'kiosk.staff.payload';

const decoder = new TextDecoder();

/** wrapPayload puts a topic's whole JSON payload into a {type, detail} envelope, or returns null for non-JSON. */
export function wrapPayload(payload: Uint8Array | string): Uint8Array | null {
  let value: unknown;
  try {
    value = JSON.parse(typeof payload === 'string' ? payload : decoder.decode(payload));
  } catch {
    return null;
  }
  return new TextEncoder().encode(JSON.stringify({ type: wholePayload, detail: { value } }));
}

/** unwrapPayload opens an envelope made by wrapPayload; undefined for any other message. */
export function unwrapPayload(message: RealtimeMessage): unknown {
  return message.type === wholePayload ? message.detail['value'] : undefined;
}

/** passWholePayloads wraps an MQTT connect function so every JSON payload reaches the page whole. */
export function passWholePayloads(connect: MqttConnect): MqttConnect {
  return (url, options) => {
    const conn = connect(url, options);
    const on = (event: string, listener: (...args: never[]) => void): unknown => {
      if (event !== 'message') return (conn.on as (e: string, l: (...args: never[]) => void) => unknown)(event, listener);
      const deliver = listener as unknown as (topic: string, payload: Uint8Array) => void;
      return conn.on('message', (topic, payload) => {
        const wrapped = wrapPayload(payload);
        // A payload that is not JSON goes on as it is, for the client to report.
        deliver(topic, wrapped ?? payload);
      });
    };
    return {
      on: on as MqttConnection['on'],
      subscribe: (topics, opts, callback) => conn.subscribe(topics, opts, callback),
      end: (force) => conn.end(force),
    };
  };
}

let mqttLoaded: Promise<MqttConnect> | undefined;

// MQTT.js arrives in its own chunk (its browser build has a default export only).
function loadMqtt(): Promise<MqttConnect> {
  mqttLoaded ??= import('mqtt').then((m) => m.default.connect as unknown as MqttConnect);
  return mqttLoaded;
}

/** What a staff app follows live. */
export interface StaffLiveOptions {
  /** Every event of the log as it happens. */
  onEvent: (event: StaffEvent) => void;
  /** The retained shop state (kiosk/public/shop), at every connection and change. */
  onShop?: (state: Record<string, unknown>) => void;
  /** The retained printer state (kiosk/staff/printer), at every connection and change. */
  onPrinter?: (state: Record<string, unknown>) => void;
  /**
   * Called when the connection is online: the first time and after every
   * reconnect. Events may have been missed, so the page re-reads its state.
   */
  onOnline: () => void;
  /** Called when the kiosk says the session has ended. */
  onSignedOut: () => void;
}

const credentialRetryMs = 5000;

/**
 * useStaffLive follows kiosk/staff/events, kiosk/public/shop and
 * kiosk/staff/printer while active
 * (signed in). It returns the connection state for the offline banner, or
 * null before the page has its credentials.
 */
export function useStaffLive(active: boolean, options: StaffLiveOptions): ConnectionState | null {
  const latest = useRef(options);
  latest.current = options;
  const [setup, setSetup] = useState<{ creds: RealtimeCredentials; connect: MqttConnect } | null>(null);

  useEffect(() => {
    if (!active) {
      setSetup(null);
      return;
    }
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const attempt = async () => {
      try {
        const [creds, connect] = await Promise.all([
          api<RealtimeCredentials>('GET', '/api/realtime'),
          loadMqtt(),
        ]);
        if (!stopped) setSetup({ creds, connect: passWholePayloads(connect) });
      } catch (error) {
        if (stopped) return;
        if (isSignedOut(error)) latest.current.onSignedOut();
        else timer = setTimeout(() => void attempt(), credentialRetryMs);
      }
    };
    void attempt();
    return () => {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
    };
  }, [active]);

  const connection = useRealtime(
    setup && active
      ? {
          url: brokerUrl(setup.creds.url, location),
          username: setup.creds.username,
          password: setup.creds.password,
          topics: [topicStaffEvents, topicShop, topicPrinter],
          connect: setup.connect,
          onMessage: (message, topic) => {
            const value = unwrapPayload(message);
            if (topic === topicShop) {
              if (typeof value === 'object' && value !== null) latest.current.onShop?.(value as Record<string, unknown>);
              return;
            }
            if (topic === topicPrinter) {
              if (typeof value === 'object' && value !== null) latest.current.onPrinter?.(value as Record<string, unknown>);
              return;
            }
            const event = asStaffEvent(value);
            if (event) latest.current.onEvent(event);
          },
          onReconnect: () => latest.current.onOnline(),
          onError: (error) => console.warn(error.message),
        }
      : null,
  );

  // The first connection: the page read its state at sign-in, but events
  // between that read and the subscription may be lost, so read again.
  const wasOnline = useRef(false);
  useEffect(() => {
    if (!setup) wasOnline.current = false;
    if (setup && connection.status === 'online' && !wasOnline.current) {
      wasOnline.current = true;
      latest.current.onOnline();
    }
  }, [setup, connection.status]);

  return setup ? connection : null;
}
