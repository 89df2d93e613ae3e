import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import preact from '@preact/preset-vite';
import type { Plugin } from 'vite';
import { defineConfig } from 'vitest/config';

const root = import.meta.dirname;
const outDir = resolve(root, 'dist');

// Each app is one HTML page; the binary serves the customer app at "/" and the
// others under their folder name. The journey page (/journey/?order=…) is its
// own page, so the customer app's first load does not carry it.
const pages = {
  customer: resolve(root, 'index.html'),
  barista: resolve(root, 'barista/index.html'),
  display: resolve(root, 'display/index.html'),
  admin: resolve(root, 'admin/index.html'),
  journey: resolve(root, 'journey/index.html'),
};

// Vite empties dist/ before each build; the Go embed needs dist/.keep to exist
// in a fresh checkout, so put it back after the bundle is written.
function keepPlaceholder(): Plugin {
  return {
    name: 'kiosk-keep-placeholder',
    apply: 'build',
    closeBundle() {
      writeFileSync(resolve(outDir, '.keep'), '');
    },
  };
}

export default defineConfig({
  root,
  base: '/',
  // The preset adds Preact's devtools and hot reload to `vite dev` only.
  plugins: [preact(), keepPlaceholder()],
  build: {
    outDir,
    emptyOutDir: true,
    // The size report reads the manifest to know what each page loads.
    manifest: true,
    target: 'es2020',
    // No inline data: URLs for fonts or images; everything is a file or inline SVG markup.
    assetsInlineLimit: 0,
    rolldownOptions: { input: pages },
  },
  test: {
    include: ['src/**/*.test.{ts,tsx}'],
    environment: 'node',
  },
});
