// The barista app on two tablets against the real kiosk: sign-in, the
// columns, make and undo, the held completion and its undo, handing over,
// cancelling after a confirmation, a race between two tablets, the shop
// switch, sold out, the batch view, a new booth day, catching up after the
// connection drops, and the ticket printer's badge and reprints. Customers
// order through the API, as their phones would.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client, launchBrowser, newPage, shot, startKiosk, tablet, waitFor } from './harness.mjs';

/** @type {Awaited<ReturnType<typeof startKiosk>>} */
let kiosk;
/** @type {import('playwright-core').Browser} */
let browser;

before(async () => {
  kiosk = await startKiosk();
  browser = await launchBrowser();
  // Many orders from this file: enough room, and no daily limit.
  await kiosk.settings({ drinksPerCode: 1000, maxInFlight: 1000, drinksPerCustomerPerDay: 0 });
  for (const [username, password] of [['kim', 'kim-espresso'], ['lea', 'lea-espresso']]) {
    await kiosk.admin.must('POST', '/api/staff', { username, password, role: 'barista' });
  }
});

after(async () => {
  await browser?.close();
  await kiosk?.stop();
});

/**
 * order places an order as a new phone would and returns it (with its number).
 * @param {string} name
 * @param {string} drinkId
 * @param {{group: string, choice: string}[]} [options]
 */
async function order(name, drinkId, options = []) {
  const phone = new Client(kiosk.base);
  const { code } = await kiosk.qr();
  const o = await phone.must('POST', '/api/orders', { code, name });
  return phone.must('PUT', `/api/orders/${o.id}/drink`, { drinkId, options });
}

/**
 * stateOf reads an order's state as the kiosk has it.
 * @param {string} id
 */
async function stateOf(id) {
  return kiosk.admin.must('GET', `/api/orders/${id}`);
}

/**
 * tabletFor opens the barista app and signs in.
 * @param {string} username
 * @param {string} password
 */
async function tabletFor(username, password) {
  const page = await newPage(browser, tablet);
  await page.goto(`${kiosk.base}/barista/`);
  await page.getByLabel('Name').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: /^New/ }).waitFor();
  // Live: the connecting notice is gone.
  await waitFor('the live connection', async () => (await page.locator('.connection-connecting').count()) === 0);
  return page;
}

/**
 * column returns one column of the board by its heading id.
 * @param {import('playwright-core').Page} page
 * @param {'new' | 'making' | 'ready'} name
 */
function column(page, name) {
  return page.locator(`section[aria-labelledby="col-${name}"]`);
}

/**
 * card returns an order's card within a part of the page.
 * @param {import('playwright-core').Locator | import('playwright-core').Page} where
 * @param {number} number
 */
function card(where, number) {
  return where.locator(`article[data-order="${number}"]`);
}

