/**
 * The lecture's experiment: normalization "flattens the mountains" of the error surface.
 * The same MLP is trained on inputs whose features have very different scales, four ways:
 * no normalization, feature standardization (training-set statistics), BatchNorm and LayerNorm
 * (after each hidden Linear, on the raw inputs). For every method and a sweep of learning rates
 * it records the training loss; it reports the steps to reach a target loss, the largest
 * learning rate at which the model still trains (final loss finite and below 0.8 × the entropy
 * of the training labels, i.e. clearly better than the best constant guess), and plots loss
 * curves and final loss against the learning rate.
 *
 * Data: Fashion-MNIST (IDX gzip, --data DIR) with a fixed random quarter of the pixels
 * multiplied by 100; and the Wisconsin breast-cancer table (--tabular FILE, the CSV that
 * Debian's python3-sklearn ships), whose 30 features range from ~1e-3 to ~1e3 by nature.
 * Optimizer: plain SGD (no momentum), written here over the parameter arena with core ops.
 *
 * Usage: node dist/bench/normalization.js [--data DIR] [--tabular FILE] [--out DIR]
 *        [--train N] [--steps N] [--backend webgpu|cpu] [--quick]
 *        node dist/bench/normalization.js --plot   (redraw the figures from the runs' JSON)
 */
import { readFileSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { join } from 'node:path';
import * as slope from '../src/node.js';
import { view, type Prepared, type View } from '../src/backend/types.js';
import type { HookContext, StepHook } from '../src/graph/program.js';

const { Graph, nn } = slope;

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1] : def;
}
const QUICK = process.argv.includes('--quick');
const DATA = arg('data', '/usr/share/datasets/fashion-mnist');
const TABULAR = arg('tabular', '/usr/lib/python3/dist-packages/sklearn/datasets/data/breast_cancer.csv');
const OUT = arg('out', 'docs/figures');
const BACKEND = arg('backend', 'webgpu') as 'webgpu' | 'cpu';

// ---------------------------------------------------------------- data

interface Dataset {
  name: string; x: Float32Array; y: Int32Array; D: number; K: number; testX: Float32Array; testY: Int32Array;
}

/** mulberry32, seeded: the subset, the scaled pixels and the batches are the same on every run. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    let t = (s = (s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function idx(path: string): { dims: number[]; data: Uint8Array } {
  const b = gunzipSync(readFileSync(path));
  const nd = b[3];
  if (b[0] || b[1] || b[2] !== 8) throw new Error(`${path}: not an unsigned-byte IDX file`);
  const dims = Array.from({ length: nd }, (_, i) => b.readUInt32BE(4 + 4 * i));
  return { dims, data: b.subarray(4 + 4 * nd) };
}

function fashion(nTrain: number, nTest: number): Dataset {
  const load = (split: string, n: number) => {
    const im = idx(join(DATA, `${split}-images-idx3-ubyte.gz`)), lb = idx(join(DATA, `${split}-labels-idx1-ubyte.gz`));
    const D = im.dims[1] * im.dims[2];
    return {
      x: Float32Array.from(im.data.subarray(0, n * D), (v) => v / 255), y: Int32Array.from(lb.data.subarray(0, n)), D,
    };
  };
  const tr = load('train', nTrain), te = load('t10k', nTest);
  // A fixed quarter of the pixels, ×100: the features now differ in scale by two orders.
  const r = rng(7);
  const scaled = Array.from({ length: tr.D }, () => r() < 0.25);
  for (const x of [tr.x, te.x]) for (let i = 0; i < x.length; i++) if (scaled[i % tr.D]) x[i] *= 100;
  return { name: 'fashion', x: tr.x, y: tr.y, D: tr.D, K: 10, testX: te.x, testY: te.y };
}

function tabular(): Dataset {
  const lines = readFileSync(TABULAR, 'utf8').trim().split('\n').slice(1).map((l) => l.split(',').map(Number));
  const D = lines[0].length - 1;
  const order = lines.map((_, i) => i);
  const r = rng(11);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  const nTest = Math.round(lines.length * 0.2);
  const pick = (ids: number[]) => ({
    x: Float32Array.from(ids.flatMap((i) => lines[i].slice(0, D))), y: Int32Array.from(ids.map((i) => lines[i][D])),
  });
  const te = pick(order.slice(0, nTest)), tr = pick(order.slice(nTest));
  return { name: 'tabular', x: tr.x, y: tr.y, D, K: 2, testX: te.x, testY: te.y };
}

// ---------------------------------------------------------------- SGD over the parameter arena

/** p ← p − lr·g over each parameter chunk: scale, add, copy (WebGPU forbids in-place read+write bindings). */
class Sgd implements StepHook {
  ops: Prepared[] = [];
  constructor(readonly lr: number) {}
  async prepare(ctx: HookContext): Promise<void> {
    const chunks = [...new Set(ctx.params.map((p) => ctx.store.chunkOf(p)))];
    for (const ch of chunks) {
      const P = ctx.store.chunkView(ch, 'params'), G = ctx.store.chunkView(ch, 'grads');
      const tmp = async (label: string): Promise<View> =>
        view(await ctx.backend.alloc(label, ch.length), 0, [ch.length], 'f32', label);
      const step = await tmp('sgd step'), next = await tmp('sgd next');
      const { backend } = ctx;
      this.ops.push(await backend.prepare({
        op: slope.OPS.scale, inputs: [G], outputs: [step], attrs: { alpha: -this.lr, beta: 0 },
      }));
      this.ops.push(await backend.prepare({
        op: slope.OPS.binary, inputs: [P, step], outputs: [next], attrs: { kind: 'add' },
      }));
      this.ops.push(await ctx.backend.prepare({ op: slope.OPS.copy, inputs: [next], outputs: [P], attrs: {} }));
    }
  }
}

