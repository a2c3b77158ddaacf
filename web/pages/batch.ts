/**
 * Chapter "batch and momentum". First, the same training run (the library's Trainer: batches
 * gathered on the device, forward, backward and the fused update in one submission, the
 * backend's few-steps-in-flight backpressure) at the batch size the reader picks, timed live on
 * this adapter: time per update, and per epoch (updates per epoch × time per update), plotted
 * against every batch size tried. Then momentum: plain gradient descent and SGD with momentum
 * from the same start on a surface with a shallow local minimum or a flat saddle, drawn step by step.
 */
import { $, Loop, main, markRunning, num, numberInput, page, put, slope, status } from '../lecture/common.js';
import { Descent } from '../lecture/descent.js';
import { ContourMap } from '../lecture/map.js';
import { FLAT_SADDLE, LOCAL_MIN, SurfaceGrid, type Surface } from '../lecture/surfaces.js';
import { loadDigits, splitBuiltin } from '../digits.js';

export const BATCH_SIZES = [1, 8, 64, 512, 2048] as const;
const MODEL = 'mlp:128';
/** Updates per fit() call: the time of each chunk is measured, then the page gets the thread back. */
const CHUNK = 4;

interface Timing {
  batch: number;
  updates: number;
  ms: number;
  loss: number;
}

export interface BatchState {
  timings: Timing[];
  updatesPerEpoch: Record<number, number>;
}

let digits: slope.Split;
const trainers = new Map<number, slope.Trainer>();
const timings = new Map<number, Timing>();
const batchLoop = new Loop('batch');

declare global {
  interface Window {
    __batch?: () => BatchState;
  }
}
window.__batch = () => ({ timings: [...timings.values()], updatesPerEpoch: Object.fromEntries(BATCH_SIZES.map((b) => [b, perEpoch(b)])) });

const perEpoch = (b: number) => Math.floor(digits.train.length / b);
const msPerUpdate = (t: Timing) => t.ms / Math.max(1, t.updates);

async function makeTrainer(engine: slope.Engine, batch: number): Promise<slope.Trainer> {
  const model = slope.buildModel(slope.parseModel(MODEL), digits.train.features, 10, 1);
  const optimizer = new slope.SGD(model.parameters(), { lr: 0.05 });
  return slope.Trainer.create(engine, { model, optimizer, train: digits.train, batchSize: batch, dropLast: true, seed: 1, logEvery: CHUNK, dataOnDevice: 'auto' });
}

function drawBatch(): void {
  const ts = [...timings.values()].sort((a, b) => a.batch - b.batch);
  const size = { width: 460, height: 260, xLabel: 'batch size', xLog: true, yLog: true };
  const pts = (f: (t: Timing) => number): slope.Series => ({ name: '', color: '#1f77b4', x: ts.map((t) => t.batch), y: ts.map(f), markers: true });
  $('update-chart').innerHTML = slope.linePlot({ ...size, title: 'time per update (ms)', series: ts.length ? [pts(msPerUpdate)] : [] });
  $('epoch-chart').innerHTML = slope.linePlot({ ...size, title: 'time per epoch (s)', series: ts.length ? [pts((t) => (msPerUpdate(t) * perEpoch(t.batch)) / 1000)] : [] });
  $('batch-table').querySelector('tbody')!.innerHTML = ts.map((t) => {
    const ms = msPerUpdate(t);
    const cells = [t.batch, t.updates, num(ms, 3), perEpoch(t.batch), num((ms * perEpoch(t.batch)) / 1000, 3), Math.round((1000 * t.batch) / ms).toLocaleString('en-US'), num(t.loss, 3)];
    return `<tr data-batch="${t.batch}">${cells.map((c) => `<td>${c}</td>`).join('')}</tr>`;
  }).join('');
}

/** Time `updates` updates at the chosen batch size (after one untimed chunk that warms it up). */
async function measure(): Promise<void> {
  const batch = Number($<HTMLSelectElement>('batch').value);
  const updates = Math.round(numberInput('updates'));
  const trainer = trainers.get(batch)!;
  const t: Timing = { batch, updates: 0, ms: 0, loss: NaN };
  timings.set(batch, t);
  busy('batch', true);
  let last = NaN;
  const onLog = (e: slope.LogEntry) => { last = e.loss; };
  trainer.opts.callbacks = { onLog };
  try {
    status(`batch ${batch}: timing ${updates} updates…`);
    await batchLoop.run(async () => {
      const n = Math.min(CHUNK, updates - t.updates);
      const t0 = performance.now();
      await trainer.fit({ epochs: Number.MAX_SAFE_INTEGER, steps: n });
      t.ms += performance.now() - t0;
      t.updates += n;
      t.loss = last;
      put('batch-now', `batch ${batch}: ${t.updates} updates, ${num(msPerUpdate(t), 3)} ms each`);
      return t.updates < updates;
    }, drawBatch);
    status(`batch ${batch}: ${num(msPerUpdate(t), 3)} ms per update, ${num((msPerUpdate(t) * perEpoch(batch)) / 1000, 3)} s per epoch of ${perEpoch(batch)} updates`);
  } finally {
    busy('batch', false);
  }
}

// ------------------------------------------------------------------ momentum

const SURFACES = [LOCAL_MIN, FLAT_SADDLE];
const RUNNERS = [
  { id: 'gd', name: 'gradient descent', color: '#7f7f7f' },
  { id: 'momentum', name: 'SGD + momentum', color: '#d62728' },
] as const;

