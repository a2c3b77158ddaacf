/**
 * The critical-point search (Newton-MR with a trust region on ½‖∇L‖²), its convergence
 * criterion ‖∇L‖ ≤ ratio·λ_ref·‖θ‖, the spectrum (Householder + QL through the analyzer), and
 * sharpness (Lanczos λmax) on a quadratic with a known spectrum, on the cpu backend and the GPU.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cpu, slope } from '../util/engine.js';
import { gpu, gpuTest } from '../util/suite.js';
import { Rng } from '../util/rng.js';

const { Parameter, HessianAnalyzer, sum, mul, square, scale, matmul, reshape, add } = slope;
const { summarizeSpectrum, criticalPointTest, findCriticalPoint, sharpness } = slope.analysis;

/**
 * ½ Σ λᵢ (Qθ)ᵢ² with Q block-diagonal of 4×4 Hadamard matrices / 2 (entries ±½, exact in
 * float32, QᵀQ = I exactly) after a permutation: Hessian QᵀΛQ, spectrum exactly λ (dyadic values).
 */
function quadratic(theta: slope.Parameter, lambda: number[], seed: number) {
  const n = lambda.length;
  const H4 = [1, 1, 1, 1, 1, -1, 1, -1, 1, 1, -1, -1, 1, -1, -1, 1];
  const perm = [...Array(n).keys()];
  const r = new Rng(seed);
  for (let i = n - 1; i > 0; i--) { const j = Math.floor(r.next() * (i + 1)); [perm[i], perm[j]] = [perm[j], perm[i]]; }
  const Q = new Array<number>(n * n).fill(0);
  for (let i = 0; i < n; i++) {
    const b = i - (i % 4);
    for (let j = b; j < Math.min(b + 4, n); j++) Q[i * n + perm[j]] = b + 4 <= n ? H4[(i % 4) * 4 + (j % 4)] / 2 : i === j ? 1 : 0;
  }
  return (g: slope.Graph) => {
    const z = reshape(matmul(g.constant(Q, [n, n]), reshape(g.param(theta), [n, 1])), [n]);
    return scale(sum(mul(square(z), g.constant(lambda))), 0.5);
  };
}

const SPECTRUM = [-1.5, -0.25, 0, 0, 1 / 64, 0.25, 0.75, 1, 2, 3, 4.5, 6, 10];

test('spectrum() and its summary on a quadratic with a known spectrum (cpu, float64)', async () => {
  const e = await cpu();
  const theta = new Parameter('q', [SPECTRUM.length], new Rng(2).normal(SPECTRUM.length));
  const h = await HessianAnalyzer.create(e, [theta], quadratic(theta, SPECTRUM, 4));
  const values = await h.spectrum();
  SPECTRUM.forEach((v, i) => assert.ok(Math.abs(values[i] - v) < 1e-12, `λ${i} ${values[i]} vs ${v}`));
  const s = summarizeSpectrum(values, 1e-6);
  assert.equal([s.negative, s.zero, s.positive, s.min, s.max], [2, 2, 9, values[0], values[12]]);
  assert.ok(Math.abs(s.minAbsNonzero - 1 / 64) < 1e-12 && Math.abs(s.zeroTol - 1e-5) < 1e-15, `λ_ref ${s.minAbsNonzero}, τ ${s.zeroTol}`);
  assert.ok(Math.abs(s.minRatio - 9 / 13) < 1e-15);
  e.dispose();
});

test('the spectrum of a BatchNorm MLP in evaluation mode: rank-deficient, tiny blocks, QL against Jacobi; sharpness', async () => {
  // 179 parameters, 6 samples: the Hessian has rank ≤ a few dozen, and its tridiagonal form has
  // blocks of entries around 1e-30 (QL once looped on them without an absolute deflation test).
  const e = await cpu();
  const model = slope.buildModel(slope.parseModel('mlp:8,8', 'batch'), 5, 3, 0).eval();
  const N = 6;
  const x = Float32Array.from({ length: N * 5 }, (_, i) => Math.sin(i));
  const y = Int32Array.from({ length: N }, (_, i) => i % 3);
  const h = await HessianAnalyzer.create(e, model.parameters(), (g) => slope.crossEntropy(model.forward(g.input('x', [N, 5])), g.input('y', [N], 'i32')), { x, y });
  const H = await h.fullHessian();
  const ql = slope.analysis.symmetricEigenvalues(H, h.size), jac = slope.analysis.symmetricEigen(H, h.size).values;
  const top = jac[h.size - 1];
  jac.forEach((v, i) => assert.ok(Math.abs(ql[i] - v) <= 1e-12 * top, `λ${i} ${ql[i]} vs Jacobi ${v}`));
  const s = await sharpness(h);
  assert.ok(Math.abs(s.value - top) <= 1e-6 * top, `Lanczos λmax ${s.value} vs ${top}`);
  e.dispose();
});

async function sharpnessOn(e: slope.Engine, tol: number) {
  const theta = new Parameter('s', [SPECTRUM.length], new Rng(3).normal(SPECTRUM.length));
  const h = await HessianAnalyzer.create(e, [theta], quadratic(theta, SPECTRUM, 6));
  const top = await sharpness(h, { tol: 1e-9 });
  assert.ok(Math.abs(top.value - 10) <= tol * 10, `λmax ${top.value} vs 10 (${top.iterations} iterations)`);
  assert.ok(top.residual <= 1e3 * tol * 10, `Ritz residual ${top.residual}`);
  assert.ok(top.iterations <= SPECTRUM.length, `${top.iterations} Lanczos iterations`);
}

