// The browser tests' harness: it starts the real kiosk binary (bin/kiosk,
// built by `make build`) on free ports with a fresh data directory, talks to
// its API as staff would, and drives Debian's Chromium through playwright-core.
// Nothing is downloaded: the browser is the one installed on the machine.

import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
/** The repository's root. */
export const repoRoot = resolve(here, '..', '..');
const binary = process.env.KIOSK_BINARY ?? join(repoRoot, 'bin', 'kiosk');
const resultsDir = join(repoRoot, 'test-results');
const chromiumPath = process.env.CHROMIUM ?? '/usr/bin/chromium';

/** The admin's password on every test kiosk. */
export const adminPassword = 'e2e-admin-password';

/** Screen sizes: a phone held in one hand, the baristas' tablet, the overhead monitor. */
export const phone = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };
export const tablet = { viewport: { width: 1024, height: 768 }, hasTouch: true };
export const monitor = { viewport: { width: 1920, height: 1080 } };

function freePort() {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = /** @type {import('node:net').AddressInfo} */ (srv.address());
      srv.close(() => ok(port));
    });
  });
}

/**
 * waitFor polls `check` until it returns a value that is not false, null or
 * undefined, and returns it; it fails after `timeout` ms with `what`.
 * @template T
 * @param {string} what
 * @param {() => Promise<T> | T} check
 * @param {number} [timeout]
 * @returns {Promise<NonNullable<T>>}
 */
export async function waitFor(what, check, timeout = 15_000) {
  const until = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      const v = await check();
      if (v !== false && v !== null && v !== undefined) return /** @type {NonNullable<T>} */ (v);
    } catch (e) {
      last = e;
    }
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}${last ? `: ${last}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * A client of the kiosk's API with its own cookies, as one browser would be.
 */
export class Client {
  /** @param {string} base */
  constructor(base) {
    this.base = base;
    /** @type {Record<string, string>} */
    this.cookies = {};
  }

  /**
   * call makes one request and returns the status and the JSON body.
   * @param {string} method
   * @param {string} path
   * @param {unknown} [body]
   */
  async call(method, path, body) {
    if (method !== 'GET' && !this.cookies['kiosk_csrf']) await this.call('GET', '/api/session');
    /** @type {Record<string, string>} */
    const headers = { Accept: 'application/json', Origin: this.base };
    const cookie = Object.entries(this.cookies)
      .map(([k, v]) => `${k}=${v}`)
      .join('; ');
    if (cookie) headers['Cookie'] = cookie;
    if (this.cookies['kiosk_csrf']) headers['X-Kiosk-CSRF'] = this.cookies['kiosk_csrf'];
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const res = await fetch(this.base + path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    for (const line of res.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const i = pair.indexOf('=');
      this.cookies[pair.slice(0, i)] = pair.slice(i + 1);
    }
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  }

  /**
   * must makes a request that has to succeed and returns its body.
   * @param {string} method
   * @param {string} path
   * @param {unknown} [body]
   */
  async must(method, path, body) {
    const r = await this.call(method, path, body);
    if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  }
}

/**
 * startKiosk runs bin/kiosk with the test clock on free ports and a fresh
 * data directory (and any extra flags), waits until it is healthy, and
 * returns how to reach it.
 * @param {{extraArgs?: string[]}} [options]
 */
export async function startKiosk({ extraArgs = [] } = {}) {
  if (!existsSync(binary)) throw new Error(`${binary} is missing: run "make build" at the repository root first`);
  const [http, mqtt] = [await freePort(), await freePort()];
  const dir = mkdtempSync(join(tmpdir(), 'kiosk-e2e-'));
  const base = `http://127.0.0.1:${http}`;
  const args = ['--data', dir, '--http', `127.0.0.1:${http}`, '--mqtt', `127.0.0.1:${mqtt}`, '--open',
    '--admin-password', adminPassword, '--public-url', `${base}/`, '--test-clock', ...extraArgs];
  let log = '';
  /** @type {import('node:child_process').ChildProcess} */
  let proc;
  let exited = false;
  // spawnKiosk starts the binary on the data directory and ports and waits
  // until it is healthy: at first, and again after a crash.
  const spawnKiosk = async () => {
    proc = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    exited = false;
    proc.stdout?.on('data', (b) => (log += b));
    proc.stderr?.on('data', (b) => (log += b));
    proc.on('exit', () => (exited = true));
    try {
      await waitFor('the kiosk to be healthy', async () => {
        if (exited) throw new Error(`the kiosk exited:\n${log}`);
        const res = await fetch(`${base}/healthz`).catch(() => null);
        return res?.ok ? true : null;
      }, 20_000);
    } catch (e) {
      proc.kill('SIGKILL');
      throw e;
    }
  };
  await spawnKiosk();
  const admin = new Client(base);
  await admin.must('POST', '/api/session', { username: 'admin', password: adminPassword });
  // How far the tests have moved the kiosk's clock ahead of this machine's.
  let advancedMs = 0;
  /** @param {number} seconds */
  const advance = async (seconds) => {
    const r = await admin.must('POST', '/api/test/clock', { advanceSeconds: seconds });
    advancedMs += seconds * 1000;
    return r;
  };
  return {
    base,
    admin,
    get log() {
      return log;
    },
    /**
     * crash pulls the plug (SIGKILL: nothing is flushed or closed) and starts
     * the kiosk again on the same data and ports, as systemd would. The clock
     * the tests moved forward is the machine's own again after it.
     */
    async crash() {
      const gone = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGKILL');
      await gone;
      advancedMs = 0;
      await spawnKiosk();
    },
    /** stop ends the kiosk and removes its data. */
    async stop() {
      if (!exited) {
        const gone = new Promise((r) => proc.once('exit', r));
        proc.kill('SIGTERM');
        await Promise.race([gone, new Promise((r) => setTimeout(r, 5000))]);
        if (!exited) proc.kill('SIGKILL');
      }
      rmSync(dir, { recursive: true, force: true });
    },
    /** The current QR code, as the display gets it. */
    async qr() {
      return admin.must('GET', '/api/display/qr');
    },
    /**
     * freshQR is the current QR code with at least half a minute of its
     * period left: near the end of a period it moves the clock on to the next
     * one, so a scan never races the change of code. With newPeriod it
     * always moves on to the start of the next period.
     */
    async freshQR({ newPeriod = false } = {}) {
      const qr = await admin.must('GET', '/api/display/qr');
      const left = Date.parse(qr.endsAt) - (Date.now() + advancedMs);
      if (left > 30_000 && !newPeriod) return qr;
      await advance(Math.ceil(left / 1000) + 1);
      return waitFor('the next code', async () => {
        const next = await admin.must('GET', '/api/display/qr');
        return next.code !== qr.code ? next : null;
      });
    },
    /** advance moves the kiosk's clock forward (POST /api/test/clock). */
    advance,
    /** @param {Record<string, number>} settings */
    async settings(settings) {
      return admin.must('PUT', '/api/settings', settings);
    },
    /** @param {boolean} open */
    async setOpen(open) {
      return admin.must('PUT', '/api/shop/open', { open });
    },
  };
}

