/**
 * One realtime update as the server publishes it. Pages narrow `detail` by
 * `type`, or by the topic it arrived on.
 *
 * The kiosk publishes two shapes (docs/realtime.md): staff events are
 * envelopes `{"type": "...", "detail": {...}}`; everything else (the retained
 * shop, queue, QR and order snapshots, and a customer's own events) is one
 * flat JSON object. An envelope gives its type and detail; a flat object
 * gives its own `type` field (or "" when it has none) and is itself the
 * detail.
 */
export interface RealtimeMessage {
  type: string;
  detail: Record<string, unknown>;
}

const decoder = new TextDecoder();

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * parseMessage decodes an MQTT payload into a RealtimeMessage, or returns null
 * when the payload is not a JSON object.
 */
export function parseMessage(payload: Uint8Array | string): RealtimeMessage | null {
  let value: unknown;
  try {
    value = JSON.parse(typeof payload === 'string' ? payload : decoder.decode(payload));
  } catch {
    return null;
  }
  if (!isObject(value)) return null;
  const { type, detail } = value;
  if (typeof type === 'string' && type !== '' && isObject(detail)) return { type, detail };
  return { type: typeof type === 'string' ? type : '', detail: value };
}
