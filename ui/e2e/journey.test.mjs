// The whole journey with three screens open at once: a phone orders, the
// baristas' tablet makes and completes it, and the phone and the overhead
// display show it ready. Also: a reload in the middle of the order, and a
// customer cancelling their own order.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client, launchBrowser, monitor, newPage, phone, shot, startKiosk, tablet, waitFor } from './harness.mjs';

/** @type {Awaited<ReturnType<typeof startKiosk>>} */
let kiosk;
/** @type {import('playwright-core').Browser} */
let browser;

before(async () => {
  kiosk = await startKiosk();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await kiosk?.stop();
});

/**
 * scanAndName opens the ordering page from the current QR code and starts an order.
 * @param {import('playwright-core').Page} page
 * @param {string} name
 */
async function scanAndName(page, name) {
  const qr = await kiosk.freshQR();
  await page.goto(qr.url);
  await page.getByLabel('Your first name').fill(name);
  await page.getByRole('button', { name: 'Start my order' }).click();
  await page.getByRole('heading', { name: `Choose your drink, ${name}` }).waitFor();
}

/**
 * makeAndComplete has a barista make and complete an order in the barista
 * app on the tablet. The app holds a completion for its undo time (5 s)
 * before sending it, so the wait for "ready" allows for that.
 * @param {import('playwright-core').Page} page
 * @param {number} number
 */
async function makeAndComplete(page, number) {
  const card = () => page.locator(`article[data-order="${number}"]`);
  await card().getByRole('button', { name: 'Make', exact: true }).click({ timeout: 10000 });
  await card().getByRole('button', { name: 'Ready', exact: true }).click({ timeout: 10000 });
  await waitFor('the order to be ready', async () => {
    const r = await kiosk.admin.must('GET', '/api/orders?state=ready');
    return r.orders.some((/** @type {{number: number}} */ o) => o.number === number);
  }, 20000);
}

