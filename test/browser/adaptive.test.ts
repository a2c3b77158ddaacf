/**
 * The "adaptive learning rate" page (web/adaptive.html) in headless Chromium: gradient descent,
 * Adagrad (torch's and the lecture's), RMSprop and Adam race down the bowl ½(w₁² + 100·w₂²):
 * every loss goes down; gradient descent at η just under 2/100 bounces between the valley's
 * walls (w₂ changes sign at every update); torch's Adagrad's σ only grows and its effective step
 * only shrinks, while the lecture's (σ as a root *mean* square) keeps a larger step; with a
 * warmup schedule the first update has learning rate 0. No long task after the first compile.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Page } from 'playwright-core';
import type { RaceState } from '../../web/pages/adaptive.js';
import { browserSession, browserTest, secs } from './harness.js';
import { MainThreadTrace, checkResponsive, openChapter, screenshot, settled } from './site.js';

const chrome = browserSession(test);

const race = async (page: Page): Promise<Record<string, RaceState>> =>
  Object.fromEntries((await page.evaluate(() => window.__race!())).map((r) => [r.id, r]));

const UPDATES = 40;

browserTest(test, true)(`adaptive learning rate: ${UPDATES} updates of the race; σ and the effective step; warmup`, async () => {
  const t0 = Date.now();
  const page = await openChapter(chrome.browser, chrome.server.url, 'adaptive.html');
  const trace = await MainThreadTrace.start(page);
  await page.fill('#steps', String(UPDATES));
  await page.click('#start');
  await settled(page, 'race', UPDATES);
  const r = await race(page);
  for (const [id, s] of Object.entries(r)) {
    assert.is(s.losses.length, UPDATES, id);
    assert.ok(s.losses.at(-1)! < 0.5 * s.losses[0], `${id}: loss ${s.losses[0]} → ${s.losses.at(-1)}`);
  }
  // Gradient descent at η = 0.0191 < 2/100: w₂ ← (1 − 1.91)·w₂, from wall to wall.
  const flips = r.gd.w2.slice(1).filter((w, i) => Math.sign(w) === -Math.sign(r.gd.w2[i])).length;
  assert.is(flips, UPDATES, `gradient descent changed the sign of w₂ ${flips} times in ${UPDATES} updates`);
  // torch's Adagrad: σ = √Σg² never falls, so η/σ never rises; the lecture's divides Σg² by t.
  const ada = r.adagrad;
  assert.ok(ada.sigma2.every((v, i) => i === 0 || v >= ada.sigma2[i - 1]), 'torch Adagrad\'s σ fell');
  assert.ok(ada.step2.at(-1)! < ada.step2[0], 'torch Adagrad\'s effective step did not shrink');
  assert.ok(r.lecture.step2.at(-1)! > 3 * ada.step2.at(-1)!, `lecture ${r.lecture.step2.at(-1)} vs torch ${ada.step2.at(-1)}`);
  const table = await page.textContent('#race-table tbody');
  assert.match(table ?? '', /Adam\s*40/);
  const shot = await screenshot(page, 'web_adaptive');

  // Warmup from 0: the first update leaves every θ where it started.
  await page.selectOption('#schedule', 'warmup');
  await page.fill('#steps', '3');
  await page.click('#start');
  await settled(page, 'race', UPDATES + 3);
  const w = await race(page);
  for (const [id, s] of Object.entries(w)) {
    assert.is(s.losses[1], s.losses[0], `${id}: the first update under warmup moved θ`);
    assert.ok(s.losses[2] < s.losses[1], `${id}: the second update under warmup did not`);
  }
  const responsive = await checkResponsive(page, 'adaptive.html', await trace.stop());
  const fmt = (id: string) => `${id} ${r[id].losses.at(-1)!.toPrecision(3)}`;
  console.log(`  losses after ${UPDATES} updates: ${Object.keys(r).map(fmt).join(', ')}; η/σ₂ torch Adagrad ${ada.step2.at(-1)!.toPrecision(3)}, lecture ${r.lecture.step2.at(-1)!.toPrecision(3)}`);
  console.log(`  ${responsive}; ${secs(t0)}; screenshot ${shot}`);
  await page.close();
});

test.run();
