/**
 * The demo page: trains an MLP on the MNIST digits with slope's browser build, with live loss
 * and accuracy charts and a grid of test digits with their predictions. State for tests is on
 * `window.__app`.
 */
import * as slope from '../src/browser.js';
import { loadDigits, split, type Digits, type Split } from './digits.js';
import { NORMS, OPTIMIZERS, SCHEDULES, Session, type TrainConfig } from './session.js';

const LOG_EVERY = 5;
const EVAL_EVERY = 50;
const TEST_COUNT = 1000;
const EVAL_COUNT = 500;
const GRID = 48;

export interface AppState {
  ready: boolean;
  running: boolean;
  backend: 'webgpu' | 'cpu' | null;
  step: number;
  losses: [number, number][];
  evaluations: number;
  error: string | null;
}

declare global {
  interface Window {
    __app: AppState;
  }
}

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;
const app: AppState = { ready: false, running: false, backend: null, step: 0, losses: [], evaluations: 0, error: null };
window.__app = app;

let digits: Digits;
let parts: Split;
let stopRequested = false;
const hist = { loss: [] as [number, number][], smooth: [] as [number, number][], trainAcc: [] as [number, number][], testAcc: [] as [number, number][] };

function status(text: string): void {
  $('status').textContent = text;
}

function showNoGpu(detail: string): void {
  $('nogpu').hidden = false;
  $('nogpu-detail').textContent = detail;
  $('device').textContent = 'WebGPU unavailable';
}

/** Find out whether WebGPU works here, without keeping the device. */
async function probeGpu(): Promise<void> {
  if (!('gpu' in navigator)) {
    showNoGpu('This browser has no navigator.gpu.');
    return;
  }
  try {
    const e = await slope.init({ backend: 'webgpu' });
    $('device').textContent = `WebGPU adapter: ${e.adapter}`;
    e.dispose();
    app.backend = 'webgpu';
  } catch (e) {
    showNoGpu((e as Error).message);
  }
}

function readConfig(): TrainConfig {
  const v = (id: string) => $<HTMLInputElement | HTMLSelectElement>(id).value;
  const lr = Number(v('lr')), steps = Math.round(Number(v('steps')));
  if (!(lr > 0)) throw new Error(`learning rate must be a positive number, got "${v('lr')}"`);
  if (!(steps >= 1)) throw new Error(`steps must be a positive integer, got "${v('steps')}"`);
  return {
    optimizer: v('optimizer') as TrainConfig['optimizer'],
    lr,
    schedule: v('schedule') as TrainConfig['schedule'],
    batchSize: Number(v('batch')),
    inputNorm: v('input-norm') as TrainConfig['inputNorm'],
    layerNorm: v('layer-norm') as TrainConfig['layerNorm'],
    hidden: v('hidden').split(',').map(Number),
    totalSteps: steps,
    seed: 1,
  };
}

function setRunning(on: boolean): void {
  app.running = on;
  $('controls').querySelectorAll<HTMLInputElement | HTMLSelectElement>('select, input').forEach((el) => { el.disabled = on; });
  $<HTMLButtonElement>('start').disabled = on || !app.backend;
  $<HTMLButtonElement>('stop').disabled = !on;
}

/** One series of the project's SVG line plot from [x, y] pairs. */
function series(name: string, color: string, pts: [number, number][], markers = false): slope.Series {
  return { name, color, x: pts.map((p) => p[0]), y: pts.map((p) => p[1]), markers };
}

function drawCharts(): void {
  const size = { width: 520, height: 260, xLabel: 'step' };
  $('loss-chart').innerHTML = slope.linePlot({
    ...size, title: 'training loss (cross-entropy)', yLog: true,
    series: [series('batch loss', '#98a2b3', hist.loss), series('smoothed', '#3559d1', hist.smooth)],
  });
  $('acc-chart').innerHTML = slope.linePlot({
    ...size, title: 'accuracy', yRange: [0, 1],
    series: [series('batch', '#98a2b3', hist.trainAcc), series(`test (${EVAL_COUNT} digits)`, '#16794a', hist.testAcc, true)],
  });
}

const fmtLoss = (x: number) => (Number.isFinite(x) ? x.toFixed(4) : String(x));
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

async function logMetrics(s: Session, ema: { v: number; n: number }): Promise<void> {
  const { loss, acc } = await s.lastBatchMetrics();
  ema.v = 0.8 * ema.v + 0.2 * loss;
  ema.n++;
  const smooth = ema.v / (1 - 0.8 ** ema.n);
  hist.loss.push([s.step, loss]);
  hist.smooth.push([s.step, smooth]);
  hist.trainAcc.push([s.step, acc]);
  app.losses.push([s.step, loss]);
  if (hist.loss.length === 1) $('first-loss').textContent = fmtLoss(loss);
  $('loss').textContent = fmtLoss(smooth);
  $('train-acc').textContent = pct(acc);
  $('lr-now').textContent = s.lr.toPrecision(3);
  drawCharts();
}

