// Running the booth: the day's figures in the admin app and on the display,
// the estimated wait on a waiting phone, an order's journey from its receipt,
// a message to everyone waiting, the box's health, and closing the booth
// with an order still open until it is safe to unplug.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client, adminPassword, launchBrowser, monitor, newPage, phone, shot, startKiosk, tablet, waitFor } from './harness.mjs';

/** @type {Awaited<ReturnType<typeof startKiosk>>} */
let kiosk;
/** @type {import('playwright-core').Browser} */
let browser;

const laptop = { viewport: { width: 1280, height: 900 } };

before(async () => {
  kiosk = await startKiosk();
  browser = await launchBrowser();
  await kiosk.settings({ drinksPerCode: 100 });
});

after(async () => {
  await browser?.close();
  await kiosk?.stop();
});

/**
 * order places an order as a new phone would and returns it.
 * @param {string} name
 * @param {string} drinkId
 * @param {{group: string, choice: string}[]} [options]
 */
async function order(name, drinkId, options = []) {
  const phoneClient = new Client(kiosk.base);
  const { code } = await kiosk.qr();
  const o = await phoneClient.must('POST', '/api/orders', { code, name });
  return phoneClient.must('PUT', `/api/orders/${o.id}/drink`, { drinkId, options });
}

/**
 * makeReady has the admin make and complete an order over the API.
 * @param {string} id
 */
async function makeReady(id) {
  await kiosk.admin.must('POST', `/api/orders/${id}/make`);
  await kiosk.admin.must('POST', `/api/orders/${id}/complete`);
}

/**
 * staffPage opens a staff app and signs in as the admin.
 * @param {string} path
 * @param {object} device
 */
async function staffPage(path, device) {
  const page = await newPage(browser, device);
  await page.goto(`${kiosk.base}${path}`);
  await page.getByLabel('Name').fill('admin');
  await page.getByLabel('Password').fill(adminPassword);
  await page.getByRole('button', { name: 'Sign in' }).click();
  return page;
}

/**
 * phoneOrder opens the ordering page from the QR code and orders a drink in the browser.
 * @param {string} name
 * @param {string} drinkId
 */
async function phoneOrder(name, drinkId) {
  const page = await newPage(browser, phone);
  const qr = await kiosk.freshQR();
  await page.goto(qr.url);
  await page.getByLabel('Your first name').fill(name);
  await page.getByRole('button', { name: 'Start my order' }).click();
  await page.getByRole('heading', { name: `Choose your drink, ${name}` }).waitFor();
  await page.locator(`label[data-drink="${drinkId}"]`).click();
  await page.getByRole('button', { name: 'Order', exact: true }).click();
  await page.getByRole('heading', { name: 'In the queue' }).waitFor();
  return page;
}