test('sharpness: Lanczos λmax of a quadratic with a known spectrum (cpu, float64)', async () => {
  const e = await cpu();
  await sharpnessOn(e, 1e-10);
  // A larger one: 199 eigenvalues in [−1, 0.55] and a top one at 3: Lanczos needs far fewer than n products.
  const n = 200;
  const lam = Array.from({ length: n }, (_, i) => (i === n - 1 ? 3 : -1 + i / 128));
  const theta = new Parameter('big', [n], new Rng(5).normal(n));
  const h = await HessianAnalyzer.create(e, [theta], quadratic(theta, lam, 8));
  const top = await sharpness(h, { tol: 1e-8 });
  assert.ok(Math.abs(top.value - 3) < 1e-6 && top.iterations < 60, `λmax ${top.value} after ${top.iterations} iterations`);
  e.dispose();
});

gpuTest('sharpness on the GPU (float32)', async () => {
  const e = await gpu();
  await sharpnessOn(e, 1e-5);
  e.dispose();
});

/** f(x, y) = x² + (y² − 1)²: a saddle at the origin, minima at (0, ±1). */
function saddleSurface(theta: slope.Parameter) {
  return (g: slope.Graph) => {
    const sq = square(g.param(theta));
    const x2 = sum(mul(sq, g.constant([1, 0])));
    const y2 = sum(mul(sq, g.constant([0, 1])));
    return add(x2, square(scale(y2, 1, -1)));
  };
}

test('the search converges to the nearest critical point — a saddle, where gradient descent would not stop — and the criterion accepts it', async () => {
  const e = await cpu();
  const theta = new Parameter('t', [2], new Float32Array([0.3, 0.2]));
  const h = await HessianAnalyzer.create(e, [theta], saddleSurface(theta));
  const res = await findCriticalPoint(h, { maxIterations: 50 });
  const p = await h.flatParams();
  assert.ok(Math.hypot(p[0], p[1]) < 1e-12, `ended at ${p} (${res.stopReason}, ‖∇L‖ ${res.gradNorm})`);
  assert.is(res.stopReason, 'gradient tolerance');
  const s = summarizeSpectrum(await h.spectrum());
  // At the saddle itself ‖θ‖ → 0, so judge the criterion at a fixed reference scale ‖θ‖ = 1 too.
  const t = criticalPointTest(res.gradNorm, 1, s);
  assert.ok(t.critical && t.kind === 'saddle point', JSON.stringify(t));
  // From near a minimum it finds the minimum.
  h.setFlatParams([0.2, 0.8]);
  const res2 = await findCriticalPoint(h);
  const q = await h.flatParams();
  assert.ok(Math.abs(q[0]) < 1e-12 && Math.abs(q[1] - 1) < 1e-12, `ended at ${q}`);
  assert.is(criticalPointTest(res2.gradNorm, res2.thetaNorm, summarizeSpectrum(await h.spectrum())).kind, 'local minimum');
  e.dispose();
});

test('the criterion: a bound relative to the smallest non-zero curvature and ‖θ‖', () => {
  const s = summarizeSpectrum([-0.5, 0, 1e-9, 0.02, 3], 1e-6); // τ = 3e-6: two zero eigenvalues, λ_ref = 0.02
  assert.equal([s.negative, s.zero, s.positive], [1, 2, 2]);
  const at = (g: number) => criticalPointTest(g, 5, s, 1e-6);
  assert.ok(Math.abs(at(0).bound - 1e-6 * 0.02 * 5) < 1e-20);
  assert.ok(at(0.99e-7).critical && at(0.99e-7).kind === 'saddle point');
  assert.not.ok(at(1.01e-7).critical);
  assert.is(at(1.01e-7).kind, 'not critical');
  assert.ok(Math.abs(at(1e-7).newtonStepBound - 5e-6) < 1e-18, 'Newton step bound ‖∇L‖/λ_ref');
  // Every eigenvalue zero: only an exactly zero gradient passes.
  const flat = summarizeSpectrum([0, 0], 1e-6);
  assert.ok(Number.isNaN(flat.minAbsNonzero));
  assert.ok(criticalPointTest(0, 1, flat).critical && criticalPointTest(0, 1, flat).kind === 'degenerate');
  assert.not.ok(criticalPointTest(1e-300, 1, flat).critical);
  // Minimum, maximum, degenerate minimum.
  assert.is(criticalPointTest(0, 1, summarizeSpectrum([1, 2])).kind, 'local minimum');
  assert.is(criticalPointTest(0, 1, summarizeSpectrum([-1, -2])).kind, 'local maximum');
  assert.is(criticalPointTest(0, 1, summarizeSpectrum([0, 2])).kind, 'degenerate');
});

test('a gradient-flat point (H·∇L = 0 with ∇L ≠ 0) stops the search and fails the criterion', async () => {
  // L(θ) = θ³/3 + θ: ∇L = θ² + 1 never vanishes; ‖∇L‖² is smallest at θ = 0, where H = 2θ = 0.
  const e = await cpu();
  const theta = new Parameter('f', [1], new Float32Array([0.5]));
  const h = await HessianAnalyzer.create(e, [theta], (g) => {
    const t = g.param(theta);
    return sum(add(scale(mul(square(t), t), 1 / 3), t));
  });
  const res = await findCriticalPoint(h, { maxIterations: 200 });
  assert.ok(Math.abs(res.gradNorm - 1) < 1e-3, `‖∇L‖ ${res.gradNorm} at θ = ${(await h.flatParams())[0]}`);
  assert.ok(res.stopReason !== 'gradient tolerance', res.stopReason);
  const t = criticalPointTest(res.gradNorm, res.thetaNorm, summarizeSpectrum(await h.spectrum()));
  assert.not.ok(t.critical, JSON.stringify(t));
  e.dispose();
});

test.run();