// ---------------------------------------------------------------- models and training

const METHODS = ['none', 'standardize', 'batchnorm', 'layernorm'] as const;
type Method = (typeof METHODS)[number];

function mlp(method: Method, D: number, H: number, K: number): slope.Module {
  const norm = () =>
    (method === 'batchnorm' ? [new nn.BatchNorm1d(H)] : method === 'layernorm' ? [new nn.LayerNorm(H)] : []);
  return new nn.Sequential(
    new nn.Linear(D, H), ...norm(), new nn.ReLU(), new nn.Linear(H, H), ...norm(), new nn.ReLU(), new nn.Linear(H, K));
}

interface Run { method: Method; lr: number; losses: number[]; diverged: boolean; testAcc: number }

async function train(e: slope.Engine, ds: Dataset, x: Float32Array, testX: Float32Array, method: Method, lr: number,
  steps: number, B: number, H: number): Promise<Run> {
  slope.manualSeed(1);
  const model = mlp(method, ds.D, H, ds.K);
  const g = new Graph();
  const xin = g.input('x', [B, ds.D]), yin = g.input('y', [B], 'i32');
  const loss = slope.crossEntropy(model.forward(xin), yin);
  const params = model.parameters();
  const grads = slope.grad(loss, params.map((p) => g.param(p)));
  const prog = await e.compile(g, {
    outputs: { loss }, loss, gradients: params.map((p, i) => [p, grads[i]] as const), hooks: [new Sgd(lr)],
  });
  const n = ds.y.length, r = rng(3);
  let order: number[] = [], pos = n;
  const bx = new Float32Array(B * ds.D), by = new Int32Array(B);
  const losses: number[] = [];
  let diverged = false;
  for (let t = 0; t < steps; t++) {
    for (let b = 0; b < B; b++) {
      if (pos >= n) { order = shuffle(n, r); pos = 0; }
      const i = order[pos++];
      bx.set(x.subarray(i * ds.D, (i + 1) * ds.D), b * ds.D);
      by[b] = ds.y[i];
    }
    await prog.run({ x: bx, y: by });
    const l = await prog.item('loss');
    losses.push(l);
    if (!Number.isFinite(l) || l > 1e6) { diverged = true; break; }
  }
  prog.dispose();
  const testAcc = diverged ? NaN : await accuracy(e, model, testX, ds);
  return { method, lr, losses, diverged, testAcc };
}

