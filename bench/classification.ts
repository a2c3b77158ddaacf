/**
 * The lecture's classification chapter, measured.
 *
 *   1. The picture: a softmax classifier whose logits are (w₁, w₂, −1000) — two weights, a third
 *      class that never wins — and the target class 1. Softmax + MSE against the one-hot target
 *      and softmax + cross-entropy, evaluated through the engine on the same grid of (w₁, w₂),
 *      drawn as two contour maps with gradient-descent paths from a start where class 2 wins by
 *      a wide margin; the gradient norm of each loss at the start (through grad()).
 *   2. Real data: the same MLP from the same initialization, trained with plain SGD on the
 *      built-in digits with softmax + MSE (one-hot targets, summed over classes as in the
 *      lecture's e = Σᵢ(ŷᵢ − y'ᵢ)², averaged over the batch) and with softmax + cross-entropy,
 *      for several seeds and learning rates; training loss and test accuracy by epoch.
 *   3. Why a class is not a number: the distances between classes coded as integers and as
 *      one-hot vectors, and the same MLP regressing the class index (one output, MSE, rounded
 *      to the nearest class) against one-hot + softmax + cross-entropy.
 *
 * Usage: node dist/bench/classification.js [--epochs 10] [--seeds 3] [--lrs 0.01,0.1,1]
 *        [--index-lr 0.01] [--hidden 100] [--batch 64] [--out docs/figures] [--backend webgpu|cpu] [--skip-real]
 *        [--last-scale S] (the last layer's initial weights × S: large, mostly wrong logits at the start)
 *        [--name classification] [--skip-picture] [--skip-index]
 *        --plot [--name …] [--last-scale S]   (redraw the training curves from the JSON)
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as slope from '../src/node.js';

const { Graph, Parameter, grad, softmax, crossEntropy, mseLoss, oneHot, scale, sum, reshape } = slope;

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1] : def;
}
const OUT = arg('out', 'docs/figures');
const EPOCHS = Number(arg('epochs', '10'));
const SEEDS = Number(arg('seeds', '3'));
const LRS = arg('lrs', '0.01,0.1,1').split(',').map(Number);
const HIDDEN = Number(arg('hidden', '100'));
const BATCH = Number(arg('batch', '64'));
const BACKEND = arg('backend', 'webgpu') as 'webgpu' | 'cpu';
const SKIP_REAL = process.argv.includes('--skip-real');
const SKIP_PICTURE = process.argv.includes('--skip-picture');
const SKIP_INDEX = process.argv.includes('--skip-index');
/** Scale of the last layer's initial weights and bias: > 1 starts with large logits, most of them confidently wrong. */
const LAST_SCALE = Number(arg('last-scale', '1'));
const NAME = arg('name', 'classification');

type LossKind = 'mse' | 'ce';
const LOSS_NAME: Record<LossKind, string> = { mse: 'softmax + MSE', ce: 'softmax + cross-entropy' };

/** The lecture's per-sample losses on logits z (N, C) and labels y (N): mean over the batch. */
function lossOf(kind: LossKind, z: slope.Tensor, y: slope.Tensor, C: number): slope.Tensor {
  if (kind === 'ce') return crossEntropy(z, y);
  // mseLoss averages over N·C elements; the lecture sums over the C classes: × C.
  return scale(mseLoss(softmax(z), oneHot(y, C)), C);
}

// ---------------------------------------------------------------- 1. the picture

const W3 = -1000;
const START: [number, number] = [-4, 6]; // class 2 wins by 10 logits: p(class 1) ≈ 4.5e-5
const GRID = 81, LO = -10, HI = 10;

