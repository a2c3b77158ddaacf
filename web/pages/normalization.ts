/**
 * Chapter "normalization". First the lecture's picture: a linear model on two features of very
 * different scales has an elongated loss surface (the engine evaluates it on a grid, and its
 * Hessian — grad of grad — gives the curvatures and their ratio); standardized with the
 * library's Standardizer the surface is round, and gradient descent at each surface's own largest
 * safe learning rate shows the difference. Then the same MLP on digits whose pixels are badly
 * scaled (a fixed quarter ×100), trained three ways from the same weights: raw, standardized
 * inputs, and BatchNorm after the hidden layer — with BatchNorm's running statistics and its
 * training/evaluation modes shown.
 */
import { $, Loop, main, markRunning, num, numberInput, page, put, slope, status } from '../lecture/common.js';
import { Batches, Classifier, Evaluation } from '../lecture/classifier.js';
import { Descent } from '../lecture/descent.js';
import { ContourMap } from '../lecture/map.js';
import { SurfaceGrid } from '../lecture/surfaces.js';
import { loadDigits, splitBuiltin } from '../digits.js';

const { add, mul, reshape, sub, square, mean } = slope;
type Tensor = slope.Tensor;

// ------------------------------------------------------------------ the two surfaces

const SAMPLES = 200;
const SCALE2 = 10;
const GRID = 60;
const RANGE: [number, number] = [-4, 6];
const START: [number, number] = [-3, 5];

/** Two features, the second SCALE2 times wider, and y = 2x₁ + 0.3x₂ + noise (seeded). */
function regressionData(): { x: Float32Array; y: Float32Array } {
  const gen = new slope.Generator(11);
  const x = new Float32Array(2 * SAMPLES), y = new Float32Array(SAMPLES);
  for (let i = 0; i < SAMPLES; i++) {
    x[2 * i] = gen.normal();
    x[2 * i + 1] = SCALE2 * gen.normal();
    y[i] = 2 * x[2 * i] + 0.3 * x[2 * i + 1] + 0.1 * gen.normal();
  }
  return { x, y };
}

/** The mean squared error of w₁x₁ + w₂x₂ over the samples, at each of n points (w₁, w₂): (n, S) by broadcasting. */
function regressionLoss(x: Float32Array, y: Float32Array) {
  const x1 = new Float32Array(SAMPLES), x2 = new Float32Array(SAMPLES);
  for (let i = 0; i < SAMPLES; i++) { x1[i] = x[2 * i]; x2[i] = x[2 * i + 1]; }
  return (w1: Tensor, w2: Tensor): Tensor => {
    const g = w1.graph, n = w1.size;
    const pred = add(mul(reshape(w1, [n, 1]), g.constant(x1, [1, SAMPLES])), mul(reshape(w2, [n, 1]), g.constant(x2, [1, SAMPLES])));
    return mean(square(sub(pred, g.constant(y, [1, SAMPLES]))), 1);
  };
}

type SurfaceId = 'raw' | 'std';
const SURF_NAMES: Record<SurfaceId, string> = { raw: 'raw features', std: 'standardized features' };
interface Surf {
  id: SurfaceId;
  map: ContourMap;
  descent: Descent;
  eig: [number, number];
  path: [number, number][];
  losses: number[];
}
const surfs = {} as Record<SurfaceId, Surf>;
const surfLoop = new Loop('surfaces');

function drawSurfaces(): void {
  for (const s of Object.values(surfs)) {
    s.map.setPaths([{ name: `gradient descent (${s.path.length - 1} steps)`, color: '#d62728', x: s.path.map((p) => p[0]), y: s.path.map((p) => p[1]) }]);
    put(`${s.id}-loss`, s.losses.length ? num(s.losses.at(-1)!) : '–');
  }
  const any = surfs.raw.losses.length > 0;
  $('surface-chart').innerHTML = slope.linePlot({
    title: 'loss (log scale)', xLabel: 'step', width: 460, height: 220, yLog: true,
    series: any ? Object.values(surfs).map((s, i) => ({ name: SURF_NAMES[s.id], color: ['#d62728', '#1f77b4'][i], x: s.losses.map((_, k) => k), y: s.losses })) : [],
  });
}

