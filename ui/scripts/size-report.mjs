// Reports what each app costs on first load, gzipped, and fails the build when
// the customer app is over its budget. Run after `vite build` (npm run build
// does both).
//
// First load = the page's HTML, the JavaScript and CSS it loads without user
// action, and the assets it references (icons). Chunks the apps import
// dynamically count too: they load at start (MQTT.js does), so leaving them out
// would flatter the figure. Sizes are gzip at level 6, the usual on-the-fly
// setting.

import { readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const dist = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist');
const manifestDir = join(dist, '.vite');

/** Gzipped first-load budgets in bytes, by app. Phones load the customer app over the booth Wi-Fi. */
const budgets = { customer: 150 * 1024 };

const kb = (n) => `${(n / 1024).toFixed(1)} KB`;

let manifest;
try {
  manifest = JSON.parse(readFileSync(join(manifestDir, 'manifest.json'), 'utf8'));
} catch (error) {
  console.error(`size-report: cannot read the build manifest (${error.message}); run vite build first`);
  process.exit(1);
}
// The manifest is for this report only; keep it out of what the binary serves.
rmSync(manifestDir, { recursive: true, force: true });

/** Lists the files a page loads, each with whether it comes by dynamic import. */
function firstLoad(entryKey) {
  const files = new Map([[entryKey, 'html']]);
  const seen = new Set();
  const visit = (key, how) => {
    if (seen.has(key)) return;
    seen.add(key);
    const chunk = manifest[key];
    if (!chunk) throw new Error(`size-report: ${key} is not in the manifest`);
    if (!files.has(chunk.file)) files.set(chunk.file, how);
    for (const css of chunk.css ?? []) if (!files.has(css)) files.set(css, how);
    for (const asset of chunk.assets ?? []) if (!files.has(asset)) files.set(asset, how);
    for (const dep of chunk.imports ?? []) visit(dep, how);
    for (const dep of chunk.dynamicImports ?? []) visit(dep, 'dynamic');
  };
  visit(entryKey, 'static');
  return files;
}

const gzipped = new Map();
function sizes(file) {
  if (!gzipped.has(file)) {
    const bytes = readFileSync(join(dist, file));
    gzipped.set(file, { raw: bytes.length, gzip: gzipSync(bytes, { level: 6 }).length });
  }
  return gzipped.get(file);
}

const entries = Object.entries(manifest)
  .filter(([key, chunk]) => chunk.isEntry && key.endsWith('.html'))
  // The customer app (the page at "/") first, then the others by name.
  .sort(([a], [b]) => (a === 'index.html' ? -1 : b === 'index.html' ? 1 : a.localeCompare(b)));

let failed = false;
console.log('\nFirst-load size of each app (gzip):');
for (const [key, chunk] of entries) {
  const app = chunk.name ?? key;
  const files = firstLoad(key);
  let raw = 0;
  let gzip = 0;
  let lazy = 0;
  const rows = [];
  for (const [file, how] of files) {
    const s = sizes(file);
    raw += s.raw;
    gzip += s.gzip;
    if (how === 'dynamic') lazy += s.gzip;
    rows.push(`    ${file.padEnd(40)} ${kb(s.raw).padStart(10)} ${kb(s.gzip).padStart(10)}${how === 'dynamic' ? '  (loaded after first paint)' : ''}`);
  }
  const budget = budgets[app];
  const over = budget !== undefined && gzip > budget;
  failed ||= over;
  const verdict = budget === undefined ? '' : over ? `  OVER BUDGET (${kb(budget)})` : `  within ${kb(budget)}`;
  console.log(`\n  ${app} (/${key.replace(/index\.html$/, '')}): ${kb(gzip)} gzip, ${kb(raw)} raw${lazy ? `, of which ${kb(lazy)} after first paint` : ''}${verdict}`);
  console.log(rows.join('\n'));
}
console.log('');

if (failed) {
  console.error('size-report: an app is over its first-load budget');
  process.exit(1);
}