async function surfaces(engine: slope.Engine) {
  // Every grid point is one row of a batch of logits: the losses per row, through the engine.
  const n = GRID * GRID;
  const z = new Float32Array(n * 3), y = new Int32Array(n);
  for (let j = 0; j < GRID; j++) for (let i = 0; i < GRID; i++) {
    const r = j * GRID + i;
    z.set([LO + ((HI - LO) * i) / (GRID - 1), LO + ((HI - LO) * j) / (GRID - 1), W3], 3 * r);
  }
  const g = new Graph();
  const zi = g.input('z', [n, 3]), yi = g.input('y', [n], 'i32');
  const ce = crossEntropy(zi, yi, { reduction: 'none' });
  const mse = sum(reshape(mseLoss(softmax(zi), oneHot(yi, 3), { reduction: 'none' }), [n, 3]), 1);
  const prog = await engine.compile(g, { outputs: { ce, mse } });
  await prog.run({ z, y });
  const grid = { ce: Float64Array.from(await prog.read('ce')), mse: Float64Array.from(await prog.read('mse')) };
  prog.dispose();

  // A cross-section: both losses and their gradient norms along w = (m/2, −m/2), m the margin
  // of the target class, −20 … 20 (the rows' gradients w.r.t. the logits are those w.r.t. w).
  const M = 161;
  const zc = new Float32Array(M * 3), margin = Array.from({ length: M }, (_, i) => -20 + (40 * i) / (M - 1));
  margin.forEach((m, i) => zc.set([m / 2, -m / 2, W3], 3 * i));
  const gc = new Graph();
  const zci = gc.input('z', [M, 3]), yci = gc.input('y', [M], 'i32');
  const ceRows = crossEntropy(zci, yci, { reduction: 'none' });
  const mseRows = sum(reshape(mseLoss(softmax(zci), oneHot(yci, 3), { reduction: 'none' }), [M, 3]), 1);
  const [dce] = grad(sum(ceRows), [zci]), [dmse] = grad(sum(mseRows), [zci]);
  const pc = await engine.compile(gc, { outputs: { ceRows, mseRows, dce, dmse } });
  await pc.run({ z: zc, y: new Int32Array(M) });
  const rowNorm = (a: ArrayLike<number>) => margin.map((_, i) => Math.hypot(a[3 * i], a[3 * i + 1]));
  const section = {
    margin, ce: Array.from(await pc.read('ceRows')), mse: Array.from(await pc.read('mseRows')),
    gradCe: rowNorm(await pc.read('dce')), gradMse: rowNorm(await pc.read('dmse')),
  };
  pc.dispose();

  // Gradient descent on (w₁, w₂) from START for each loss: the path, and ‖∇L‖ at the start.
  type Path = { x: number[]; y: number[]; loss: number[]; gradNorm0: number; grad0: number[] };
  const paths: Record<LossKind, Path> = {} as never;
  for (const kind of ['mse', 'ce'] as LossKind[]) {
    const w = new Parameter(`w_${kind}`, [2], Float32Array.from(START));
    const gg = new Graph();
    const wt = gg.param(w);
    // Logits (w₁, w₂, −1000): [w₁ w₂]·[[1 0 0], [0 1 0]] + [0 0 −1000].
    const withThird = slope.add(
      slope.matmul(reshape(wt, [1, 2]), gg.constant([1, 0, 0, 0, 1, 0], [2, 3])), gg.constant([0, 0, W3], [1, 3]));
    const loss = lossOf(kind, withThird, gg.input('y', [1], 'i32'), 3);
    const [gw] = grad(loss, [wt]);
    const opt = new slope.SGD([w], { lr: 1 });
    const p = await engine.compile(gg, { outputs: { loss, gw }, loss, gradients: [[w, gw]], hooks: [opt] });
    const rec = { x: [] as number[], y: [] as number[], loss: [] as number[], gradNorm0: NaN, grad0: [] as number[] };
    for (let t = 0; t <= 200; t++) {
      const pos = await engine.read(w);
      rec.x.push(pos[0]);
      rec.y.push(pos[1]);
      if (t === 200) break;
      await p.run({ y: new Int32Array([0]) });
      rec.loss.push(await p.item('loss'));
      if (t === 0) {
        const g0 = await p.read('gw');
        rec.grad0 = Array.from(g0);
        rec.gradNorm0 = Math.hypot(g0[0], g0[1]);
      }
    }
    p.dispose();
    paths[kind] = rec;
  }
  return { grid, paths, section };
}

