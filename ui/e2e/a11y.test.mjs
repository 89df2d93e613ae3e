// Accessibility: axe-core checks the main screens of every app against the
// rules of WCAG 2 levels A and AA (colour contrast included), in the real
// browser, as the apps draw them for a real order. Every problem of every
// screen is listed at the end, so one run shows all there is to fix.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  Client,
  adminPassword,
  checkA11y,
  launchBrowser,
  monitor,
  newPage,
  phone,
  startKiosk,
  tablet,
  waitFor,
} from './harness.mjs';

/** @type {Awaited<ReturnType<typeof startKiosk>>} */
let kiosk;
/** @type {import('playwright-core').Browser} */
let browser;

const laptop = { viewport: { width: 1280, height: 900 } };

/** @type {string[]} */
const problems = [];

/**
 * check runs axe on the page and keeps what it finds for the end.
 * @param {import('playwright-core').Page} page
 * @param {string} what
 */
async function check(page, what) {
  try {
    await checkA11y(page, what);
  } catch (e) {
    problems.push(String(/** @type {Error} */ (e).message));
  }
}

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

describe('accessibility of the main screens (WCAG 2 A/AA)', () => {
  it('has no violations on any app', async () => {
    // Some history for the figures and the boards.
    for (const [name, drinkId] of [['Ada', 'latte'], ['Bo', 'mocha'], ['Cy', 'tea']]) {
      const other = new Client(kiosk.base);
      const o = await other.must('POST', '/api/orders', { code: (await kiosk.qr()).code, name });
      await other.must('PUT', `/api/orders/${o.id}/drink`, { drinkId, options: [] });
      if (name !== 'Cy') {
        await kiosk.admin.must('POST', `/api/orders/${o.id}/make`);
        await kiosk.admin.must('POST', `/api/orders/${o.id}/complete`);
      }
    }
    await kiosk.admin.must('POST', '/api/broadcast', { text: 'Oat milk is back' });

    // The customer: name entry, the menu, in the queue, ready.
    const customer = await newPage(browser, phone);
    const qr = await kiosk.freshQR();
    await customer.goto(qr.url);
    await customer.getByLabel('Your first name').waitFor();
    await check(customer, 'the customer’s name entry');
    await customer.getByLabel('Your first name').fill('Zoë');
    await customer.getByRole('button', { name: 'Start my order' }).click();
    await customer.getByRole('heading', { name: 'Choose your drink, Zoë' }).waitFor();
    await customer.locator('label[data-drink="latte"]').click();
    await check(customer, 'the customer’s menu');
    await customer.getByRole('button', { name: 'Order', exact: true }).click();
    await customer.getByRole('heading', { name: 'In the queue' }).waitFor();
    await customer.locator('.broadcast-banner').waitFor();
    await check(customer, 'the customer’s status (in the queue)');

    // The barista board with orders in every column.
    const barista = await staffPage('/barista/', tablet);
    await barista.getByRole('heading', { name: /^New/ }).waitFor();
    await barista.locator('article[data-order]').first().waitFor();
    await check(barista, 'the barista board');

    const { orders } = await kiosk.admin.must('GET', '/api/orders?state=queued');
    const mine = orders.find((/** @type {{customerName: string}} */ o) => o.customerName === 'Zoë');
    await kiosk.admin.must('POST', `/api/orders/${mine.id}/make`);
    await kiosk.admin.must('POST', `/api/orders/${mine.id}/complete`);
    await customer.getByRole('heading', { name: 'Ready for collection' }).waitFor();
    await check(customer, 'the customer’s READY screen');

    await customer.getByRole('button', { name: 'Receipt' }).click();
    await customer.getByRole('heading', { name: /^Receipt/ }).waitFor();
    await check(customer, 'the customer’s receipt');
    await customer.getByRole('link', { name: 'How your order went' }).click();
    await customer.locator('.journey-step').first().waitFor();
    await check(customer, 'the order journey');

    // The display: the queue, and the figures page.
    const display = await newPage(browser, monitor);
    await display.goto(`${kiosk.base}/display/`);
    await display.locator('img.qr-image').waitFor();
    await display.getByText('Live', { exact: true }).waitFor();
    await check(display, 'the display');
    await display.goto(`${kiosk.base}/display/?view=stats`);
    await display.locator('.stats .chart').waitFor();
    await check(display, 'the display’s figures');

    // Every section of the admin app.
    const admin = await staffPage('/admin/', laptop);
    await admin.getByRole('heading', { name: 'Menu', level: 2 }).waitFor();
    const sections = [
      ['Menu', 'Menu'],
      ['Settings', 'Settings'],
      ['Staff', 'Staff accounts'],
      ['Displays', 'Displays'],
      ['Tickets', 'Ticket printer'],
      ['Figures', /^Figures of booth day/],
      ['Health', 'The box’s health'],
      ['Close & back up', 'Close the booth'],
      ['Events', 'Event stream'],
    ];
    for (const [link, heading] of sections) {
      await admin.getByRole('navigation').getByRole('link', { name: link, exact: true }).click();
      await admin.getByRole('heading', { name: heading, level: 2 }).waitFor();
      if (link === 'Figures') await admin.locator('.stats .chart').waitFor();
      if (link === 'Health') await admin.locator('.health-line').first().waitFor();
      if (link === 'Events') await waitFor('the event list', async () => (await admin.locator('.event').count()) > 0);
      await check(admin, `the admin app’s ${link} section`);
    }

    assert.deepEqual(problems, []);
  });
});
