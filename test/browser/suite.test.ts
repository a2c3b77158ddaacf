/**
 * The kernel case table (test/cases) and a short training run, in headless Chromium on the
 * browser build (navigator.gpu): web/test.html runs them and this process collects every result
 * and reports each as its own test. Skips only where no Chromium is installed.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { findChromium, launch, secs, skipMessage, startServer } from './harness.js';
import { expectedLabels, label, type SuiteState } from '../../web/suite_plan.js';

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

const executable = findChromium();
if (!executable) {
  console.log(skipMessage());
  test('browser suite (skipped: no Chromium)', () => {});
} else {
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

  test('the browser suite page ran on a WebGPU adapter', () => {
    if (failure) throw failure;
    assert.ok(state, 'no state');
    assert.not.ok(state!.fatal, state!.fatal);
    assert.ok(state!.adapter.length > 0, 'no adapter name');
  });

  test('every case of the shared table ran in the browser under each variant, in order', () => {
    const ran = (state?.results ?? []).filter((r) => r.family !== 'training').map(label);
    assert.equal(ran, expectedLabels());
  });

  test('the short training run ran', () => {
    assert.ok(state?.results.some((r) => r.family === 'training'), 'no training result');
  });

  for (const r of state?.results ?? []) {
    test(`browser ${label(r)}${r.skipped ? ` (skipped: ${r.note})` : ''}`, () => {
      if (!r.ok) throw new Error(r.error);
    });
  }
}

test.run();
