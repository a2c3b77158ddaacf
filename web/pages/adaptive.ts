/**
 * Chapter "adaptive learning rate": gradient descent, Adagrad (torch's and the lecture's), RMSprop
 * and Adam race down an elongated bowl from the same start, each a program with the library's
 * optimizer as its hook. The learning rates and the schedule (decay, warmup) are sliders that
 * act on the next step. σ (the optimizer's root of its squared-gradient statistics, read from its
 * state) and the effective step η/σ along the steep direction are plotted live.
 */
import { $, Loop, main, markRunning, num, put, slope, status } from '../lecture/common.js';
import { Descent } from '../lecture/descent.js';
import { ContourMap } from '../lecture/map.js';
import { SurfaceGrid, bowl } from '../lecture/surfaces.js';

const SURFACE = bowl(100);
const START: [number, number] = [-10, 1];
const GRID = 60;
const REACHED = 1e-4;

type Group = 'gd' | 'adaptive';

interface RacerSpec {
  id: string;
  name: string;
  short: string;
  color: string;
  group: Group;
  make(p: slope.Parameter): slope.Optimizer;
  /** σ of (w₁, w₂) from the optimizer's state after `t` updates (null: plain gradient descent, σ = 1). */
  sigma(state: Record<string, ArrayLike<number>>, t: number): [number, number] | null;
  /** The factor the lecture's Adagrad puts on torch's lr: √(t + 1). */
  lrFactor?(t: number): number;
}

const RACERS: RacerSpec[] = [
  { id: 'gd', name: 'gradient descent', short: 'GD', color: '#7f7f7f', group: 'gd', make: (p) => new slope.SGD([p], { lr: 0.019 }), sigma: () => null },
  {
    id: 'adagrad', name: 'Adagrad (torch: σ = √Σg²)', short: 'Adagrad, torch', color: '#ff7f0e', group: 'adaptive', make: (p) => new slope.Adagrad([p], { lr: 0.1 }),
    sigma: (s) => [Math.sqrt(s.sum[0]), Math.sqrt(s.sum[1])],
  },
  {
    id: 'lecture', name: 'Adagrad (lecture: σ = RMS of g)', short: 'Adagrad, lecture', color: '#d62728', group: 'adaptive', make: (p) => new slope.Adagrad([p], { lr: 0.1 }),
    sigma: (s, t) => [Math.sqrt(s.sum[0] / t), Math.sqrt(s.sum[1] / t)], lrFactor: (t) => Math.sqrt(t + 1),
  },
  {
    id: 'rmsprop', name: 'RMSprop (α = 0.9)', short: 'RMSprop', color: '#2ca02c', group: 'adaptive', make: (p) => new slope.RMSprop([p], { lr: 0.1, alpha: 0.9 }),
    sigma: (s) => [Math.sqrt(s.square_avg[0]), Math.sqrt(s.square_avg[1])],
  },
  {
    id: 'adam', name: 'Adam', short: 'Adam', color: '#1f77b4', group: 'adaptive', make: (p) => new slope.Adam([p], { lr: 0.1 }),
    sigma: (s, t) => [Math.sqrt(s.exp_avg_sq[0] / (1 - 0.999 ** t)), Math.sqrt(s.exp_avg_sq[1] / (1 - 0.999 ** t))],
  },
];

interface Racer {
  spec: RacerSpec;
  descent: Descent;
  path: [number, number][];
  losses: number[];
  /** σ and η/σ along w₂ after each update. */
  sigma2: number[];
  step2: number[];
  reached: number;
}

let racers: Racer[] = [];

/** The race so far, for tests: each racer's losses, w₂ after each update, σ₂ and η/σ₂. */
export interface RaceState {
  id: string;
  losses: number[];
  w2: number[];
  sigma2: number[];
  step2: number[];
}
declare global {
  interface Window {
    __race?: () => RaceState[];
  }
}
window.__race = () => racers.map((r) => ({ id: r.spec.id, losses: r.losses, w2: r.path.map((p) => p[1]), sigma2: r.sigma2, step2: r.step2 }));
let map: ContourMap;
const loop = new Loop('race');

/** The slider's value: 10^x for the log sliders. */
const logSlider = (id: string) => 10 ** Number($<HTMLInputElement>(id).value);
const slider = (id: string) => Number($<HTMLInputElement>(id).value);

/** The schedule's factor at update t (0, 1, …) from the controls, built from the library's schedules. */
function scheduleFactor(): slope.Schedule {
  const kind = $<HTMLSelectElement>('schedule').value;
  const gamma = slider('gamma'), warm = Math.round(slider('warmup'));
  const decay = slope.exponentialLR(1, gamma);
  switch (kind) {
    case 'decay': return decay;
    case 'warmup': return warm > 0 ? slope.linearWarmup(warm, slope.constant(1)) : slope.constant(1);
    case 'warmup-decay': return warm > 0 ? slope.linearWarmup(warm, decay) : decay;
    default: return slope.constant(1);
  }
}

function base(group: Group): number {
  return group === 'gd' ? logSlider('lr-gd') : logSlider('lr');
}

/** Each optimizer's lr follows the sliders and the schedule, read again before every update. */
function wireSchedules(): void {
  for (const r of racers) {
    r.descent.optimizer.schedule = (t) => base(r.spec.group) * scheduleFactor()(t) * (r.spec.lrFactor?.(t) ?? 1);
  }
}