function shuffle(n: number, r: () => number): number[] {
  const o = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) { const j = Math.floor(r() * (i + 1)); [o[i], o[j]] = [o[j], o[i]]; }
  return o;
}

/** Test accuracy in eval mode (BatchNorm uses its running statistics). */
async function accuracy(e: slope.Engine, model: slope.Module, x: Float32Array, ds: Dataset): Promise<number> {
  model.eval();
  const n = ds.testY.length;
  const g = new Graph();
  const out = model.forward(g.input('x', [n, ds.D]));
  const p = await e.compile(g, { outputs: { out } });
  await p.run({ x });
  const logits = await p.read('out');
  p.dispose();
  model.train();
  let ok = 0;
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let k = 1; k < ds.K; k++) if (logits[i * ds.K + k] > logits[i * ds.K + best]) best = k;
    if (best === ds.testY[i]) ok++;
  }
  return ok / n;
}

// ---------------------------------------------------------------- analysis and output

const smooth = (l: number[], w = 20) => l.map((_, i) => {
  const s = l.slice(Math.max(0, i - w + 1), i + 1);
  return s.reduce((a, b) => a + b, 0) / s.length;
});
const finalLoss = (r: Run) => (r.diverged ? Infinity : smooth(r.losses).at(-1)!);
/** Entropy of the label distribution: the loss of the best constant prediction. */
function priorEntropy(y: Int32Array, K: number): number {
  const c = new Float64Array(K);
  for (const v of y) c[v]++;
  return -c.reduce((s, n) => (n ? s + (n / y.length) * Math.log(n / y.length) : s), 0);
}
const trains = (r: Run, ds: Dataset) => Number.isFinite(finalLoss(r)) && finalLoss(r) < 0.8 * priorEntropy(ds.y, ds.K);
function stepsTo(r: Run, target: number): number | null {
  const s = smooth(r.losses);
  const i = s.findIndex((v, k) => k >= 19 && v <= target);
  return r.diverged || i < 0 ? null : i + 1;
}

async function experiment(e: slope.Engine, ds: Dataset,
  cfg: { lrs: number[]; steps: number; B: number; H: number; target: number }) {
  const std = await slope.fitStandardizer(e, ds.x, ds.D);
  const sx = await std.transform(e, ds.x), stx = await std.transform(e, ds.testX);
  const h = priorEntropy(ds.y, ds.K).toFixed(3);
  const constant = std.constant.reduce((a, b) => a + b, 0);
  console.log(`\n## ${ds.name}: ${ds.y.length} training rows, ${ds.D} features (${constant} constant), ` +
    `${ds.K} classes (label entropy ${h}); target loss ${cfg.target}; batch ${cfg.B}, ${cfg.steps} steps`);
  const runs: Run[] = [];
  for (const method of METHODS) {
    for (const lr of cfg.lrs) {
      const t0 = Date.now();
      const useStd = method === 'standardize';
      const r = await train(e, ds, useStd ? sx : ds.x, useStd ? stx : ds.testX, method, lr, cfg.steps, cfg.B, cfg.H);
      runs.push(r);
      console.log(`${method.padEnd(12)} lr ${String(lr).padEnd(7)} final ${finalLoss(r).toFixed(4)} ` +
        `steps→target ${stepsTo(r, cfg.target) ?? '-'} test acc ${(r.testAcc * 100).toFixed(1)}% ` +
        `(${((Date.now() - t0) / 1000).toFixed(1)} s)`);
    }
  }
  mkdirSync(OUT, { recursive: true });
  const rounded = runs.map((r) => ({ ...r, losses: r.losses.map((l) => Number(l.toPrecision(5))) }));
  writeFileSync(join(OUT, `norm_${ds.name}_runs.json`), JSON.stringify(rounded));
  return report(ds, runs, cfg.target);
}

