/**
 * Batch renormalization's backward (Ioffe 2017) where it differs from BatchNorm's: r ≠ 1 and
 * d ≠ 0, clipped and not clipped, for BatchRenorm1d ([N, C] and [N, C, L]) and BatchRenorm2d
 * ([N, C, H, W], odd H and W).
 *
 * Training output: y = (x̂·r + d)·γ + β, x̂ = (x − μ_B)/σ_B, with
 *   r = clip(σ_B/σ, 1/rmax, rmax),  d = clip((μ_B − μ)/σ, −dmax, dmax)
 * from the running statistics (μ, σ² = running_var + ε). r and d are constants for the gradient
 * (stop-gradient), so the backward is not the derivative of the forward as a function of x: when
 * r and d are not clipped they move with μ_B and σ_B, but the paper's gradient ignores that.
 * The finite-difference reference therefore differentiates the forward with r and d frozen:
 * they are computed once at the point of evaluation (from the batch and the running statistics,
 * in float64, by the reference below) and held fixed while x is perturbed; μ_B and σ_B are
 * recomputed for every perturbation (the gradient goes through the batch statistics). When r and
 * d are all clipped they are locally constant in x, so there the plain finite differences of the
 * module's own graph (r and d recomputed by the engine for every perturbation) are valid too,
 * and are checked as well. γ and β do not enter r and d, so their finite differences need no care.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cpu, slope } from '../util/engine.js';
import { gpu, gpuTest } from '../util/suite.js';
import { Rng } from '../util/rng.js';
import { expectClose, relError } from '../util/close.js';
import { TOL } from '../tolerances.js';
import { gradcheck } from './util.js';

const { Graph, nn } = slope;
type Arr = ArrayLike<number>;

const EPS = 1e-5;
/** The schedule, checked at step t = 20: rmax(t) = 1 + (3 − 1)·10/20 = 2, dmax(t) = 2·10/40 = 0.5. */
const LIM = { rmax: 3, dmax: 2, warmup: 10, rmaxSteps: 20, dmaxSteps: 40 };
const T = 20;
const C = 4;

interface Layout { name: string; shape: number[]; make: () => slope.nn.BatchNormBase; affine?: false }
const LAYOUTS: Layout[] = [
  { name: 'BatchRenorm1d [N,C]', shape: [7, C], make: () => new nn.BatchRenorm1d(C, { ...LIM, eps: EPS }) },
  { name: 'BatchRenorm1d [N,C,L]', shape: [3, C, 5], make: () => new nn.BatchRenorm1d(C, { ...LIM, eps: EPS, momentum: 0.3 }) },
  { name: 'BatchRenorm2d [N,C,H,W] odd spatial', shape: [2, C, 3, 5], make: () => new nn.BatchRenorm2d(C, { ...LIM, eps: EPS, momentum: null }) },
  // No γ, β: the normalization's weight and bias are r and d themselves.
  { name: 'BatchRenorm2d [N,C,H,W] odd spatial, affine: false', shape: [3, C, 5, 1], make: () => new nn.BatchRenorm2d(C, { ...LIM, eps: EPS, affine: false }), affine: false },
];

/**
 * States of the running statistics: set explicitly so that σ_B/σ = ρ and (μ_B − μ)/σ = δ per
 * channel for the evaluated batch ('clipped': every r at rmax or 1/rmax and every |d| = dmax;
 * 'unclipped': r and d strictly inside the limits, r ≠ 1, d ≠ 0), or 'trained': moved away
 * from the batch statistics by a few training steps (the module's own running updates).
 */
type StateKind = 'clipped' | 'unclipped' | 'trained';
const STATES: StateKind[] = ['clipped', 'unclipped', 'trained'];
const TARGET = {
  clipped: { rho: [3.2, 1 / 3.2, 5, 1 / 2.5], delta: [1.5, -1.5, -0.9, 2] },
  unclipped: { rho: [1.3, 0.7, 1.8, 0.6], delta: [0.3, -0.2, 0.42, -0.35] },
};

const size = (s: readonly number[]) => s.reduce((a, d) => a * d, 1);
const dims = (s: readonly number[]) => ({ N: s[0], S: size(s.slice(2)) });
const at = (n: number, c: number, s: number, S: number) => (n * C + c) * S + s;

