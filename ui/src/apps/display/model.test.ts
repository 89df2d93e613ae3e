import { describe, expect, it } from 'vitest';
import {
  ageOf,
  asQR,
  asQueue,
  asSetup,
  asShopOpen,
  asWifi,
  clockAtLeast,
  clockFromDate,
  hideBeforeEndMs,
  kioskNow,
  languageUrl,
  qrImageSize,
  qrView,
  splitQueue,
  type QRState,
  type QueueEntry,
  wifiImageSize,
  wifiImageUrl,
} from './model';

const start = Date.UTC(2026, 5, 3, 9, 0, 0);
const qr: QRState = { code: 'abc', url: 'http://10.42.0.1/?code=abc', startsAt: start, endsAt: start + 300_000, drinksLeft: 8, drinks: 10 };

describe('the QR visibility rule', () => {
  it('shows the code with its drinks left and the time left in its period', () => {
    const v = qrView(true, qr, start + 60_000);
    expect(v).toMatchObject({ kind: 'show', msLeft: 240_000 });
    if (v.kind === 'show') expect(v.share).toBeCloseTo(0.8);
  });

  it('hides the code when its drinks are used up, until the next period', () => {
    expect(qrView(true, { ...qr, drinksLeft: 0 }, start + 60_000)).toEqual({ kind: 'soon', reason: 'usedUp', msLeft: 240_000 });
  });

  it('hides the code in the last 15 seconds of its period', () => {
    expect(qrView(true, qr, qr.endsAt - hideBeforeEndMs - 1).kind).toBe('show');
    expect(qrView(true, qr, qr.endsAt - hideBeforeEndMs)).toEqual({ kind: 'soon', reason: 'ending', msLeft: 15_000 });
    expect(qrView(true, qr, qr.endsAt - 1_000)).toMatchObject({ kind: 'soon', reason: 'ending' });
  });

  it('waits for the next code once the period is over', () => {
    expect(qrView(true, qr, qr.endsAt)).toEqual({ kind: 'soon', reason: 'ended', msLeft: 0 });
    expect(qrView(true, qr, qr.endsAt + 60_000).kind).toBe('soon');
  });

  it('shows closed when the shop is closed, whatever the code', () => {
    expect(qrView(false, qr, start)).toEqual({ kind: 'closed' });
    expect(qrView(false, null, null)).toEqual({ kind: 'closed' });
  });

  it('waits for the shop and the code before it shows anything', () => {
    expect(qrView(null, qr, start).kind).toBe('loading');
    expect(qrView(true, null, start).kind).toBe('loading');
  });

  it('never counts more than a period when its clock is behind the kiosk', () => {
    expect(qrView(true, qr, start - 3_600_000)).toMatchObject({ kind: 'show', msLeft: 300_000, share: 1 });
    expect(qrView(true, qr, null)).toMatchObject({ kind: 'show', msLeft: 300_000 });
  });
});

describe("the kiosk's clock", () => {
  it('runs on from a Date header on the monotonic clock', () => {
    const c = clockFromDate('Wed, 03 Jun 2026 09:00:10 GMT', 1_000);
    expect(kioskNow(c, 1_000)).toBe(start + 10_500);
    expect(kioskNow(c, 6_000)).toBe(start + 15_500);
    expect(clockFromDate(null, 0)).toBeNull();
    expect(clockFromDate('yesterday-ish', 0)).toBeNull();
    expect(kioskNow(null, 5)).toBeNull();
  });

  it('moves up to a period the kiosk has announced, never back', () => {
    const c = clockFromDate('Wed, 03 Jun 2026 08:00:00 GMT', 0);
    const raised = clockAtLeast(c, start, 2_000);
    expect(kioskNow(raised, 2_000)).toBe(start);
    const kept = clockAtLeast(raised, start - 60_000, 3_000);
    expect(kept).toBe(raised);
    expect(kioskNow(clockAtLeast(null, start, 0), 0)).toBe(start);
  });
});

