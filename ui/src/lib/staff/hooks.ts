import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { currentSession } from './session';
import type { StaffSession } from './types';

/**
 * useStaffSession asks the kiosk once who is signed in. It returns undefined
 * while asking, then the session or null, and a setter for sign-in and out.
 */
export function useStaffSession(): [StaffSession | null | undefined, (s: StaffSession | null) => void] {
  const [session, setSession] = useState<StaffSession | null | undefined>(undefined);
  useEffect(() => {
    let live = true;
    currentSession()
      .then((s) => live && setSession(s))
      .catch(() => live && setSession(null));
    return () => {
      live = false;
    };
  }, []);
  return [session, setSession];
}

/** A short message for staff: what just happened, or why it did not. */
export interface Notice {
  text: string;
  kind: 'info' | 'error';
  /** Changes with every notice, so the same text shown twice is announced twice. */
  key: number;
}

/** useNotice holds one notice at a time and clears it after a few seconds. */
export function useNotice(showMs = 5000): [Notice | null, (text: string, kind?: Notice['kind']) => void] {
  const [notice, setNotice] = useState<Notice | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const count = useRef(0);
  const show = useCallback(
    (text: string, kind: Notice['kind'] = 'info') => {
      if (timer.current !== undefined) clearTimeout(timer.current);
      setNotice({ text, kind, key: ++count.current });
      timer.current = setTimeout(() => setNotice(null), showMs);
    },
    [showMs],
  );
  useEffect(() => () => clearTimeout(timer.current), []);
  return [notice, show];
}

/**
 * monotonicNow is this device's time in milliseconds, unaffected by its wall
 * clock being set: ages and countdowns are measured with it.
 */
export function monotonicNow(): number {
  return globalThis.performance.now();
}

/** useNow returns monotonicNow(), updated every intervalMs while mounted. */
export function useNow(intervalMs = 1000): number {
  const [now, setNow] = useState(monotonicNow);
  useEffect(() => {
    const id = setInterval(() => setNow(monotonicNow()), intervalMs);
    return () => clearInterval(id);
  }, [intervalMs]);
  return now;
}
