/**
 * brokerUrl turns the broker address the kiosk gives in GET /api/realtime
 * ("/mqtt", or a full ws:// URL) into the absolute WebSocket URL MQTT.js
 * needs, on the page's own host: ws: for an http: page, wss: for https:.
 */
export function brokerUrl(url: string, page: { href: string }): string {
  const u = new URL(url, page.href);
  if (u.protocol === 'http:') u.protocol = 'ws:';
  else if (u.protocol === 'https:') u.protocol = 'wss:';
  return u.toString();
}