describe('the queue columns', () => {
  const queue: QueueEntry[] = [
    { number: 4, name: 'D', drink: 'Tea', icon: 'tea', state: 'ready', sinceSubmittedMs: 0, sinceCompletedMs: 5_000 },
    { number: 3, name: 'C', drink: 'Mocha', icon: 'mocha', state: 'making', sinceSubmittedMs: 60_000 },
    { number: 1, name: 'A', drink: 'Latte', icon: 'latte', state: 'ready', sinceSubmittedMs: 0, sinceCompletedMs: 90_000 },
    { number: 2, name: 'B', drink: 'Tea', icon: 'tea', state: 'queued', sinceSubmittedMs: 30_000 },
  ];

  it('puts queued and making under Preparing and ready under Ready, by number', () => {
    const { preparing, ready } = splitQueue(queue);
    expect(preparing.map((e) => e.number)).toEqual([2, 3]);
    expect(ready.map((e) => e.number)).toEqual([1, 4]);
  });

  it('ages from submission while preparing and from completion once ready', () => {
    expect(ageOf(queue[1]!, 2_000)).toBe(62_000);
    expect(ageOf(queue[0]!, 2_000)).toBe(7_000);
    expect(ageOf({ ...queue[0]!, sinceCompletedMs: undefined as unknown as number }, 0)).toBe(0);
    expect(ageOf(queue[1]!, -50)).toBe(60_000);
  });
});

describe('reading messages', () => {
  it('reads the QR state from the topic and from the API', () => {
    expect(asQR(qr)).toEqual(qr);
    const api = { code: 'abc', startsAt: '2026-06-03T09:00:00Z', endsAt: '2026-06-03T09:05:00Z', drinks: 10, drinksLeft: 8, url: qr.url };
    expect(asQR(api)).toEqual(qr);
    expect(asQR({ code: 'abc' })).toBeNull();
    expect(asQR(null)).toBeNull();
  });

  it('reads the queue and the shop', () => {
    expect(asQueue({ orders: [] })).toEqual([]);
    expect(asQueue({ queue: [] })).toEqual([]);
    expect(asQueue([])).toBeNull();
    expect(asShopOpen({ open: false })).toBe(false);
    expect(asShopOpen({})).toBeNull();
  });
});

describe('qrImageSize', () => {
  it.each([
    [300, 1, 320],
    [300, 2, 640],
    [10, 1, 64],
    [4000, 2, 2048],
    [512, 0, 512],
  ])('%d css px at ratio %d asks for %d', (css, ratio, want) => {
    expect(qrImageSize(css, ratio)).toBe(want);
  });
});

describe('the booth Wi-Fi', () => {
  it('is named by the QR state, and absent means none', () => {
    expect(asWifi({ code: 'abc', wifi: { ssid: 'CoffeeBar' } })).toEqual({ ssid: 'CoffeeBar' });
    expect(asWifi({ code: 'abc' })).toBeNull();
    expect(asWifi({ code: 'abc', wifi: { ssid: '' } })).toBeNull();
    expect(asWifi({ code: 'abc', wifi: 'CoffeeBar' })).toBeNull();
    expect(asWifi(null)).toBeUndefined();
  });

  it('asks for a small image, fetched again when the network changes', () => {
    expect(wifiImageSize(512)).toBe(192);
    expect(wifiImageSize(64)).toBe(128);
    expect(wifiImageSize(2048)).toBe(704);
    expect(wifiImageUrl({ ssid: 'Café & Bar' }, 192)).toBe('/api/display/wifi.png?size=192&v=Caf%C3%A9%20%26%20Bar');
  });
});

describe('the setup report', () => {
  it('reads the language and each problem in words', () => {
    const s = asSetup({
      language: 'de',
      report: {
        file: '/boot/firmware/booth.toml',
        problems: [{ line: 4, key: 'wifi.password', message: ' too short ' }, { message: '' }, { line: 2 }, 'x'],
      },
    });
    expect(s).toEqual({ language: 'de', problems: ['too short'] });
  });
  it('has no problems without a report', () => {
    expect(asSetup({ language: 'en', report: null })).toEqual({ language: 'en', problems: [] });
  });
  it('ignores what is not an answer', () => {
    expect(asSetup({ report: null })).toBeUndefined();
    expect(asSetup('de')).toBeUndefined();
  });
});

describe('the display in the booth language', () => {
  const shipped = ['en', 'de'];
  it('reloads in the booth language, keeping the rest of the address', () => {
    expect(languageUrl('http://coffee/display/?view=stats', 'en', 'de', shipped)).toBe(
      'http://coffee/display/?view=stats&lang=de',
    );
  });
  it('stays when it already speaks it', () => {
    expect(languageUrl('http://coffee/display/', 'de', 'de', shipped)).toBeNull();
  });
  it('stays when a screen is pinned to a language', () => {
    expect(languageUrl('http://coffee/display/?lang=en', 'en', 'de', shipped)).toBeNull();
  });
  it('ignores a language the apps do not ship', () => {
    expect(languageUrl('http://coffee/display/', 'en', 'fr', shipped)).toBeNull();
  });
});
