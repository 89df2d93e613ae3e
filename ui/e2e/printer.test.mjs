// The ticket printer when it needs a person: a kiosk whose network printer
// is not there. The barista tablet says so in words, with the tickets
// waiting, and orders go on; the admin app lists the ticket as not printed
// with its error. When a printer answers on the port, the ticket prints and
// the warning goes.

import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { Client, launchBrowser, newPage, shot, startKiosk, tablet, waitFor } from './harness.mjs';

/** @type {Awaited<ReturnType<typeof startKiosk>>} */
let kiosk;
/** @type {import('playwright-core').Browser} */
let browser;
/** @type {import('node:net').Server | undefined} */
let printer;
let port = 0;
/** The bytes the stand-in printer received. */
let received = 0;

/** A port nothing listens on yet: the printer is "unplugged". */
function freePort() {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.on('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const address = /** @type {import('node:net').AddressInfo} */ (srv.address());
      srv.close(() => ok(address.port));
    });
  });
}

before(async () => {
  port = /** @type {number} */ (await freePort());
  // The kiosk reads its printer from the environment it is started with.
  process.env['KIOSK_PRINTER'] = `network:127.0.0.1:${port}`;
  kiosk = await startKiosk();
  delete process.env['KIOSK_PRINTER'];
  browser = await launchBrowser();
  await kiosk.admin.must('POST', '/api/staff', { username: 'kim', password: 'kim-espresso', role: 'barista' });
});

after(async () => {
  await browser?.close();
  await kiosk?.stop();
  await new Promise((r) => (printer ? printer.close(r) : r(undefined)));
});

describe('the ticket printer, offline and back', () => {
  it('warns the barista without holding up orders, then clears when the printer is back', async () => {
    const page = await newPage(browser, tablet);
    await page.goto(`${kiosk.base}/barista/`);
    await page.getByLabel('Name').fill('kim');
    await page.getByLabel('Password').fill('kim-espresso');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: /^New/ }).waitFor();

    const phone = new Client(kiosk.base);
    const { code } = await kiosk.qr();
    const o = await phone.must('POST', '/api/orders', { code, name: 'Ida' });
    await phone.must('PUT', `/api/orders/${o.id}/drink`, { drinkId: 'tea', options: [] });
    const { number } = await kiosk.admin.must('GET', `/api/orders/${o.id}`);
    const newCard = page.locator(`section[aria-labelledby="col-new"] article[data-order="${number}"]`);
    await newCard.getByRole('button', { name: 'Make', exact: true }).click();

    // Making the order queues its ticket; the printer cannot be reached.
    const badge = page.locator('.barista-bar .printer-badge');
    await badge.getByText('Printer: offline').waitFor({ timeout: 20_000 });
    await badge.getByText('1 ticket waiting').waitFor();
    const warning = page.locator('.printer-warning');
    await warning.getByText('The ticket printer is offline', { exact: false }).waitFor();
    await shot(page, 'barista-printer-offline');

    // Orders go on meanwhile.
    const making = page.locator(`section[aria-labelledby="col-making"] article[data-order="${number}"]`);
    await making.getByRole('button', { name: 'Ready', exact: true }).click();
    await waitFor('the order to be completed', async () => (await kiosk.admin.must('GET', `/api/orders/${o.id}`)).state === 'completed');

    // The admin sees the ticket waiting, with why.
    const admin = await newPage(browser, { viewport: { width: 1280, height: 900 } });
    await admin.goto(`${kiosk.base}/admin/#tickets`);
    await admin.getByLabel('Name').fill('admin');
    await admin.getByLabel('Password').fill('e2e-admin-password');
    await admin.getByRole('button', { name: 'Sign in' }).click();
    const row = admin.locator('.ticket-row').first();
    await row.getByText('Not printed yet').waitFor();
    await row.getByText('Last error:', { exact: false }).waitFor();
    await admin.locator('.tickets .printer-warning').waitFor();
    await shot(admin, 'admin-tickets-offline');

    // A printer answers on the port: the ticket prints and the warning goes.
    printer = createServer((socket) => {
      socket.on('data', (b) => (received += b.length));
      socket.on('error', () => {});
    });
    await new Promise((r) => printer?.listen(port, '127.0.0.1', () => r(undefined)));
    await badge.getByText('Printer: ok').waitFor({ timeout: 60_000 });
    await waitFor('the warning to go', async () => (await warning.count()) === 0);
    assert.equal(await badge.getByText('waiting').count(), 0, 'no tickets waiting');
    assert.ok(received > 0, 'the ticket reached the printer');
    await row.getByText('Printed').waitFor({ timeout: 10_000 });

    const errors = [page, admin].flatMap((p) => p.errors.filter((e) => !e.includes('Failed to load resource')));
    assert.deepEqual(errors, []);
  });
});
