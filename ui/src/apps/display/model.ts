// The display app's logic, free of Preact and the network: when the QR code
// shows, the kiosk's clock as seen from this screen, and the two columns of
// the public queue.

/** The retained QR topic (kiosk/display/qr) and GET /api/display/qr. */
export interface QRState {
  code: string;
  url: string;
  /** The period, in Unix milliseconds on the kiosk's clock. */
  startsAt: number;
  endsAt: number;
  drinksLeft: number;
  drinks: number;
}

/** One entry of the public queue (kiosk/public/queue, GET /api/queue). */
export interface QueueEntry {
  number: number;
  name: string;
  drink: string;
  icon: string;
  state: 'queued' | 'making' | 'ready';
  sinceSubmittedMs: number;
  sinceCompletedMs?: number;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function millis(v: unknown): number | null {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string') {
    const ms = Date.parse(v);
    return Number.isNaN(ms) ? null : ms;
  }
  return null;
}

/**
 * asQR reads the QR state from the topic (times in Unix ms) or from
 * GET /api/display/qr (times as RFC 3339), or returns null.
 */
export function asQR(v: unknown): QRState | null {
  if (!isRecord(v) || typeof v['code'] !== 'string') return null;
  const startsAt = millis(v['startsAt']);
  const endsAt = millis(v['endsAt']);
  if (startsAt === null || endsAt === null || typeof v['drinksLeft'] !== 'number') return null;
  return {
    code: v['code'],
    url: typeof v['url'] === 'string' ? v['url'] : '',
    startsAt,
    endsAt,
    drinksLeft: v['drinksLeft'],
    drinks: typeof v['drinks'] === 'number' ? v['drinks'] : v['drinksLeft'],
  };
}

/** asQueue reads the public queue from the topic ({orders}) or the API ({queue}). */
export function asQueue(v: unknown): QueueEntry[] | null {
  if (!isRecord(v)) return null;
  const list = v['orders'] ?? v['queue'];
  return Array.isArray(list) ? (list as QueueEntry[]) : null;
}

/** asShopOpen reads whether the shop is open from the shop topic or GET /api/shop. */
export function asShopOpen(v: unknown): boolean | null {
  return isRecord(v) && typeof v['open'] === 'boolean' ? v['open'] : null;
}

/**
 * The kiosk's clock as this screen estimates it: a reading of it (`kioskMs`)
 * taken when this screen's monotonic clock showed `at`. The estimate runs on
 * the monotonic clock from there, so changing this screen's own clock changes
 * nothing.
 */
export interface KioskClock {
  kioskMs: number;
  at: number;
}

/** kioskNow estimates the kiosk's clock at monotonic time `now`; null before any reading. */
export function kioskNow(clock: KioskClock | null, now: number): number | null {
  return clock ? clock.kioskMs + (now - clock.at) : null;
}

/**
 * clockFromDate takes a reading of the kiosk's clock from an HTTP answer's
 * Date header, received at monotonic time `at`. The header names a whole
 * second, so the reading is the middle of that second. Null without a
 * readable header.
 */
export function clockFromDate(header: string | null, at: number): KioskClock | null {
  if (!header) return null;
  const ms = Date.parse(header);
  return Number.isNaN(ms) ? null : { kioskMs: ms + 500, at };
}

/**
 * clockAtLeast raises the estimate to a time the kiosk has certainly
 * passed: a QR period that has been announced has started.
 */
export function clockAtLeast(clock: KioskClock | null, kioskMs: number, at: number): KioskClock {
  const est = kioskNow(clock, at);
  return est === null || est < kioskMs ? { kioskMs, at } : (clock as KioskClock);
}

/** The QR code hides this long before its period ends, so nobody scans a code about to expire. */
export const hideBeforeEndMs = 15_000;

/** What the QR panel shows. */
export type QRView =
  | { kind: 'loading' }
  | { kind: 'closed' }
  /** The code, its drinks left and the time left in its period. */
  | { kind: 'show'; qr: QRState; msLeft: number; share: number }
  /** No code: "we are making drinks, new orders in …" until the next period. */
  | { kind: 'soon'; reason: 'usedUp' | 'ending' | 'ended'; msLeft: number };

/**
 * qrView applies the display's rule: closed when the shop is closed; the
 * code while it has drinks left and more than 15 seconds of its period;
 * otherwise a countdown to the next period.
 */
