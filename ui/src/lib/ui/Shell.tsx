import type { ComponentChildren } from 'preact';
import { useEffect } from 'preact/hooks';
import type { ConnectionState } from '../realtime/state';
import { ConnectionBanner } from './ConnectionBanner';

/** Props of Shell. */
export interface ShellProps {
  /** The app's title, already translated; also becomes the document title. */
  title: string;
  /** The realtime connection's state for the offline banner; null without one. */
  connection?: ConnectionState | null;
  /** Skips the reconnect wait when the user asks. */
  onRetry?: () => void;
  children?: ComponentChildren;
}

/** Shell is the frame of every app: a header with the title, the offline banner, and the main area. */
export function Shell({ title, connection = null, onRetry, children }: ShellProps) {
  useEffect(() => {
    document.title = title;
  }, [title]);

  return (
    <>
      <header class="app-header">
        <h1>{title}</h1>
      </header>
      <ConnectionBanner state={connection} {...(onRetry ? { onRetry } : {})} />
      <main id="main">{children}</main>
    </>
  );
}