describe('the whole journey', () => {
  it('scan, name, drink with an option, order, make, complete: ready on the phone and the display', async (t) => {
    const display = await newPage(browser, monitor);
    await display.goto(`${kiosk.base}/display/`);
    await display.locator('img.qr-image').waitFor();
    await display.getByText('10 drinks left').waitFor();
    await display.getByText('Live', { exact: true }).waitFor();
    await shot(display, 'display-qr');

    const barista = await newPage(browser, tablet);
    await barista.goto(`${kiosk.base}/barista/`);
    try {
      await barista.getByLabel('Name').fill('admin', { timeout: 5000 });
      await barista.getByLabel('Password').fill('e2e-admin-password');
      await barista.getByRole('button', { name: 'Sign in' }).click();
    } catch {
      t.diagnostic('the barista app has no sign-in form yet');
    }

    const customer = await newPage(browser, phone);
    // A name is text, never markup.
    await scanAndName(customer, 'Zoë <b>x</b>');
    await customer.getByText(/Time left to choose: 1[45]:\d\d/).waitFor();
    await display.getByText('9 drinks left').waitFor();

    await customer.locator('label[data-drink="latte"]').click();
    await customer.locator('.option-group', { hasText: 'Milk' }).getByText('Oat', { exact: true }).click();
    await customer.locator('.option-group', { hasText: 'Syrup' }).getByText('Vanilla', { exact: true }).click();
    await customer.getByText('Milk: Oat, Syrup: Vanilla').waitFor();
    await shot(customer, 'customer-choose');
    await customer.getByRole('button', { name: 'Order', exact: true }).click();

    await customer.getByRole('heading', { name: 'In the queue' }).waitFor();
    await customer.getByText('You are next.').waitFor();
    assert.equal(await customer.locator('.order-number [aria-hidden="true"]').innerText(), '1');
    await shot(customer, 'customer-queued');

    const preparing = display.locator('.queue-preparing');
    await preparing.locator('[data-number="1"]').getByText('Zoë <b>x</b>').waitFor();
    await preparing.getByText('Caffè Latte').waitFor();
    await shot(display, 'display-preparing');

    await makeAndComplete(barista, 1);
    await shot(barista, 'barista-after-complete');

    await customer.getByRole('heading', { name: 'Ready for collection' }).waitFor();
    await customer.locator('.customer-ready .status-ready').waitFor();
    await customer.getByText('Collect your Caffè Latte at the counter.').waitFor();
    await shot(customer, 'customer-ready');

    const ready = display.locator('.queue-ready');
    await ready.locator('[data-number="1"]').getByText('Zoë <b>x</b>').waitFor();
    await ready.getByText('Ready to collect').waitFor();
    assert.equal(await display.locator('.queue-preparing [data-number="1"]').count(), 0);
    await shot(display, 'display-ready');

    // The receipt, then back to the start, where today's history lists the order.
    await customer.getByRole('button', { name: 'Receipt' }).click();
    await customer.getByText('Milk: Oat, Syrup: Vanilla').waitFor();
    await shot(customer, 'customer-receipt');
    await customer.getByRole('button', { name: 'Back' }).click();
    await customer.getByRole('button', { name: 'Done' }).click();
    await customer.getByRole('heading', { name: 'Scan the QR code on the big screen' }).waitFor();
    await customer.getByRole('heading', { name: 'Your orders today' }).waitFor();
    await shot(customer, 'customer-home-history');

    // The customer and display pages log no errors (the barista app has its own tests).
    for (const p of [display, customer]) {
      assert.deepEqual(p.errors, [], `console errors on ${p.url()}`);
    }
    for (const p of [display, barista, customer]) await p.context().close();
  });

  it('a reload in the middle of the order comes back to the same order, in its state', async () => {
    const page = await newPage(browser, phone);
    await scanAndName(page, 'Ravi');
    const before = await page.getByText(/Time left to choose: (\d+:\d\d)/).innerText();
    await page.reload();
    // Back on the menu of the same order, the countdown still running down.
    await page.getByRole('heading', { name: 'Choose your drink, Ravi' }).waitFor();
    const afterReload = await page.getByText(/Time left to choose: (\d+:\d\d)/).innerText();
    assert.ok(afterReload <= before, `${afterReload} after ${before}`);
    assert.equal(new URL(page.url()).searchParams.get('code'), null, 'the used code left the address');
    await page.locator('label[data-drink="tea"]').click();
    await page.getByRole('button', { name: 'Order', exact: true }).click();
    await page.getByRole('heading', { name: 'In the queue' }).waitFor();
    const number = await page.locator('.order-number [aria-hidden="true"]').innerText();

    await page.reload();
    await page.getByRole('heading', { name: 'In the queue' }).waitFor();
    assert.equal(await page.locator('.order-number [aria-hidden="true"]').innerText(), number);
    await shot(page, 'customer-after-reload');

    // While the page is closed, a barista starts the drink; reopening shows it.
    const { orders } = await kiosk.admin.must('GET', '/api/orders?state=queued');
    const o = orders.find((/** @type {{customerName: string}} */ x) => x.customerName === 'Ravi');
    await page.goto('about:blank');
    await kiosk.admin.must('POST', `/api/orders/${o.id}/make`);
    await page.goBack();
    await page.getByRole('heading', { name: 'Being made' }).waitFor();
    await page.context().close();
  });

  it('a customer cancels their own order, after confirming', async () => {
    const page = await newPage(browser, phone);
    await scanAndName(page, 'Kim');
    await page.locator('label[data-drink="espresso"]').click();
    await page.getByRole('button', { name: 'Order', exact: true }).click();
    await page.getByRole('heading', { name: 'In the queue' }).waitFor();

    await page.getByRole('button', { name: 'Cancel order' }).click();
    await page.getByText('Cancel this order?').waitFor();
    await shot(page, 'customer-cancel-confirm');
    await page.getByRole('button', { name: 'No, keep it' }).click();
    await page.getByRole('heading', { name: 'In the queue' }).waitFor();

    await page.getByRole('button', { name: 'Cancel order' }).click();
    await page.getByRole('button', { name: 'Yes, cancel it' }).click();
    await page.getByRole('heading', { name: 'Cancelled', exact: true }).waitFor();
    await page.getByText('You cancelled this order.', { exact: false }).waitFor();
    await shot(page, 'customer-cancelled');
    await page.context().close();
  });

  it('the phone says when its connection drops, and catches up when it returns', async () => {
    const page = await newPage(browser, phone);
    await scanAndName(page, 'Mo');
    await page.locator('label[data-drink="americano"]').click();
    await page.getByRole('button', { name: 'Order', exact: true }).click();
    await page.getByRole('heading', { name: 'In the queue' }).waitFor();
    await page.context().setOffline(true);
    await page.getByText('Offline. Reconnecting…').waitFor();
    await shot(page, 'customer-offline');
    // While the phone is away, a barista starts the drink: no live message reaches it.
    const { orders } = await kiosk.admin.must('GET', '/api/orders?state=queued');
    const o = orders.find((/** @type {{customerName: string}} */ x) => x.customerName === 'Mo');
    await kiosk.admin.must('POST', `/api/orders/${o.id}/make`);
    await page.context().setOffline(false);
    await page.getByRole('heading', { name: 'Being made' }).waitFor({ timeout: 30_000 });
    await page.context().close();
  });

  it('the display says when its live connection drops, and catches up when it returns', async () => {
    const display = await newPage(browser, monitor);
    await display.goto(`${kiosk.base}/display/`);
    await display.getByText('Live', { exact: true }).waitFor();
    await display.context().setOffline(true);
    await display.getByText('Not live: this screen may be out of date').waitFor();
    await shot(display, 'display-offline');
    // Meanwhile a new order is placed.
    const phonePage = await newPage(browser, phone);
    await scanAndName(phonePage, 'Lea');
    await phonePage.locator('label[data-drink="mocha"]').click();
    await phonePage.getByRole('button', { name: 'Order', exact: true }).click();
    await phonePage.getByRole('heading', { name: 'In the queue' }).waitFor();
    await display.context().setOffline(false);
    await display.getByText('Live', { exact: true }).waitFor({ timeout: 30_000 });
    await display.locator('.queue-preparing').getByText('Lea').waitFor();
    await display.context().close();
    await phonePage.context().close();
  });
});

