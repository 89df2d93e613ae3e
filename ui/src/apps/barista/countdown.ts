/**
 * Countdowns keyed by order id, on injectable timers. The barista app uses
 * two: a completion held for a few seconds before it is sent (the kiosk has
 * no "un-complete", so the undo happens before the kiosk hears of it), and
 * the few seconds in which a make can be undone.
 */

/** The timers a countdown runs on; the browser's by default, fakes in tests. */
export interface Timers {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** The browser's timers, on its monotonic clock. */
export const realTimers: Timers = {
  now: () => globalThis.performance.now(),
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** A running countdown. */
export interface Pending {
  id: string;
  /** When it ends, on the timers' clock. */
  endsAt: number;
}

/** A set of countdowns. */
export interface Countdowns {
  /** start begins a countdown for id; one already running keeps its time. */
  start(id: string): void;
  /** cancel stops the countdown without running its action; true if there was one. */
  cancel(id: string): boolean;
  /** finishNow runs the action of one countdown (or of all) at once, e.g. when the page is hidden. */
  finishNow(id?: string): void;
  /** has tells whether id is counting down. */
  has(id: string): boolean;
  /** list returns the running countdowns, soonest first. */
  list(): Pending[];
  /** dispose stops every countdown without running any action. */
  dispose(): void;
}

/**
 * createCountdowns runs onEnd(id) delayMs after start(id), unless cancelled
 * first. onChange is called whenever the set of running countdowns changes.
 */
export function createCountdowns(
  delayMs: number,
  onEnd: (id: string) => void,
  onChange: () => void = () => {},
  timers: Timers = realTimers,
): Countdowns {
  const running = new Map<string, { endsAt: number; handle: unknown }>();

  const end = (id: string) => {
    const entry = running.get(id);
    if (!entry) return;
    timers.clearTimeout(entry.handle);
    running.delete(id);
    onChange();
    onEnd(id);
  };

  return {
    start(id) {
      if (running.has(id)) return;
      const handle = timers.setTimeout(() => end(id), delayMs);
      running.set(id, { endsAt: timers.now() + delayMs, handle });
      onChange();
    },
    cancel(id) {
      const entry = running.get(id);
      if (!entry) return false;
      timers.clearTimeout(entry.handle);
      running.delete(id);
      onChange();
      return true;
    },
    finishNow(id) {
      for (const key of id === undefined ? [...running.keys()] : [id]) end(key);
    },
    has: (id) => running.has(id),
    list: () => [...running].map(([id, e]) => ({ id, endsAt: e.endsAt })).sort((a, b) => a.endsAt - b.endsAt),
    dispose() {
      for (const entry of running.values()) timers.clearTimeout(entry.handle);
      running.clear();
    },
  };
}
