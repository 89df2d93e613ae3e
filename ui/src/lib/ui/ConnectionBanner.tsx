import { useEffect, useRef, useState } from 'preact/hooks';
import { t } from '../i18n';
import type { ConnectionState } from '../realtime/state';

/** Props of ConnectionBanner. */
export interface ConnectionBannerProps {
  /** The realtime connection's state; null while the page has no connection. */
  state: ConnectionState | null;
  /** Offers a "Try now" button that skips the backoff wait. */
  onRetry?: () => void;
}

// useSecondsUntil counts down to a scheduled retry, ticking once a second.
function useSecondsUntil(at: number | null): number | null {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (at === null) return;
    setNow(Date.now());
    const id = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(id);
  }, [at]);
  return at === null ? null : Math.max(0, Math.ceil((at - now) / 1000));
}

/**
 * ConnectionBanner tells the user when live updates have stopped. It holds a
 * polite live region, so screen readers hear when the page goes offline and
 * when it is back; the per-second countdown is outside it to stay quiet.
 */
export function ConnectionBanner({ state, onRetry }: ConnectionBannerProps) {
  const seconds = useSecondsUntil(state?.status === 'offline' ? state.retryAt : null);
  const wasOffline = useRef(false);
  if (state?.status === 'offline') wasOffline.current = true;

  let announcement = '';
  if (state?.status === 'offline') announcement = t('connection.reconnecting');
  else if (state?.status === 'online' && wasOffline.current) announcement = t('connection.online');

  const offline = state?.status === 'offline';
  const connecting = state?.status === 'connecting';
  const messageClass = offline ? 'connection-message' : connecting ? 'connection-connecting' : 'visually-hidden';

  // The live region is always the first child, so it stays the same element
  // as the banner appears and goes, and every change is announced.
  return (
    <div class={offline ? 'connection connection-banner' : 'connection'}>
      <p role="status" aria-live="polite" class={messageClass}>
        {connecting ? t('connection.connecting') : announcement}
      </p>
      {offline && seconds !== null && seconds > 0 && (
        <span aria-hidden="true">{t('connection.retryIn', { count: seconds })}</span>
      )}
      {offline && onRetry && (
        <button type="button" onClick={onRetry}>
          {t('connection.retryNow')}
        </button>
      )}
    </div>
  );
}