interface Roll {
  surface: Surface;
  contours: string;
  runners: { id: string; descent: Descent; path: [number, number][]; losses: number[] }[];
}
const rolls = new Map<string, Roll>();
let roll: Roll;
let map: ContourMap;
const rollLoop = new Loop('momentum');

declare global {
  interface Window {
    __momentum?: () => { id: string; losses: number[]; end: [number, number] }[];
  }
}
window.__momentum = () => roll.runners.map((r) => ({ id: r.id, losses: r.losses, end: r.path.at(-1)! }));

function drawRoll(): void {
  map.setPaths(roll.runners.map((r, i) => ({ name: `${RUNNERS[i].name}`, color: RUNNERS[i].color, x: r.path.map((p) => p[0]), y: r.path.map((p) => p[1]) })));
  const any = roll.runners[0].losses.length > 0;
  $('roll-chart').innerHTML = slope.linePlot({
    title: 'loss', xLabel: 'step', width: 460, height: 230,
    series: any ? roll.runners.map((r, i) => ({ name: RUNNERS[i].name, color: RUNNERS[i].color, x: r.losses.map((_, k) => k), y: r.losses })) : [],
  });
  for (const r of roll.runners) {
    const w = r.path.at(-1)!;
    put(`${r.id}-at`, `(${num(w[0], 3)}, ${num(w[1], 3)})`);
    put(`${r.id}-loss`, r.losses.length ? num(r.losses.at(-1)!) : '–');
  }
}

function selectSurface(id: string): void {
  roll = rolls.get(id)!;
  map.show(roll.contours, roll.surface);
  put('roll-formula', roll.surface.formula);
  for (const r of roll.runners) r.path = [roll.surface.presets[0].at];
  for (const r of roll.runners) r.losses = [];
  drawRoll();
}

async function rollDown(): Promise<void> {
  const steps = Math.round(numberInput('roll-steps'));
  const lr = numberInput('roll-lr'), beta = numberInput('beta');
  const start = roll.surface.presets[0].at;
  busy('momentum', true);
  try {
    for (const r of roll.runners) {
      await r.descent.reset(start);
      const group = r.descent.optimizer.paramGroups[0] as unknown as { lr: number; momentum: number };
      group.lr = lr;
      if (r.id === 'momentum') group.momentum = beta;
      r.path = [start];
      r.losses = [];
    }
    await rollLoop.run(async () => {
      for (const r of roll.runners) {
        const s = await r.descent.step();
        r.losses.push(s.loss);
        r.path.push(s.w);
      }
      return true;
    }, drawRoll, steps);
    const [gd, mo] = roll.runners;
    status(`${gd.losses.length} steps at lr ${num(lr)}: gradient descent ends at loss ${num(gd.losses.at(-1)!)}, momentum ${num(beta)} at ${num(mo.losses.at(-1)!)}`);
  } finally {
    busy('momentum', false);
  }
}

// ------------------------------------------------------------------ the page

function busy(what: 'batch' | 'momentum', on: boolean): void {
  $<HTMLButtonElement>(what === 'batch' ? 'measure' : 'roll').disabled = on || (what === 'batch' && !trainers.size);
  markRunning(`${what}-page`, on);
}

async function setup(engine: slope.Engine): Promise<void> {
  map = new ContourMap($('map'), { title: '', xRange: LOCAL_MIN.xRange, yRange: LOCAL_MIN.yRange, grid: 60, legend: 'bottom-right', width: 460, height: 380 });
  const sel = $<HTMLSelectElement>('roll-surface');
  for (const s of SURFACES) {
    const grid = await SurfaceGrid.create(engine, s.loss, s.xRange, s.yRange, 60);
    const contours = map.render(await grid.values(), s.formula, s);
    grid.dispose();
    const runners = [];
    for (const r of RUNNERS) {
      // momentum: the library's SGD with a momentum buffer (0.9 until the form says otherwise).
      const descent = await Descent.create(engine, s.loss, (p) => new slope.SGD([p], { lr: 0.01, momentum: r.id === 'momentum' ? 0.9 : 0 }));
      descent.moveTo(s.presets[0].at);
      await descent.loss();
      runners.push({ id: r.id, descent, path: [s.presets[0].at] as [number, number][], losses: [] as number[] });
    }
    rolls.set(s.id, { surface: s, contours, runners });
    sel.add(new Option(s.name, s.id));
  }
  selectSurface(SURFACES[0].id);
  sel.addEventListener('change', () => selectSurface(sel.value));
  $('roll').addEventListener('click', () => { rollDown().catch((e) => { status(`error: ${(e as Error).message}`); busy('momentum', false); }); });
  $('stop').addEventListener('click', () => { batchLoop.stop(); rollLoop.stop(); });
  busy('momentum', false);

  if (engine.kind === 'cpu') {
    put('batch-note', 'Timing training needs WebGPU: on the cpu backend every update would hold this tab.');
  } else {
    status('loading the digits…');
    digits = splitBuiltin(await loadDigits(''));
    for (const b of BATCH_SIZES) {
      status(`compiling the training step at batch ${b}…`);
      const t = await makeTrainer(engine, b);
      await t.fit({ epochs: Number.MAX_SAFE_INTEGER, steps: 1 }); // the first run's one-time work, untimed
      trainers.set(b, t);
    }
    $('measure').addEventListener('click', () => { measure().catch((e) => { status(`error: ${(e as Error).message}`); busy('batch', false); }); });
    busy('batch', false);
    drawBatch();
  }
  status('ready');
  page.counts.batch ??= 0;
}

main({ setup, gpuOnly: 'Timing training at several batch sizes needs WebGPU; the momentum experiment runs on the cpu backend too.' });
