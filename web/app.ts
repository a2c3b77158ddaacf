/**
 * The demo page: trains an MLP on the built-in digits with slope's browser build and the same
 * training code as the command line, with live loss and accuracy charts and a grid of test
 * digits with their predictions. State for tests is on `window.__app`.
 */
import * as slope from '../src/browser.js';
import { imageBytes, loadDigits, splitBuiltin } from './digits.js';
import { NORM_LABELS, OPTIMIZER_LABELS, SCHEDULES, Session, type TrainConfig } from './session.js';
import { drawCharts, resetCharts, type Charts } from './view.js';

/** Steps between evaluations on the test set (and updates of the digit grid). */
const EVAL_EVERY = 50;
const GRID = 48;

export interface AppState {
  ready: boolean;
  running: boolean;
  backend: 'webgpu' | 'cpu' | null;
  step: number;
  /** [step, mean training loss over the log interval] */
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

let data: slope.Split;
let gridIndices: Int32Array;
let stopRequested = false;
const charts: Charts = { loss: [], trainAcc: [], testLoss: [], testAcc: [] };

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
  if (!(lr > 0)) throw new slope.ArgumentError(`learning rate must be a positive number, got "${v('lr')}"`);
  if (!(steps >= 1)) throw new slope.ArgumentError(`steps must be a positive integer, got "${v('steps')}"`);
  return {
    optimizer: v('optimizer') as TrainConfig['optimizer'],
    lr,
    schedule: v('schedule'),
    batchSize: Number(v('batch')),
    inputNorm: v('input-norm') as TrainConfig['inputNorm'],
    norm: v('layer-norm') as TrainConfig['norm'],
    model: v('model'),
    totalSteps: steps,
    seed: 0,
  };
}

function setRunning(on: boolean): void {
  app.running = on;
  $('controls').querySelectorAll<HTMLInputElement | HTMLSelectElement>('select, input').forEach((el) => { el.disabled = on; });
  $<HTMLButtonElement>('start').disabled = on || !app.backend;
  $<HTMLButtonElement>('stop').disabled = !on;
}

const fmtLoss = (x: number) => (Number.isFinite(x) ? x.toFixed(4) : String(x));
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

function onLog(e: slope.LogEntry): void {
  charts.loss.push([e.step, e.loss]);
  charts.trainAcc.push([e.step, e.accuracy]);
  app.losses.push([e.step, e.loss]);
  if (charts.loss.length === 1) $('first-loss').textContent = fmtLoss(e.loss);
  $('loss').textContent = fmtLoss(e.loss);
  $('train-acc').textContent = pct(e.accuracy);
  $('lr-now').textContent = e.lr.toPrecision(3);
  $('speed').textContent = e.stepsPerSecond.toFixed(1);
  $('step').textContent = String(e.step);
  drawCharts(charts);
}

function testPoint(step: number, loss: number, accuracy: number): void {
  if (charts.testLoss.at(-1)?.[0] === step) return;
  charts.testLoss.push([step, loss]);
  charts.testAcc.push([step, accuracy]);
  $('test-acc').textContent = pct(accuracy);
}

/** The trainer evaluates the test set at each epoch's end. */
function onEpochEnd(e: slope.EpochEntry): void {
  if (e.testLoss !== null && e.testAccuracy !== null) testPoint(e.step, e.testLoss, e.testAccuracy);
  drawCharts(charts);
}

async function evaluate(s: Session): Promise<void> {
  const ev = await s.evaluate();
  testPoint(s.step, ev.loss, ev.accuracy);
  const preds = await s.predictions();
  const cells = $('digits').children;
  for (let i = 0; i < cells.length; i++) {
    const cell = cells[i] as HTMLElement;
    const label = data.test.y[gridIndices[i]];
    cell.className = `digit ${preds[i] === label ? 'ok' : 'bad'}`;
    cell.querySelector('b')!.textContent = String(preds[i]);
    cell.title = `label ${label}, predicted ${preds[i]}`;
  }
  $('digits-note').textContent = `(predictions at step ${s.step}; green: correct, red: wrong)`;
  app.evaluations++;
  drawCharts(charts);
}