function report(ds: Dataset, runs: Run[], target: number) {
  const rows: (string | number)[][] = [];
  const curves: slope.Series[] = [];
  for (const m of METHODS) {
    const mine = runs.filter((r) => r.method === m);
    const ok = mine.filter((r) => trains(r, ds));
    const maxLr = ok.length ? Math.max(...ok.map((r) => r.lr)) : NaN;
    const reach = mine.map((r) => ({ r, s: stepsTo(r, target) }))
      .filter((o) => o.s !== null) as { r: Run; s: number }[];
    const best = reach.sort((a, b) => a.s - b.s)[0];
    const shown = best?.r ?? ok.sort((a, b) => finalLoss(a) - finalLoss(b))[0] ?? mine[0];
    rows.push([m, best ? best.s : 'never', best ? best.r.lr : '-', maxLr, finalLoss(shown),
      (shown.testAcc * 100).toFixed(1) + '%']);
    curves.push({ name: `${m} (lr ${shown.lr})`, x: shown.losses.map((_, i) => i + 1), y: smooth(shown.losses) });
  }
  const table = slope.table(
    ['method', 'steps to target', 'at lr', 'largest lr that trains', 'final loss (that run)', 'test acc'], rows);
  console.log(`\n${table}`);
  const lrSeries: slope.Series[] = METHODS.map((m) => {
    const mine = runs.filter((r) => r.method === m);
    return { name: m, x: mine.map((r) => r.lr), y: mine.map((r) => Math.min(finalLoss(r), 10)), markers: true };
  });
  mkdirSync(OUT, { recursive: true });
  writeFileSync(join(OUT, `norm_${ds.name}_curves.svg`), slope.linePlot({
    title: `${ds.name}: training loss (20-step mean), fastest run to ${target} per method`, xLabel: 'step',
    yLabel: 'training loss (cross-entropy)', yLog: true, series: curves,
    legend: 'outside',
  }));
  writeFileSync(join(OUT, `norm_${ds.name}_lr.svg`), slope.linePlot({
    title: `${ds.name}: final training loss against learning rate (10 = diverged)`, xLabel: 'learning rate (SGD)',
    yLabel: 'final training loss (cross-entropy)', xLog: true, yLog: true,
    series: lrSeries, legend: 'outside',
  }));
  return table;
}

/** --plot: redraw the figures and tables from the runs' JSON (no training). */
function replot(): void {
  const sets: [Dataset, number][] = [];
  if (existsSync(TABULAR)) sets.push([tabular(), 0.15]);
  if (existsSync(join(DATA, 'train-images-idx3-ubyte.gz'))) {
    sets.push([fashion(Number(arg('train', '6000')), 2000), 0.6]);
  }
  for (const [ds, target] of sets) {
    const file = join(OUT, `norm_${ds.name}_runs.json`);
    if (existsSync(file)) report(ds, JSON.parse(readFileSync(file, 'utf8')) as Run[], target);
  }
}

async function main() {
  if (process.argv.includes('--plot')) return replot();
  const e = await slope.init({ backend: BACKEND });
  console.log(`# normalization bench on ${e.adapter}${QUICK ? ' (quick)' : ''}; plain SGD, batch sizes below`);
  const tables: string[] = [];
  try {
    const lrs = QUICK ? [1e-3, 0.1] : [1e-4, 1e-3, 3e-3, 0.01, 0.03, 0.1, 0.3, 1, 3];
    if (existsSync(TABULAR)) {
      const steps = QUICK ? 60 : Number(arg('steps', '400'));
      tables.push(await experiment(e, tabular(), { lrs, steps, B: 32, H: 64, target: 0.15 }));
    } else {
      console.log(`skipped tabular: ${TABULAR} not found (apt-get install python3-sklearn, or pass --tabular FILE)`);
    }
    if (existsSync(join(DATA, 'train-images-idx3-ubyte.gz'))) {
      const nTrain = Number(arg('train', QUICK ? '1000' : '6000'));
      const steps = QUICK ? 60 : Number(arg('steps', '300'));
      tables.push(await experiment(e, fashion(nTrain, 2000), { lrs, steps, B: 64, H: 128, target: 0.6 }));
    } else console.log(`skipped Fashion-MNIST: no IDX files in ${DATA} (pass --data DIR)`);
  } finally {
    e.dispose();
  }
  writeFileSync(join(OUT, 'norm_results.md'), tables.join('\n\n') + '\n');
}

await main();
