/**
 * The "normalization" page (web/normalization.html) in headless Chromium. Two features on scales
 * 1 and 10: the engine's Hessian of the raw surface has an eigenvalue ratio near 100, the
 * standardized one near 1; gradient descent at 0.9 × 2/λmax of each surface gets far lower on the
 * standardized one in the same number of steps. On badly scaled digits, standardized inputs and
 * BatchNorm both beat raw inputs after 40 steps at the same learning rate; BatchNorm's running
 * statistics moved (40 batches tracked) and it is evaluated in both modes. No long task after the
 * first compile.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Browser } from 'playwright-core';
import type { NormState } from '../../web/pages/normalization.js';
import { browserSession, browserTest, secs } from './harness.js';
import { MainThreadTrace, checkResponsive, idle, openChapter, screenshot, settled, shown } from './site.js';

const chrome = browserSession(test);

browserTest(test, true)('normalization: the elongated surface and the round one; raw, standardized and BatchNorm on badly scaled digits', async () => {
  const t0 = Date.now();
  const page = await openChapter(chrome.browser, chrome.server.url, 'normalization.html');
  const trace = await MainThreadTrace.start(page);
  const kappa = { raw: await shown(page, 'raw-kappa'), std: await shown(page, 'std-kappa') };
  assert.ok(kappa.raw > 50 && kappa.raw < 200, `raw elongation ${kappa.raw}`);
  assert.ok(kappa.std < 1.5, `standardized elongation ${kappa.std}`);

  await page.fill('#surface-steps', '30');
  await page.click('#descend');
  await settled(page, 'surfaces', 30);
  await idle(page);
  const loss = { raw: await shown(page, 'raw-loss'), std: await shown(page, 'std-loss') };
  assert.ok(loss.std < 0.1 && loss.std < loss.raw / 10, `after 30 steps: raw ${loss.raw}, standardized ${loss.std}`);

  await page.fill('#norm-steps', '40');
  await page.click('#train');
  await settled(page, 'digits', 40, 180_000);
  await idle(page);
  const s = await page.evaluate(() => window.__norm!()) as NormState;
  const last = (k: string) => s.tests[k].at(-1)!;
  assert.is(s.step, 40);
  assert.ok(last('std') > last('none') + 0.1 && last('bn') > last('none') + 0.1, `test accuracy: raw ${last('none')}, standardized ${last('std')}, BatchNorm ${last('bn')}`);
  assert.is(s.tracked, 40, 'batches tracked by BatchNorm');
  assert.ok(s.runningVar.some((v) => Math.abs(v - 1) > 0.1), `running variances still at 1: ${s.runningVar}`);
  assert.ok(s.bnEval !== null && s.bnTrain !== null && s.bnTrain > 0.2, `BatchNorm evaluated in both modes: ${s.bnEval}, ${s.bnTrain}`);
  const responsive = await checkResponsive(page, 'normalization.html', await trace.stop());
  const shot = await screenshot(page, 'web_normalization');
  console.log(`  elongation raw ${kappa.raw}, standardized ${kappa.std}; loss after 30 steps raw ${loss.raw}, standardized ${loss.std}; ` +
    `digits after 40 steps: raw ${last('none')}, standardized ${last('std')}, BatchNorm ${last('bn')} (training mode ${s.bnTrain?.toFixed(3)})`);
  console.log(`  ${responsive}; ${secs(t0)}; screenshot ${shot}`);
  await page.close();
});

test.run();