async function descendBoth(): Promise<void> {
  const f = numberInput('lr-fraction');
  const steps = Math.round(numberInput('surface-steps'));
  busy('surfaces', true);
  try {
    for (const s of Object.values(surfs)) {
      await s.descent.reset(START);
      s.descent.optimizer.lr = (f * 2) / s.eig[1];
      put(`${s.id}-lr`, num(s.descent.optimizer.lr, 3));
      s.path = [START];
      s.losses = [];
    }
    await surfLoop.run(async () => {
      for (const s of Object.values(surfs)) {
        const r = await s.descent.step();
        s.losses.push(r.loss);
        s.path.push(r.w);
      }
      return true;
    }, drawSurfaces, steps);
    status(`${surfs.raw.losses.length} steps at ${num(f)} × 2/λmax of each surface`);
  } finally {
    busy('surfaces', false);
  }
}

// ------------------------------------------------------------------ the digits, three ways

type Way = 'none' | 'std' | 'bn';
const WAYS: { id: Way; name: string; color: string }[] = [
  { id: 'none', name: 'raw inputs', color: '#7f7f7f' },
  { id: 'std', name: 'standardized inputs', color: '#1f77b4' },
  { id: 'bn', name: 'raw inputs, BatchNorm', color: '#d62728' },
];
interface Learner {
  way: Way;
  clf: Classifier;
  batches: Batches;
  test: slope.Dataset;
  evalMode: Evaluation;
  trainMode: Evaluation | null;
  losses: [number, number][];
  tests: [number, number][];
}
let learners: Learner[] = [];
let bn: { mean: slope.Variable; var: slope.Variable; count: slope.Variable } | null = null;
let step = 0;
const digitLoop = new Loop('digits');
const BATCH = 64, HIDDEN = 64, EVAL_EVERY = 50, TRAIN = 2000, TEST = 512;

export interface NormState {
  step: number;
  losses: Record<string, number[]>;
  tests: Record<string, number[]>;
  bnEval: number | null;
  bnTrain: number | null;
  runningMean: number[];
  runningVar: number[];
  tracked: number;
}
let bnModes: { eval: number | null; train: number | null } = { eval: null, train: null };
let running = { mean: [] as number[], var: [] as number[], tracked: 0 };
declare global {
  interface Window {
    __norm?: () => NormState;
  }
}
window.__norm = () => ({
  step, losses: Object.fromEntries(learners.map((l) => [l.way, l.losses.map((p) => p[1])])),
  tests: Object.fromEntries(learners.map((l) => [l.way, l.tests.map((p) => p[1])])),
  bnEval: bnModes.eval, bnTrain: bnModes.train, runningMean: running.mean, runningVar: running.var, tracked: running.tracked,
});

/** A fixed quarter of the pixels (seeded) multiplied by 100: features on two very different scales. */
function badlyScaled(ds: slope.Dataset, cols: Int32Array): slope.Dataset {
  const x = Float32Array.from(ds.x);
  const D = ds.features;
  for (let i = 0; i < ds.length; i++) for (const c of cols) x[i * D + c] *= 100;
  return new slope.Dataset({ name: `${ds.name} (badly scaled)`, sampleShape: ds.sampleShape, y: ds.y, numClasses: ds.numClasses, x });
}

async function readRunning(engine: slope.Engine): Promise<void> {
  if (!bn) return;
  running = {
    mean: Array.from((await engine.read(bn.mean)).slice(0, 6)), var: Array.from((await engine.read(bn.var)).slice(0, 6)),
    tracked: (await engine.read(bn.count))[0],
  };
}

async function evaluate(engine: slope.Engine): Promise<void> {
  for (const l of learners) l.tests.push([step, (await l.evalMode.run(l.test)).accuracy]);
  const b = learners.find((l) => l.way === 'bn')!;
  bnModes.eval = b.tests.at(-1)![1];
  // Training mode on the test set: each chunk's own statistics. The evaluation would update the
  // running statistics (as PyTorch's does); they are put back as they were.
  const saved = await Promise.all([bn!.mean, bn!.var, bn!.count].map((v) => engine.read(v)));
  bnModes.train = (await b.trainMode!.run(b.test)).accuracy;
  [bn!.mean, bn!.var, bn!.count].forEach((v, i) => engine.write(v, saved[i]));
  await readRunning(engine);
}