function resetView(): void {
  resetCharts(charts);
  app.losses = [];
  app.step = 0;
  app.evaluations = 0;
  for (const id of ['loss', 'first-loss', 'train-acc', 'test-acc', 'lr-now', 'speed']) $(id).textContent = '–';
  $('step').textContent = '0';
  renderGrid();
  drawCharts(charts);
}

async function train(): Promise<void> {
  const cfg = readConfig();
  resetView();
  stopRequested = false;
  setRunning(true);
  status('compiling…');
  const engine = await slope.init({ backend: app.backend ?? 'webgpu' });
  try {
    const s = await Session.create(engine, data, cfg, gridIndices, { onLog, onEpochEnd });
    const t0 = performance.now();
    status(`training on ${engine.kind === 'cpu' ? 'the cpu reference backend' : engine.adapter}…`);
    while (s.step < cfg.totalSteps && !stopRequested) {
      // Small chunks keep Stop responsive; the trainer logs every few steps.
      await s.train(Math.min(EVAL_EVERY - (s.step % EVAL_EVERY), 10));
      app.step = s.step;
      $('step').textContent = String(s.step);
      if (s.step % EVAL_EVERY === 0 || s.step === cfg.totalSteps) await evaluate(s);
    }
    if (app.evaluations === 0 || s.step % EVAL_EVERY !== 0) await evaluate(s);
    status(`${stopRequested ? 'stopped' : 'done'} after ${s.step} steps (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  } finally {
    engine.dispose();
    setRunning(false);
  }
}

/** The grid's digits: a fixed, seeded sample of the test set (which is ordered by class). */
function pickGrid(): void {
  gridIndices = slope.permutation(data.test.length, new slope.Generator(1)).slice(0, GRID);
}

function renderGrid(): void {
  const grid = $('digits');
  grid.textContent = '';
  const [h, w] = data.test.sampleShape.slice(-2);
  for (const j of gridIndices) {
    const cell = document.createElement('div');
    cell.className = 'digit';
    const c = document.createElement('canvas');
    c.width = w;
    c.height = h;
    const ctx = c.getContext('2d')!;
    const img = ctx.createImageData(w, h);
    imageBytes(data.test, j).forEach((v, k) => img.data.set([v, v, v, 255], 4 * k));
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

/** Fill the option lists; a new optimizer brings the command line's default learning rate. */
function fillControls(): void {
  const fill = (id: string, options: Record<string, string>, selected: string) => {
    const sel = $<HTMLSelectElement>(id);
    for (const [value, label] of Object.entries(options)) sel.add(new Option(label, value, value === selected, value === selected));
  };
  fill('optimizer', OPTIMIZER_LABELS, 'adam');
  fill('schedule', Object.fromEntries(Object.entries(SCHEDULES).map(([k, v]) => [k, v.label])), 'cosine');
  fill('layer-norm', NORM_LABELS, 'none');
  $<HTMLInputElement>('lr').value = String(slope.DEFAULT_LR.adam);
  $('optimizer').addEventListener('change', () => {
    $<HTMLInputElement>('lr').value = String(slope.DEFAULT_LR[$<HTMLSelectElement>('optimizer').value as TrainConfig['optimizer']]);
  });
}

async function main(): Promise<void> {
  fillControls();
  await probeGpu();
  const all = await loadDigits('', (n) => status(`loading digits… ${(n / 1e6).toFixed(1)} MB`));
  data = splitBuiltin(all);
  pickGrid();
  renderGrid();
  drawCharts(charts);
  app.ready = true;
  status(`${all.length} digits: ${data.train.length} for training, ${data.test.length} held out.${app.backend ? '' : ' WebGPU is unavailable.'}`);
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
