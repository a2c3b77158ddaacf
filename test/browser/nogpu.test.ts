/**
 * Every chapter page without WebGPU (navigator.gpu taken away): it says so, offers the cpu
 * backend, and on request starts on it — the small experiments run there, the parts that need a
 * GPU say so. The critical points page is checked in depth in critical.test.ts.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Browser } from 'playwright-core';
import { browserSession, browserTest, secs } from './harness.js';
import { openChapter, ready } from './site.js';

const chrome = browserSession(test);

/** Page → a check of what it shows on the cpu backend. */
const PAGES: Record<string, { gpuOnly: string | null; shows: [string, RegExp] }> = {
  'batch.html': { gpuOnly: '#batch-note', shows: ['#roll-formula', /w₁⁴/] },
  'adaptive.html': { gpuOnly: null, shows: ['#status', /ready/] },
  'classification.html': { gpuOnly: '#digits-note', shows: ['#ce-gnorm', /^1\.41/] },
  'normalization.html': { gpuOnly: '#digits-note', shows: ['#std-kappa', /^1\.0/] },
};

browserTest(test, false)('without WebGPU every chapter page says so and starts on the cpu backend on request', async () => {
  const t0 = Date.now();
  for (const [file, want] of Object.entries(PAGES)) {
    const page = await openChapter(chrome.browser, chrome.server.url, file, { noWebGpu: true });
    assert.match(await page.textContent('#nogpu') ?? '', /WebGPU is not available/, file);
    await page.click('#use-cpu');
    await ready(page, `${file} on the cpu backend`);
    assert.is(await page.evaluate(() => window.__page.backend), 'cpu', file);
    assert.match((await page.textContent(want.shows[0]) ?? '').trim(), want.shows[1], `${file}: ${want.shows[0]}`);
    if (want.gpuOnly) assert.match(await page.textContent(want.gpuOnly) ?? '', /needs WebGPU/, `${file}: ${want.gpuOnly}`);
    await page.close();
  }
  console.log(`  ${Object.keys(PAGES).join(', ')} started on the cpu backend; ${secs(t0)}`);
});

test.run();
