/**
 * PyTorch as an independent oracle: slope's public API against golden values that PyTorch 1.13
 * computed in float64 (scripts/golden_torch.py → torch.safetensors; see that script for what
 * each section holds). One case per section, run on any engine: the cpu backend and the GPU in
 * Node (torch.test.ts), and headless Chromium (the browser suite runs the case table). Where
 * slope differs from torch.optim on purpose (docs/optimizers.md), the case asserts the
 * documented difference. Browser-safe: the fixtures are bundled as bytes.
 */
import * as slope from '../../src/index.js';
import type { Engine, Parameter as P, Tensor } from '../../src/index.js';
import type { KernelCase } from '../cases/types.js';
import { expectClose } from '../util/close.js';
import { expectTensorClose, harness } from '../util/optim.js';
import { TOL } from '../tolerances.js';
import fixture from './torch.safetensors';
import checkpoint from './slope_mlp.safetensors';

const { Graph, Parameter, grad, sum, mul } = slope;
const fx = slope.decodeSafetensors(fixture);

function values(name: string): Float64Array {
  const t = fx.tensors.get(name);
  if (!t) throw new Error(`torch.safetensors has no tensor '${name}' (regenerate it: scripts/golden_torch.py)`);
  return Float64Array.from(slope.tensorValues(t) as Float64Array | Int32Array);
}
const f32 = (name: string) => Float32Array.from(values(name));
const i32 = (name: string) => Int32Array.from(values(name));
const shapeOf = (name: string) => fx.tensors.get(name)!.shape;
const meta = <T>(key: string): T => JSON.parse(fx.metadata[key]) as T;
/** Row t of a [T, …] tensor. */
const row = (a: Float64Array, t: number, n: number) => a.subarray(t * n, (t + 1) * n);
/** Parameter names are unique per engine: each case's get a fresh suffix. */
let serial = 0;
const param = (name: string, shape: readonly number[], data: Float32Array) => new Parameter(`golden${serial++}.${name}`, shape, data);

/** Compile outputs and run once; the outputs' values. */
async function evaluate(engine: Engine, g: slope.Graph, outputs: Record<string, Tensor>, feeds: Record<string, Float32Array | Int32Array> = {}): Promise<Record<string, ArrayLike<number>>> {
  const prog = await engine.compile(g, { outputs });
  try {
    await prog.run(feeds);
    const out: Record<string, ArrayLike<number>> = {};
    for (const k of Object.keys(outputs)) out[k] = await prog.read(k);
    return out;
  } finally {
    prog.dispose();
  }
}

// ---- optimizers -----------------------------------------------------------------------------

type Options = Record<string, number | boolean | number[]>;
interface OptimizerCase {
  name: string;
  kind: 'SGD' | 'Adagrad' | 'RMSprop' | 'Adam' | 'AdamW';
  defaults: Options;
  group1: Options;
  /** Group 1 sets its own initialAccumulatorValue: see optimizers() below. */
  groupInit?: boolean;
}

function makeOptimizer(kind: OptimizerCase['kind'], a: P, b: P, defaults: Options, group1: Options): slope.Optimizer {
  const Cls = slope[kind] as unknown as new (groups: unknown, o: Options) => slope.Optimizer;
  return new Cls([{ params: [a] }, { params: [b], ...group1 }], defaults);
}

async function optimizerRun(engine: Engine, kind: OptimizerCase['kind'], defaults: Options, group1: Options, ga: Float64Array, steps: number) {
  const a = param('a', shapeOf('optim.a0'), f32('optim.a0'));
  const b = param('b', shapeOf('optim.b0'), f32('optim.b0'));
  const opt = makeOptimizer(kind, a, b, defaults, group1);
  const h = await harness(engine, [a, b], [opt]);
  const gb = values('optim.gb');
  const got: { a: Float32Array[]; b: Float32Array[] } = { a: [], b: [] };
  try {
    for (let t = 0; t < steps; t++) {
      await h.run([Float32Array.from(row(ga, t, a.size)), Float32Array.from(row(gb, t, b.size))]);
      got.a.push(Float32Array.from(await engine.read(a)));
      got.b.push(Float32Array.from(await engine.read(b)));
    }
    return { got, opt };
  } finally {
    h.prog.dispose();
  }
}

