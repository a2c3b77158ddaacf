#!/usr/bin/env node
// Runs every built test file (dist/test/**/*.test.js) in its own Node process, in order, and
// fails if any fails. Each file is a uvu suite; GPU suites skip cleanly without an adapter.
// Usage: node scripts/test.mjs [filter…]
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
process.chdir(root);
const filters = process.argv.slice(2);
function walk(d) {
  return readdirSync(d).flatMap((n) => {
    const p = join(d, n);
    return statSync(p).isDirectory() ? walk(p) : p.endsWith('.test.js') ? [p] : [];
  });
}
const files = walk('dist/test').sort().filter((f) => !filters.length || filters.some((x) => f.includes(x)));
if (!process.env.XDG_RUNTIME_DIR) process.env.XDG_RUNTIME_DIR = '/tmp';
const failed = [];
const t0 = Date.now();
for (const f of files) {
  const t = Date.now();
  const r = spawnSync(process.execPath, ['--enable-source-maps', f], { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', timeout: 15 * 60 * 1000 });
  const out = (r.stdout || '') + (r.stderr || '').split('\n').filter((l) => !/artificially reduced/.test(l)).join('\n');
  const secs = ((Date.now() - t) / 1000).toFixed(1);
  const ok = r.status === 0;
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${f.replace('dist/test/', '')} (${secs}s)`);
  if (!ok || process.env.VERBOSE) console.log(out.trim().split('\n').map((l) => '    ' + l).join('\n'));
  if (!ok) failed.push(f);
}
console.log(`\n${files.length - failed.length}/${files.length} test files passed in ${((Date.now() - t0) / 1000).toFixed(0)}s`);
if (failed.length) {
  console.log('failed:\n  ' + failed.join('\n  '));
  process.exit(1);
}
