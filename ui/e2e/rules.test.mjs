// The bar's rules as the phone and the display show them: every refusal of a
// scan, the QR code disappearing when its drinks are used up, the shop
// closing, and both timeouts (the kiosk's clock moved forward, never waited
// for).

import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { launchBrowser, monitor, newPage, phone, shot, startKiosk, waitFor } from './harness.mjs';

/** @type {Awaited<ReturnType<typeof startKiosk>>} */
let kiosk;
/** @type {import('playwright-core').Browser} */
let browser;

const defaults = { drinksPerCode: 10, maxInFlight: 20, customerTimeoutSeconds: 900, baristaTimeoutSeconds: 900, drinksPerCustomerPerDay: 1 };

before(async () => {
  kiosk = await startKiosk();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await kiosk?.stop();
});

// Every test starts from an open shop, the default settings, no order in
// flight and a fresh code (a new setting applies to the codes issued after it).
afterEach(async () => {
  for (const state of ['waiting', 'queued', 'making']) {
    const { orders } = await kiosk.admin.must('GET', `/api/orders?state=${state}`);
    for (const o of orders) await kiosk.admin.call('POST', `/api/orders/${o.id}/cancel`);
  }
  await kiosk.settings(defaults);
  await kiosk.setOpen(true);
  await kiosk.freshQR({ newPeriod: true });
});

/**
 * scan opens the ordering page with a code and submits a first name.
 * @param {import('playwright-core').Page} page
 * @param {string} url
 * @param {string} name
 */
async function scan(page, url, name) {
  await page.goto(url);
  await page.getByLabel('Your first name').fill(name);
  await page.getByRole('button', { name: 'Start my order' }).click();
}

/** @param {import('playwright-core').Page} page */
async function refusal(page) {
  return page.locator('[data-refusal]').getAttribute('data-refusal');
}

/** order opens an order on a new phone and submits a tea; it returns the page. */
async function order(name = 'Tea person') {
  const page = await newPage(browser, phone);
  await scan(page, (await kiosk.freshQR()).url, name);
  await page.locator('label[data-drink="tea"]').click();
  await page.getByRole('button', { name: 'Order', exact: true }).click();
  await page.getByRole('heading', { name: 'In the queue' }).waitFor();
  return page;
}