async function optimizers(engine: Engine): Promise<void> {
  const { steps, cases } = meta<{ steps: number; cases: OptimizerCase[] }>('optim');
  const ga = values('optim.ga');
  for (const c of cases) {
    const { got } = await optimizerRun(engine, c.kind, c.defaults, c.group1, ga, steps);
    for (const p of ['a', 'b'] as const) {
      // A group's own initialAccumulatorValue: slope starts that group's 'sum' from it, while
      // PyTorch 1.13 starts every group from the constructor's value. The fixture has both:
      // slope matches torch with the group's value put into its state, and not torch as is.
      const groupInit = p === 'b' && c.groupInit;
      const want = values(`optim.${c.name}.${p}${groupInit ? '-group-init' : ''}`);
      const n = want.length / steps;
      for (let t = 0; t < steps; t++) expectTensorClose(got[p][t], row(want, t, n), TOL.optim, `${c.name} ${p} after step ${t + 1}`);
      if (groupInit) {
        const asIs = row(values(`optim.${c.name}.b`), 0, n);
        if (!asIs.some((v, i) => Math.abs(v - got.b[0][i]) > 1e-3)) throw new Error(`${c.name}: torch's own run was expected to differ (it ignores the group's initialAccumulatorValue)`);
      }
    }
  }
}

/**
 * A NaN gradient under clipGradNorm at step k: PyTorch writes NaN into the parameters; slope
 * skips that step and every later one, and reports k (docs/optimizers.md, "Non-finite norm").
 */
async function nonFinite(engine: Engine): Promise<void> {
  const nf = meta<{ nonfinite: { kind: OptimizerCase['kind']; defaults: Options; step: number } }>('optim').nonfinite;
  const ga = values('optim.nonfinite.ga');
  const steps = shapeOf('optim.nonfinite.a')[0];
  const { got, opt } = await optimizerRun(engine, nf.kind, nf.defaults, {}, ga, steps);
  for (const p of ['a', 'b'] as const) {
    const want = values(`optim.nonfinite.${p}`);
    const n = want.length / steps;
    for (let t = 0; t < steps; t++) {
      if (t < nf.step - 1) expectTensorClose(got[p][t], row(want, t, n), TOL.optim, `nonfinite ${p} after step ${t + 1}`);
      else {
        if (!row(want, t, n).every(Number.isNaN)) throw new Error(`torch was expected to write NaN at step ${t + 1}`);
        expectClose(got[p][t], got[p][nf.step - 2], TOL.exact, `nonfinite ${p}: step ${t + 1} skipped, the parameters are those of step ${nf.step - 1}`);
      }
    }
  }
  const flagged = await opt.nonFiniteStep();
  if (flagged !== nf.step) throw new Error(`nonFiniteStep() is ${flagged}, expected ${nf.step}`);
}

// ---- schedules ------------------------------------------------------------------------------

interface ScheduleCase { name: string; lr: number; [k: string]: unknown }

function schedule(c: ScheduleCase): slope.Schedule {
  const n = (k: string) => c[k] as number;
  switch (c.name) {
    case 'step': return slope.stepLR(c.lr, n('stepSize'), n('gamma'));
    case 'multistep': return slope.multiStepLR(c.lr, c.milestones as number[], n('gamma'));
    case 'exponential': return slope.exponentialLR(c.lr, n('gamma'));
    case 'cosine': return slope.cosineAnnealingLR(c.lr, n('tMax'), n('etaMin'));
    case 'linear': return slope.linearWarmup(n('totalIters'), slope.constant(c.lr), n('startFactor'));
    case 'sequential': return slope.sequentialLR([slope.linearWarmup(n('warmup'), slope.constant(c.lr), n('startFactor')), slope.exponentialLR(c.lr, n('gamma'))], [n('warmup')]);
    default: throw new Error(`unknown schedule case '${c.name}'`);
  }
}

async function schedules(): Promise<void> {
  const { steps, cases } = meta<{ steps: number; cases: ScheduleCase[] }>('schedule');
  const metrics = values('schedule.plateau.metrics');
  for (const c of cases) {
    const want = values(`schedule.${c.name}`);
    if (c.name.startsWith('plateau')) {
      const p = new slope.ReduceLROnPlateau(c.lr, c as slope.ReduceLROnPlateauOptions);
      expectClose(Array.from(metrics, (m) => p.step(m)), want, TOL.float64, `ReduceLROnPlateau ${c.name}`);
      continue;
    }
    const got = slope.sampleSchedule(schedule(c), steps);
    if (c.name !== 'cosine') {
      expectClose(got, want, TOL.float64, `${c.name} schedule`);
      continue;
    }
    // Documented difference: after tMax slope holds at etaMin; PyTorch's formula rises again.
    const tMax = c.tMax as number;
    expectClose(got.slice(0, tMax + 1), want.subarray(0, tMax + 1), TOL.float64, 'cosine schedule up to tMax');
    for (let t = tMax + 1; t < steps; t++) {
      if (got[t] !== c.etaMin) throw new Error(`cosine: slope's lr at step ${t} is ${got[t]}, expected the floor ${c.etaMin}`);
      if (!(want[t] > (c.etaMin as number) + 1e-6)) throw new Error(`cosine: torch's lr at step ${t} (${want[t]}) was expected to rise past the floor`);
    }
  }
}

