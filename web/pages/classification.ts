/**
 * Chapter "classification": softmax + squared error against the one-hot target, and softmax +
 * cross-entropy, from the same start. First the lecture's picture — a softmax classifier whose
 * logits (w₁, w₂, −1000) depend on two weights, target class 1 — with both losses evaluated by
 * the engine on a grid and drawn side by side, and gradient descent on each from the point the
 * reader picks; then the same MLP, from the same initialization, trained on the built-in digits
 * with each loss, with live curves.
 */
import { $, Loop, main, markRunning, num, numberInput, page, put, slope, status } from '../lecture/common.js';
import { Batches, Classifier, Evaluation, type LossKind } from '../lecture/classifier.js';
import { Descent } from '../lecture/descent.js';
import { ContourMap } from '../lecture/map.js';
import { SurfaceGrid } from '../lecture/surfaces.js';
import { loadDigits, splitBuiltin } from '../digits.js';

const { add, matmul, reshape, crossEntropy, softmax, oneHot, square, sub, sum } = slope;
type Tensor = slope.Tensor;

const RANGE: [number, number] = [-10, 10];
const GRID = 60;
const START: [number, number] = [-4, 6];
const KINDS: LossKind[] = ['mse', 'ce'];
const NAMES: Record<LossKind, string> = { mse: 'softmax + MSE', ce: 'softmax + cross-entropy' };
const COLORS: Record<LossKind, string> = { mse: '#d62728', ce: '#1f77b4' };

/**
 * The picture's loss at each of n points (w₁, w₂ of shape [n] or scalars): logits
 * (w₁, w₂, −1000), target class 1 (index 0); per point, cross-entropy or Σ_c (y'_c − ŷ_c)².
 */
function pictureLoss(kind: LossKind) {
  return (w1: Tensor, w2: Tensor): Tensor => {
    const g = w1.graph, n = w1.size;
    const z = add(add(matmul(reshape(w1, [n, 1]), g.constant([1, 0, 0], [1, 3])), matmul(reshape(w2, [n, 1]), g.constant([0, 1, 0], [1, 3]))),
      g.constant([0, 0, -1000], [1, 3]));
    const target = g.constant(new Int32Array(n), [n]);
    return kind === 'ce' ? crossEntropy(z, target, { reduction: 'none' }) : sum(square(sub(softmax(z), oneHot(target, 3))), 1);
  };
}

interface Side {
  kind: LossKind;
  map: ContourMap;
  descent: Descent;
  hessian: slope.HessianAnalyzer;
  path: [number, number][];
  losses: number[];
}
const sides = {} as Record<LossKind, Side>;
const pictureLoop = new Loop('picture');

interface Learner {
  kind: LossKind;
  clf: Classifier;
  eval: Evaluation;
  losses: [number, number][];
  accs: [number, number][];
  tests: [number, number][];
}
let learners: Learner[] = [];
let digits: slope.Split | null = null;
let batches: Batches;
let digitStep = 0;
const digitLoop = new Loop('digits');
const HIDDEN = 32, BATCH = 64, EVAL_EVERY = 100;

// ------------------------------------------------------------------ the picture

async function showPoint(): Promise<void> {
  for (const k of KINDS) {
    const s = sides[k];
    const ev = await s.hessian.evaluate();
    const w = await s.descent.position();
    put(`${k}-at`, `(${num(w[0])}, ${num(w[1])})`);
    put(`${k}-loss`, num(ev.loss));
    put(`${k}-grad`, `(${num(ev.gradient[0], 3)}, ${num(ev.gradient[1], 3)})`);
    put(`${k}-gnorm`, num(Math.hypot(...ev.gradient), 3));
  }
  drawPicture();
}

function drawPicture(): void {
  for (const k of KINDS) {
    const s = sides[k];
    s.map.setPaths([
      { name: `gradient descent (${s.path.length - 1} steps)`, color: COLORS[k], x: s.path.map((p) => p[0]), y: s.path.map((p) => p[1]) },
      { name: '', color: '#111', x: [s.path[0][0]], y: [s.path[0][1]], markers: true, line: false },
    ]);
  }
  const any = sides.ce.losses.length > 0;
  $('picture-chart').innerHTML = slope.linePlot({
    title: 'loss along the two paths', xLabel: 'step', width: 520, height: 230, yLog: true,
    series: any ? KINDS.map((k) => ({ name: NAMES[k], color: COLORS[k], x: sides[k].losses.map((_, i) => i), y: sides[k].losses })) : [],
  });
}

