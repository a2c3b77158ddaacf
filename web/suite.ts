/**
 * The browser test harness: runs the shared kernel case table (test/cases) on a WebGPU engine
 * from the browser entry point (navigator.gpu), then a short training run, and publishes every
 * result on `window.__results` (polled by the Node test) and in the page.
 * `?filter=word` runs only the cases whose "family: name" contains the word (for debugging).
 */
import * as slope from '../src/browser.js';
import { allCases } from '../test/cases/index.js';
import { TRAIN_SPECS, trainingCheck } from './train_check.js';

export interface CaseResult {
  family: string;
  name: string;
  ok: boolean;
  ms: number;
  error?: string;
  note?: string;
}

export interface SuiteState {
  adapter: string;
  results: CaseResult[];
  done: boolean;
  /** Set when the suite could not start at all (no WebGPU). */
  fatal?: string;
  ms?: number;
}

declare global {
  interface Window {
    __suite: SuiteState;
  }
}

const state: SuiteState = { adapter: '', results: [], done: false };
window.__suite = state;

const log = document.getElementById('log') as HTMLElement;
const summary = document.getElementById('summary') as HTMLElement;

function show(r: CaseResult): void {
  const row = document.createElement('div');
  row.className = r.ok ? 'ok' : 'fail';
  row.textContent = `${r.ok ? 'ok  ' : 'FAIL'} ${r.family}: ${r.name} (${r.ms.toFixed(0)} ms)${r.note ? ' — ' + r.note : ''}`;
  if (r.error) {
    const pre = document.createElement('pre');
    pre.textContent = r.error;
    row.appendChild(pre);
  }
  log.appendChild(row);
  console.log(`[suite] ${r.ok ? 'ok  ' : 'FAIL'} ${r.family}: ${r.name} (${r.ms.toFixed(0)} ms)${r.note ? ' — ' + r.note : ''}${r.error ? '\n' + r.error : ''}`);
}

async function runOne(family: string, name: string, fn: () => Promise<string | void>): Promise<boolean> {
  const t0 = performance.now();
  let r: CaseResult;
  try {
    const note = await fn();
    r = { family, name, ok: true, ms: performance.now() - t0, ...(note ? { note } : {}) };
  } catch (e) {
    const err = e as Error;
    r = { family, name, ok: false, ms: performance.now() - t0, error: `${err.name}: ${err.message}` };
  }
  state.results.push(r);
  show(r);
  return r.ok;
}

async function main(): Promise<void> {
  const t0 = performance.now();
  const filter = new URLSearchParams(location.search).get('filter') ?? '';
  let engine: slope.Engine;
  try {
    engine = await slope.init({ backend: 'webgpu' });
  } catch (e) {
    state.fatal = `${(e as Error).name}: ${(e as Error).message}`;
    summary.textContent = state.fatal;
    state.done = true;
    return;
  }
  state.adapter = engine.adapter;
  summary.textContent = `running on ${engine.adapter}…`;
  const wanted = (label: string) => !filter || label.includes(filter);
  const cases = allCases.filter((c) => wanted(`${c.family}: ${c.name}`));
  for (const c of cases) {
    await runOne(c.family, c.name, () => c.run(engine));
    if (engine.backend.name === 'webgpu') {
      // A lost device fails this case; the next ones get a fresh engine.
      try {
        await engine.sync();
      } catch (e) {
        if (!(e instanceof slope.DeviceLostError)) throw e;
        engine.dispose();
        engine = await slope.init({ backend: 'webgpu' });
      }
    }
  }
  for (const spec of TRAIN_SPECS) {
    const name = `${spec.name}: per-step loss, webgpu vs cpu`;
    if (wanted(`training: ${name}`)) await runOne('training', name, () => trainingCheck(engine, spec));
  }
  engine.dispose();
  state.ms = performance.now() - t0;
  const bad = state.results.filter((r) => !r.ok).length;
  summary.textContent = `${state.results.length - bad}/${state.results.length} passed in ${(state.ms / 1000).toFixed(1)} s on ${state.adapter}`;
  summary.className = bad ? 'fail' : 'ok';
  state.done = true;
}

main().catch((e) => {
  state.fatal = `harness error: ${(e as Error).stack ?? e}`;
  summary.textContent = state.fatal;
  state.done = true;
});
