/**
 * What every chapter page of the site shares: the navigation, the engine (WebGPU, or the cpu
 * backend on request where WebGPU is missing), the long-task record the tests read, a loop that
 * runs an experiment step by step without holding the main thread, and small DOM helpers.
 *
 * State for tests is on `window.__page`: `ready` once the page's programs are compiled
 * (`firstCompile` is that moment, in performance.now() time), every long task the browser
 * reported (PerformanceObserver 'longtask': main-thread tasks over 50 ms), and a counter per
 * experiment that moves as it runs.
 */
import * as slope from '../../src/browser.js';

export { slope };

export const CHAPTERS: readonly { href: string; title: string }[] = [
  { href: 'index.html', title: 'Contents' },
  { href: 'batch.html', title: 'Batch and momentum' },
  { href: 'critical.html', title: 'Critical points' },
  { href: 'adaptive.html', title: 'Adaptive learning rate' },
  { href: 'classification.html', title: 'Classification' },
  { href: 'normalization.html', title: 'Normalization' },
  { href: 'mnist.html', title: 'Training on digits' },
];

export interface LongTask {
  start: number;
  duration: number;
}

export interface PageState {
  ready: boolean;
  backend: 'webgpu' | 'cpu' | null;
  error: string | null;
  /** performance.now() when the page's first programs were compiled, or null. */
  firstCompile: number | null;
  longTasks: LongTask[];
  /** Experiment name → how many steps (or runs) it has done; running ones are in `running`. */
  counts: Record<string, number>;
  running: string[];
}

declare global {
  interface Window {
    __page: PageState;
  }
}

export const page: PageState = { ready: false, backend: null, error: null, firstCompile: null, longTasks: [], counts: {}, running: [] };
window.__page = page;

try {
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) page.longTasks.push({ start: e.startTime, duration: e.duration });
  }).observe({ type: 'longtask', buffered: true });
} catch {
  // No long-task timing in this browser: the record stays empty.
}

export const $ = <T extends HTMLElement = HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`internal: the page has no element #${id}`);
  return el as T;
};

/** Set an element's text. */
export function put(id: string, text: string | number): void {
  $(id).textContent = String(text);
}

/** A number for reading: 4 significant digits, exponent form when tiny or huge, −0 as 0. */
export function num(v: number, digits = 4): string {
  if (!Number.isFinite(v)) return String(v);
  if (v === 0 || Math.abs(v) < 1e-12) return '0';
  const a = Math.abs(v);
  const s = a < 1e-3 || a >= 1e6 ? v.toExponential(digits - 1) : String(Number(v.toPrecision(digits)));
  return s.replace('-', '−');
}

export function numberInput(id: string): number {
  const el = $<HTMLInputElement>(id);
  const v = Number(el.value);
  if (el.value.trim() === '' || !Number.isFinite(v)) throw new slope.ArgumentError(`${el.labels?.[0]?.textContent?.trim() ?? id}: "${el.value}" is not a number`);
  return v;
}

export function status(text: string): void {
  put('status', text);
}

export function fail(e: unknown): void {
  page.error = (e as Error)?.message ?? String(e);
  status(`error: ${page.error}`);
  console.error(e);
}

/** Mark `name` as running (or not) in the state the tests read. */
export function markRunning(name: string, on: boolean): void {
  page.running = page.running.filter((n) => n !== name);
  if (on) page.running.push(name);
}

/** A macrotask boundary: lets the browser paint and handle input between pieces of work. */
export function yieldToBrowser(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/**
 * Runs an experiment one step at a time. Each step is a program run (whose submissions the
 * backend keeps to a few in flight, as in training) and a readback; between steps the loop
 * returns to the browser, and the (synchronous) drawing happens at most every `drawEveryMs`.
 */
export class Loop {
  private stopRequested = false;
  running = false;

  constructor(readonly name: string, private drawEveryMs = 80) {
    page.counts[name] ??= 0;
  }

  stop(): void {
    this.stopRequested = true;
  }

  /** Call `step` until it returns false, `steps` have run, or stop(); `draw` after some steps and at the end. */
  async run(step: () => Promise<boolean>, draw: () => void, steps = Infinity): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.stopRequested = false;
    markRunning(this.name, true);
    let lastDraw = performance.now();
    try {
      for (let i = 0; i < steps && !this.stopRequested; i++) {
        const more = await step();
        page.counts[this.name]++;
        if (performance.now() - lastDraw >= this.drawEveryMs) {
          draw();
          lastDraw = performance.now();
        }
        await yieldToBrowser();
        if (!more) break;
      }
    } finally {
      draw();
      this.running = false;
      markRunning(this.name, false);
    }
  }
}

function renderNav(): void {
  const nav = document.getElementById('nav');
  if (!nav) return;
  const here = location.pathname.split('/').pop() || 'index.html';
  for (const c of CHAPTERS) {
    const a = document.createElement('a');
    a.href = c.href;
    a.textContent = c.title;
    if (c.href === here) a.setAttribute('aria-current', 'page');
    nav.append(a);
  }
}

export interface PageOptions {
  /** What the page needs WebGPU for even when the reader chose the cpu backend (shown in the banner). */
  gpuOnly?: string;
  /** Compile the page's programs on this engine and wire its controls. */
  setup(engine: slope.Engine): Promise<void>;
}

async function webgpuEngine(): Promise<slope.Engine | string> {
  if (!('gpu' in navigator)) return 'This browser has no navigator.gpu.';
  try {
    return await slope.init({ backend: 'webgpu' });
  } catch (e) {
    return (e as Error).message;
  }
}

/**
 * Start a chapter page: the navigation, then an engine on WebGPU — or, where there is none, the
 * banner that says so and offers the cpu backend — then the page's setup.
 */
export async function startPage(opts: PageOptions): Promise<void> {
  renderNav();
  const got = await webgpuEngine();
  let engine: slope.Engine;
  if (typeof got === 'string') {
    $('nogpu').hidden = false;
    put('nogpu-detail', got);
    put('device', 'WebGPU unavailable');
    if (opts.gpuOnly) put('nogpu-gpu-only', opts.gpuOnly);
    status('WebGPU is unavailable: choose the cpu backend above to run the experiments.');
    await new Promise<void>((resolve) => $('use-cpu').addEventListener('click', () => resolve(), { once: true }));
    $('nogpu').hidden = true;
    engine = await slope.init({ backend: 'cpu' });
    page.backend = 'cpu';
    put('device', 'cpu reference backend (float64, on the main thread)');
  } else {
    engine = got;
    page.backend = 'webgpu';
    put('device', `WebGPU adapter: ${engine.adapter}`);
  }
  status('compiling…');
  await opts.setup(engine);
  page.firstCompile = performance.now();
  page.ready = true;
  window.addEventListener('pagehide', () => engine.dispose());
}

/** Run the page, reporting any error on it. */
export function main(opts: PageOptions): void {
  startPage(opts).catch(fail);
}
