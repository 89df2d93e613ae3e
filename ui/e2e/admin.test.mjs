// The admin app against the real kiosk: admins only, the menu editor (add,
// reorder, a problem shown at its field), the settings, the booth's Wi-Fi
// (and the display showing its join code), staff accounts with the
// last-admin rule, pairing a display, the ticket printer with a ticket's
// preview, and the live event stream.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client, adminPassword, launchBrowser, monitor, newPage, shot, startKiosk, waitFor } from './harness.mjs';

/** @type {Awaited<ReturnType<typeof startKiosk>>} */
let kiosk;
/** @type {import('playwright-core').Browser} */
let browser;

const laptop = { viewport: { width: 1280, height: 900 } };

before(async () => {
  kiosk = await startKiosk();
  browser = await launchBrowser();
  await kiosk.admin.must('POST', '/api/staff', { username: 'kim', password: 'kim-espresso', role: 'barista' });
});

after(async () => {
  await browser?.close();
  await kiosk?.stop();
});

/**
 * signIn opens the admin app and signs in.
 * @param {string} username
 * @param {string} password
 */
async function signIn(username, password) {
  const page = await newPage(browser, laptop);
  await page.goto(`${kiosk.base}/admin/`);
  await page.getByLabel('Name').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  return page;
}

describe('the admin app', () => {
  /** @type {import('playwright-core').Page} */
  let page;

  it('tells a barista that it needs an admin account', async () => {
    const barista = await signIn('kim', 'kim-espresso');
    await barista.getByRole('heading', { name: 'Admins only' }).waitFor();
    await barista.getByText('You are signed in as kim, a barista account.', { exact: false }).waitFor();
    await barista.context().close();
  });

  it('edits the menu: a problem is shown at its field, then a new drink is saved', async () => {
    page = await signIn('admin', adminPassword);
    await page.getByRole('heading', { name: 'Menu', level: 2 }).waitFor();
    const ids = page.getByLabel('Id', { exact: true });
    await ids.nth(1).fill('espresso');
    await page.getByRole('button', { name: 'Save the menu' }).click();
    await page.getByText('Another drink has the id espresso.').first().waitFor();
    assert.equal(await ids.nth(1).getAttribute('aria-invalid'), 'true');
    await shot(page, 'admin-menu-problem');
    await ids.nth(1).fill('americano');

    await page.getByRole('button', { name: 'Add a drink' }).click();
    const drink = page.locator('fieldset.drink').last();
    await drink.getByLabel('Name', { exact: true }).fill('Chai Latte');
    await drink.getByLabel('Icon').selectOption('tea');
    await drink.getByRole('button', { name: 'Add an option group' }).click();
    await drink.getByLabel('Group name').fill('Milk');
    await drink.getByLabel('Choice 1 of Milk').fill('Regular');
    await drink.getByRole('button', { name: 'Add a choice' }).click();
    await drink.getByLabel('Choice 2 of Milk').fill('Oat');
    await drink.getByRole('button', { name: 'Move Chai Latte up' }).click();
    await page.getByRole('button', { name: 'Save the menu' }).click();
    await page.getByText('Saved.').waitFor();

    const { menu } = await kiosk.admin.must('GET', '/api/shop');
    const ids2 = menu.map((/** @type {{id: string}} */ d) => d.id);
    assert.equal(ids2.at(-2), 'chai-latte', `moved up one place: ${ids2.join(', ')}`);
    assert.deepEqual(menu.find((/** @type {{id: string}} */ d) => d.id === 'chai-latte'), {
      id: 'chai-latte',
      name: 'Chai Latte',
      icon: 'tea',
      available: true,
      options: [{ name: 'Milk', choices: ['Regular', 'Oat'] }],
    });
  });

  it('changes a setting within its range', async () => {
    await page.getByRole('link', { name: 'Settings' }).click();
    const field = page.getByLabel('Orders in flight at most');
    await field.fill('0');
    await page.getByRole('button', { name: 'Save the settings' }).click();
    await page.getByText('Enter a whole number from 1 to 1,000.').waitFor();
    await field.fill('12');
    await page.getByRole('button', { name: 'Save the settings' }).click();
    await page.getByText('Saved.').waitFor();
    const cfg = await kiosk.admin.must('GET', '/api/config');
    assert.equal(cfg.settings.maxInFlight, 12);
    assert.equal(cfg.settings.qrPeriodSeconds, 300, 'the other settings keep their values');
    await shot(page, 'admin-settings');
  });

  it('manages staff accounts and protects the last admin', async () => {
    await page.getByRole('link', { name: 'Staff' }).click();
    const me = page.locator('li.account', { hasText: 'you' });
    await me.getByLabel('Role').selectOption('barista');
    await me.getByRole('button', { name: 'Change role' }).click();
    await me.getByText('This is the last admin account', { exact: false }).waitFor();

    const add = page.locator('form.add-account');
    await add.getByLabel('Name').fill('sam');
    await add.getByLabel('Password').fill('sam-espresso');
    await add.getByRole('button', { name: 'Add account' }).click();
    await page.getByText('Account sam added.').waitFor();
    await add.getByLabel('Name').fill('kim');
    await add.getByLabel('Password').fill('another-one');
    await add.getByRole('button', { name: 'Add account' }).click();
    await add.getByText('That name is taken by another account.').waitFor();

    const sam = page.locator('li.account', { hasText: 'sam' });
    await sam.getByLabel('Role').selectOption('admin');
    await sam.getByRole('button', { name: 'Change role' }).click();
    await page.getByText('sam is now: Admin.').waitFor();
    await sam.getByLabel('New password').fill('sam-new-password');
    await sam.getByRole('button', { name: 'Set password' }).click();
    await page.getByText('New password set for sam.', { exact: false }).waitFor();
    assert.equal((await new Client(kiosk.base).call('POST', '/api/session', { username: 'sam', password: 'sam-new-password' })).status, 200);

    await sam.getByRole('button', { name: 'Remove sam' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Yes, remove it' }).click();
    await page.getByText('Account sam removed.').waitFor();
    const { accounts } = await kiosk.admin.must('GET', '/api/staff');
    assert.deepEqual(accounts.map((/** @type {{username: string}} */ a) => a.username).sort(), ['admin', 'kim']);
    await shot(page, 'admin-staff');
  });

  it('pairs a display and signs every display out', async () => {
    await page.getByRole('link', { name: 'Displays' }).click();
    await page.getByRole('button', { name: 'Pair a display' }).click();
    const url = await page.locator('.pair-url').innerText();
    assert.match(url, /\/display\/\?pair=[a-z0-9]+$/);
    await shot(page, 'admin-pair');

    // The address signs a display in, once.
    const display = new Client(kiosk.base);
    const code = new URL(url).searchParams.get('pair');
    assert.equal((await display.call('POST', '/api/display/pair', { code })).status, 201);
    assert.equal((await display.call('GET', '/api/display/qr')).status, 200);

    await page.getByRole('button', { name: 'Sign out all displays' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Yes, sign them out' }).click();
    await page.getByText('Every display has been signed out.').waitFor();
    const after = await display.call('GET', '/api/display/qr');
    assert.ok(after.status === 401 || after.status === 403, `status ${after.status}`);
  });

  it('shows the ticket printer and a recent ticket as printed', async () => {
    // A barista makes an order: its ticket prints to the kiosk's file printer.
    const phone = new Client(kiosk.base);
    const { code } = await kiosk.qr();
    const o = await phone.must('POST', '/api/orders', { code, name: 'Zoë' });
    await phone.must('PUT', `/api/orders/${o.id}/drink`, { drinkId: 'latte', options: [] });
    const { jobs: before } = await kiosk.admin.must('GET', '/api/printer');
    await kiosk.admin.must('POST', `/api/orders/${o.id}/make`);
    const job = await waitFor('the ticket to print', async () => {
      const { jobs } = await kiosk.admin.must('GET', '/api/printer');
      return jobs.find((/** @type {{id: number, printed: boolean}} */ j) => j.printed && !before.some((/** @type {{id: number}} */ b) => b.id === j.id));
    });

    await page.getByRole('link', { name: 'Tickets' }).click();
    await page.getByRole('heading', { name: 'Ticket printer' }).waitFor();
    await page.locator('.tickets .printer-badge').getByText('Printer: ok').waitFor();
    const row = page.getByRole('button', { name: new RegExp(`^Ticket ${job.id}: `) });
    await row.waitFor();
    assert.equal(await row.getAttribute('aria-pressed'), 'true', 'the newest ticket is shown');
    await row.getByText('Printed').waitFor();

    const image = page.locator('.ticket-preview img');
    assert.equal(await image.getAttribute('src'), `/api/printer/jobs/${job.id}/preview.png`);
    await waitFor('the ticket image to load', async () =>
      image.evaluate((/** @type {HTMLImageElement} */ img) => img.complete && img.naturalWidth > 0));
    const width = await image.evaluate((/** @type {HTMLImageElement} */ img) => img.naturalWidth);
    assert.equal(width, 384, 'a 58 mm ticket is 384 printer dots wide');
    // Its text, for screen readers, is the ticket's own words (the name in
    // double-width letters, which the text shows spaced out).
    const text = page.locator('.ticket-preview pre');
    await waitFor('the ticket text', async () => (await text.textContent())?.replace(/\s+/g, '').includes('Zoë'));
    assert.match((await text.textContent()) ?? '', /Latte/);
    await shot(page, 'admin-tickets');
  });

  it('sets the booth Wi-Fi, and the display shows a code that joins it', async () => {
    await page.getByRole('link', { name: 'Settings' }).click();
    const booth = page.locator('form.booth-form');
    await booth.getByRole('heading', { name: 'Booth' }).waitFor();
    await booth.getByLabel('Wi-Fi name').fill('CoffeeBar');
    const password = booth.getByLabel('Wi-Fi password');
    assert.equal(await password.getAttribute('type'), 'password');
    await password.fill('short');
    await booth.getByRole('button', { name: 'Save the booth settings' }).click();
    await booth.getByText('A Wi-Fi password is 8 to 63 characters, or empty for an open network.').waitFor();
    assert.equal(await password.getAttribute('aria-invalid'), 'true');
    assert.equal((await kiosk.admin.must('GET', '/api/config')).booth.wifiSsid, '', 'nothing is sent while a field is wrong');

    await booth.getByRole('button', { name: 'Show password' }).click();
    assert.equal(await password.getAttribute('type'), 'text');
    await password.fill('latte-art-42');
    await booth.getByRole('button', { name: 'Hide password' }).click();
    assert.equal(await password.getAttribute('type'), 'password');

    // The kiosk's own refusal is shown at the field it names.
    await booth.getByLabel('Public address').fill('http://coffee.local/');
    await booth.getByRole('button', { name: 'Save the booth settings' }).click();
    await booth.getByText('Do not use a .local name', { exact: false }).waitFor();
    await booth.getByLabel('Public address').fill('');

    await booth.getByRole('button', { name: 'Save the booth settings' }).click();
    await booth.getByText('Saved.').waitFor();
    const cfg = await kiosk.admin.must('GET', '/api/config');
    assert.deepEqual(cfg.booth, { ...cfg.booth, wifiSsid: 'CoffeeBar', wifiPassword: 'latte-art-42', publicUrl: '' });
    await shot(page, 'admin-booth');

    // A display, paired the way an admin pairs one.
    const { url } = await kiosk.admin.must('POST', '/api/displays/pairings');
    const display = await newPage(browser, monitor);
    await display.goto(url);
    const join = display.locator('.wifi-join');
    await join.getByText('Join the Wi-Fi: CoffeeBar').waitFor();
    const image = join.getByRole('img', { name: 'QR code to join the Wi-Fi CoffeeBar' });
    assert.match((await image.getAttribute('src')) ?? '', /^\/api\/display\/wifi\.png\?size=\d+&v=CoffeeBar$/);
    await waitFor('the Wi-Fi code to load', async () =>
      image.evaluate((/** @type {HTMLImageElement} */ img) => img.complete && img.naturalWidth > 0));
    await shot(display, 'display-wifi');

    // Without a Wi-Fi name, the display shows no join code.
    await booth.getByLabel('Wi-Fi name').fill('');
    await booth.getByLabel('Wi-Fi password').fill('');
    await booth.getByRole('button', { name: 'Save the booth settings' }).click();
    await booth.getByText('Saved.').waitFor();
    await waitFor('the join code to go', async () => (await join.count()) === 0);
    await display.locator('.qr-panel').waitFor();
    const errors = display.errors.filter((e) => !e.includes('Failed to load resource'));
    assert.deepEqual(errors, []);
    await display.context().close();
  });

  it('shows the event stream live, filtered by type and by order', async () => {
    await page.getByRole('link', { name: 'Events' }).click();
    await page.locator('.event').first().waitFor();

    const phone = new Client(kiosk.base);
    const { code } = await kiosk.qr();
    const o = await phone.must('POST', '/api/orders', { code, name: 'Ivy' });
    await page.locator('.event', { hasText: 'OrderProcessor.WorkflowStarted' }).filter({ hasText: o.id }).waitFor();

    await page.getByLabel('Type').selectOption('Validator.NewOrder');
    await waitFor('only NewOrder events', async () => {
      const types = await page.locator('.event-type').allInnerTexts();
      return types.length > 0 && types.every((t) => t === 'Validator.NewOrder');
    });
    await page.getByLabel('Type').selectOption('');
    await page.getByLabel('Order id').fill(o.id);
    await page.getByRole('button', { name: 'Load the order’s whole journey' }).click();
    await waitFor('only the order’s events', async () => {
      const orders = await page.locator('.event-order').allInnerTexts();
      return orders.length >= 2 && orders.every((id) => id === o.id);
    });
    await shot(page, 'admin-events');
    const errors = page.errors.filter((e) => !e.includes('Failed to load resource'));
    assert.deepEqual(errors, []);
  });
});
