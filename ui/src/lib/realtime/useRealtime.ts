import { useEffect, useRef, useState } from 'preact/hooks';
import { connectRealtime, type RealtimeOptions } from './client';
import { initialState, type ConnectionState } from './state';

/**
 * useRealtime connects while the component is mounted and returns the
 * connection state for the offline banner. The connection is reopened only
 * when the URL, credentials or topics change; the callbacks may be new
 * functions on every render.
 */
export function useRealtime(options: RealtimeOptions | null): ConnectionState {
  const [state, setState] = useState<ConnectionState>(initialState);
  const latest = useRef(options);
  latest.current = options;

  const key = options
    ? JSON.stringify([options.url, options.username, options.password, options.topics])
    : '';

  useEffect(() => {
    const opts = latest.current;
    if (!opts) return;
    const realtime = connectRealtime({
      ...opts,
      onMessage: (message, topic) => latest.current?.onMessage(message, topic),
      onState: (next) => {
        setState(next);
        latest.current?.onState?.(next);
      },
      onReconnect: () => latest.current?.onReconnect?.(),
      onError: (error) => latest.current?.onError?.(error),
    });
    return () => realtime.close();
  }, [key]);

  return state;
}
