/**
 * The "batch and momentum" page (web/batch.html) in headless Chromium: the library's training
 * step timed at batch 8 and at batch 512 on the adapter — an update at 512 takes less than 64
 * times one at 8, so an epoch at 512 takes less time (the lecture's claim); then plain gradient
 * descent stops in the shallow local minimum of w₁⁴ − 2w₁² + w₁/2 + w₂² while SGD with
 * momentum 0.9 rolls on into the deeper one. No long task after the first compile.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Page } from 'playwright-core';
import type { BatchState } from '../../web/pages/batch.js';
import { browserSession, browserTest, secs } from './harness.js';
import { MainThreadTrace, checkResponsive, idle, openChapter, screenshot, settled } from './site.js';

const chrome = browserSession(test);

const UPDATES = 8;

async function time(page: Page, batch: number): Promise<void> {
  const before = await page.evaluate(() => window.__page.counts.batch ?? 0);
  await page.selectOption('#batch', String(batch));
  await page.fill('#updates', String(UPDATES));
  await page.click('#measure');
  await settled(page, 'batch', before + UPDATES / 4, 180_000);
  await idle(page);
}

browserTest(test, true)('batch and momentum: an epoch takes less time at batch 512 than at 8; momentum rolls out of the shallow minimum', async () => {
  const t0 = Date.now();
  const page = await openChapter(chrome.browser, chrome.server.url, 'batch.html');
  const trace = await MainThreadTrace.start(page);
  await time(page, 8);
  await time(page, 512);
  const s = await page.evaluate(() => window.__batch!()) as BatchState;
  const ms = Object.fromEntries(s.timings.map((t) => [t.batch, t.ms / t.updates]));
  assert.equal(s.timings.map((t) => t.updates), [UPDATES, UPDATES]);
  const epoch = (b: number) => ms[b] * s.updatesPerEpoch[b];
  assert.ok(ms[512] < 64 * ms[8], `an update at batch 512 took ${ms[512]} ms, at batch 8 ${ms[8]} ms: no parallelism at all`);
  assert.ok(epoch(512) < epoch(8), `epoch at 512: ${epoch(512)} ms, at 8: ${epoch(8)} ms`);
  assert.match(await page.textContent('#batch-table tbody') ?? '', /^8\s*8/);

  await page.fill('#roll-steps', '150');
  await page.click('#roll');
  await settled(page, 'momentum', 150);
  await idle(page);
  const runs = Object.fromEntries((await page.evaluate(() => window.__momentum!())).map((r) => [r.id, r]));
  assert.ok(runs.gd.end[0] > 0.8 && runs.gd.end[0] < 1.05, `gradient descent ended at ${runs.gd.end}`);
  assert.ok(runs.momentum.end[0] < -0.9, `momentum ended at ${runs.momentum.end}`);
  assert.ok(runs.momentum.losses.at(-1)! < runs.gd.losses.at(-1)! - 0.9, 'momentum did not end lower');
  const responsive = await checkResponsive(page, 'batch.html', await trace.stop());
  const shot = await screenshot(page, 'web_batch');
  console.log(`  ms per update: batch 8 ${ms[8].toFixed(1)}, batch 512 ${ms[512].toFixed(1)}; s per epoch ${(epoch(8) / 1000).toFixed(1)} vs ${(epoch(512) / 1000).toFixed(1)}; ` +
    `after 150 steps gradient descent at w₁ = ${runs.gd.end[0].toFixed(3)}, momentum at ${runs.momentum.end[0].toFixed(3)}`);
  console.log(`  ${responsive}; ${secs(t0)}; screenshot ${shot}`);
  await page.close();
});

test.run();
