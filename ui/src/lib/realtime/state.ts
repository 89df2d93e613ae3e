// The connection's state machine, kept free of MQTT, timers and the DOM so it
// can be tested on its own. The client in client.ts feeds it events and carries
// out the effects it returns.

/**
 * What a page tells its user about live updates:
 * - "connecting": the first attempt since the page opened is under way;
 * - "online": connected and subscribed, so every update arrives;
 * - "offline": not connected; attempts go on in the background with backoff.
 */
export type ConnectionStatus = 'connecting' | 'online' | 'offline';

/** A snapshot of the connection, handed to the UI on every change. */
export interface ConnectionState {
  readonly status: ConnectionStatus;
  /** Failed or lost connections since the last time it was online; drives the backoff. */
  readonly failures: number;
  /** While offline and waiting: when the next attempt starts (ms since epoch); otherwise null. */
  readonly retryAt: number | null;
  /** Whether it has been online at least once, so the next "online" is a reconnect. */
  readonly wasOnline: boolean;
  /** Set by stop; a stopped connection never tries again. */
  readonly stopped: boolean;
}

/** Something that happened to the connection. */
export type ConnectionEvent =
  /** Connected and every subscription acknowledged. */
  | { type: 'online' }
  /** An attempt failed or a live connection closed. */
  | { type: 'lost' }
  /** The backoff wait is over. */
  | { type: 'retry' }
  /** A hint that the network may be back (the browser went online, the page became visible). */
  | { type: 'retryNow' }
  /** The page is done with the connection. */
  | { type: 'stop' };

/** What the client must do after a transition. */
export type Effect =
  /** Open a new connection attempt. */
  | { type: 'connect' }
  /** Send "retry" after this many milliseconds. */
  | { type: 'wait'; ms: number }
  /** Forget a pending "retry". */
  | { type: 'cancelWait' }
  /** Tell the page it is back online so it re-reads state over HTTP. */
  | { type: 'catchUp' }
  /** Close the connection for good. */
  | { type: 'close' };

/** Exponential backoff between attempts. */
export interface Backoff {
  /** Wait after the first failure. */
  initialMs: number;
  /** Longest wait; a booth's Wi-Fi blip should not leave a page dark for long. */
  maxMs: number;
  /** How much longer each wait is than the one before. */
  factor: number;
  /** Fraction of each wait that is random (0 to 1), so a room of phones does not retry in step. */
  jitter: number;
}

/** The backoff used when the page gives none. */
export const defaultBackoff: Backoff = {
  initialMs: 1_000,
  maxMs: 15_000,
  factor: 2,
  jitter: 0.3,
};

/** The state of a connection that has just been started (its first attempt is running). */
export const initialState: ConnectionState = {
  status: 'connecting',
  failures: 0,
  retryAt: null,
  wasOnline: false,
  stopped: false,
};

/**
 * backoffDelay returns how long to wait after the given number of consecutive
 * failures (1 or more). random returns a number in [0, 1).
 */
export function backoffDelay(failures: number, backoff: Backoff, random: () => number): number {
  const exponent = Math.max(0, failures - 1);
  const full = Math.min(backoff.maxMs, backoff.initialMs * backoff.factor ** exponent);
  const jitter = Math.min(1, Math.max(0, backoff.jitter));
  return Math.round(full * (1 - jitter) + full * jitter * random());
}

/** Everything a transition depends on besides the state and the event. */
export interface StepContext {
  now: number;
  backoff: Backoff;
  random: () => number;
}

/**
 * step applies one event to the state and returns the new state with the
 * effects to carry out, in order. Events that do not apply are ignored, so the
 * client may report the same loss twice.
 */
export function step(
  state: ConnectionState,
  event: ConnectionEvent,
  ctx: StepContext,
): [ConnectionState, Effect[]] {
  if (state.stopped) return [state, []];

  switch (event.type) {
    case 'online': {
      if (state.status === 'online') return [state, []];
      const next: ConnectionState = {
        status: 'online',
        failures: 0,
        retryAt: null,
        wasOnline: true,
        stopped: false,
      };
      const effects: Effect[] = state.retryAt === null ? [] : [{ type: 'cancelWait' }];
      if (state.wasOnline) effects.push({ type: 'catchUp' });
      return [next, effects];
    }

    case 'lost': {
      // Already waiting for the next attempt: this is a second report of the same loss.
      if (state.status === 'offline' && state.retryAt !== null) return [state, []];
      const failures = state.failures + 1;
      const ms = backoffDelay(failures, ctx.backoff, ctx.random);
      return [
        { ...state, status: 'offline', failures, retryAt: ctx.now + ms },
        [{ type: 'wait', ms }],
      ];
    }

    case 'retry':
      // Only a pending wait can end; an attempt already running or a live
      // connection is left alone.
      if (state.status !== 'offline' || state.retryAt === null) return [state, []];
      return [{ ...state, retryAt: null }, [{ type: 'connect' }]];

    case 'retryNow':
      if (state.status !== 'offline' || state.retryAt === null) return [state, []];
      return [{ ...state, retryAt: null }, [{ type: 'cancelWait' }, { type: 'connect' }]];

    case 'stop':
      return [
        { ...state, status: 'offline', retryAt: null, stopped: true },
        [{ type: 'cancelWait' }, { type: 'close' }],
      ];
  }
}
