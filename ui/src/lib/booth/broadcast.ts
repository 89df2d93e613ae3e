// Staff's message to everyone waiting (POST /api/broadcast, the retained
// topic kiosk/public/broadcast): what a screen shows for it, and what the
// barista's form may send. Free of Preact and the network.

/** The topic every signed-in screen may read; retained, so a new screen gets the current message. */
export const topicBroadcast = 'kiosk/public/broadcast';

/** The longest message the kiosk accepts, in characters. */
export const maxBroadcastLength = 140;

/** The current message: its text (never empty) and when it was sent. */
export interface Broadcast {
  text: string;
  at: string;
}

/**
 * asBroadcast reads GET /api/broadcast, the topic's payload, or the detail
 * of a ConfigService.Broadcast event. Empty or blank text means there is no
 * message: null. Anything that is not a message at all is undefined, so a
 * caller can keep what it had.
 */
export function asBroadcast(v: unknown): Broadcast | null | undefined {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
  const r = v as Record<string, unknown>;
  if (typeof r['text'] !== 'string') return undefined;
  const text = r['text'].trim();
  if (text === '') return null;
  return { text, at: typeof r['at'] === 'string' ? r['at'] : '' };
}

/** broadcastLength counts characters as the kiosk does: by code point, so an emoji is one. */
export function broadcastLength(text: string): number {
  return Array.from(text).length;
}

/** What the barista's form says about a draft. */
export interface DraftCheck {
  /** The text to send, trimmed. */
  text: string;
  /** Characters left before the limit; negative when over. */
  left: number;
  /** Whether Send may be pressed: some text, within the limit, and not the message already up. */
  canSend: boolean;
}

/** checkDraft says whether a draft may be sent, given the message that is up now. */
export function checkDraft(draft: string, current: Broadcast | null): DraftCheck {
  const text = draft.trim();
  const left = maxBroadcastLength - broadcastLength(text);
  return { text, left, canSend: text !== '' && left >= 0 && text !== current?.text };
}