function surfacePlots(s: Awaited<ReturnType<typeof surfaces>>) {
  const at = (v: Float64Array) => (x: number, y: number) => {
    // Bilinear interpolation of the engine's grid.
    const fx = ((x - LO) / (HI - LO)) * (GRID - 1), fy = ((y - LO) / (HI - LO)) * (GRID - 1);
    const i = Math.min(GRID - 2, Math.max(0, Math.floor(fx))), j = Math.min(GRID - 2, Math.max(0, Math.floor(fy)));
    const a = fx - i, b = fy - j;
    const q = (ii: number, jj: number) => v[jj * GRID + ii];
    return (1 - a) * (1 - b) * q(i, j) + a * (1 - b) * q(i + 1, j) +
      (1 - a) * b * q(i, j + 1) + a * b * q(i + 1, j + 1);
  };
  const path = (k: LossKind) => ({
    name: `gradient descent, lr 1, 200 steps (${LOSS_NAME[k]})`, x: s.paths[k].x, y: s.paths[k].y, markers: true,
  });
  const start = {
    name: `start (${START[0]}, ${START[1]}): class 2 wins by ${START[1] - START[0]}`, x: [START[0]], y: [START[1]],
    color: '#000', markers: true, line: false,
  };
  const common = {
    xRange: [LO, HI] as [number, number], yRange: [LO, HI] as [number, number],
    xLabel: 'w₁ (logit of the target class 1)', yLabel: 'w₂ (logit of class 2)', width: 640, height: 600,
    legend: 'bottom-right' as const,
  };
  const mse = slope.contourPlot({
    ...common, title: 'softmax + MSE: flat where class 2 wins', f: at(s.grid.mse),
    levels: [0.02, 0.1, 0.3, 0.6, 1, 1.4, 1.7, 1.9, 1.98], paths: [path('mse'), start],
  });
  const ce = slope.contourPlot({
    ...common, title: 'softmax + cross-entropy: steep where class 2 wins', f: at(s.grid.ce),
    levels: [0.02, 0.1, 0.3, 1, 2, 4, 7, 10, 14, 18], paths: [path('ce'), start],
  });
  const sec = s.section;
  const m0 = START[0] - START[1];
  // The gradient axis reaches the decade below the smallest gradient, so no curve is cut at the bottom.
  const gLo = 10 ** Math.floor(Math.log10(Math.min(...sec.gradCe, ...sec.gradMse.filter((v) => v > 0))));
  const gradients = slope.linePlot({
    title: 'Gradient norm along the line from the wrong class to the right one',
    xLabel: 'margin of the target class, w₁ − w₂ (logits)',
    yLabel: '‖∇L‖ w.r.t. (w₁, w₂)', yLog: true, yRange: [gLo, 10], legend: 'outside',
    series: [
      { name: LOSS_NAME.ce, x: sec.margin, y: sec.gradCe },
      { name: LOSS_NAME.mse, x: sec.margin, y: sec.gradMse },
      { name: `the start (margin ${m0})`, x: [m0, m0], y: [gLo, 10], color: '#000', dash: true },
    ],
  });
  const losses = slope.linePlot({
    title: 'The two losses along the same line', xLabel: 'margin of the target class, w₁ − w₂ (logits)',
    yLabel: 'loss (per sample)', yLog: true, yRange: [1e-18, 30], legend: 'outside',
    series: [
      { name: LOSS_NAME.ce, x: sec.margin, y: sec.ce },
      { name: LOSS_NAME.mse, x: sec.margin, y: sec.mse },
      { name: `the start (margin ${m0})`, x: [m0, m0], y: [1e-18, 30], color: '#000', dash: true },
    ],
  });
  return { mse, ce, gradients, losses };
}

// ---------------------------------------------------------------- 2. real data

interface Curve { epoch: number; trainLoss: number; trainAccuracy: number; testAccuracy: number; testLoss: number }
interface RealRun { loss: LossKind | 'index'; lr: number; seed: number; curve: Curve[]; seconds: number }

function mlp(inF: number, out: number, seed: number): slope.Sequential {
  const gen = new slope.Generator(seed * 7919 + 1);
  const first = new slope.Linear(inF, HIDDEN, { generator: gen });
  const last = new slope.Linear(HIDDEN, out, { generator: gen });
  if (LAST_SCALE !== 1) for (const p of [last.weight, last.bias!]) p.data = p.data.map((v) => v * LAST_SCALE);
  return new slope.Sequential(first, new slope.ReLU(), last);
}