describe('the barista app', () => {
  /** @type {import('playwright-core').Page} */
  let kim;
  /** @type {import('playwright-core').Page} */
  let lea;

  it('refuses a wrong password and signs in with the right one', async () => {
    const page = await newPage(browser, tablet);
    await page.goto(`${kiosk.base}/barista/`);
    await page.getByLabel('Name').fill('kim');
    await page.getByLabel('Password').fill('not-her-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').getByText('Wrong name or password.').waitFor();
    await page.context().close();
    kim = await tabletFor('kim', 'kim-espresso');
    lea = await tabletFor('lea', 'lea-espresso');
  });

  it('shows a new order with its number, name as text, drink and options, and makes it', async () => {
    const o = await order('<img src=x onerror=alert(1)>', 'flat-white', [{ group: 'Milk', choice: 'Oat' }]);
    const c = card(column(kim, 'new'), o.number);
    await c.getByText('<img src=x onerror=alert(1)>').waitFor();
    assert.equal(await c.locator('img').count(), 0, 'the name is text, never markup');
    await c.getByText('Flat White').waitFor();
    await c.getByText('Oat').waitFor();
    await c.getByText('New', { exact: true }).waitFor();
    await card(column(lea, 'new'), o.number).waitFor();
    await shot(kim, 'barista-new-order');

    await c.getByRole('button', { name: 'Make', exact: true }).click();
    await card(column(kim, 'making'), o.number).waitFor();
    await waitFor('the order to be making', async () => (await stateOf(o.id)).state === 'making');
    // Lea sees it leave New, and it is not hers to make.
    await waitFor('the order to leave Lea’s New column', async () => (await card(column(lea, 'new'), o.number).count()) === 0);

    // Undo the make within a few seconds: the order goes back to the queue.
    await kim.locator('.undo-bar').getByRole('button', { name: 'Undo' }).click();
    await card(column(kim, 'new'), o.number).waitFor();
    await waitFor('the order to be queued again', async () => (await stateOf(o.id)).state === 'queued');
  });

  it('holds a completion for five seconds, with an undo, before the customer is told', async () => {
    const o = await order('Ada', 'latte');
    await card(column(kim, 'new'), o.number).getByRole('button', { name: 'Make', exact: true }).click();
    const making = card(column(kim, 'making'), o.number);
    await making.getByRole('button', { name: 'Ready', exact: true }).click();
    await making.getByText(/Ready in [1-5] s/).waitFor();
    await shot(kim, 'barista-complete-held');
    await making.getByRole('button', { name: 'Undo' }).click();
    await new Promise((r) => setTimeout(r, 6000));
    assert.equal((await stateOf(o.id)).state, 'making', 'an undone completion is never sent');

    await making.getByRole('button', { name: 'Ready', exact: true }).click();
    assert.equal((await stateOf(o.id)).state, 'making', 'held, not yet sent');
    await waitFor('the completion to be sent', async () => (await stateOf(o.id)).state === 'completed', 10_000);
    const ready = card(column(kim, 'ready'), o.number);
    await ready.waitFor();
    await card(column(lea, 'ready'), o.number).waitFor();

    await ready.getByRole('button', { name: 'Handed over' }).click();
    await waitFor('the drink to be collected', async () => Boolean((await stateOf(o.id)).collectedAt));
    await waitFor('the card to leave both tablets', async () =>
      (await card(kim, o.number).count()) === 0 && (await card(lea, o.number).count()) === 0);
  });

  it('cancels only after a confirmation', async () => {
    const o = await order('Bo', 'tea');
    const c = card(column(kim, 'new'), o.number);
    await c.getByRole('button', { name: 'Cancel', exact: true }).click();
    const dialog = kim.getByRole('dialog', { name: `Cancel order ${o.number}?` });
    await dialog.waitFor();
    await shot(kim, 'barista-cancel-confirm');
    await dialog.getByRole('button', { name: 'No, go back' }).click();
    assert.equal((await stateOf(o.id)).state, 'queued');
    await c.getByRole('button', { name: 'Cancel', exact: true }).click();
    await kim.getByRole('dialog').getByRole('button', { name: 'Yes, cancel it' }).click();
    await kim.getByText(`Order ${o.number} was cancelled.`).waitFor();
    await waitFor('the order to be cancelled', async () => (await stateOf(o.id)).state === 'cancelled');
    await waitFor('the card to leave Lea’s tablet', async () => (await card(lea, o.number).count()) === 0);
  });

  it('treats another tablet getting there first as normal: a short notice and a fresh board', async () => {
    // Lea makes one order first, so her tablet knows which orders are hers.
    const first = await order('Cy', 'espresso');
    await card(column(lea, 'new'), first.number).getByRole('button', { name: 'Make', exact: true }).click();
    await card(column(lea, 'making'), first.number).waitFor();

    // Lea's tablet stops hearing updates without noticing (a stalled link).
    let stalled = false;
    await lea.routeWebSocket(/\/mqtt$/, (ws) => {
      const server = ws.connectToServer();
      server.onMessage((m) => {
        if (!stalled) ws.send(m);
      });
      ws.onMessage((m) => server.send(m));
    });
    await lea.reload();
    await lea.getByRole('heading', { name: /^New/ }).waitFor();
    await waitFor('the live connection', async () => (await lea.locator('.connection-connecting').count()) === 0);
    // Reloaded, the tablet still knows Lea's order is hers.
    await card(column(lea, 'making'), first.number).waitFor();

    const o = await order('Dee', 'mocha');
    await card(column(lea, 'new'), o.number).waitFor();
    stalled = true;
    await card(column(kim, 'new'), o.number).getByRole('button', { name: 'Make', exact: true }).click();
    await waitFor('Kim to be making it', async () => (await stateOf(o.id)).state === 'making');

    await card(column(lea, 'new'), o.number).getByRole('button', { name: 'Make', exact: true }).click();
    await lea.locator('.notice').getByText(new RegExp(`^Order ${o.number}: `)).waitFor();
    await shot(lea, 'barista-race');
    // The board is read again: the order is neither in New nor in Lea's Making.
    await waitFor('Lea’s board to be fresh', async () => (await card(lea, o.number).count()) === 0);
    stalled = false;
  });

  it('groups identical drinks in the batch view', async () => {
    const oat = [{ group: 'Milk', choice: 'Oat' }];
    const a = await order('Eve', 'cappuccino', oat);
    const b = await order('Fin', 'cappuccino', oat);
    await card(column(kim, 'new'), b.number).waitFor();
    await column(kim, 'new').getByRole('button', { name: 'Group identical drinks' }).click();
    const batch = column(kim, 'new').locator('.batch', { hasText: '2 × Cappuccino, Oat' });
    await batch.waitFor();
    await batch.getByText(`Orders ${a.number}, ${b.number}`).waitFor();
    await shot(kim, 'barista-batch');
    await column(kim, 'new').getByRole('button', { name: 'Group identical drinks' }).click();
  });

  it('closes the shop, showing the change only once the kiosk has announced it', async () => {
    await kim.getByRole('button', { name: 'Close the shop' }).click();
    await kim.getByRole('button', { name: 'Open the shop' }).waitFor();
    await lea.getByText('Shop closed').waitFor();
    assert.equal((await kiosk.admin.must('GET', '/api/shop')).open, false);
    await kim.getByRole('button', { name: 'Open the shop' }).click();
    await kim.getByRole('button', { name: 'Close the shop' }).waitFor();
    assert.equal((await kiosk.admin.must('GET', '/api/shop')).open, true);
  });

  it('marks a drink sold out and back in one tap', async () => {
    await kim.getByText('Sold out: nothing').click();
    const mocha = kim.locator('.soldout-list').getByRole('button', { name: /Mocha/ });
    await mocha.click();
    await kim.getByText('Sold out: 1 drink').waitFor();
    assert.equal(await mocha.getAttribute('aria-pressed'), 'true');
    const menu = (await kiosk.admin.must('GET', '/api/shop')).menu;
    assert.equal(menu.find((/** @type {{id: string}} */ d) => d.id === 'mocha').available, false);
    await shot(kim, 'barista-sold-out');
    await mocha.click();
    await kim.getByText('Sold out: nothing').waitFor();
  });

  it('catches up after its connection drops', async () => {
    await kim.context().setOffline(true);
    await kim.locator('.connection-banner').waitFor({ timeout: 40_000 });
    const o = await order('Gus', 'americano');
    await kim.context().setOffline(false);
    await card(column(kim, 'new'), o.number).waitFor({ timeout: 30_000 });
  });

  it('shows the ticket printer and reprints a ticket from Making and Ready', async () => {
    // The kiosk's default printer writes tickets into its data directory:
    // once a ticket has printed, it is ok.
    const o = await order('Hal', 'latte');
    /** @returns {Promise<{id: number, label: string, printed: boolean}[]>} */
    const jobs = async () => (await kiosk.admin.must('GET', '/api/printer')).jobs;
    const newest = Math.max(0, ...(await jobs()).map((j) => j.id));
    await card(column(kim, 'new'), o.number).getByRole('button', { name: 'Make', exact: true }).click();
    const making = card(column(kim, 'making'), o.number);
    await making.waitFor();
    const badge = kim.locator('.barista-bar .printer-badge');
    await badge.getByText('Printer: ok').waitFor();
    assert.equal(await badge.getAttribute('data-health'), 'ok');
    assert.equal(await kim.locator('.printer-warning').count(), 0, 'no warning while the printer is ok');
    await waitFor('the ticket to print', async () => (await jobs()).some((j) => j.id > newest && j.printed));

    const jobCount = async () => (await jobs()).length;
    const before = await jobCount();
    await making.getByRole('button', { name: 'Reprint ticket' }).click();
    await kim.locator('.notice').getByText(`The ticket for order ${o.number} is on its way to the printer.`).waitFor();
    await waitFor('one more ticket', async () => (await jobCount()) === before + 1);
    await shot(kim, 'barista-printer-reprint');

    // From Ready too.
    await making.getByRole('button', { name: 'Ready', exact: true }).click();
    const ready = card(column(kim, 'ready'), o.number);
    await ready.waitFor({ timeout: 15_000 });
    await ready.getByRole('button', { name: 'Reprint ticket' }).click();
    await waitFor('another ticket', async () => (await jobCount()) === before + 2);
    await ready.getByRole('button', { name: 'Handed over' }).click();
    await waitFor('the card to leave', async () => (await card(kim, o.number).count()) === 0);
  });

  it('starts a new booth day after a confirmation', async () => {
    await kim.getByRole('button', { name: 'New booth day' }).click();
    await kim.getByRole('dialog').getByRole('button', { name: 'Start a new day' }).click();
    await kim.getByText('Booth day 2', { exact: true }).waitFor();
    assert.equal((await kiosk.admin.must('GET', '/api/shop')).boothDay, 2);
  });

  it('signs out', async () => {
    await kim.getByRole('button', { name: 'Sign out' }).click();
    await kim.getByRole('heading', { name: 'Staff sign-in' }).waitFor();
    const errors = [kim, lea].flatMap((p) =>
      p.errors.filter((e) => !e.includes('Failed to load resource') && !e.includes('ERR_INTERNET_DISCONNECTED')),
    );
    assert.deepEqual(errors, []);
  });
});