/** launchBrowser starts Debian's Chromium headless, as installed on the machine. */
export async function launchBrowser() {
  return chromium.launch({
    executablePath: chromiumPath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

/**
 * newPage opens a page in a fresh browser context (its own cookies) of the
 * given size, in English, and collects the page's console errors.
 * @param {import('playwright-core').Browser} browser
 * @param {object} device
 */
export async function newPage(browser, device) {
  const context = await browser.newContext({ ...device, locale: 'en-GB' });
  const page = await context.newPage();
  /** @type {string[]} */
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  return Object.assign(page, { errors });
}

/**
 * shot saves a screenshot of the page into test-results/ at the repository root.
 * @param {import('playwright-core').Page} page
 * @param {string} name
 */
export async function shot(page, name) {
  mkdirSync(resultsDir, { recursive: true });
  await page.screenshot({ path: join(resultsDir, `${name}.png`), fullPage: true });
}

// axe-core runs inside the page: its source is evaluated there (through the
// browser's debugging protocol, which the page's script-src policy does not
// govern), then asked to check the page. Nothing is downloaded.
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** The rules that are checked: every WCAG 2.0, 2.1 and 2.2 rule of levels A and AA, colour contrast included. */
export const wcagTags = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22a', 'wcag22aa'];

/**
 * checkA11y runs axe-core on the page as it is and fails with a readable
 * list of every WCAG 2 A/AA violation (rule, impact, the elements and why).
 * @param {import('playwright-core').Page} page
 * @param {string} what the screen, for the message
 */
export async function checkA11y(page, what) {
  const loaded = await page.evaluate(() => typeof (/** @type {any} */ (window).axe) === 'object');
  if (!loaded) await page.evaluate(axeSource);
  /** @type {{id: string, impact: string, help: string, nodes: {target: string[], failureSummary: string}[]}[]} */
  const violations = await page.evaluate(async (tags) => {
    const result = await /** @type {any} */ (window).axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
    return result.violations.map((/** @type {any} */ v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((/** @type {any} */ n) => ({ target: n.target, failureSummary: n.failureSummary })),
    }));
  }, wcagTags);
  if (violations.length === 0) return;
  const lines = violations.flatMap((v) => [
    `${v.id} (${v.impact}): ${v.help}`,
    ...v.nodes.slice(0, 5).map((n) => `  ${n.target.join(' ')}: ${n.failureSummary.replace(/\s+/g, ' ')}`),
  ]);
  throw new Error(`accessibility problems on ${what}:\n${lines.join('\n')}`);
}