/** Accuracy and the run's own loss over a whole dataset (one program of that many rows). */
async function evaluator(engine: slope.Engine, model: slope.Sequential, ds: slope.Dataset, kind: LossKind | 'index') {
  const N = ds.length, D = ds.features, C = ds.numClasses;
  const g = new Graph();
  const x = g.input('x', [N, D]), y = g.input('y', [N], 'i32');
  const z = model.forward(x);
  const outputs: Record<string, slope.Tensor> = { z };
  if (kind !== 'index') outputs.loss = lossOf(kind, z, y, C);
  else outputs.loss = mseLoss(z, g.input('yf', [N, 1]));
  const prog = await engine.compile(g, { outputs });
  const feeds = { x: ds.x, y: ds.y, yf: Float32Array.from(ds.y) };
  return async () => {
    await prog.run(kind === 'index' ? { x: feeds.x, yf: feeds.yf } : { x: feeds.x, y: feeds.y });
    const zv = await prog.read('z');
    let correct = 0;
    for (let i = 0; i < N; i++) {
      let pred: number;
      if (kind === 'index') pred = Math.min(C - 1, Math.max(0, Math.round(zv[i])));
      else { pred = 0; for (let c = 1; c < C; c++) if (zv[i * C + c] > zv[i * C + pred]) pred = c; }
      if (pred === ds.y[i]) correct++;
    }
    return { accuracy: correct / N, loss: await prog.item('loss') };
  };
}

async function trainOnce(engine: slope.Engine, train: slope.Dataset, test: slope.Dataset, kind: LossKind | 'index',
  lr: number, seed: number): Promise<RealRun> {
  const C = train.numClasses, D = train.features;
  const model = mlp(D, kind === 'index' ? 1 : C, seed);
  const params = model.parameters();
  const g = new Graph();
  const x = g.input('x', [BATCH, D]), y = g.input('y', [BATCH], 'i32');
  const z = model.forward(x);
  const loss = kind === 'index' ? mseLoss(z, g.input('yf', [BATCH, 1])) : lossOf(kind, z, y, C);
  const grads = grad(loss, params.map((p) => g.param(p)));
  const opt = new slope.SGD(params, { lr });
  const step = await engine.compile(g, {
    outputs: { loss }, loss, gradients: params.map((p, i) => [p, grads[i]] as const), hooks: [opt],
  });
  const evTrain = await evaluator(engine, model, train, kind), evTest = await evaluator(engine, model, test, kind);
  const curve: Curve[] = [];
  const record = async (epoch: number) => {
    const tr = await evTrain(), te = await evTest();
    curve.push({ epoch, trainLoss: tr.loss, trainAccuracy: tr.accuracy, testAccuracy: te.accuracy, testLoss: te.loss });
  };
  const t0 = performance.now();
  await record(0);
  const xb = new Float32Array(BATCH * D), yb = new Int32Array(BATCH), yfb = new Float32Array(BATCH);
  const perEpoch = Math.floor(train.length / BATCH);
  for (let epoch = 1; epoch <= EPOCHS; epoch++) {
    const order = slope.permutation(train.length, new slope.Generator(slope.mixSeed(seed, epoch)));
    for (let b = 0; b < perEpoch; b++) {
      train.fill(order.subarray(b * BATCH, (b + 1) * BATCH), xb, yb);
      for (let i = 0; i < BATCH; i++) yfb[i] = yb[i];
      await step.run(kind === 'index' ? { x: xb, yf: yfb } : { x: xb, y: yb });
    }
    await record(epoch);
  }
  const last = curve[curve.length - 1];
  const seconds = (performance.now() - t0) / 1000;
  console.log(`${kind === 'index' ? 'class index, MSE' : LOSS_NAME[kind]} lr ${lr} seed ${seed}: ` +
    `train loss ${last.trainLoss.toFixed(4)}, train ${pct(last.trainAccuracy)}%, test ${pct(last.testAccuracy)}% ` +
    `(${seconds.toFixed(0)} s)`);
  step.dispose();
  return { loss: kind, lr, seed, curve, seconds };
}

const pct = (v: number) => (100 * v).toFixed(2);
const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b'];
const mean = (a: number[]) => a.reduce((s, v) => s + v, 0) / a.length;
const sd = (a: number[]) => Math.sqrt(a.reduce((s, v) => s + (v - mean(a)) ** 2, 0) / Math.max(1, a.length - 1));