/** rmax and dmax at step t (Ioffe's schedule: constant through warm-up, then linear ramps). */
function limitsAt(t: number) {
  const ramp = (len: number) => Math.min(1, Math.max(0, (t - LIM.warmup) / len));
  return { rmax: 1 + (LIM.rmax - 1) * ramp(LIM.rmaxSteps), dmax: LIM.dmax * ramp(LIM.dmaxSteps) };
}

/** Per-channel batch mean and σ_B = √(biased var + ε), float64. */
function batchStats(x: Arr, shape: readonly number[]) {
  const { N, S } = dims(shape);
  const mean = new Float64Array(C), sb = new Float64Array(C);
  for (let c = 0; c < C; c++) {
    let s = 0, v = 0;
    for (let n = 0; n < N; n++) for (let j = 0; j < S; j++) s += x[at(n, c, j, S)];
    mean[c] = s / (N * S);
    for (let n = 0; n < N; n++) for (let j = 0; j < S; j++) v += (x[at(n, c, j, S)] - mean[c]) ** 2;
    sb[c] = Math.sqrt(v / (N * S) + EPS);
  }
  return { mean, sb };
}

interface RunState { rm: Arr; rv: Arr; t: number }

/** r and d for batch x and running statistics st (float64). */
function renormRD(x: Arr, shape: readonly number[], st: RunState) {
  const { mean, sb } = batchStats(x, shape);
  const { rmax, dmax } = limitsAt(st.t);
  const r = new Float64Array(C), d = new Float64Array(C);
  for (let c = 0; c < C; c++) {
    const sigma = Math.sqrt(st.rv[c] + EPS);
    r[c] = Math.min(rmax, Math.max(1 / rmax, sb[c] / sigma));
    d[c] = Math.min(dmax, Math.max(-dmax, (mean[c] - st.rm[c]) / sigma));
  }
  return { r, d, rmax, dmax };
}

/** y = ((x − μ_B)/σ_B · r + d)·γ + β with r and d given (frozen); μ_B, σ_B from x. */
function forwardFrozen(x: Arr, shape: readonly number[], gamma: Arr, beta: Arr, r: Arr, d: Arr): Float64Array {
  const { N, S } = dims(shape);
  const { mean, sb } = batchStats(x, shape);
  const y = new Float64Array(x.length);
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      for (let j = 0; j < S; j++) {
        const i = at(n, c, j, S);
        y[i] = (((x[i] - mean[c]) / sb[c]) * r[c] + d[c]) * gamma[c] + beta[c];
      }
    }
  }
  return y;
}

const dot = (a: Arr, b: Arr) => { let s = 0; for (let i = 0; i < a.length; i++) s += a[i] * b[i]; return s; };

/** Central differences of f at v, every element. */
function fd(f: (v: Float64Array) => number, v: Arr, h = 1e-6): Float64Array {
  const p = Float64Array.from(v);
  return Float64Array.from(p, (_, i) => {
    const v0 = p[i];
    p[i] = v0 + h;
    const lp = f(p);
    p[i] = v0 - h;
    const lm = f(p);
    p[i] = v0;
    return (lp - lm) / (2 * h);
  });
}

/** Running statistics giving σ_B/σ = ρ and (μ_B − μ)/σ = δ per channel for the batch x. */
function explicitState(x: Arr, shape: readonly number[], kind: 'clipped' | 'unclipped'): RunState {
  const { mean, sb } = batchStats(x, shape);
  const { rho, delta } = TARGET[kind];
  const sigma = Float64Array.from(sb, (s, c) => s / rho[c]);
  return { rm: Float64Array.from(mean, (m, c) => m - delta[c] * sigma[c]), rv: Float64Array.from(sigma, (s) => s * s - EPS), t: T };
}

/** The data of one case: the evaluated batch, γ, β, the loss weights R, and the warm-up batches of 'trained'. */
function caseData(layout: Layout, kind: StateKind) {
  const rng = new Rng(size(layout.shape) * 31 + STATES.indexOf(kind));
  const n = size(layout.shape);
  const offsets = [0.5, -1, 2, 0];
  const x = Float64Array.from(rng.normal(n, 1.5), (v, i) => v + offsets[Math.floor(i / dims(layout.shape).S) % C]);
  // Batches with a drifting mean and scale, so the running statistics lag behind the batch's.
  const steps = kind === 'trained' ? [0, 1, 2].map((t) => Float64Array.from(rng.normal(n, 1 + 0.4 * t), (v) => v + 0.8 * t - 1)) : [];
  return { x, steps, gamma: Float64Array.from(rng.uniform(C, 0.5, 1.5)), beta: Float64Array.from(rng.normal(C)), R: rng.normal(n) };
}

