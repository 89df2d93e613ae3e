/**
 * The log delivers events at least once (docs/realtime.md): after a restart
 * some arrive twice. A page remembers the positions (seq) it has handled
 * lately and skips a repeat.
 */

/** A bounded memory of the event positions a page has handled. */
export interface SeenEvents {
  /** first returns true the first time it is given a seq, false for a repeat. */
  first(seq: number): boolean;
}

/** createSeen remembers the last `limit` positions. */
export function createSeen(limit = 1000): SeenEvents {
  const seen = new Set<number>();
  const order: number[] = [];
  return {
    first(seq) {
      if (seen.has(seq)) return false;
      seen.add(seq);
      order.push(seq);
      if (order.length > limit) seen.delete(order.shift() as number);
      return true;
    },
  };
}
