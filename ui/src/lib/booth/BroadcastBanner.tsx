import type { Broadcast } from './broadcast';

/** Props of BroadcastBanner. */
export interface BroadcastBannerProps {
  /** The message showing now; null for none. */
  broadcast: Broadcast | null;
  /** Who it is from, e.g. "Message from the baristas". */
  label: string;
}

/**
 * BroadcastBanner shows staff's message to everyone waiting. The live region
 * is there even without a message, so a screen reader hears a new message
 * as it arrives.
 */
export function BroadcastBanner({ broadcast, label }: BroadcastBannerProps) {
  return (
    <div class="broadcast-region" aria-live="polite" aria-atomic="true">
      {broadcast && (
        <p class="broadcast-banner" data-broadcast="">
          <strong class="broadcast-from">{label}:</strong> <span class="broadcast-text">{broadcast.text}</span>
        </p>
      )}
    </div>
  );
}
