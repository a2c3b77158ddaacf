/**
 * The kernel case table (test/cases) and a short training run, in headless Chromium on the
 * browser build (navigator.gpu): web/test.html runs them and this process collects every result
 * and reports each as its own test. Where no Chromium is installed, or the page finds no WebGPU
 * adapter, every test is a reported skip; so is each case of a variant the adapter cannot run.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { findChromium, launch, NO_CHROMIUM, secs, startServer } from './harness.js';
import { SIMULATED_NO_ADAPTER, skip, type SkipKind } from '../util/skip.js';
import { expectedLabels, label, trainingName, type SuiteState } from '../../web/suite_plan.js';
import { TRAIN_SPECS } from '../../web/train_check.js';

const TIMEOUT_MS = Number(process.env.SLOPE_BROWSER_TIMEOUT ?? 10 * 60) * 1000;

async function runSuitePage(executable: string): Promise<SuiteState> {
  const server = await startServer();
  const browser = await launch(executable);
  try {
    const page = await browser.newPage();
    page.on('console', (m) => { if (m.text().startsWith('[suite]')) console.log(m.text()); });
    page.on('pageerror', (e) => console.log(`page error: ${e.message}`));
    await page.goto(`${server.url}test.html`);
    await page.waitForFunction(() => window.__suite?.done === true, null, { timeout: TIMEOUT_MS, polling: 250 });
    return await page.evaluate(() => window.__suite);
  } finally {
    await browser.close();
    server.stop();
  }
}

const FIXED = [
  'the browser suite page ran on a WebGPU adapter',
  'every case of the shared table ran in the browser under each variant, in order',
  'the short training run ran',
];

/** Every test this file would run, registered as skipped: why, and of what kind. */
function skipAll(kind: SkipKind, reason: string): void {
  const training = TRAIN_SPECS.map((s) => label({ family: 'training', variant: '', name: trainingName(s.name) }));
  for (const name of [...FIXED, ...[...expectedLabels(), ...training].map((l) => `browser ${l}`)]) skip(test, name, kind, reason);
}

const executable = findChromium();
if (!executable) skipAll('no-browser', NO_CHROMIUM);
else if (SIMULATED_NO_ADAPTER) skipAll('no-adapter', SIMULATED_NO_ADAPTER);
else {
  const t0 = Date.now();
  let state: SuiteState | null = null;
  let failure: unknown = null;
  try {
    state = await runSuitePage(executable);
    const skipped = state.results.filter((r) => r.skipped).length;
    console.log(`browser suite: ${state.results.length} results (${skipped} skipped) in ${secs(t0)} on ${state.adapter || 'no adapter'}`);
  } catch (e) {
    failure = e;
  }

  if (state?.fatal?.startsWith('NoAdapterError')) skipAll('no-adapter', `Chromium: ${state.fatal}`);
  else {
    test(FIXED[0], () => {
      if (failure) throw failure;
      assert.ok(state, 'no state');
      assert.not.ok(state!.fatal, state!.fatal);
      assert.ok(state!.adapter.length > 0, 'no adapter name');
    });

    test(FIXED[1], () => {
      const ran = (state?.results ?? []).filter((r) => r.family !== 'training').map(label);
      assert.equal(ran, expectedLabels());
    });

    test(FIXED[2], () => {
      assert.ok(state?.results.some((r) => r.family === 'training'), 'no training result');
    });

    for (const r of state?.results ?? []) {
      if (r.skipped) skip(test, `browser ${label(r)}`, 'feature', `Chromium: ${r.note ?? 'not supported'}`);
      else test(`browser ${label(r)}`, () => { if (!r.ok) throw new Error(r.error); });
    }
  }
}

test.run();