// ---- losses -----------------------------------------------------------------------------------

interface LossCase { name: string; target: 'labels' | 'probs'; reduction: 'mean' | 'sum' | 'none'; labelSmoothing: number }

async function crossEntropy(engine: Engine): Promise<void> {
  const { cases } = meta<{ cases: LossCase[] }>('loss');
  const [N, C] = shapeOf('loss.z');
  for (const c of cases) {
    const g = new Graph();
    const z = param('z', [N, C], f32('loss.z'));
    const zt = g.param(z);
    const target = c.target === 'labels' ? g.input('y', [N], 'i32') : g.input('p', [N, C]);
    const loss = slope.crossEntropy(zt, target, { reduction: c.reduction, labelSmoothing: c.labelSmoothing });
    const scalar = c.reduction === 'none' ? sum(mul(loss, g.input('w', [N]))) : loss;
    const [dz] = grad(scalar, [zt]);
    const feeds = { ...(c.target === 'labels' ? { y: i32('loss.y') } : { p: f32('loss.p') }), ...(c.reduction === 'none' ? { w: f32('loss.w') } : {}) };
    const r = await evaluate(engine, g, { loss, dz }, feeds);
    expectClose(r.loss, values(`loss.${c.name}.loss`), TOL.crossEntropy, `${c.name} loss`);
    expectClose(r.dz, values(`loss.${c.name}.dz`), TOL.crossEntropy, `${c.name} dlogits`);
  }
}

async function mseAndSoftmax(engine: Engine): Promise<void> {
  const shape = shapeOf('loss.mse.a');
  for (const reduction of ['mean', 'sum', 'none'] as const) {
    const g = new Graph();
    const a = g.param(param('a', shape, f32('loss.mse.a')));
    const loss = slope.mseLoss(a, g.input('b', shape), { reduction });
    const [da] = grad(reduction === 'none' ? sum(mul(loss, g.input('w', shape))) : loss, [a]);
    const r = await evaluate(engine, g, { loss, da }, { b: f32('loss.mse.b'), ...(reduction === 'none' ? { w: f32('loss.mse.w') } : {}) });
    expectClose(r.loss, values(`loss.mse-${reduction}.loss`), TOL.reduce, `mse ${reduction} loss`);
    expectClose(r.da, values(`loss.mse-${reduction}.da`), TOL.elementwise, `mse ${reduction} gradient`);
  }
  const xs = shapeOf('loss.softmax.x');
  for (const [name, fn] of [['softmax', slope.softmax], ['log-softmax', slope.logSoftmax]] as const) {
    const g = new Graph();
    const x = g.param(param('x', xs, f32('loss.softmax.x')));
    const y = fn(x);
    const [dx] = grad(sum(mul(y, g.input('dy', xs))), [x]);
    const r = await evaluate(engine, g, { y, dx }, { dy: f32('loss.softmax.dy') });
    expectClose(r.y, values(`loss.${name}.y`), TOL.softmax, `${name}`);
    expectClose(r.dx, values(`loss.${name}.dx`), TOL.softmax, `${name} gradient`);
  }
}

// ---- normalization ------------------------------------------------------------------------

interface NormCase { name: string; kind?: string; shape?: number[]; momentum?: number | null; [k: string]: unknown }

/** Set a module's parameters to the fixture's '<prefix>.p.<path>' values. */
function setParams(m: slope.Module, prefix: string): void {
  for (const [path, p] of m.namedParameters()) p.data.set(f32(`${prefix}.p.${path}`));
}

/**
 * Training forward and backward through `m` (x as a parameter, to get dx): y, dx and each
 * parameter's gradient against the fixture's '<prefix>.{y, dx, d.<torch name>}'.
 */