export function qrView(open: boolean | null, qr: QRState | null, now: number | null): QRView {
  if (open === false) return { kind: 'closed' };
  if (open === null || !qr) return { kind: 'loading' };
  const period = Math.max(1, qr.endsAt - qr.startsAt);
  const left = now === null ? period : Math.max(0, Math.min(period, qr.endsAt - now));
  if (left <= 0) return { kind: 'soon', reason: 'ended', msLeft: 0 };
  if (qr.drinksLeft <= 0) return { kind: 'soon', reason: 'usedUp', msLeft: left };
  if (left <= hideBeforeEndMs) return { kind: 'soon', reason: 'ending', msLeft: left };
  return { kind: 'show', qr, msLeft: left, share: left / period };
}

/** The two columns of the display. */
export interface Columns {
  /** Queued and being made, by number. */
  preparing: QueueEntry[];
  /** Ready for collection, by number. */
  ready: QueueEntry[];
}

/** splitQueue sorts the public queue into the display's two columns. */
export function splitQueue(queue: readonly QueueEntry[]): Columns {
  const byNumber = (a: QueueEntry, b: QueueEntry) => a.number - b.number;
  return {
    preparing: queue.filter((e) => e.state === 'queued' || e.state === 'making').sort(byNumber),
    ready: queue.filter((e) => e.state === 'ready').sort(byNumber),
  };
}

/**
 * ageOf is how long an entry has waited, now: since it was submitted while
 * it is being prepared, since it was completed once it is ready. The queue's
 * ages are as of its publishing, `elapsed` ms ago.
 */
export function ageOf(e: QueueEntry, elapsed: number): number {
  const since = e.state === 'ready' ? (e.sinceCompletedMs ?? 0) : e.sinceSubmittedMs;
  return Math.max(0, since + Math.max(0, elapsed));
}

/**
 * qrImageSize picks the pixel size to ask the kiosk for: large enough to be
 * sharp on this screen, in steps of 64 so resizing does not fetch a new image
 * for every pixel, within what the kiosk serves (64 to 2048).
 */
export function qrImageSize(cssPixels: number, devicePixelRatio: number): number {
  const want = Math.ceil((cssPixels * Math.max(1, devicePixelRatio)) / 64) * 64;
  return Math.min(2048, Math.max(64, want));
}

/** The booth's Wi-Fi as the display names it: never its password. */
export interface WifiState {
  ssid: string;
}

/**
 * asWifi reads the Wi-Fi from the QR state: its name when an admin set one,
 * null when the state says there is none (the field is absent), undefined
 * when the value is not a QR state at all.
 */
export function asWifi(v: unknown): WifiState | null | undefined {
  if (!isRecord(v)) return undefined;
  const wifi = v['wifi'];
  if (isRecord(wifi) && typeof wifi['ssid'] === 'string' && wifi['ssid'] !== '') return { ssid: wifi['ssid'] };
  return null;
}

/** wifiImageSize is the pixel size of the small Wi-Fi code: a third of the ordering code's, at least 128. */
export function wifiImageSize(qrPixels: number): number {
  return Math.min(2048, Math.max(128, Math.ceil(qrPixels / 3 / 64) * 64));
}

/** wifiImageUrl is the Wi-Fi code's address; the name in it fetches a new image when the network changes. */
export function wifiImageUrl(wifi: WifiState, pixels: number): string {
  return `/api/display/wifi.png?size=${pixels}&v=${encodeURIComponent(wifi.ssid)}`;
}

/** How the box was set up (GET /api/setup): the display's language and booth.toml's problems. */
export interface Setup {
  language: string;
  /** Each problem in words, with booth.toml's line; empty when all is well or there is no report. */
  problems: string[];
}

/** asSetup reads GET /api/setup's answer; undefined for anything else. */
export function asSetup(v: unknown): Setup | undefined {
  if (!isRecord(v) || typeof v['language'] !== 'string') return undefined;
  const report = v['report'];
  const list = isRecord(report) && Array.isArray(report['problems']) ? report['problems'] : [];
  const problems = list.flatMap((p: unknown) =>
    isRecord(p) && typeof p['message'] === 'string' && p['message'].trim() !== '' ? [p['message'].trim()] : [],
  );
  return { language: v['language'], problems };
}

/**
 * languageUrl is the address to reload the display at so it speaks the
 * booth's language, or null to stay: a screen pinned with ?lang= keeps its
 * language, and a language the apps do not ship is ignored.
 */
export function languageUrl(href: string, current: string, booth: string, shipped: readonly string[]): string | null {
  const url = new URL(href);
  if (url.searchParams.has('lang') || booth === current || !shipped.includes(booth)) return null;
  url.searchParams.set('lang', booth);
  return url.toString();
}