function showControls(): void {
  put('lr-value', num(logSlider('lr'), 3));
  put('lr-gd-value', num(logSlider('lr-gd'), 3));
  put('gamma-value', String(slider('gamma')));
  put('warmup-value', String(Math.round(slider('warmup'))));
  const f = scheduleFactor();
  put('schedule-now', `×${num(f(Math.max(0, (racers[0]?.losses.length ?? 1) - 1)), 3)} at the current update`);
}

async function raceStep(): Promise<boolean> {
  for (const r of racers) {
    const s = await r.descent.step();
    r.losses.push(s.loss);
    r.path.push(s.w);
    const t = r.losses.length;
    const sig = r.spec.sigma(await r.descent.state(), t);
    const lr = r.descent.optimizer.lr; // the lr this update used (set by the schedule)
    const ownLr = lr / (r.spec.lrFactor?.(t - 1) ?? 1);
    r.sigma2.push(sig ? sig[1] : 1);
    r.step2.push(sig ? ownLr / sig[1] : lr);
    if (r.reached < 0 && s.loss < REACHED) r.reached = t - 1;
  }
  return racers.some((r) => Number.isFinite(r.losses.at(-1)!) && r.losses.at(-1)! > 0);
}

const FLOOR = 1e-12;
/** A racer's curve, unnamed: the map's legend says which color is which. */
const series = (r: Racer, v: number[], offset = 1): slope.Series => ({
  name: '', color: r.spec.color, x: v.map((_, i) => i + offset), y: v.map((y) => (Number.isFinite(y) ? Math.max(FLOOR, y) : 1e30)),
});

function draw(): void {
  map.setPaths(racers.map((r) => ({ name: r.spec.name, color: r.spec.color, x: r.path.map((p) => p[0]), y: r.path.map((p) => p[1]) })));
  const size = { width: 520, height: 230, xLabel: 'update' };
  const any = racers[0]?.losses.length > 0;
  $('loss-chart').innerHTML = slope.linePlot({ ...size, title: 'loss (log scale)', yLog: true, series: any ? racers.map((r) => series(r, r.losses, 0)) : [] });
  $('sigma-chart').innerHTML = slope.linePlot({ ...size, title: 'σ along w₂ (the steep direction)', yLog: true, series: any ? racers.filter((r) => r.spec.group !== 'gd').map((r) => series(r, r.sigma2)) : [] });
  $('step-chart').innerHTML = slope.linePlot({ ...size, title: 'effective learning rate η/σ along w₂', yLog: true, series: any ? racers.map((r) => series(r, r.step2)) : [] });
  const rows = racers.map((r) => {
    const w = r.path.at(-1)!;
    const cells = [`<i style="color:${r.spec.color}">■</i> ${r.spec.short}`, String(r.losses.length), num(r.losses.at(-1) ?? NaN), `${num(w[0], 3)}<br>${num(w[1], 3)}`,
      r.spec.group === 'gd' ? '1' : num(r.sigma2.at(-1) ?? NaN, 3), num(r.step2.at(-1) ?? NaN, 3), r.reached >= 0 ? String(r.reached) : '–'];
    return `<tr data-racer="${r.spec.id}">${cells.map((c) => `<td>${c}</td>`).join('')}</tr>`;
  });
  $('race-table').querySelector('tbody')!.innerHTML = rows.join('');
  showControls();
}

async function reset(): Promise<void> {
  for (const r of racers) {
    await r.descent.reset(START);
    Object.assign(r, { path: [START], losses: [], sigma2: [], step2: [], reached: -1 });
  }
  draw();
}

async function race(): Promise<void> {
  const steps = Math.round(Number($<HTMLInputElement>('steps').value));
  if (!(steps >= 1)) throw new slope.ArgumentError(`updates: "${$<HTMLInputElement>('steps').value}" is not a positive number`);
  setBusy(true);
  try {
    await reset();
    status('racing…');
    await loop.run(raceStep, draw, steps);
    const best = [...racers].sort((a, b) => a.losses.at(-1)! - b.losses.at(-1)!)[0];
    status(`${racers[0].losses.length} updates from (−10, 1); lowest loss: ${best.spec.name}, ${num(best.losses.at(-1)!)}`);
  } finally {
    setBusy(false);
  }
}

function setBusy(on: boolean): void {
  $<HTMLButtonElement>('start').disabled = on;
  $<HTMLButtonElement>('stop').disabled = !on;
  markRunning('adaptive', on);
}

async function setup(engine: slope.Engine): Promise<void> {
  map = new ContourMap($('map'), { title: '', xRange: SURFACE.xRange, yRange: SURFACE.yRange, grid: GRID, legend: 'top-right', height: 340 });
  const grid = await SurfaceGrid.create(engine, SURFACE.loss, SURFACE.xRange, SURFACE.yRange, GRID);
  map.show(map.render(await grid.values(), `${SURFACE.name}: ${SURFACE.formula}`));
  grid.dispose();
  for (const spec of RACERS) {
    const descent = await Descent.create(engine, SURFACE.loss, spec.make);
    racers.push({ spec, descent, path: [START], losses: [], sigma2: [], step2: [], reached: -1 });
  }
  wireSchedules();
  // One update each, so that no first run's one-time work falls after the page is ready.
  await raceStep();
  await reset();
  for (const id of ['lr', 'lr-gd', 'gamma', 'warmup', 'schedule']) $(id).addEventListener('input', showControls);
  $('controls').addEventListener('submit', (ev) => {
    ev.preventDefault();
    race().catch((e) => { status(`error: ${(e as Error).message}`); setBusy(false); });
  });
  $('stop').addEventListener('click', () => loop.stop());
  setBusy(false);
  status('ready: press Race');
}

main({ setup });