async function forwardBackward(engine: Engine, m: slope.Module, prefix: string, torchName: (path: string) => string = (p) => p): Promise<{ prog: slope.Program; input: P }> {
  const xName = fx.tensors.has(`${prefix}.x`) ? `${prefix}.x` : `${prefix}.x0`; // batch norms have x0, x1, x2
  const g = new Graph();
  const xp = param(`${prefix}.input`, shapeOf(xName), f32(xName));
  const x = g.param(xp);
  const y = m.forward(x);
  const params = m.namedParameters();
  const grads = grad(sum(mul(y, g.input('dy', shapeOf(`${prefix}.dy`)))), [x, ...params.map(([, p]) => g.param(p))]);
  const outputs: Record<string, Tensor> = { y, dx: grads[0] };
  params.forEach(([path], i) => { outputs[`d.${path}`] = grads[i + 1]; });
  const prog = await engine.compile(g, { outputs });
  await prog.run({ dy: f32(`${prefix}.dy`) });
  expectClose(await prog.read('y'), values(`${prefix}.y`), TOL.normApply, `${prefix} y`);
  expectClose(await prog.read('dx'), values(`${prefix}.dx`), TOL.normBackward, `${prefix} dx`);
  for (const [path] of params) expectClose(await prog.read(`d.${path}`), values(`${prefix}.d.${torchName(path)}`), TOL.normAffineGrad, `${prefix} d${path}`);
  return { prog, input: xp };
}

async function batchNorms(engine: Engine): Promise<void> {
  for (const c of meta<{ cases: NormCase[] }>('norm').cases.filter((k) => k.kind?.startsWith('BatchNorm'))) {
    const prefix = `norm.${c.name}`;
    const Cls = c.kind === 'BatchNorm2d' ? slope.BatchNorm2d : slope.BatchNorm1d;
    const m = new Cls(c.shape![1], { momentum: c.momentum ?? null });
    setParams(m, prefix);
    const { prog, input } = await forwardBackward(engine, m, prefix);
    try {
      // Two more training steps update the running statistics.
      for (const step of [1, 2]) {
        engine.write(input, f32(`${prefix}.x${step}`));
        await prog.run({ dy: f32(`${prefix}.dy`) });
      }
      expectClose(await engine.read(m.runningMean!), values(`${prefix}.running_mean`), TOL.normStats, `${prefix} running_mean`);
      expectClose(await engine.read(m.runningVar!), values(`${prefix}.running_var`), TOL.normStats, `${prefix} running_var`);
    } finally {
      prog.dispose();
    }
    m.eval();
    const g = new Graph();
    const ye = m.forward(g.input('x', c.shape!));
    const r = await evaluate(engine, g, { ye }, { x: f32(`${prefix}.xe`) });
    expectClose(r.ye, values(`${prefix}.ye`), TOL.normApply, `${prefix} eval`);
  }
}

function normModule(c: NormCase): slope.Module {
  switch (c.kind) {
    case 'LayerNorm': return new slope.LayerNorm(c.normalizedShape as number[]);
    case 'GroupNorm': return new slope.GroupNorm(c.groups as number, c.channels as number);
    case 'InstanceNorm1d': return new slope.InstanceNorm1d(c.channels as number, { affine: true });
    case 'InstanceNorm2d': return new slope.InstanceNorm2d(c.channels as number, { affine: true });
    default: throw new Error(`unknown norm case kind '${c.kind}'`);
  }
}

async function otherNorms(engine: Engine): Promise<void> {
  for (const c of meta<{ cases: NormCase[] }>('norm').cases.filter((k) => k.kind && !k.kind.startsWith('BatchNorm'))) {
    const m = normModule(c);
    setParams(m, `norm.${c.name}`);
    (await forwardBackward(engine, m, `norm.${c.name}`)).prog.dispose();
  }
}

function linear(prefix: string, inF: number, outF: number): slope.Linear {
  const lin = new slope.Linear(inF, outF);
  lin.weight.data.set(f32(`${prefix}.weight`));
  lin.bias!.data.set(f32(`${prefix}.bias`));
  return lin;
}

async function parametrizations(engine: Engine): Promise<void> {
  const names: Record<string, string> = { 'parametrizations.weight.original0': 'weight_g', 'parametrizations.weight.original1': 'weight_v', bias: 'bias' };
  for (const c of meta<{ cases: NormCase[] }>('norm').cases.filter((k) => k.name.startsWith('weightnorm'))) {
    const prefix = `norm.${c.name}`;
    const [O, I] = shapeOf(`${prefix}.weight`);
    const m = slope.weightNorm(linear(prefix, I, O), { dim: c.dim as 0 | 1 | null });
    (await forwardBackward(engine, m, prefix, (p) => names[p])).prog.dispose();
  }
  const prefix = 'norm.spectralnorm';
  const [O, I] = shapeOf(`${prefix}.weight`);
  const m = slope.spectralNorm(linear(prefix, I, O));
  m.u.data.set(f32(`${prefix}.u0`)); // torch's power-iteration start, injected
  m.v.data.set(f32(`${prefix}.v0`));
  (await forwardBackward(engine, m, prefix)).prog.dispose();
  expectClose(await engine.read(m.u), values(`${prefix}.u`), TOL.normApply, 'spectral norm u after one power iteration');
  expectClose(await engine.read(m.v), values(`${prefix}.v`), TOL.normApply, 'spectral norm v after one power iteration');
  m.eval();
  const g = new Graph();
  const ye = m.forward(g.input('x', [shapeOf(`${prefix}.x`)[0], I]));
  const r = await evaluate(engine, g, { ye }, { x: f32(`${prefix}.x`) });
  expectClose(r.ye, values(`${prefix}.ye`), TOL.graph, 'spectral norm eval');
}