async function startAt(w1: number, w2: number): Promise<void> {
  if (pictureLoop.running) return;
  for (const k of KINDS) {
    sides[k].descent.moveTo([w1, w2]);
    sides[k].path = [[w1, w2]];
    sides[k].losses = [];
  }
  $<HTMLInputElement>('w1').value = String(Number(w1.toFixed(3)));
  $<HTMLInputElement>('w2').value = String(Number(w2.toFixed(3)));
  await showPoint();
  page.counts.points = (page.counts.points ?? 0) + 1;
}

async function descendBoth(): Promise<void> {
  const steps = Math.round(numberInput('steps'));
  const lr = numberInput('lr');
  for (const k of KINDS) sides[k].descent.optimizer.lr = lr;
  busy('picture', true);
  try {
    await pictureLoop.run(async () => {
      for (const k of KINDS) {
        const r = await sides[k].descent.step();
        sides[k].losses.push(r.loss);
        sides[k].path.push(r.w);
      }
      return true;
    }, drawPicture, steps);
    await showPoint();
    status(`${sides.ce.losses.length} steps of gradient descent at lr ${num(lr)} on each loss`);
  } finally {
    busy('picture', false);
  }
}

// ------------------------------------------------------------------ the digits

function drawDigits(): void {
  const size = { width: 520, height: 230, xLabel: 'step' };
  const any = learners[0]?.losses.length > 0;
  $('digits-loss').innerHTML = slope.linePlot({
    ...size, title: 'training loss (each its own)', yLog: true,
    series: any ? learners.map((l) => ({ name: NAMES[l.kind], color: COLORS[l.kind], x: l.losses.map((p) => p[0]), y: l.losses.map((p) => p[1]) })) : [],
  });
  $('digits-acc').innerHTML = slope.linePlot({
    ...size, title: 'accuracy: batches (line), test set (dots)', yRange: [0, 1], legend: 'bottom-right',
    series: any ? learners.flatMap((l) => [
      { name: NAMES[l.kind], color: COLORS[l.kind], x: l.accs.map((p) => p[0]), y: l.accs.map((p) => p[1]) },
      { name: '', color: COLORS[l.kind], x: l.tests.map((p) => p[0]), y: l.tests.map((p) => p[1]), markers: true, line: false },
    ]) : [],
  });
  put('digit-step', digitStep);
  for (const l of learners) {
    put(`${l.kind}-train-loss`, num(l.losses.at(-1)?.[1] ?? NaN));
    put(`${l.kind}-train-acc`, l.accs.length ? `${(100 * l.accs.at(-1)![1]).toFixed(1)}%` : '–');
    put(`${l.kind}-test-acc`, l.tests.length ? `${(100 * l.tests.at(-1)![1]).toFixed(1)}%` : '–');
  }
}

/** Accuracy over the last few batches, so that the curve reads. */
function smooth(l: Learner, acc: number): number {
  const prev = l.accs.at(-1)?.[1];
  return prev === undefined ? acc : 0.8 * prev + 0.2 * acc;
}

async function evaluate(): Promise<void> {
  for (const l of learners) {
    const e = await l.eval.run(digits!.test);
    l.tests.push([digitStep, e.accuracy]);
  }
}

async function buildLearners(engine: slope.Engine): Promise<void> {
  const D = digits!.train.features;
  for (const kind of KINDS) {
    // The same seed: both start from the same weights.
    const model = slope.buildModel(slope.parseModel(`mlp:${HIDDEN}`, 'none', 'relu'), D, 10, 1);
    const opt = new slope.SGD(model.parameters(), { lr: 0.1 });
    const clf = await Classifier.create(engine, model, opt, { batch: BATCH, features: D, loss: kind });
    learners.push({ kind, clf, eval: await Evaluation.create(engine, model, D, Math.floor(digits!.test.length / 4)), losses: [], accs: [], tests: [] });
  }
}

