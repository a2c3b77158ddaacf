#!/usr/bin/env node
// Copies chosen screenshots of the site's pages, which the browser tests save under
// dist/test-output/ (never into docs/ themselves), into docs/figures/ for the README and docs.
// Run the browser tests first (npm test, or node scripts/test.mjs browser/).
//
// Usage: node scripts/web_figures.mjs [name…]     (names without .png; default: the README's)
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
process.chdir(root);
const FROM = 'dist/test-output', TO = 'docs/figures';
/** The screenshots the README shows. */
const README = ['web_critical', 'web_adaptive'];

const names = process.argv.slice(2).length ? process.argv.slice(2) : README;
const missing = names.filter((n) => !existsSync(join(FROM, `${n}.png`)));
if (missing.length) {
  console.error(`no screenshot ${missing.map((n) => `${FROM}/${n}.png`).join(', ')}: run the browser tests first (node scripts/test.mjs browser/)`);
  process.exitCode = 1;
} else {
  mkdirSync(TO, { recursive: true });
  for (const n of names) {
    copyFileSync(join(FROM, `${n}.png`), join(TO, `${n}.png`));
    console.log(`${FROM}/${n}.png → ${TO}/${n}.png`);
  }
}