// ---- a whole training step and the checkpoint round trip ---------------------------------

async function mlpStep(engine: Engine): Promise<void> {
  const model = new slope.Sequential(new slope.Flatten(), new slope.Linear(6, 8, { bias: false }), new slope.BatchNorm1d(8), new slope.ReLU(), new slope.Linear(8, 3));
  const params = model.namedParameters();
  for (const [path, p] of params) p.data.set(f32(`mlp.init.${path}`));
  const g = new Graph();
  const [B, F] = shapeOf('mlp.x');
  const loss = slope.crossEntropy(model.forward(g.input('x', [B, F])), g.input('y', [B], 'i32'));
  const grads = grad(loss, params.map(([, p]) => g.param(p)));
  const outputs: Record<string, Tensor> = { loss };
  params.forEach(([path], i) => { outputs[`g.${path}`] = grads[i]; });
  const { lr } = meta<{ lr: number }>('mlp');
  const opt = new slope.Adam(params.map(([, p]) => p), { lr });
  const prog = await engine.compile(g, { outputs, loss, gradients: params.map(([, p], i) => [p, grads[i]] as const), hooks: [opt] });
  try {
    await prog.run({ x: f32('mlp.x'), y: i32('mlp.y') });
    expectClose(await prog.read('loss'), values('mlp.loss'), TOL.graph, 'mlp loss');
    for (const [path, p] of params) {
      expectClose(await prog.read(`g.${path}`), values(`mlp.grad.${path}`), TOL.graph, `mlp gradient of ${path}`);
      expectTensorClose(await engine.read(p), values(`mlp.after.${path}`), TOL.optim, `mlp ${path} after the Adam step`);
    }
    const bn = model.layers[2] as slope.BatchNorm1d;
    expectClose(await engine.read(bn.runningMean!), values('mlp.running_mean'), TOL.normStats, 'mlp running_mean');
    expectClose(await engine.read(bn.runningVar!), values('mlp.running_var'), TOL.normStats, 'mlp running_var');
  } finally {
    prog.dispose();
  }
}

async function roundTrip(engine: Engine): Promise<void> {
  const m = meta<{ model: string; norm: string; features: number; classes: number }>('roundtrip');
  const model = slope.buildModel(slope.parseModel(m.model, m.norm), m.features, m.classes);
  slope.loadWeights(engine, model, checkpoint);
  model.eval();
  const g = new Graph();
  const logits = model.forward(g.input('x', shapeOf('roundtrip.x')));
  const r = await evaluate(engine, g, { logits }, { x: f32('roundtrip.x') });
  expectClose(r.logits, values('roundtrip.logits'), TOL.graph, 'logits of the slope checkpoint in torch.nn.Sequential');
}

const golden = (name: string, run: (e: Engine) => Promise<void>): KernelCase => ({ family: 'torch', name, run });

export const cases: KernelCase[] = [
  golden('optimizers: every optimizer and option, 20 steps, two groups, clipping', optimizers),
  golden('optimizers: a NaN gradient under clipGradNorm is skipped (torch writes NaN)', nonFinite),
  golden('schedules: StepLR, MultiStepLR, ExponentialLR, CosineAnnealingLR, LinearLR, SequentialLR, ReduceLROnPlateau', async () => schedules()),
  golden('cross-entropy: labels and probabilities, label smoothing, every reduction, gradients', crossEntropy),
  golden('MSE, softmax and log-softmax with gradients', mseAndSoftmax),
  golden('BatchNorm1d/2d: training forward and backward, running statistics over 3 steps, eval', batchNorms),
  golden('LayerNorm, GroupNorm, InstanceNorm1d/2d: forward and backward', otherNorms),
  golden('weight norm and spectral norm (torch\'s u, v injected): forward, backward, u and v', parametrizations),
  golden('one MLP training step: loss, every gradient, the parameters after Adam', mlpStep),
  golden('round trip: a slope checkpoint in torch.nn.Sequential gives the same logits', roundTrip),
];
