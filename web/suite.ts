/**
 * The browser test harness: runs the shared kernel case table (test/cases) on WebGPU engines
 * from the browser entry point (navigator.gpu) — each family once per kernel variant, as the
 * Node suite does — then short training runs, and publishes every result on `window.__suite`
 * (polled by the Node test) and in the page.
 * `?filter=word` runs only the cases whose "family [variant]: name" contains the word.
 */
import * as slope from '../src/browser.js';
import { casesOf, limitsOf, VARIANTS, variantOptions, variantUnsupported } from '../test/cases/index.js';
import { families, label, trainingName, type CaseResult, type SuiteState } from './suite_plan.js';
import { TRAIN_SPECS, trainingCheck } from './train_check.js';

const state: SuiteState = { adapter: '', results: [], done: false };
window.__suite = state;

const log = document.getElementById('log') as HTMLElement;
const summary = document.getElementById('summary') as HTMLElement;

function show(r: CaseResult): void {
  const row = document.createElement('div');
  row.className = r.ok ? 'ok' : 'fail';
  row.textContent = line(r);
  if (r.error) {
    const pre = document.createElement('pre');
    pre.textContent = r.error;
    row.appendChild(pre);
  }
  log.appendChild(row);
  console.log(`[suite] ${line(r)}${r.error ? '\n' + r.error : ''}`);
}

function line(r: CaseResult): string {
  const mark = r.skipped ? 'skip' : r.ok ? 'ok  ' : 'FAIL';
  return `${mark} ${label(r)} (${r.ms.toFixed(0)} ms)${r.note ? ' — ' + r.note : ''}`;
}

async function runOne(family: string, variant: string, name: string, fn: () => Promise<string | void>): Promise<void> {
  const t0 = performance.now();
  let r: CaseResult;
  try {
    const note = await fn();
    r = { family, variant, name, ok: true, ms: performance.now() - t0, ...(note ? { note } : {}) };
  } catch (e) {
    const err = e as Error;
    r = { family, variant, name, ok: false, ms: performance.now() - t0, error: `${err.name}: ${err.message}` };
  }
  record(r);
}

function record(r: CaseResult): void {
  state.results.push(r);
  show(r);
}

/** One family under one variant, on its own engine with the variant forced. */
async function runVariant(family: string, variant: string, wanted: (label: string) => boolean): Promise<void> {
  const cases = casesOf(family).filter((c) => wanted(label({ family, variant, name: c.name })));
  if (!cases.length) return;
  const engine = await slope.init({ backend: 'webgpu', ...variantOptions(family, variant) });
  try {
    state.adapter = engine.adapter;
    const lacking = variantUnsupported(limitsOf(engine), family, variant);
    for (const c of cases) {
      if (lacking) {
        record({ family, variant, name: c.name, ok: true, skipped: true, ms: 0, note: `${lacking}: ${engine.adapter}` });
        continue;
      }
      // engine.sync() surfaces any WebGPU error the case's work raised, as in the Node suite.
      await runOne(family, variant, c.name, async () => { await c.run(engine); await engine.sync(); });
    }
  } finally {
    engine.dispose();
  }
}

async function main(): Promise<void> {
  const t0 = performance.now();
  const filter = new URLSearchParams(location.search).get('filter') ?? '';
  const wanted = (l: string) => !filter || l.includes(filter);
  try {
    const probe = await slope.init({ backend: 'webgpu' });
    state.adapter = probe.adapter;
    probe.dispose();
  } catch (e) {
    state.fatal = `${(e as Error).name}: ${(e as Error).message}`;
    summary.textContent = state.fatal;
    state.done = true;
    return;
  }
  summary.textContent = `running on ${state.adapter}…`;
  for (const family of families()) {
    for (const variant of VARIANTS[family] ?? ['default']) await runVariant(family, variant, wanted);
  }
  const engine = await slope.init({ backend: 'webgpu' });
  for (const spec of TRAIN_SPECS) {
    const name = trainingName(spec.name);
    if (wanted(label({ family: 'training', variant: '', name }))) await runOne('training', '', name, () => trainingCheck(engine, spec));
  }
  engine.dispose();
  state.ms = performance.now() - t0;
  const bad = state.results.filter((r) => !r.ok).length;
  const skipped = state.results.filter((r) => r.skipped).length;
  summary.textContent = `${state.results.length - bad - skipped}/${state.results.length} passed${skipped ? `, ${skipped} skipped` : ''} ` +
    `in ${(state.ms / 1000).toFixed(1)} s on ${state.adapter}`;
  summary.className = bad ? 'fail' : 'ok';
  state.done = true;
}

main().catch((e) => {
  state.fatal = `harness error: ${(e as Error).stack ?? e}`;
  summary.textContent = state.fatal;
  state.done = true;
});
