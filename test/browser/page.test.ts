/**
 * End-to-end check of the digits page (web/mnist.html) in headless Chromium: train for 50 steps,
 * the displayed loss must go down and predictions must appear on the digit grid (and the same,
 * in 30 steps, for the page's small CNN); a screenshot
 * goes to dist/test-output/. Without WebGPU the page must say so and offer the cpu backend.
 * Reported as skipped where no Chromium is installed.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { browserSession, browserTest, secs } from './harness.js';

const OUT_DIR = 'dist/test-output';
const STEPS = 50;
const chrome = browserSession(test);

async function openPage(opts: { noWebGpu?: boolean } = {}): Promise<Page> {
  const page = await chrome.browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('pageerror', (e) => console.log(`page error: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') console.log(`console error: ${m.text()}`); });
  if (opts.noWebGpu) await page.addInitScript(() => { delete (Navigator.prototype as { gpu?: unknown }).gpu; });
  await page.goto(`${chrome.server.url}mnist.html`);
  await page.waitForFunction(() => window.__app?.ready === true || window.__app?.error, null, { timeout: 120_000 });
  const error = await page.evaluate(() => window.__app.error);
  assert.not.ok(error, `page failed to start: ${error}`);
  return page;
}

const num = async (page: Page, id: string) => Number(await page.textContent(`#${id}`));

browserTest(test, true)(`the page trains on WebGPU: after ${STEPS} steps the loss went down and predictions appeared`, async () => {
  const t0 = Date.now();
  const page = await openPage();
  assert.match(await page.textContent('#device') ?? '', /WebGPU adapter: \S/);
  assert.ok(await page.isHidden('#nogpu'), 'the no-WebGPU banner is showing');
  await page.fill('#steps', '1000');
  await page.click('#start');
  await page.waitForFunction((n) => (window.__app.step >= n && window.__app.evaluations >= 1) || window.__app.error,
    STEPS, { timeout: 300_000, polling: 100 });
  const state = await page.evaluate(() => window.__app);
  assert.not.ok(state.error, `training failed: ${state.error}`);
  const first = await num(page, 'first-loss'), now = await num(page, 'loss');
  const labels = await page.$$eval('#digits .digit b', (bs) => bs.map((b) => b.textContent ?? ''));
  const testAcc = await page.textContent('#test-acc');
  const speed = await page.textContent('#speed');
  mkdirSync(OUT_DIR, { recursive: true });
  await page.screenshot({ path: `${OUT_DIR}/web_mnist.png`, fullPage: true });
  console.log(`  ${state.step} steps in ${secs(t0)} (${speed} steps/s): loss ${first} → ${now}, test accuracy ${testAcc}; screenshot ${OUT_DIR}/web_mnist.png`);
  await page.click('#stop');
  await page.waitForFunction(() => !window.__app.running, null, { timeout: 60_000 });
  assert.ok(Number.isFinite(first) && Number.isFinite(now), `loss not shown: "${first}", "${now}"`);
  assert.ok(now < 0.6 * first, `displayed loss did not go down enough: ${first} → ${now}`);
  assert.ok(labels.length >= 40, `only ${labels.length} digits on the grid`);
  assert.ok(labels.every((l) => /^[0-9]$/.test(l)), `not every digit has a prediction: ${labels.join(' ')}`);
  const correct = await page.$$eval('#digits .digit.ok', (d) => d.length);
  assert.ok(correct > labels.length / 2, `only ${correct}/${labels.length} grid predictions correct after ${state.step} steps`);
  await page.close();
});

browserTest(test, true)('the page trains its small CNN on WebGPU: the loss goes down, the grid gets predictions', async () => {
  const t0 = Date.now();
  const page = await openPage();
  await page.selectOption('#model', 'cnn:8,16');
  await page.selectOption('#layer-norm', 'batch');
  await page.selectOption('#batch', '32');
  await page.fill('#lr', '0.003');
  await page.fill('#steps', '30');
  await page.click('#start');
  await page.waitForFunction(() => (window.__app.step >= 30 && !window.__app.running) || window.__app.error, null,
    { timeout: 300_000, polling: 100 });
  const state = await page.evaluate(() => window.__app);
  assert.not.ok(state.error, `CNN training failed: ${state.error}`);
  const first = await num(page, 'first-loss'), now = await num(page, 'loss');
  const labels = await page.$$eval('#digits .digit b', (bs) => bs.map((b) => b.textContent ?? ''));
  console.log(`  CNN: ${state.step} steps in ${secs(t0)}: loss ${first} → ${now}, test accuracy ${await page.textContent('#test-acc')}`);
  assert.ok(now < 0.6 * first, `displayed loss did not go down enough: ${first} → ${now}`);
  assert.ok(labels.length >= 40 && labels.every((l) => /^[0-9]$/.test(l)), `grid predictions: ${labels.join(' ')}`);
  await page.close();
});

browserTest(test, false)('without WebGPU the page says so, and trains on the cpu reference backend on request', async () => {
  const t0 = Date.now();
  const page = await openPage({ noWebGpu: true });
  assert.ok(await page.isVisible('#nogpu'), 'no banner without WebGPU');
  assert.match(await page.textContent('#nogpu') ?? '', /WebGPU is not available/);
  assert.ok(await page.isDisabled('#start'), 'Start is enabled without a backend');
  await page.click('#use-cpu');
  assert.ok(await page.isHidden('#nogpu'));
  await page.fill('#steps', '10');
  await page.click('#start');
  await page.waitForFunction(() => (window.__app.step >= 10 && !window.__app.running) || window.__app.error, null, { timeout: 120_000 });
  const state = await page.evaluate(() => window.__app);
  assert.not.ok(state.error, `cpu training failed: ${state.error}`);
  assert.equal(state.backend, 'cpu');
  assert.match(await page.textContent('#status') ?? '', /done after 10 steps/);
  console.log(`  without WebGPU: banner shown; 10 steps on the cpu backend, page done in ${secs(t0)}`);
  await page.close();
});

test.run();