describe('running the booth', () => {
  it('shows the day’s figures in the admin app and on the display, and an estimated wait on a phone', async () => {
    // Three drinks made a minute apart, one cancelled, one refused scan.
    for (const [name, drink, options] of /** @type {const} */ ([
      ['Ada', 'latte', [{ group: 'Milk', choice: 'Oat' }]],
      ['Bo', 'latte', []],
      ['Cy', 'mocha', [{ group: 'Milk', choice: 'Oat' }]],
    ])) {
      const o = await order(name, drink, [...options]);
      await kiosk.advance(60);
      await makeReady(o.id);
    }
    const gone = await order('Di', 'tea');
    await kiosk.admin.must('POST', `/api/orders/${gone.id}/cancel`);
    const refused = await new Client(kiosk.base).call('POST', '/api/orders', { code: 'not-a-code', name: 'Ed' });
    assert.equal(refused.status, 409);

    const admin = await staffPage('/admin/#stats', laptop);
    await admin.getByRole('heading', { name: 'Figures of booth day 1', level: 2 }).waitFor();
    const figures = admin.locator('.stats');
    await figures.locator('.chart svg rect.chart-bar').first().waitFor();
    assert.equal(await figures.locator('.tile', { hasText: 'Drinks made' }).locator('dd').innerText(), '3');
    // The tables are the charts' words: top drinks, per-drink waits, ends and refusals.
    await figures.locator('#stats-drinks-title').waitFor();
    const topDrinks = figures.locator('section', { has: admin.locator('#stats-drinks-title') });
    assert.deepEqual(await topDrinks.locator('tbody th').allInnerTexts(), ['Caffè Latte', 'Mocha', 'Tea']);
    await figures.getByRole('row', { name: /Milk: Oat\s+2/ }).waitFor();
    await figures.getByRole('row', { name: /Cancelled by the baristas\s+1/ }).waitFor();
    await figures.getByRole('row', { name: /Not a valid QR code\s+1/ }).waitFor();
    await figures.locator('.wait-table').getByRole('row', { name: /^Caffè Latte/ }).waitFor();
    // The drinks-per-hour chart has its figures as a table for screen readers.
    const hours = figures.locator('figure.chart table');
    assert.match(await hours.locator('caption').textContent() ?? '', /Drinks made per hour/);
    await shot(admin, 'admin-stats');

    // A drink made now shows on the figures at once (the staff events bring it).
    const more = await order('Flo', 'mocha');
    await kiosk.advance(60);
    await makeReady(more.id);
    await waitFor('the figures to count the new drink', async () =>
      (await figures.locator('.tile', { hasText: 'Drinks made' }).locator('dd').innerText()) === '4');

    const display = await newPage(browser, monitor);
    await display.goto(`${kiosk.base}/display/?view=stats`);
    await display.getByRole('heading', { name: 'Figures of booth day 1' }).waitFor();
    await display.locator('.stats .chart svg rect.chart-bar').first().waitFor();
    await display.locator('img.qr-image').waitFor();
    await shot(display, 'display-stats');

    // With a few drinks made, a waiting phone is told about how long it waits.
    const waiting = await phoneOrder('Gus', 'latte');
    await waiting.getByText(/Ready in about \d+ minutes?\./).waitFor();
    await shot(waiting, 'customer-estimate');
    await waiting.context().close();
    await display.context().close();
    await admin.context().close();
  });

  it('shows an order’s journey from the receipt, its steps in order', async () => {
    const page = await phoneOrder('Hana', 'flat-white');
    const { orders } = await kiosk.admin.must('GET', '/api/orders?state=queued');
    const mine = orders.find((/** @type {{customerName: string}} */ o) => o.customerName === 'Hana');
    await kiosk.advance(30);
    await makeReady(mine.id);
    await page.getByRole('heading', { name: 'Ready for collection' }).waitFor();
    await page.getByRole('button', { name: 'Receipt' }).click();
    await page.getByRole('link', { name: 'How your order went' }).click();
    await page.getByRole('heading', { name: 'Order journey', level: 1 }).waitFor();
    await page.locator('.journey-step').nth(6).waitFor();
    const types = await page.locator('.journey-step').evaluateAll((els) => els.map((e) => e.getAttribute('data-type')));
    assert.deepEqual(types, [
      'Validator.NewOrder',
      'OrderProcessor.WorkflowStarted',
      'OrderProcessor.WaitingCompletion',
      'OrderManager.WaitingCompletion',
      'OrderManager.MakeOrder',
      'OrderManager.OrderCompleted',
      'OrderProcessor.orderFinished',
    ]);
    const titles = await page.locator('.journey-step .step-title').allInnerTexts();
    assert.equal(titles[0], 'The QR code was scanned');
    assert.match(titles[3] ?? '', /^Ordered: Flat White, number \d+$/);
    assert.equal(titles[5], 'The drink was ready');
    await page.locator('.journey-step').first().getByText('QR validator').waitFor();
    await page.locator('.journey-step').nth(4).getByText(/\d+ (s|min)( \d+ s)? after the scan/).waitFor();
    await shot(page, 'journey');

    // Back home, the history links to the same page.
    await page.getByRole('link', { name: 'Back to my order' }).click();
    await page.getByRole('button', { name: 'Done' }).click();
    await page.getByRole('link', { name: /^Journey of #\d+ Flat White$/ }).click();
    await page.locator('.journey-step').first().waitFor();

    // Staff open any order's journey from its card.
    const barista = await staffPage('/barista/', tablet);
    await barista.getByRole('heading', { name: /^Ready for pickup/ }).waitFor();
    const link = barista.locator(`article[data-order="${mine.number}"]`).getByRole('link', { name: /^Journey of order/ });
    assert.equal(await link.getAttribute('href'), `/journey/?order=${mine.id}`);
    const [tab] = await Promise.all([barista.context().waitForEvent('page'), link.click()]);
    await tab.getByRole('heading', { name: `Order ${mine.number}` }).waitFor();
    await tab.getByRole('link', { name: 'Back to the barista app' }).waitFor();
    await page.context().close();
    await barista.context().close();
  });

  it('shows a message on a waiting phone and on the display until it is taken down', async () => {
    const waiting = await phoneOrder('Ivo', 'americano');
    const display = await newPage(browser, monitor);
    await display.goto(`${kiosk.base}/display/`);
    await display.getByText('Live', { exact: true }).waitFor();
    const barista = await staffPage('/barista/', tablet);
    await barista.getByRole('heading', { name: /^New/ }).waitFor();

    const field = barista.getByLabel('Message to everyone waiting');
    await field.fill('x'.repeat(141));
    await barista.getByText('1 character too many: at most 140.').waitFor();
    assert.equal(await barista.getByRole('button', { name: 'Send' }).isDisabled(), true);
    await field.fill('Grinder down, five minutes');
    await barista.getByRole('button', { name: 'Send' }).click();
    await barista.getByText('Showing on phones and the display: “Grinder down, five minutes”').waitFor();

    const onPhone = waiting.locator('.broadcast-banner');
    await onPhone.getByText('Grinder down, five minutes').waitFor();
    assert.equal(await waiting.locator('.broadcast-region').getAttribute('aria-live'), 'polite');
    await display.locator('.broadcast-banner').getByText('Grinder down, five minutes').waitFor();
    await shot(waiting, 'customer-broadcast');
    await shot(display, 'display-broadcast');
    await shot(barista, 'barista-broadcast');

    // A phone that opens the page now gets it too (the topic is retained).
    await waiting.reload();
    await waiting.locator('.broadcast-banner').getByText('Grinder down, five minutes').waitFor();

    await barista.getByRole('button', { name: 'Take down' }).click();
    await barista.getByText('No message is showing.').waitFor();
    await waitFor('the message to go from the phone', async () => (await waiting.locator('.broadcast-banner').count()) === 0);
    await waitFor('the message to go from the display', async () => (await display.locator('.broadcast-banner').count()) === 0);
    await waiting.context().close();
    await display.context().close();
    await barista.context().close();
  });

  it('shows the box’s health', async () => {
    const admin = await staffPage('/admin/#health', laptop);
    await admin.getByRole('heading', { name: 'The box’s health', level: 2 }).waitFor();
    const db = admin.locator('.health-line[data-part="database"]');
    await db.getByText(/^Working\./).waitFor();
    assert.equal(await db.getAttribute('data-level'), 'ok');
    await admin.locator('.health-line[data-part="light"]').getByText(/Simulated/).waitFor();
    await admin.locator('.health-line[data-part="clients"]').getByText(/tablets: [1-9]/).waitFor();
    assert.equal(await admin.locator('.health-alert').count(), 0);
    await shot(admin, 'admin-health');
    await admin.context().close();
  });

  it('closes the booth: progress while an order is open, then safe to unplug; opening again starts afresh', async () => {
    const open = await order('Jo', 'espresso');
    const admin = await staffPage('/admin/#closing', laptop);
    await admin.getByRole('heading', { name: 'Close the booth', level: 2 }).waitFor();
    // The export links are there, for today and the whole backup.
    assert.equal(await admin.getByRole('link', { name: 'Today’s orders as CSV (booth day 1)' }).getAttribute('href'), '/api/export/orders.csv');
    assert.equal(await admin.getByRole('link', { name: 'The event log as CSV' }).getAttribute('href'), '/api/export/events.csv');
    assert.equal(await admin.getByRole('link', { name: /^The whole backup/ }).getAttribute('href'), '/api/backup');
    await admin.getByText('kiosk restore --data DIR FILE').waitFor();

    await admin.getByRole('button', { name: 'Close the booth' }).click();
    await admin.getByRole('dialog', { name: 'Close the booth for the day?' }).waitFor();
    await admin.getByRole('button', { name: 'Yes, close the booth' }).click();
    const state = admin.locator('.closing-state');
    await state.getByText(/^Closing: \d+ orders? still open$/).waitFor();
    await shot(admin, 'admin-closing');
    assert.equal((await kiosk.admin.must('GET', '/api/shop')).open, false);

    // Every open order ends; then the backup, then safe to unplug.
    const { orders } = await kiosk.admin.must('GET', '/api/orders?state=queued');
    for (const o of orders) {
      if (o.id === open.id) continue;
      await kiosk.admin.must('POST', `/api/orders/${o.id}/cancel`);
    }
    await state.getByText('Closing: 1 order still open').waitFor();
    await makeReady(open.id);
    await state.getByText('Safe to unplug').waitFor({ timeout: 20_000 });
    const status = await kiosk.admin.must('GET', '/api/booth/close');
    assert.equal(status.state, 'closed');
    await state.getByText(`Backup: ${status.backup}`).waitFor();
    await shot(admin, 'admin-safe-to-unplug');

    await admin.getByRole('button', { name: 'Open the shop again' }).click();
    await admin.getByRole('button', { name: 'Close the booth' }).waitFor();
    await waitFor('closing to start afresh', async () => (await kiosk.admin.must('GET', '/api/booth/close')).state === 'open');
    await admin.context().close();
  });
});