/** The module's training graph, loss Σ R⊙y, and its gradients w.r.t. x (and γ, β); the running statistics as outputs. */
function build(layout: Layout, R: Float32Array) {
  const m = layout.make();
  const g = new Graph();
  const x = g.input('x', layout.shape);
  const y = m.forward(x);
  const loss = slope.sum(slope.mul(y, g.constant(R, layout.shape)));
  const affine = m.weight && m.bias ? { w: g.param(m.weight), b: g.param(m.bias), pw: m.weight, pb: m.bias } : null;
  const grads = slope.grad(loss, affine ? [x, affine.w, affine.b] : [x]);
  const outputs: Record<string, slope.Tensor> = { y, loss, rm: g.variable(m.runningMean!), rv: g.variable(m.runningVar!) };
  ['dx', 'dw', 'db'].forEach((k, i) => { if (grads[i]) outputs[k] = grads[i]; });
  return { m, x, affine, loss, outputs };
}

/**
 * Compile the case on engine e, set γ, β and the running statistics (float64 values, or rounded
 * to float32 when `round`, as the GPU stores them), run the warm-up steps of 'trained', then the
 * evaluated batch (graph only). Returns the outputs and the running statistics it was evaluated with.
 */
async function runCase(e: slope.Engine, layout: Layout, kind: StateKind, round: boolean) {
  const data = caseData(layout, kind);
  const net = build(layout, data.R);
  const prog = await e.compile(net.loss.graph, { outputs: net.outputs });
  const cast = (a: Arr) => (round ? Float32Array.from(a) : Float64Array.from(a));
  const { m } = net;
  if (m.weight && m.bias) {
    e.write(m.weight, cast(data.gamma));
    e.write(m.bias, cast(data.beta));
  } else {
    data.gamma.fill(1);
    data.beta.fill(0);
  }
  e.write(m.numBatchesTracked!, Int32Array.of(T));
  if (kind !== 'trained') {
    const st = explicitState(data.x, layout.shape, kind);
    e.write(m.runningMean!, cast(st.rm));
    e.write(m.runningVar!, cast(st.rv));
  }
  for (const s of data.steps) await prog.run({ x: cast(s) });
  await prog.runGraphOnly({ x: cast(data.x) });
  const out: Record<string, Float64Array> = {};
  for (const k of Object.keys(net.outputs)) out[k] = Float64Array.from(await prog.read(k));
  const t = (await e.read(m.numBatchesTracked!))[0];
  assert.is(t, T + data.steps.length, 'num_batches_tracked');
  return { net, prog, data, out, state: { rm: out.rm, rv: out.rv, t } as RunState };
}

/** The state is the one the case is named after. */
function checkState(kind: StateKind, r: Float64Array, d: Float64Array, rmax: number, dmax: number, label: string) {
  const rs = Array.from(r), ds = Array.from(d);
  if (kind === 'clipped') {
    assert.ok(rs.every((v) => v === rmax || v === 1 / rmax) && rs.includes(rmax) && rs.includes(1 / rmax), `${label}: r = ${rs} all clipped, both ways`);
    assert.ok(ds.every((v) => Math.abs(v) === dmax) && ds.includes(dmax) && ds.includes(-dmax), `${label}: d = ${ds} all clipped, both signs`);
  } else if (kind === 'unclipped') {
    assert.ok(rs.every((v) => v < 0.95 * rmax && v > 1.05 / rmax && Math.abs(v - 1) > 0.2), `${label}: r = ${rs} inside the limits, ≠ 1`);
    assert.ok(ds.every((v) => Math.abs(v) < 0.95 * dmax && Math.abs(v) > 0.1), `${label}: d = ${ds} inside the limits, ≠ 0`);
  } else {
    assert.ok(rs.some((v) => Math.abs(v - 1) > 0.1) && ds.some((v) => Math.abs(v) > 0.1), `${label}: r = ${rs}, d = ${ds} away from 1 and 0`);
  }
}

