#!/usr/bin/env node
// Builds slope with esbuild: the Node bundle, the browser bundle, the CLI, tests and benches.
// WGSL files are loaded as text by the same loader everywhere, so tests and production can't drift.
// Type declarations for the public API come from tsc. `--quiet` prints only problems.
import * as esbuild from 'esbuild';
import { readdirSync, statSync, existsSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';

const quiet = process.argv.includes('--quiet');
const noTypes = process.argv.includes('--no-types');
const root = new URL('..', import.meta.url).pathname;
process.chdir(root);

function walk(dir, pred) {
  if (!existsSync(dir)) return [];
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p, pred));
    else if (pred(p)) out.push(p);
  }
  return out;
}

const common = {
  bundle: true,
  format: 'esm',
  loader: { '.wgsl': 'text', '.safetensors': 'binary' },
  sourcemap: 'linked',
  logLevel: 'warning',
  target: 'es2022',
};
// Node-only packages stay external in Node builds; the browser build must never see them.
const nodeExternal = ['webgpu', 'mnist', 'pngjs', 'jpeg-js', 'playwright-core', 'uvu', 'uvu/*', 'esbuild'];

// The browser builds (library, page, harness) fail on any Node-only import.
const noNodeInBrowser = {
  name: 'no-node-in-browser',
  setup(b) {
    b.onResolve({ filter: /^(node:|webgpu$|fs$|zlib$|path$|mnist$|pngjs$|jpeg-js$|child_process$|os$|util$|stream$|buffer$|assert$)/ }, (args) => ({
      errors: [{ text: `Node-only module "${args.path}" reached the browser bundle (imported by ${args.importer})` }],
    }));
  },
};

rmSync('dist/node', { recursive: true, force: true });
rmSync('dist/test', { recursive: true, force: true });

const builds = [
  esbuild.build({ ...common, platform: 'node', entryPoints: { index: 'src/node.ts' }, outdir: 'dist/node', external: nodeExternal }),
  esbuild.build({ ...common, platform: 'node', entryPoints: { slope: 'src/cli/main.ts' }, outdir: 'dist/cli', external: nodeExternal }),
  esbuild.build({
    ...common, platform: 'browser', entryPoints: { slope: 'src/browser.ts' }, outdir: 'dist/browser', metafile: true,
    plugins: [noNodeInBrowser],
  }),
];
const tests = walk('test', (p) => p.endsWith('.test.ts'));
if (tests.length) {
  builds.push(esbuild.build({
    ...common, platform: 'node', entryPoints: tests, outdir: 'dist/test', outbase: 'test', external: nodeExternal,
  }));
}
// The browser entries: the test harness, the digits page and the site's chapter pages (web/pages/).
const browserTestEntries = walk('web', (p) => /^web\/((suite|app)|pages\/[^/]+)\.ts$/.test(p));
if (browserTestEntries.length) {
  builds.push(esbuild.build({
    ...common, platform: 'browser', entryPoints: browserTestEntries, outdir: 'dist/web', outbase: 'web',
    plugins: [noNodeInBrowser],
  }));
}
const benches = walk('bench', (p) => p.endsWith('.ts') && !p.endsWith('.d.ts'));
if (benches.length) {
  builds.push(esbuild.build({
    ...common, platform: 'node', entryPoints: benches, outdir: 'dist/bench', outbase: 'bench', external: nodeExternal,
  }));
}
const results = await Promise.all(builds);
const meta = results[2].metafile;
const size = Object.entries(meta.outputs).find(([k]) => k.endsWith('slope.js'))[1].bytes;
if (!quiet) console.log(`browser bundle dist/browser/slope.js: ${(size / 1024).toFixed(1)} KiB`);

if (!noTypes) {
  // Declarations for the public API (and a type check of src/ on the way).
  const r = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json'], { stdio: 'inherit' });
  if (r.status !== 0) {
    console.error('build: type errors (see above)');
    process.exit(1);
  }
}
if (!quiet) console.log(`built dist/ (${tests.length} test files, ${benches.length} bench scripts)`);
