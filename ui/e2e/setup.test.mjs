// A box whose booth.toml has a mistake and asks for German: the display
// speaks the booth's language and shows what to fix, while ordering works
// with the defaults the box fell back to.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { checkA11y, launchBrowser, monitor, newPage, shot, startKiosk } from './harness.mjs';

/** @type {Awaited<ReturnType<typeof startKiosk>>} */
let kiosk;
/** @type {import('playwright-core').Browser} */
let browser;
const dir = mkdtempSync(join(tmpdir(), 'kiosk-setup-'));
const problem =
  '/boot/firmware/booth.toml:4: wifi.password: The Wi-Fi password must be 8 to 63 characters; the Wi-Fi is open until it is fixed.';

before(async () => {
  // What the box's setup writes from booth.toml at boot (kiosk-setup).
  const status = join(dir, 'booth-status.json');
  writeFileSync(
    status,
    JSON.stringify({
      file: '/boot/firmware/booth.toml',
      mode: 'wifi',
      interface: 'wlan0',
      ssid: 'Kaffee',
      open_wifi: true,
      address: '10.42.0.1',
      serves_dhcp_dns: true,
      public_url: 'http://coffee/',
      problems: [{ line: 4, key: 'wifi.password', message: problem }, { message: 'A <b>second</b> problem.' }],
    }),
  );
  kiosk = await startKiosk({ extraArgs: ['--language', 'de', '--booth-status', status] });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await kiosk?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('the booth as set up from booth.toml', () => {
  it('the display speaks the booth language and shows what to fix in booth.toml', async () => {
    const display = await newPage(browser, monitor);
    await display.goto(`${kiosk.base}/display/`);
    const panel = display.getByRole('alert').filter({ hasText: 'booth.toml muss korrigiert werden' });
    await panel.waitFor();
    await panel.getByText(problem).waitFor();
    // Text, never markup.
    await panel.getByText('A <b>second</b> problem.').waitFor();
    assert.equal(await display.evaluate(() => document.documentElement.lang), 'de');
    assert.match(display.url(), /[?&]lang=de/);
    // The box still runs: the QR code to order with is there.
    await display.locator('img.qr-image').waitFor();
    await shot(display, 'display-setup-problems');
    await checkA11y(display, 'the display with setup problems');
    await display.context().close();
  });

  it('a display pinned to a language keeps it', async () => {
    const display = await newPage(browser, monitor);
    await display.goto(`${kiosk.base}/display/?lang=en`);
    await display.getByRole('alert').filter({ hasText: 'booth.toml needs fixing' }).waitFor();
    assert.equal(await display.evaluate(() => document.documentElement.lang), 'en');
    await display.context().close();
  });
});
