/**
 * slope against TensorFlow.js (WebGPU backend) and jax-js (WebGPU device) on the same adapter,
 * in one run: builds web/peers.ts (the three libraries in one page), opens it in headless
 * Chromium (Debian's chromium, never a downloaded browser; on a machine without a GPU its WebGPU
 * adapter is SwiftShader) and reports each library's time and its ratio to slope's. The peers are
 * dev dependencies used only here. See web/peers.ts for what is timed and how.
 * Writes bench/out/peers.json (peers_batchB.json for another --batch than 1).
 *
 *   node dist/bench/peers.js [--rounds 7] [--n 512] [--batch 1] [--libs slope,tfjs,jax]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import * as esbuild from 'esbuild';
import { findChromium, launch, startServer } from '../test/browser/harness.js';
import type { PeerState } from '../web/peers.js';

function arg(name: string, d: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : d;
}

async function main(): Promise<void> {
  const executable = findChromium();
  if (!executable) {
    throw new Error('bench/peers needs Chromium: install Debian\'s `chromium` package (scripts/setup does) or ' +
      'set CHROMIUM_PATH');
  }
  await esbuild.build({
    entryPoints: ['web/peers.ts'], outfile: 'dist/web/peers.js', bundle: true, format: 'esm', platform: 'browser',
    target: 'es2022', loader: { '.wgsl': 'text' }, logLevel: 'warning',
  });
  const query = new URLSearchParams({
    rounds: arg('rounds', '7'), n: arg('n', '512'), batch: arg('batch', '1'), libs: arg('libs', 'slope,tfjs,jax'),
  });
  const server = await startServer();
  const browser = await launch(executable);
  let state: PeerState;
  try {
    const page = await browser.newPage();
    page.on('console', (m) => { if (m.text().startsWith('[peers]')) console.log(m.text()); });
    page.on('pageerror', (e) => console.log(`page error: ${e.message}`));
    await page.goto(`${server.url}peers.html?${query}`);
    await page.waitForFunction(() => window.__peers?.done === true, null, { timeout: 30 * 60_000, polling: 500 });
    state = (await page.evaluate(() => window.__peers))!;
  } finally {
    await browser.close();
    server.stop();
  }
  for (const e of state.errors) console.log(`error: ${e}`);
  console.log(`\nadapter: ${state.adapter}; median of ${query.get('rounds')} interleaved rounds\n`);
  console.log('| task | library | ms per call | GFLOP/s | time / slope\'s |');
  console.log('| --- | --- | ---: | ---: | ---: |');
  const tasks = [...new Set(state.results.map((r) => r.task))];
  for (const t of tasks) {
    const ours = state.results.find((r) => r.task === t && r.lib === 'slope');
    for (const r of state.results.filter((x) => x.task === t)) {
      const ratio = ours ? (r.ms / ours.ms).toFixed(2) + '×' : '';
      console.log(`| ${t} | ${r.lib} | ${r.ms.toFixed(2)} | ${r.gflops ? r.gflops.toFixed(2) : ''} | ${ratio} |`);
    }
  }
  mkdirSync('bench/out', { recursive: true });
  const file = `bench/out/peers${query.get('batch') === '1' ? '' : `_batch${query.get('batch')}`}.json`;
  const json = { date: new Date().toISOString(), query: Object.fromEntries(query), ...state };
  writeFileSync(file, JSON.stringify(json, null, 1) + '\n');
  console.log(`\nwrote ${file}`);
  if (state.errors.length) process.exitCode = 1;
}

await main();
