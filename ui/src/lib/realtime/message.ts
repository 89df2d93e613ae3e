/**
 * One realtime update as the server publishes it: the event's detail-type and
 * its detail. Pages narrow `detail` by `type`.
 */
export interface RealtimeMessage {
  type: string;
  detail: Record<string, unknown>;
}

const decoder = new TextDecoder();

/**
 * parseMessage decodes an MQTT payload into a RealtimeMessage, or returns null
 * when the payload is not JSON of the form {"type": "...", "detail": {...}}.
 */
export function parseMessage(payload: Uint8Array | string): RealtimeMessage | null {
  let value: unknown;
  try {
    value = JSON.parse(typeof payload === 'string' ? payload : decoder.decode(payload));
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const { type, detail } = value as Record<string, unknown>;
  if (typeof type !== 'string' || type === '') return null;
  if (typeof detail !== 'object' || detail === null || Array.isArray(detail)) return null;
  return { type, detail: detail as Record<string, unknown> };
}