async function trainDigits(): Promise<void> {
  const steps = Math.round(numberInput('digit-steps'));
  const lr = numberInput('digit-lr');
  for (const l of learners) l.clf.optimizer.lr = lr;
  busy('digits', true);
  try {
    if (digitStep === 0) await evaluate();
    await digitLoop.run(async () => {
      const b = batches.next();
      digitStep++;
      for (const l of learners) {
        const r = (await l.clf.step(b))!;
        l.losses.push([digitStep, r.loss]);
        l.accs.push([digitStep, smooth(l, r.accuracy)]);
      }
      if (digitStep % EVAL_EVERY === 0) await evaluate();
      return true;
    }, drawDigits, steps);
    if (learners[0].tests.at(-1)?.[0] !== digitStep) await evaluate();
    drawDigits();
    status(`digits: ${digitStep} steps of SGD at lr ${num(lr)} with each loss, batch ${BATCH}`);
  } finally {
    busy('digits', false);
  }
}

// ------------------------------------------------------------------ the page

function busy(what: 'picture' | 'digits', on: boolean): void {
  $<HTMLButtonElement>(what === 'picture' ? 'descend' : 'train').disabled = on || (what === 'digits' && !learners.length);
  markRunning(`${what}-page`, on);
  $<HTMLButtonElement>('stop').disabled = !pictureLoop.running && !digitLoop.running && !on;
}

async function setup(engine: slope.Engine): Promise<void> {
  for (const k of KINDS) {
    const map = new ContourMap($(`${k}-map`), { title: '', xRange: RANGE, yRange: RANGE, grid: GRID, legend: 'bottom-left', width: 460, height: 420 });
    const grid = await SurfaceGrid.create(engine, pictureLoss(k), RANGE, RANGE, GRID);
    map.show(map.render(await grid.values(), NAMES[k]));
    grid.dispose();
    const loss = pictureLoss(k);
    const scalar = (a: Tensor, b: Tensor) => sum(loss(a, b));
    const descent = await Descent.create(engine, scalar, (p) => new slope.SGD([p], { lr: 1 }));
    sides[k] = { kind: k, map, descent, hessian: await descent.analyzer(scalar), path: [START], losses: [] };
    map.onClick((a, b) => { startAt(a, b).catch((e) => status(`error: ${(e as Error).message}`)); });
  }
  for (const k of KINDS) await sides[k].descent.loss();
  await startAt(...START);
  $('point').addEventListener('submit', (ev) => {
    ev.preventDefault();
    startAt(numberInput('w1'), numberInput('w2')).catch((e) => status(`error: ${(e as Error).message}`));
  });
  $('descend').addEventListener('click', () => { descendBoth().catch((e) => status(`error: ${(e as Error).message}`)); });
  $('stop').addEventListener('click', () => { pictureLoop.stop(); digitLoop.stop(); });
  busy('picture', false);

  if (engine.kind === 'cpu') {
    put('digits-note', 'Training on the digits needs WebGPU (on the cpu backend it would hold this tab for seconds per step).');
  } else {
    status('loading the digits…');
    digits = splitBuiltin(await loadDigits(''));
    batches = new Batches(digits.train, BATCH);
    await buildLearners(engine);
    // One step each and an evaluation, then back to the start (same weights for both again).
    const states = await Promise.all(learners.map(async (l) => ({ l, params: await Promise.all(l.clf.model.parameters().map((p) => engine.read(p))) })));
    for (const l of learners) await l.clf.step(batches.next());
    await evaluate();
    for (const { l, params } of states) l.clf.model.parameters().forEach((p, i) => engine.write(p, params[i]));
    for (const l of learners) Object.assign(l, { losses: [], accs: [], tests: [] });
    batches = new Batches(digits.train, BATCH);
    $('train').addEventListener('click', () => { trainDigits().catch((e) => status(`error: ${(e as Error).message}`)); });
    busy('digits', false);
    drawDigits();
  }
  status(`ready: at (${START.join(', ')}) class 2 wins by 10 logits`);
}

main({ setup, gpuOnly: 'Training on the digits needs WebGPU; the two surfaces and their gradients run on the cpu backend too.' });
