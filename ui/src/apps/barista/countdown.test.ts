import { describe, expect, it } from 'vitest';
import { createCountdowns, type Timers } from './countdown';

class FakeTimers implements Timers {
  time = 0;
  private next = 1;
  private due = new Map<number, { at: number; fn: () => void }>();
  now = () => this.time;
  setTimeout = (fn: () => void, ms: number) => {
    const id = this.next++;
    this.due.set(id, { at: this.time + ms, fn });
    return id;
  };
  clearTimeout = (handle: unknown) => {
    this.due.delete(handle as number);
  };
  advance(ms: number) {
    this.time += ms;
    for (const [id, t] of [...this.due].sort((a, b) => a[1].at - b[1].at)) {
      if (t.at <= this.time) {
        this.due.delete(id);
        t.fn();
      }
    }
  }
  get pending() {
    return this.due.size;
  }
}

function setup() {
  const timers = new FakeTimers();
  const sent: string[] = [];
  let changes = 0;
  const holds = createCountdowns(5000, (id) => sent.push(id), () => changes++, timers);
  return { timers, sent, holds, changes: () => changes };
}

describe('holding a completion', () => {
  it('sends it only when the five seconds are up', () => {
    const { timers, sent, holds } = setup();
    holds.start('a');
    expect(holds.has('a')).toBe(true);
    expect(holds.list()).toEqual([{ id: 'a', endsAt: 5000 }]);
    timers.advance(4999);
    expect(sent).toEqual([]);
    timers.advance(1);
    expect(sent).toEqual(['a']);
    expect(holds.has('a')).toBe(false);
  });

  it('sends nothing when undone in time', () => {
    const { timers, sent, holds } = setup();
    holds.start('a');
    timers.advance(3000);
    expect(holds.cancel('a')).toBe(true);
    timers.advance(10_000);
    expect(sent).toEqual([]);
    expect(holds.cancel('a')).toBe(false);
    expect(timers.pending).toBe(0);
  });

  it('keeps the first deadline when tapped twice', () => {
    const { timers, sent, holds } = setup();
    holds.start('a');
    timers.advance(2000);
    holds.start('a');
    timers.advance(3000);
    expect(sent).toEqual(['a']);
  });

  it('counts several orders each on its own', () => {
    const { timers, sent, holds } = setup();
    holds.start('a');
    timers.advance(1000);
    holds.start('b');
    expect(holds.list().map((p) => p.id)).toEqual(['a', 'b']);
    holds.cancel('a');
    timers.advance(5000);
    expect(sent).toEqual(['b']);
  });

  it('sends at once when the page is put away', () => {
    const { timers, sent, holds } = setup();
    holds.start('a');
    holds.start('b');
    holds.finishNow();
    expect(sent.sort()).toEqual(['a', 'b']);
    timers.advance(10_000);
    expect(sent).toHaveLength(2);
  });

  it('sends nothing after dispose', () => {
    const { timers, sent, holds } = setup();
    holds.start('a');
    holds.dispose();
    timers.advance(10_000);
    expect(sent).toEqual([]);
  });

  it('reports every change, so the page can redraw', () => {
    const { timers, holds, changes } = setup();
    holds.start('a');
    holds.start('b');
    holds.cancel('b');
    timers.advance(5000);
    expect(changes()).toBe(4);
  });
});