describe('a crash of the kiosk', () => {
  it('the phone, the display and the tablet catch up after the kiosk is killed and started again', async () => {
    const customer = await newPage(browser, phone);
    await scanAndName(customer, 'Kai');
    await customer.locator('label[data-drink="americano"]').click();
    await customer.getByRole('button', { name: 'Order', exact: true }).click();
    await customer.getByRole('heading', { name: 'In the queue' }).waitFor();
    const { orders } = await kiosk.admin.must('GET', '/api/orders?state=queued');
    const { id, number } = orders.find((/** @type {{customerName: string}} */ o) => o.customerName === 'Kai');

    const display = await newPage(browser, monitor);
    await display.goto(`${kiosk.base}/display/`);
    await display.getByText('Live', { exact: true }).waitFor();
    await display.locator(`.queue-preparing [data-number="${number}"]`).getByText('Kai').waitFor();
    const barista = await newPage(browser, tablet);
    await barista.goto(`${kiosk.base}/barista/`);
    await barista.getByLabel('Name').fill('admin');
    await barista.getByLabel('Password').fill('e2e-admin-password');
    await barista.getByRole('button', { name: 'Sign in' }).click();
    await barista.locator(`article[data-order="${number}"]`).waitFor();

    // The plug is pulled and the kiosk starts again on the same data; the
    // screens stay open and reconnect by themselves.
    await kiosk.crash();
    await display.getByText('Live', { exact: true }).waitFor({ timeout: 30_000 });
    // Another barista starts the drink: each screen learns it only live.
    await kiosk.admin.must('POST', `/api/orders/${id}/make`);
    await customer.getByRole('heading', { name: 'Being made' }).waitFor({ timeout: 30_000 });
    const card = barista.locator(`article[data-order="${number}"]`);
    await card.getByRole('button', { name: 'Ready', exact: true }).click({ timeout: 30_000 });
    await customer.getByRole('heading', { name: 'Ready for collection' }).waitFor({ timeout: 30_000 });
    await display.locator(`.queue-ready [data-number="${number}"]`).getByText('Kai').waitFor();
    await shot(display, 'display-after-crash');
    for (const p of [customer, display, barista]) await p.context().close();
  });
});

describe('customer and display without the right to each other', () => {
  it('a customer cannot read the QR code', async () => {
    const c = new Client(kiosk.base);
    const r = await c.call('GET', '/api/display/qr');
    assert.ok(r.status === 401 || r.status === 403, `status ${r.status}`);
  });
});