describe('refused scans', () => {
  it('qr_invalid: a code the kiosk never issued', async () => {
    const page = await newPage(browser, phone);
    await scan(page, `${kiosk.base}/?code=not-a-real-code`, 'Ana');
    await page.getByRole('heading', { name: 'This QR code does not work' }).waitFor();
    assert.equal(await refusal(page), 'qr_invalid');
    await shot(page, 'customer-refused-qr-invalid');
    await page.context().close();
  });

  it('qr_expired: a code from a period that has ended', async () => {
    const old = await kiosk.qr();
    await kiosk.advance(300);
    await waitFor('a new code', async () => (await kiosk.qr()).code !== old.code);
    const page = await newPage(browser, phone);
    await scan(page, old.url, 'Ben');
    await page.getByRole('heading', { name: 'This QR code has expired' }).waitFor();
    assert.equal(await refusal(page), 'qr_expired');
    await page.getByText('Scan the code that is on the big screen now.').waitFor();
    await shot(page, 'customer-refused-qr-expired');
    await page.context().close();
  });

  it('qr_used_up, and the display hides the code until the next period', async () => {
    const display = await newPage(browser, monitor);
    await display.goto(`${kiosk.base}/display/`);
    await kiosk.settings({ drinksPerCode: 1 });
    await kiosk.freshQR({ newPeriod: true }); // the next code has one drink
    await display.getByText('1 drink left').waitFor();
    await display.locator('img.qr-image').waitFor();

    const first = await order('Cleo');
    await display.getByRole('heading', { name: 'We are making drinks!' }).waitFor();
    assert.equal(await display.locator('img.qr-image').count(), 0);
    await display.getByText(/New orders in \d+:\d\d/).waitFor();
    await shot(display, 'display-qr-used-up');

    const page = await newPage(browser, phone);
    await scan(page, (await kiosk.freshQR()).url, 'Dan');
    await page.getByRole('heading', { name: 'All drinks for this code are taken' }).waitFor();
    assert.equal(await refusal(page), 'qr_used_up');
    await shot(page, 'customer-refused-qr-used-up');

    await kiosk.freshQR({ newPeriod: true });
    await display.locator('img.qr-image').waitFor();
    await display.getByText('1 drink left').waitFor();
    for (const p of [display, first, page]) await p.context().close();
  });

  it('shop_closed: the phone says so, the display shows closed, and Try again works once it opens', async () => {
    const display = await newPage(browser, monitor);
    await display.goto(`${kiosk.base}/display/`);
    await display.locator('img.qr-image').waitFor();
    await kiosk.setOpen(false);
    await display.getByRole('heading', { name: 'Closed' }).waitFor();
    assert.equal(await display.locator('img.qr-image').count(), 0);
    await shot(display, 'display-closed');

    const page = await newPage(browser, phone);
    await scan(page, (await kiosk.freshQR()).url, 'Eve');
    await page.getByRole('heading', { name: 'The coffee bar is closed' }).waitFor();
    assert.equal(await refusal(page), 'shop_closed');
    await shot(page, 'customer-refused-shop-closed');

    await kiosk.setOpen(true);
    await display.locator('img.qr-image').waitFor();
    await page.getByRole('button', { name: 'Try again' }).click();
    await page.getByRole('heading', { name: 'Choose your drink, Eve' }).waitFor();
    for (const p of [display, page]) await p.context().close();
  });

  it('queue_full: the baristas have as many orders as they take', async () => {
    await kiosk.settings({ maxInFlight: 1 });
    const first = await order('Finn');
    const page = await newPage(browser, phone);
    await scan(page, (await kiosk.freshQR()).url, 'Gus');
    await page.getByRole('heading', { name: 'The baristas are busy' }).waitFor();
    assert.equal(await refusal(page), 'queue_full');
    await shot(page, 'customer-refused-queue-full');
    for (const p of [first, page]) await p.context().close();
  });

  it("daily_limit: a customer who has had today's drink", async () => {
    const page = await order('Hana');
    const { orders } = await kiosk.admin.must('GET', '/api/orders?state=queued');
    const mine = orders.find((/** @type {{customerName: string}} */ o) => o.customerName === 'Hana');
    await kiosk.admin.must('POST', `/api/orders/${mine.id}/make`);
    await kiosk.admin.must('POST', `/api/orders/${mine.id}/complete`);
    await page.getByRole('heading', { name: 'Ready for collection' }).waitFor();

    await scan(page, (await kiosk.freshQR()).url, 'Hana');
    await page.getByRole('heading', { name: 'You have had your drinks for today' }).waitFor();
    assert.equal(await refusal(page), 'daily_limit');
    await page.getByRole('heading', { name: 'Your orders today' }).waitFor();
    await shot(page, 'customer-refused-daily-limit');
    await page.context().close();
  });

  it('open_order_exists: a second tab goes to the order already open', async () => {
    const page = await newPage(browser, phone);
    const url = (await kiosk.freshQR()).url;
    await page.goto(url);
    await page.getByLabel('Your first name').fill('Ivo');
    // Meanwhile another tab of the same phone opens an order.
    const other = await page.context().newPage();
    await scan(other, url, 'Ivo');
    await other.getByRole('heading', { name: 'Choose your drink, Ivo' }).waitFor();
    await other.close();

    await page.getByRole('button', { name: 'Start my order' }).click();
    await page.getByRole('heading', { name: 'Choose your drink, Ivo' }).waitFor();
    await page.context().close();
  });
});

describe('timeouts', () => {
  it('the customer runs out of time to choose', async () => {
    await kiosk.settings({ customerTimeoutSeconds: 30 });
    const page = await newPage(browser, phone);
    await scan(page, (await kiosk.freshQR()).url, 'Jo');
    await page.getByText(/Time left to choose: 0:(30|29|28)/).waitFor();
    await kiosk.advance(31);
    await page.getByRole('heading', { name: 'Time ran out' }).waitFor();
    await page.getByText('Having trouble deciding?', { exact: false }).waitFor();
    await shot(page, 'customer-timeout');
    await page.context().close();
  });

  it('the baristas run out of time to make the drink', async () => {
    await kiosk.settings({ baristaTimeoutSeconds: 60 });
    const page = await order('Kai');
    await kiosk.advance(61);
    await page.getByRole('heading', { name: 'Sorry, we missed your order' }).waitFor();
    await shot(page, 'customer-barista-timeout');
    await page.context().close();
  });
});