function drawDigits(): void {
  const size = { width: 460, height: 240, xLabel: 'step' };
  const any = learners[0]?.losses.length > 0;
  const finite = (v: number) => (Number.isFinite(v) ? v : 1e3);
  $('digits-loss').innerHTML = slope.linePlot({
    ...size, title: 'training loss (log scale)', yLog: true,
    series: any ? learners.map((l, i) => ({ name: WAYS[i].name, color: WAYS[i].color, x: l.losses.map((p) => p[0]), y: l.losses.map((p) => finite(p[1])) })) : [],
  });
  $('digits-acc').innerHTML = slope.linePlot({
    ...size, title: 'test accuracy (BatchNorm: evaluation mode)', yRange: [0, 1], legend: 'bottom-right',
    series: any ? learners.map((l, i) => ({ name: WAYS[i].name, color: WAYS[i].color, x: l.tests.map((p) => p[0]), y: l.tests.map((p) => p[1]), markers: true })) : [],
  });
  put('norm-step', step);
  for (const l of learners) {
    put(`${l.way}-train-loss`, num(l.losses.at(-1)?.[1] ?? NaN));
    put(`${l.way}-test-acc`, l.tests.length ? `${(100 * l.tests.at(-1)![1]).toFixed(1)}%` : '–');
  }
  put('bn-eval', bnModes.eval === null ? '–' : `${(100 * bnModes.eval).toFixed(1)}%`);
  put('bn-train', bnModes.train === null ? '–' : `${(100 * bnModes.train).toFixed(1)}%`);
  put('bn-tracked', running.tracked);
  $('bn-stats').querySelector('tbody')!.innerHTML = running.mean.map((m, c) => `<tr><td>${c}</td><td>${num(m, 3)}</td><td>${num(running.var[c], 3)}</td></tr>`).join('');
}

async function trainDigits(engine: slope.Engine): Promise<void> {
  const steps = Math.round(numberInput('norm-steps'));
  const lr = numberInput('norm-lr');
  for (const l of learners) l.clf.optimizer.lr = lr;
  busy('digits', true);
  try {
    if (step === 0) await evaluate(engine);
    await digitLoop.run(async () => {
      step++;
      for (const l of learners) {
        const r = (await l.clf.step(l.batches.next()))!;
        l.losses.push([step, r.loss]);
      }
      if (step % 5 === 0) await readRunning(engine);
      if (step % EVAL_EVERY === 0) await evaluate(engine);
      return true;
    }, drawDigits, steps);
    if (learners[0].tests.at(-1)?.[0] !== step) await evaluate(engine);
    drawDigits();
    status(`digits: ${step} steps of SGD at lr ${num(lr)}, three ways`);
  } finally {
    busy('digits', false);
  }
}

async function buildLearners(engine: slope.Engine, split: slope.Split): Promise<void> {
  const cols = slope.permutation(split.train.features, new slope.Generator(5)).slice(0, split.train.features / 4);
  // Seeded random subsets, small enough for a software adapter: TRAIN training digits and TEST
  // test digits. The test set is stored class by class; in a random order, each batch of
  // BatchNorm's training mode sees a mix of classes.
  const pick = (ds: slope.Dataset, n: number, seed: number) => ds.subset(slope.permutation(ds.length, new slope.Generator(seed)).slice(0, n));
  const raw = { train: badlyScaled(pick(split.train, TRAIN, 6), cols), test: badlyScaled(pick(split.test, TEST, 7), cols) };
  const st = await slope.fitStandardizer(engine, raw.train.x, raw.train.features);
  const stdz = async (ds: slope.Dataset) => new slope.Dataset({ name: ds.name, sampleShape: ds.sampleShape, y: ds.y, numClasses: ds.numClasses, x: await st.transform(engine, ds.x) });
  const std = { train: await stdz(raw.train), test: await stdz(raw.test) };
  const D = raw.train.features, rows = Math.floor(raw.test.length / 4);
  for (const w of WAYS) {
    // The same seed everywhere: the same weights in every run (BatchNorm's own weights aside).
    const model = slope.buildModel(slope.parseModel(`mlp:${HIDDEN}`, w.id === 'bn' ? 'batch' : 'none', 'relu'), D, 10, 1);
    const data = w.id === 'std' ? std : raw;
    const clf = await Classifier.create(engine, model, new slope.SGD(model.parameters(), { lr: 0.03 }), { batch: BATCH, features: D, loss: 'ce' });
    const evalMode = await Evaluation.create(engine, model, D, rows);
    const trainMode = w.id === 'bn' ? await Evaluation.create(engine, model, D, BATCH, 'train') : null;
    learners.push({ way: w.id, clf, batches: new Batches(data.train, BATCH), test: data.test, evalMode, trainMode, losses: [], tests: [] });
    if (w.id === 'bn') {
      const bufs = new Map(model.namedBuffers());
      const find = (suffix: string) => [...bufs].find(([k]) => k.endsWith(suffix))![1];
      bn = { mean: find('running_mean'), var: find('running_var'), count: find('num_batches_tracked') };
    }
  }
}

