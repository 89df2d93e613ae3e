/**
 * How long an order has waited, as the card shows it: a colour stripe and a
 * word, so the status is never told by colour alone. The thresholds are the
 * original bar's: under 2 minutes is fine, under 5 is getting long, after
 * that it is late.
 */

/** The age levels of a card. */
export type AgeLevel = 'fresh' | 'waiting' | 'late';

/** When a card turns "waiting" and "late". */
export const waitingAfterMs = 2 * 60_000;
export const lateAfterMs = 5 * 60_000;

/** ageLevel returns the level of an order that has waited ageMs. */
export function ageLevel(ageMs: number): AgeLevel {
  if (ageMs < waitingAfterMs) return 'fresh';
  if (ageMs < lateAfterMs) return 'waiting';
  return 'late';
}

/** formatAge writes an age as minutes and seconds, "0:07", "4:32", "12:05". */
export function formatAge(ageMs: number): string {
  const total = Math.max(0, Math.floor(ageMs / 1000));
  const minutes = Math.floor(total / 60);
  const seconds = total % 60;
  return `${minutes}:${seconds.toString().padStart(2, '0')}`;
}
