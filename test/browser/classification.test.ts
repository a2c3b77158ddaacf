/**
 * The "classification" page (web/classification.html) in headless Chromium. The lecture's
 * picture: at (−4, 6), where class 2 wins by 10 logits, softmax + MSE has loss 2 and a gradient
 * of norm ~2.6e-4, cross-entropy loss 10 and a gradient of norm √2; 30 steps of gradient descent
 * at lr 1 leave MSE where it was and take cross-entropy far down. On the digits, the same MLP from
 * the same weights, 40 steps of SGD at lr 0.1: cross-entropy ends well ahead on the test set.
 * No long task after the first compile.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Browser } from 'playwright-core';
import { browserSession, browserTest, secs } from './harness.js';
import { MainThreadTrace, checkResponsive, idle, openChapter, screenshot, settled, shown } from './site.js';

const chrome = browserSession(test);

const pct = (s: string | null) => Number((s ?? '').replace('%', '')) / 100;

browserTest(test, true)('classification: MSE flat and cross-entropy steep where the wrong class wins; the digits with each loss', async () => {
  const t0 = Date.now();
  const page = await openChapter(chrome.browser, chrome.server.url, 'classification.html');
  const trace = await MainThreadTrace.start(page);
  const start = { mse: await shown(page, 'mse-loss'), ce: await shown(page, 'ce-loss'), gm: await shown(page, 'mse-gnorm'), gc: await shown(page, 'ce-gnorm') };
  assert.ok(Math.abs(start.mse - 2) < 1e-3, `MSE at the start: ${start.mse}`);
  assert.ok(Math.abs(start.ce - 10) < 1e-3, `cross-entropy at the start: ${start.ce}`);
  assert.ok(start.gm > 1e-4 && start.gm < 5e-4, `‖∇MSE‖ = ${start.gm}`);
  assert.ok(Math.abs(start.gc - Math.SQRT2) < 1e-2, `‖∇CE‖ = ${start.gc}`);

  await page.fill('#steps', '30');
  await page.click('#descend');
  await settled(page, 'picture', 30);
  await idle(page);
  const after = { mse: await shown(page, 'mse-loss'), ce: await shown(page, 'ce-loss') };
  assert.ok(after.mse > 1.99, `MSE moved: ${after.mse}`);
  assert.ok(after.ce < 0.1, `cross-entropy after 30 steps: ${after.ce}`);

  await page.fill('#digit-steps', '40');
  await page.click('#train');
  await settled(page, 'digits', 40, 180_000);
  await idle(page);
  const acc = { mse: pct(await page.textContent('#mse-test-acc')), ce: pct(await page.textContent('#ce-test-acc')) };
  assert.is(await page.textContent('#digit-step'), '40');
  assert.ok(acc.ce > 0.4 && acc.ce > acc.mse + 0.1, `test accuracy after 40 steps: cross-entropy ${acc.ce}, MSE ${acc.mse}`);
  const responsive = await checkResponsive(page, 'classification.html', await trace.stop());
  const shot = await screenshot(page, 'web_classification');
  console.log(`  at (−4, 6): ‖∇L‖ MSE ${start.gm}, cross-entropy ${start.gc}; after 30 steps: MSE ${after.mse}, cross-entropy ${after.ce}; digits after 40 steps: test accuracy ${acc.mse} (MSE), ${acc.ce} (cross-entropy)`);
  console.log(`  ${responsive}; ${secs(t0)}; screenshot ${shot}`);
  await page.close();
});

test.run();