for (const layout of LAYOUTS) {
  for (const kind of STATES) {
    test(`${layout.name}, ${kind} r and d: cpu gradients (${layout.affine === false ? 'x' : 'x, γ, β'}) match finite differences with r, d frozen`, async () => {
      const e = await cpu();
      try {
        const label = `${layout.name} ${kind}`;
        const { net, data, out, state } = await runCase(e, layout, kind, false);
        const { r, d, rmax, dmax } = renormRD(data.x, layout.shape, state);
        // The schedule at t = 20 (explicit states) or 23 (after three training steps).
        assert.ok(Math.abs(rmax - (kind === 'trained' ? 2.3 : 2)) < 1e-12 && Math.abs(dmax - (kind === 'trained' ? 0.65 : 0.5)) < 1e-12, `rmax ${rmax}, dmax ${dmax}`);
        checkState(kind, r, d, rmax, dmax, label);
        // The reference forward (r, d from the float64 reference above) is the module's forward.
        expectClose(out.y, forwardFrozen(data.x, layout.shape, data.gamma, data.beta, r, d), TOL.float64, `${label}: y`);
        const loss = (x: Arr, gamma: Arr, beta: Arr) => dot(forwardFrozen(x, layout.shape, gamma, beta, r, d), data.R);
        expectClose(out.dx, fd((v) => loss(v, data.gamma, data.beta), data.x), TOL.finiteDifference, `${label}: ∂loss/∂x`);
        if (net.affine) {
          expectClose(out.dw, fd((v) => loss(data.x, v, data.beta), data.gamma), TOL.finiteDifference, `${label}: ∂loss/∂γ`);
          expectClose(out.db, fd((v) => loss(data.x, data.gamma, v), data.beta), TOL.finiteDifference, `${label}: ∂loss/∂β`);
        }
        if (kind === 'clipped') {
          // All clipped: r and d are locally constant, so the module's own forward (the engine
          // recomputing r and d at every perturbation) has the same finite differences.
          const a = net.affine;
          await gradcheck(e, net.loss, {
            x: { tensor: net.x, data: data.x },
            ...(a ? { w: { tensor: a.w, param: a.pw, data: data.gamma }, b: { tensor: a.b, param: a.pb, data: data.beta } } : {}),
          }, `${label} (engine forward)`);
        } else {
          // Not all clipped: r and d move with x, and the gradient of the forward with them live
          // differs from the stop-gradient one; so freezing them above is what the test needs.
          const live = (v: Float64Array) => {
            const rd = renormRD(v, layout.shape, state);
            return dot(forwardFrozen(v, layout.shape, data.gamma, data.beta, rd.r, rd.d), data.R);
          };
          const err = relError(out.dx, fd(live, data.x));
          assert.ok(err > 1e-3, `${label}: with r and d live, ∂loss/∂x should differ from the stop-gradient one (relative difference ${err})`);
        }
      } finally {
        e.dispose();
      }
    });
  }
}

for (const layout of LAYOUTS) {
  gpuTest(`${layout.name}: GPU forward and gradients (${layout.affine === false ? 'x' : 'x, γ, β'}) match cpu with r ≠ 1, d ≠ 0 (clipped, unclipped, trained)`, async () => {
    const onGpu = await gpu();
    const c = await cpu();
    try {
      for (const kind of STATES) {
        // The same float32 inputs and state on both engines.
        const G = await runCase(onGpu, layout, kind, true);
        const R = await runCase(c, layout, kind, true);
        const { r, d, rmax, dmax } = renormRD(Float32Array.from(R.data.x), layout.shape, R.state);
        checkState(kind, r, d, rmax, dmax, `${layout.name} ${kind} (cpu)`);
        const label = `${layout.name} ${kind}: webgpu vs cpu`;
        expectClose(G.out.rm, R.out.rm, TOL.normStats, `${label} running_mean`);
        expectClose(G.out.rv, R.out.rv, TOL.normStats, `${label} running_var`);
        expectClose(G.out.y, R.out.y, TOL.normApply, `${label} y`);
        expectClose(G.out.dx, R.out.dx, TOL.normBackward, `${label} ∂loss/∂x`);
        assert.equal(Object.keys(G.out).sort(), Object.keys(R.out).sort());
        if (R.net.affine) {
          expectClose(G.out.dw, R.out.dw, TOL.normAffineGrad, `${label} ∂loss/∂γ`);
          expectClose(G.out.db, R.out.db, TOL.normAffineGrad, `${label} ∂loss/∂β`);
        }
      }
    } finally {
      onGpu.dispose();
      c.dispose();
    }
  });
}

test.run();
