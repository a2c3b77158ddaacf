#!/usr/bin/env node
// Builds the site as static files, into one folder that any static host serves as it is: the
// pages (web/*.html: the contents, one page per chapter of the lecture, the digits page), the
// style sheet, the page scripts bundled with the library for the browser (esbuild, ES modules,
// no imports at run time), and the built-in digits as gzip'd IDX files under data/. Every link
// is relative, so the folder works from any path of a host.
//
// Usage: node scripts/build_web.mjs [--out dist/site]      (npm run build:web)
// Serve it on localhost: node scripts/serve.mjs --root dist/site   (npm run web does both)
import * as esbuild from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ensureDigits } from './serve.mjs';

const root = new URL('..', import.meta.url).pathname;
process.chdir(root);
const i = process.argv.indexOf('--out');
const out = resolve(i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : 'dist/site');

/** Pages of the development layout that are not part of the site (the test harness, the peer comparison). */
const NOT_SITE = new Set(['test.html', 'peers.html']);

// The same refusal of Node-only imports as scripts/build.mjs makes for the browser bundles.
const noNodeInBrowser = {
  name: 'no-node-in-browser',
  setup(b) {
    b.onResolve({ filter: /^(node:|webgpu$|fs$|zlib$|path$|mnist$|pngjs$|jpeg-js$|child_process$|os$|util$|stream$|buffer$|assert$)/ }, (args) => ({
      errors: [{ text: `Node-only module "${args.path}" reached the browser bundle (imported by ${args.importer})` }],
    }));
  },
};

const pages = readdirSync('web').filter((f) => f.endsWith('.html') && !NOT_SITE.has(f));
const scripts = ['web/app.ts', ...readdirSync('web/pages').filter((f) => f.endsWith('.ts')).map((f) => `web/pages/${f}`)];

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
await esbuild.build({
  entryPoints: scripts, outdir: out, outbase: 'web', bundle: true, format: 'esm', platform: 'browser', target: 'es2022',
  splitting: true, chunkNames: 'chunks/[name]-[hash]', loader: { '.wgsl': 'text' }, sourcemap: 'linked', logLevel: 'warning',
  plugins: [noNodeInBrowser],
});
for (const f of [...pages, 'style.css']) copyFileSync(join('web', f), join(out, f));
ensureDigits(out);
for (const p of pages) {
  if (!existsSync(join(out, p))) throw new Error(`internal: ${p} was not copied`);
}
console.log(`site: ${pages.length} pages, ${scripts.length} scripts in ${out}; serve it with node scripts/serve.mjs --root ${out}`);