/** Test accuracy and training loss by epoch, mean over seeds, one colour per learning rate (MSE dashed). */
function drawCurves(runs: RealRun[]): void {
  const lrs = [...new Set(runs.filter((r) => r.loss !== 'index').map((r) => r.lr))];
  const seeds = new Set(runs.map((r) => r.seed)).size;
  const epochs = [...Array(runs[0].curve.length).keys()];
  // From the far start the seeds differ in kind (one can stay on the plateau): draw each seed, else their mean.
  const perSeed = LAST_SCALE !== 1;
  const series = (f: (c: Curve) => number) => lrs.flatMap((lr, i) => (['mse', 'ce'] as LossKind[]).flatMap((k) => {
    const rs = runs.filter((r) => r.loss === k && r.lr === lr);
    const name = `${LOSS_NAME[k].replace('softmax + ', '')}, lr ${lr}${perSeed ? ' (each seed)' : ''}`;
    const style = { color: COLORS[i % COLORS.length], dash: k === 'mse' };
    if (perSeed) {
      return rs.map((r, j) => ({ name: j ? '' : name, x: epochs, y: epochs.map((e) => f(r.curve[e])), ...style }));
    }
    return [{ name, x: epochs, y: epochs.map((e) => mean(rs.map((r) => f(r.curve[e])))), ...style }];
  }));
  const scaled = LAST_SCALE !== 1 ? `, last layer ×${LAST_SCALE} at init` : '';
  writeFileSync(join(OUT, `${NAME}_accuracy.svg`), slope.linePlot({
    title: `Digits, ${HIDDEN}-unit MLP, SGD${scaled}: test accuracy (${seeds} seeds)`, xLabel: 'epoch',
    yLabel: 'test accuracy (fraction)', legend: 'outside',
    series: series((c) => c.testAccuracy), yRange: [0, 1],
  }));
  writeFileSync(join(OUT, `${NAME}_loss.svg`), slope.linePlot({
    title: `Digits${scaled}: training loss, each run's own loss (${seeds} seeds)`, xLabel: 'epoch',
    yLabel: 'training loss (per sample)', yLog: true, legend: 'outside',
    series: series((c) => c.trainLoss),
  }));
}

// ---------------------------------------------------------------- main

