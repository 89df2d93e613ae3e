import { describe, expect, it } from 'vitest';
import {
  backoffDelay,
  defaultBackoff,
  initialState,
  step,
  type Backoff,
  type ConnectionEvent,
  type ConnectionState,
  type Effect,
} from './state';

const backoff: Backoff = { initialMs: 1000, maxMs: 8000, factor: 2, jitter: 0 };
const ctx = { now: 100_000, backoff, random: () => 0.5 };

function run(events: ConnectionEvent['type'][], from: ConnectionState = initialState) {
  let state = from;
  const effects: Effect[][] = [];
  for (const type of events) {
    const [next, out] = step(state, { type }, ctx);
    state = next;
    effects.push(out);
  }
  return { state, effects };
}

describe('backoffDelay', () => {
  it('doubles from the initial wait up to the maximum', () => {
    const delays = [1, 2, 3, 4, 5, 6].map((n) => backoffDelay(n, backoff, () => 0));
    expect(delays).toEqual([1000, 2000, 4000, 8000, 8000, 8000]);
  });

  it('spreads waits by the jitter fraction', () => {
    const b = { ...backoff, jitter: 0.5 };
    expect(backoffDelay(2, b, () => 0)).toBe(1000);
    expect(backoffDelay(2, b, () => 0.999999)).toBe(2000);
  });

  it('keeps the default within the maximum', () => {
    for (let n = 1; n < 40; n++) {
      const ms = backoffDelay(n, defaultBackoff, () => 0.999999);
      expect(ms).toBeGreaterThan(0);
      expect(ms).toBeLessThanOrEqual(defaultBackoff.maxMs);
    }
  });
});

describe('step', () => {
  it('starts connecting and goes online without a catch-up', () => {
    expect(initialState.status).toBe('connecting');
    const { state, effects } = run(['online']);
    expect(state).toMatchObject({ status: 'online', failures: 0, wasOnline: true, retryAt: null });
    expect(effects).toEqual([[]]);
  });

  it('goes offline when the first attempt fails and waits before retrying', () => {
    const { state, effects } = run(['lost']);
    expect(state).toMatchObject({ status: 'offline', failures: 1, retryAt: 101_000, wasOnline: false });
    expect(effects).toEqual([[{ type: 'wait', ms: 1000 }]]);
  });

  it('retries after the wait and backs off on each failure', () => {
    const { state, effects } = run(['lost', 'retry', 'lost', 'retry', 'lost', 'retry', 'lost']);
    expect(effects).toEqual([
      [{ type: 'wait', ms: 1000 }],
      [{ type: 'connect' }],
      [{ type: 'wait', ms: 2000 }],
      [{ type: 'connect' }],
      [{ type: 'wait', ms: 4000 }],
      [{ type: 'connect' }],
      [{ type: 'wait', ms: 8000 }],
    ]);
    expect(state).toMatchObject({ status: 'offline', failures: 4 });
  });

  it('stays offline, not connecting, while a retry is under way', () => {
    const { state } = run(['online', 'lost', 'retry']);
    expect(state).toMatchObject({ status: 'offline', retryAt: null });
  });

  it('asks the page to catch up after every reconnect, and resets the backoff', () => {
    const { state, effects } = run(['online', 'lost', 'retry', 'online', 'lost', 'retry', 'online']);
    expect(effects[3]).toEqual([{ type: 'catchUp' }]);
    expect(effects[4]).toEqual([{ type: 'wait', ms: 1000 }]);
    expect(effects[6]).toEqual([{ type: 'catchUp' }]);
    expect(state).toMatchObject({ status: 'online', failures: 0 });
  });

  it('does not catch up when the first connection only succeeds after failures', () => {
    const { effects } = run(['lost', 'retry', 'online']);
    expect(effects[2]).toEqual([]);
  });

  it('ignores a second report of the same loss', () => {
    const first = run(['online', 'lost']);
    const [again, effects] = step(first.state, { type: 'lost' }, ctx);
    expect(again).toBe(first.state);
    expect(effects).toEqual([]);
  });

  it('ignores a retry while online or while an attempt is running', () => {
    const online = run(['online']).state;
    expect(step(online, { type: 'retry' }, ctx)).toEqual([online, []]);
    expect(step(online, { type: 'retryNow' }, ctx)).toEqual([online, []]);
    const attempting = run(['lost', 'retry']).state;
    expect(step(attempting, { type: 'retry' }, ctx)).toEqual([attempting, []]);
    expect(step(attempting, { type: 'retryNow' }, ctx)).toEqual([attempting, []]);
  });

  it('retries at once when told the network is back', () => {
    const { state, effects } = run(['online', 'lost', 'lost', 'retryNow']);
    expect(effects[3]).toEqual([{ type: 'cancelWait' }, { type: 'connect' }]);
    expect(state).toMatchObject({ status: 'offline', retryAt: null, failures: 1 });
  });

  it('stops for good', () => {
    const { state, effects } = run(['online', 'lost', 'stop']);
    expect(effects[2]).toEqual([{ type: 'cancelWait' }, { type: 'close' }]);
    expect(state).toMatchObject({ status: 'offline', stopped: true, retryAt: null });
    for (const type of ['online', 'lost', 'retry', 'retryNow', 'stop'] as const) {
      expect(step(state, { type }, ctx)).toEqual([state, []]);
    }
  });
});