// ------------------------------------------------------------------ the page

function busy(what: 'surfaces' | 'digits', on: boolean): void {
  $<HTMLButtonElement>(what === 'surfaces' ? 'descend' : 'train').disabled = on || (what === 'digits' && !learners.length);
  markRunning(`${what}-page`, on);
}

async function setup(engine: slope.Engine): Promise<void> {
  const data = regressionData();
  const st = await slope.fitStandardizer(engine, data.x, 2);
  const xs = await st.transform(engine, data.x);
  for (const [id, x] of [['raw', data.x], ['std', xs]] as const) {
    const loss = regressionLoss(x, data.y);
    const map = new ContourMap($(`${id}-map`), { title: '', xRange: RANGE, yRange: RANGE, grid: GRID, legend: 'bottom-left', width: 420, height: 400 });
    const grid = await SurfaceGrid.create(engine, loss, RANGE, RANGE, GRID);
    map.show(map.render(await grid.values(), SURF_NAMES[id]));
    grid.dispose();
    const scalar = (a: Tensor, b: Tensor) => slope.sum(loss(a, b));
    const descent = await Descent.create(engine, scalar, (p) => new slope.SGD([p], { lr: 0.01 }));
    const h = await descent.analyzer(scalar);
    descent.moveTo(START);
    const { values } = slope.analysis.symmetricEigen(await h.fullHessian(), 2);
    await descent.loss();
    surfs[id] = { id, map, descent, eig: [values[0], values[1]], path: [START], losses: [] };
    put(`${id}-eig`, `${num(values[0], 3)} and ${num(values[1], 3)}`);
    put(`${id}-kappa`, num(values[1] / values[0], 3));
  }
  put('scales', `x₁: mean ${num(st.mean[0], 3)}, std ${num(st.std[0], 3)}; x₂: mean ${num(st.mean[1], 3)}, std ${num(st.std[1], 3)}`);
  drawSurfaces();
  $('descend').addEventListener('click', () => { descendBoth().catch((e) => { status(`error: ${(e as Error).message}`); busy('surfaces', false); }); });
  $('stop').addEventListener('click', () => { surfLoop.stop(); digitLoop.stop(); });
  busy('surfaces', false);

  if (engine.kind === 'cpu') {
    put('digits-note', 'Training on the digits needs WebGPU (on the cpu backend it would hold this tab for seconds per step).');
  } else {
    status('loading the digits…');
    await buildLearners(engine, splitBuiltin(await loadDigits('')));
    // One step each, an evaluation, then the initial weights, state and statistics back.
    const keep = await Promise.all(learners.map(async (l) => Promise.all([...l.clf.model.parameters(), ...l.clf.model.buffers()].map(async (p) => [p, await engine.read(p)] as const))));
    for (const l of learners) await l.clf.step(l.batches.next());
    await evaluate(engine);
    for (const k of keep) for (const [p, v] of k) engine.write(p, v);
    for (const l of learners) Object.assign(l, { losses: [], tests: [], batches: new Batches(l.batches.data, BATCH) });
    bnModes = { eval: null, train: null };
    await readRunning(engine);
    $('train').addEventListener('click', () => { trainDigits(engine).catch((e) => { status(`error: ${(e as Error).message}`); busy('digits', false); }); });
    busy('digits', false);
    drawDigits();
  }
  status('ready');
  page.counts.digits ??= 0;
}

main({ setup, gpuOnly: 'Training on the digits needs WebGPU; the two surfaces run on the cpu backend too.' });
