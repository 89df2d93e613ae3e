import { useEffect, useState } from 'preact/hooks';

/**
 * Time on this device that only moves forward: milliseconds since the page
 * loaded, unaffected by the device's wall clock being changed. Countdowns are
 * measured with it, starting from a duration the kiosk sent ("time left"),
 * never by comparing this device's wall clock with the kiosk's.
 */
export function monotonicNow(): number {
  return globalThis.performance.now();
}

/**
 * A deadline on the monotonic clock: `timeLeftMs` as the kiosk sent it,
 * counted from when the answer arrived.
 */
export function deadlineFrom(timeLeftMs: number, receivedAt: number): number {
  return receivedAt + Math.max(0, timeLeftMs);
}

/** msLeft is the time left until a monotonic deadline, never below 0. */
export function msLeft(deadline: number, now: number): number {
  return Math.max(0, deadline - now);
}

/**
 * formatClock writes a duration as m:ss (or h:mm:ss), rounding up to the next
 * whole second so a countdown shows 0:00 only when the time is really up.
 */
export function formatClock(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const ss = String(s).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/**
 * formatAge writes how long something has waited, in whole minutes and
 * seconds ("4:05"), rounding down.
 */
export function formatAge(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  return `${Math.floor(total / 60)}:${String(total % 60).padStart(2, '0')}`;
}

/**
 * useMonotonicTick re-renders the component every `intervalMs` while active
 * and returns the monotonic time of the latest tick.
 */
export function useMonotonicTick(intervalMs: number, active = true): number {
  const [now, setNow] = useState(monotonicNow);
  useEffect(() => {
    if (!active) return;
    setNow(monotonicNow());
    const id = setInterval(() => setNow(monotonicNow()), intervalMs);
    return () => clearInterval(id);
  }, [intervalMs, active]);
  return now;
}
