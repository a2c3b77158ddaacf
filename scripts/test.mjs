#!/usr/bin/env node
// Runs every built test file (dist/test/**/*.test.js) in its own Node process, in order, and
// counts tests, not files: each file is a uvu suite whose summary (Total, Passed, Skipped) is
// read back, with the `# skip(<kind>) <count>: <reason>` lines that test/util/skip.ts prints for
// every test that could not run. Ends with the reasons for every skip, the size check
// (scripts/sz.mjs, on a full run) and one plain line: `N passed, N failed, N skipped`.
//
// The run fails when a test fails, when a file dies outside its tests, when the size check
// fails, or when this machine has a WebGPU adapter (scripts/probe-adapter.mjs finds one) and yet
// a test was skipped for want of one. Skips for a feature the adapter lacks (subgroups for a
// matmul variant) and for a missing Chromium are allowed, and listed.
// SLOPE_TEST_NO_ADAPTER=1 runs as if there were no adapter. VERBOSE=1 prints every file's output.
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
// Tests measure no kernel variants at compile (tuning); test/gpu/tune.test.ts passes its own caches.
if (process.env.SLOPE_TUNE === undefined) process.env.SLOPE_TUNE = '0';

const plain = (s) => s.replace(/\x1b\[[0-9;]*m/g, '');
const count = (out, label) => [...out.matchAll(new RegExp(`^\\s*${label}:\\s+(\\d+)\\s*$`, 'gm'))].reduce((a, m) => a + Number(m[1]), 0);

const totals = { passed: 0, failed: 0, skipped: 0 };
const failedFiles = [];
/** kind → reason → { count, files } */
const skips = new Map();
const t0 = Date.now();
for (const f of files) {
  const t = Date.now();
  const r = spawnSync(process.execPath, ['--enable-source-maps', f], { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', timeout: 15 * 60 * 1000 });
  const stdout = plain(r.stdout || '');
  const out = stdout + plain(r.stderr || '').split('\n').filter((l) => !/artificially reduced/.test(l)).join('\n');
  const name = f.replace('dist/test/', '');
  const ran = /^\s*Total:\s+\d+/m.test(stdout);
  const total = count(stdout, 'Total'), passed = count(stdout, 'Passed'), skipped = count(stdout, 'Skipped');
  // uvu's Total counts the tests that ran; a file that died before its summary counts as one failure.
  let failed = ran ? total - passed : 1;
  if (r.status !== 0 && failed === 0) failed = 1;
  let explained = 0;
  for (const m of stdout.matchAll(/^# skip\(([\w-]+)\) (\d+): (.*)$/gm)) {
    const [, kind, n, reason] = m;
    explained += Number(n);
    addSkip(kind, reason.replace(/ \(e\.g\. ".*"\)$/, ''), Number(n), name);
  }
  if (skipped > explained) addSkip('unexplained', 'skipped without a recorded reason (a bare test.skip?)', skipped - explained, name);
  totals.passed += passed;
  totals.failed += failed;
  totals.skipped += skipped;
  const ok = r.status === 0 && failed === 0;
  const why = r.signal ? `, killed by ${r.signal}` : r.status !== 0 && ran && total === passed ? `, exit status ${r.status}` : '';
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${name} (${((Date.now() - t) / 1000).toFixed(1)}s): ` +
    `${passed} passed${failed ? `, ${failed} failed` : ''}${skipped ? `, ${skipped} skipped` : ''}${ran ? '' : ', no uvu summary'}${why}`);
  if (!ok || process.env.VERBOSE) console.log(out.trim().split('\n').map((l) => '    ' + l).join('\n'));
  if (!ok) failedFiles.push(name);
}

function addSkip(kind, reason, n, file) {
  if (!skips.has(kind)) skips.set(kind, new Map());
  const byReason = skips.get(kind);
  if (!byReason.has(reason)) byReason.set(reason, { count: 0, files: new Set() });
  const s = byReason.get(reason);
  s.count += n;
  s.files.add(file);
}

let fail = failedFiles.length > 0;
console.log(`\n${files.length - failedFiles.length}/${files.length} test files passed in ${((Date.now() - t0) / 1000).toFixed(0)}s`);
if (failedFiles.length) console.log('failed:\n  ' + failedFiles.join('\n  '));

if (skips.size) {
  console.log('\nskipped:');
  for (const [kind, byReason] of skips) {
    for (const [reason, s] of byReason) {
      const fs = [...s.files];
      console.log(`  ${s.count} (${kind}): ${reason} — ${fs.slice(0, 4).join(', ')}${fs.length > 4 ? ` and ${fs.length - 4} more` : ''}`);
    }
  }
}

if (skips.has('no-adapter')) {
  const adapter = probeAdapter();
  if (adapter) {
    console.log(`\nFAIL: this machine has a WebGPU adapter (${adapter}), yet tests were skipped for want of one (above).`);
    fail = true;
  } else {
    console.log('\nno WebGPU adapter on this machine: the GPU tests above were skipped, not run.');
  }
}

if (!filters.length) {
  const sz = spawnSync(process.execPath, ['scripts/sz.mjs', '--quiet'], { encoding: 'utf8' });
  console.log(`\nsize check (npm run sz): ${sz.status === 0 ? 'ok' : 'FAIL'}`);
  if (sz.status !== 0) {
    const lines = ((sz.stdout || '') + (sz.stderr || '')).trim().split('\n');
    const listed = lines.filter((l) => l.startsWith('  '));
    const shown = [...lines.filter((l) => !l.startsWith('  ')), ...listed.slice(0, 10)];
    if (listed.length > 10) shown.push(`  … and ${listed.length - 10} more (npm run sz lists them all)`);
    console.log(shown.map((l) => '    ' + l).join('\n'));
    fail = true;
  }
}

console.log(`\n${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exitCode = fail || totals.failed ? 1 : 0; // not process.exit(): that can cut off output still in a pipe

/** The adapter's description, or null: scripts/probe-adapter.mjs in its own process. */
function probeAdapter() {
  if (process.env.SLOPE_TEST_NO_ADAPTER) return null;
  const r = spawnSync(process.execPath, ['scripts/probe-adapter.mjs'], { encoding: 'utf8', timeout: 60_000 });
  return r.status === 0 ? r.stdout.trim() || 'an adapter' : null;
}
