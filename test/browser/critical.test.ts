/**
 * The "critical points" page (web/critical.html) in headless Chromium: at the origin of the
 * lecture's 1-1-1 network it reports eigenvalues −2 and 2 and "saddle point"; gradient descent
 * from there cannot move; the escape along negative curvature lowers the loss and descent then
 * reaches the minimum; on Himmelblau's function a click on the map near a minimum and Newton-MR
 * find a local minimum, and from near the maximum a local maximum, which the escape leaves. No long
 * task after the first compile. Without WebGPU the page says so and runs on the cpu backend on request.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Page } from 'playwright-core';
import { browserSession, browserTest, secs } from './harness.js';
import { MainThreadTrace, checkResponsive, idle, openChapter, screenshot, settled, shown } from './site.js';

const chrome = browserSession(test);

const kind = (page: Page) => page.getAttribute('#kind', 'data-kind');

async function analysed(page: Page, before: number): Promise<void> {
  await page.waitForFunction((n) => (window.__page.counts.analyses ?? 0) > n || window.__page.error, before, { timeout: 60_000, polling: 100 });
}
const analyses = (page: Page) => page.evaluate(() => window.__page.counts.analyses ?? 0);

browserTest(test, true)('critical points: the 1-1-1 saddle, gradient descent stuck, the escape; Himmelblau\'s minimum and maximum', async () => {
  const t0 = Date.now();
  const page = await openChapter(chrome.browser, chrome.server.url, 'critical.html');
  assert.match(await page.textContent('#device') ?? '', /WebGPU adapter: \S/);
  const trace = await MainThreadTrace.start(page);

  // The origin of the 1-1-1 network (the first preset).
  assert.is(await shown(page, 'grad-norm'), 0, 'the gradient at the origin is zero');
  assert.is(await shown(page, 'eig-min'), -2);
  assert.is(await shown(page, 'eig-max'), 2);
  assert.is(await page.textContent('#kind'), 'saddle point');
  assert.is(await page.textContent('#hessian'), '[[0, −2], [−2, 0]]');

  // Gradient descent from the origin: every step is −η·0.
  await page.fill('#steps', '10');
  await page.click('#descend');
  await settled(page, 'descent', 10);
  assert.is(await shown(page, 'loss-now'), 1, 'gradient descent moved the loss at the origin');
  assert.is(await page.textContent('#at'), '(0, 0)');

  // The escape, then descent to the curve of minima w₁w₂ = 1.
  await page.fill('#steps', '40');
  await page.click('#escape');
  await settled(page, 'descent', 50);
  const note = await page.textContent('#escape-note') ?? '';
  assert.match(note, /λ = −2: .* loss 1 → 0\.99/);
  const lossAfter = await shown(page, 'loss');
  assert.ok(lossAfter < 1e-3, `the loss after the escape and 40 steps is ${lossAfter}`);

  // Himmelblau: a click near the minimum at (3, 2), then Newton-MR.
  let n = await analyses(page);
  await page.selectOption('#surface', 'himmelblau');
  await analysed(page, n);
  const at = await page.evaluate(() => (window as unknown as { __map: { clientPoint(a: number, b: number): { x: number; y: number } } }).__map.clientPoint(2.8, 2.2));
  n = await analyses(page);
  await page.mouse.click(at.x, at.y);
  await analysed(page, n);
  const clicked = (await page.textContent('#at')) ?? '';
  assert.match(clicked, /^\(2\.[6-9]\d*, 2\.[0-4]\d*\)$/, `the click landed at ${clicked}`);
  assert.is(await kind(page), 'not critical');
  n = await analyses(page);
  await page.click('#newton');
  await analysed(page, n);
  await idle(page);
  assert.is(await kind(page), 'local minimum', `Newton-MR from (2.8, 2.2) ended at ${await page.textContent('#at')}: ${await page.textContent('#status')}`);
  assert.ok(await shown(page, 'eig-min') > 0);
  assert.ok(await shown(page, 'loss') < 1e-3);
  const minimum = await page.textContent('#at');

  n = await analyses(page);
  await page.click('#presets button:text("near the maximum")');
  await analysed(page, n);
  n = await analyses(page);
  await page.click('#newton');
  await analysed(page, n);
  await idle(page);
  assert.is(await kind(page), 'local maximum', `Newton-MR from (−0.3, −0.9): ${await page.textContent('#status')}`);
  assert.ok(await shown(page, 'eig-max') < 0);
  const maximum = await page.textContent('#at');

  // From the maximum: the escape along the most negative curvature, then 40 steps down.
  const before = await shown(page, 'loss');
  const steps = await page.evaluate(() => window.__page.counts.descent);
  await page.click('#escape');
  await settled(page, 'descent', steps + 40);
  await idle(page);
  const down = await shown(page, 'loss');
  assert.ok(down < before / 2, `from the maximum (loss ${before}) the escape and 40 steps reached ${down}`);
  assert.is(await kind(page), 'local minimum', `after the escape from the maximum: ${await page.textContent('#at')}, ‖∇L‖ ${await page.textContent('#grad-norm')}`);

  const responsive = await checkResponsive(page, 'critical.html', await trace.stop());
  const shot = await screenshot(page, 'web_critical');
  console.log(`  origin: λ = −2, 2, saddle point; escape: ${note}; Himmelblau: minimum at ${minimum}, maximum at ${maximum}, escaped from it to loss ${down}`);
  console.log(`  ${responsive}; ${secs(t0)}; screenshot ${shot}`);
  await page.close();
});

browserTest(test, false)('critical points without WebGPU: the page says so and runs on the cpu backend on request', async () => {
  const page = await openChapter(chrome.browser, chrome.server.url, 'critical.html', { noWebGpu: true });
  assert.match(await page.textContent('#nogpu') ?? '', /WebGPU is not available/);
  await page.click('#use-cpu');
  await page.waitForFunction(() => window.__page.ready || window.__page.error, null, { timeout: 120_000 });
  assert.is(await page.evaluate(() => window.__page.backend), 'cpu');
  assert.is(await shown(page, 'eig-min'), -2);
  assert.is(await shown(page, 'eig-max'), 2);
  assert.is(await page.textContent('#kind'), 'saddle point');
  await page.close();
});

test.run();