async function main(): Promise<void> {
  if (process.argv.includes('--plot')) {
    // Redraw the training curves from the JSON (no training).
    const old = JSON.parse(readFileSync(join(OUT, `${NAME}.json`), 'utf8')) as { real: { runs: RealRun[] } };
    drawCurves(old.real.runs);
    return;
  }
  const engine = await slope.init({ backend: BACKEND });
  mkdirSync(OUT, { recursive: true });
  const out: Record<string, unknown> = { bench: 'classification', adapter: engine.adapter };
  try {
    if (!SKIP_PICTURE) {
    // The picture runs on the float64 cpu backend (smooth down to tiny gradients); the training on --backend.
    const cpuEngine = await slope.init({ backend: 'cpu' });
    const s = await surfaces(cpuEngine);
    cpuEngine.dispose();
    const plots = surfacePlots(s);
    writeFileSync(join(OUT, 'classification_mse_surface.svg'), plots.mse);
    writeFileSync(join(OUT, 'classification_ce_surface.svg'), plots.ce);
    writeFileSync(join(OUT, 'classification_section_grad.svg'), plots.gradients);
    writeFileSync(join(OUT, 'classification_section_loss.svg'), plots.losses);
    const at0 = (k: LossKind) => s.paths[k];
    console.log(`\nAt the start (w₁, w₂) = (${START}), third logit ${W3}, target class 1:`);
    for (const k of ['mse', 'ce'] as LossKind[]) {
      const p = at0(k);
      console.log(`  ${LOSS_NAME[k]}: loss ${p.loss[0].toExponential(3)}, ` +
        `∇L = (${p.grad0.map((v) => v.toExponential(3)).join(', ')}), ‖∇L‖ = ${p.gradNorm0.toExponential(3)}; ` +
        `after 200 steps of lr 1: (w₁, w₂) = (${p.x[200].toFixed(3)}, ${p.y[200].toFixed(3)}), ` +
        `loss ${p.loss[199].toExponential(3)}`);
    }
    out.surface = {
      logits: '(w₁, w₂, −1000), target class 1', grid: { from: LO, to: HI, points: GRID }, start: START,
      start_loss: { mse: s.paths.mse.loss[0], ce: s.paths.ce.loss[0] },
      start_gradient: { mse: s.paths.mse.grad0, ce: s.paths.ce.grad0 },
      start_gradient_norm: { mse: s.paths.mse.gradNorm0, ce: s.paths.ce.gradNorm0 },
      section: s.section,
      after_200_steps_lr1: {
        mse: [s.paths.mse.x[200], s.paths.mse.y[200], s.paths.mse.loss[199]],
        ce: [s.paths.ce.x[200], s.paths.ce.y[200], s.paths.ce.loss[199]],
      },
    };

    // One-hot vs integer codes: distances between classes.
    const codes = [1, 2, 3];
    const rows = codes.map((a) => codes.map((b) => Math.abs(a - b)));
    const oh = codes.map((_, a) => codes.map((_, b) => (a === b ? 0 : Math.SQRT2)));
    console.log('\nDistance between classes 1, 2, 3 coded as the numbers 1, 2, 3:', JSON.stringify(rows),
      ' as one-hot vectors:', JSON.stringify(oh.map((r) => r.map((v) => +v.toFixed(3)))));
    out.distances = { integer: rows, oneHot: oh };
    }

    if (!SKIP_REAL) {
      const { train, test } = await slope.loadBuiltinDigits();
      const runs: RealRun[] = [];
      for (const lr of LRS) for (let seed = 0; seed < SEEDS; seed++) {
        for (const kind of ['mse', 'ce'] as LossKind[]) runs.push(await trainOnce(engine, train, test, kind, lr, seed));
      }
      const INDEX_LR = Number(arg('index-lr', '0.01'));
      if (!SKIP_INDEX) {
        for (let seed = 0; seed < SEEDS; seed++) {
          runs.push(await trainOnce(engine, train, test, 'index', INDEX_LR, seed));
        }
      }
      const scaledInit = LAST_SCALE !== 1 ? `; last layer's initial weights and bias × ${LAST_SCALE}` : '';
      out.real = {
        dataset: `built-in digits (${train.length} train / ${test.length} test)`,
        model: `784-${HIDDEN}-10 ReLU MLP (PyTorch init, one generator per seed${scaledInit})`,
        optimizer: 'SGD, no momentum', batch: BATCH, epochs: EPOCHS, runs,
      };
      // Table: final test accuracy and training loss, mean ± sd over seeds, per loss and lr.
      console.log('\n| loss | lr | train loss (own) | train accuracy | ' +
        `test accuracy (mean ± sd, ${SEEDS} seeds) | test accuracy after 1 epoch |`);
      console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
      const groups: { name: string; lr: number; rs: RealRun[] }[] = [];
      for (const lr of LRS) for (const k of ['mse', 'ce'] as LossKind[]) {
        groups.push({ name: LOSS_NAME[k], lr, rs: runs.filter((r) => r.loss === k && r.lr === lr) });
      }
      if (!SKIP_INDEX) {
        groups.push({ name: 'class index, 1 output, MSE', lr: INDEX_LR, rs: runs.filter((r) => r.loss === 'index') });
      }
      const summary = groups.map((gr) => {
        const fin = (f: (c: Curve) => number) => gr.rs.map((r) => f(r.curve[r.curve.length - 1]));
        const s1 = {
          loss: gr.name, lr: gr.lr, trainLoss: mean(fin((c) => c.trainLoss)),
          trainAccuracy: mean(fin((c) => c.trainAccuracy)),
          testAccuracy: mean(fin((c) => c.testAccuracy)), testAccuracySd: sd(fin((c) => c.testAccuracy)),
          testAccuracyEpoch1: mean(gr.rs.map((r) => r.curve[1].testAccuracy)),
        };
        console.log(`| ${s1.loss} | ${s1.lr} | ${s1.trainLoss.toFixed(4)} | ${pct(s1.trainAccuracy)}% | ` +
          `${pct(s1.testAccuracy)} ± ${pct(s1.testAccuracySd)}% | ${pct(s1.testAccuracyEpoch1)}% |`);
        return s1;
      });
      (out.real as Record<string, unknown>).summary = summary;
      drawCurves(runs);
    }
  } finally {
    engine.dispose();
  }
  writeFileSync(join(OUT, `${NAME}.json`), JSON.stringify(out, null, 1) + '\n');
  console.log(`wrote ${OUT}/${NAME}.json and the figures`);
}

await main();