async function evaluate(s: Session): Promise<void> {
  const { acc, preds, labels } = await s.evaluate(EVAL_COUNT);
  hist.testAcc.push([s.step, acc]);
  $('test-acc').textContent = pct(acc);
  const cells = $('digits').children;
  for (let i = 0; i < Math.min(GRID, cells.length); i++) {
    const cell = cells[i] as HTMLElement;
    cell.className = `digit ${preds[i] === labels[i] ? 'ok' : 'bad'}`;
    cell.querySelector('b')!.textContent = String(preds[i]);
    cell.title = `label ${labels[i]}, predicted ${preds[i]}`;
  }
  $('digits-note').textContent = `(first ${GRID} of the ${TEST_COUNT} held-out digits; green: correct, red: wrong)`;
  app.evaluations++;
  drawCharts();
}

function resetView(): void {
  for (const k of Object.keys(hist) as (keyof typeof hist)[]) hist[k].length = 0;
  app.losses = [];
  app.step = 0;
  app.evaluations = 0;
  for (const id of ['loss', 'first-loss', 'train-acc', 'test-acc', 'lr-now', 'speed']) $(id).textContent = '–';
  $('step').textContent = '0';
  renderGrid();
  drawCharts();
}

async function train(): Promise<void> {
  const cfg = readConfig();
  resetView();
  stopRequested = false;
  setRunning(true);
  status('compiling…');
  const engine = await slope.init({ backend: app.backend ?? 'webgpu' });
  let s: Session | null = null;
  try {
    s = await Session.create(engine, digits, parts, cfg);
    const ema = { v: 0, n: 0 };
    const t0 = performance.now();
    status(`training on ${engine.kind === 'cpu' ? 'the CPU reference' : engine.adapter}…`);
    while (s.step < cfg.totalSteps && !stopRequested) {
      await s.trainStep();
      app.step = s.step;
      $('step').textContent = String(s.step);
      if (s.step === 1 || s.step % LOG_EVERY === 0) {
        await logMetrics(s, ema);
        $('speed').textContent = (s.step / ((performance.now() - t0) / 1000)).toFixed(1);
      }
      if (s.step % EVAL_EVERY === 0) await evaluate(s);
    }
    if (s.step % EVAL_EVERY !== 0) await evaluate(s);
    status(`${stopRequested ? 'stopped' : 'done'} after ${s.step} steps (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  } finally {
    s?.dispose();
    engine.dispose();
    setRunning(false);
  }
}

function renderGrid(): void {
  const grid = $('digits');
  grid.textContent = '';
  const px = digits.rows * digits.cols;
  for (let i = 0; i < GRID; i++) {
    const j = parts.test[i];
    const cell = document.createElement('div');
    cell.className = 'digit';
    const c = document.createElement('canvas');
    c.width = digits.cols;
    c.height = digits.rows;
    const ctx = c.getContext('2d')!;
    const img = ctx.createImageData(digits.cols, digits.rows);
    for (let k = 0; k < px; k++) {
      const v = digits.pixels[j * px + k];
      img.data.set([v, v, v, 255], 4 * k);
    }
    ctx.putImageData(img, 0, 0);
    const label = document.createElement('b');
    label.textContent = '·';
    cell.append(c, label);
    grid.append(cell);
  }
}

function fail(e: unknown): void {
  app.error = (e as Error).message ?? String(e);
  status(`error: ${app.error}`);
  console.error(e);
}

/** Fill the option lists from the session's tables; a new optimizer brings its usual learning rate. */
function fillControls(): void {
  const fill = (id: string, table: Record<string, { label: string }>, selected: string) => {
    const sel = $<HTMLSelectElement>(id);
    for (const [value, { label }] of Object.entries(table)) sel.add(new Option(label, value, value === selected, value === selected));
  };
  fill('optimizer', OPTIMIZERS, 'adam');
  fill('schedule', SCHEDULES, 'cosine');
  fill('layer-norm', NORMS, 'none');
  $('optimizer').addEventListener('change', () => {
    $<HTMLInputElement>('lr').value = String(OPTIMIZERS[$<HTMLSelectElement>('optimizer').value as keyof typeof OPTIMIZERS].lr);
  });
}

async function main(): Promise<void> {
  fillControls();
  await probeGpu();
  digits = await loadDigits('mnist-digits.bin', (f) => status(`loading digits… ${Math.round(100 * f)}%`));
  parts = split(digits, TEST_COUNT, 1);
  renderGrid();
  drawCharts();
  app.ready = true;
  status(`${digits.count} digits: ${parts.train.length} for training, ${TEST_COUNT} held out.${app.backend ? '' : ' WebGPU is unavailable.'}`);
  setRunning(false);
  $('controls').addEventListener('submit', (ev) => {
    ev.preventDefault();
    if (!app.running) train().catch(fail);
  });
  $('stop').addEventListener('click', () => { stopRequested = true; });
  $('use-cpu').addEventListener('click', () => {
    app.backend = 'cpu';
    $('device').textContent = 'cpu reference backend (float64, slow)';
    $('nogpu').hidden = true;
    setRunning(false);
  });
}

main().catch(fail);
