/** Critical points: Hessian-vector products, eigenvalues, classification and saddle escape. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cpu, slope } from '../util/engine.js';
import { gpu, gpuTest } from '../util/suite.js';
import { Rng } from '../util/rng.js';
import { expectClose } from '../util/close.js';
import { TOL } from '../tolerances.js';

const { Graph, Parameter, HessianAnalyzer, sum, mul, square, scale, linear, tanh, crossEntropy } = slope;

/** f(x, y) = a·x² + b·(y² − 1)²: a saddle at the origin when b > 0, minima at (0, ±1). */
function saddle(theta: slope.Parameter, a = 1, b = 1) {
  return (g: slope.Graph) => {
    const t = g.param(theta);
    const sq = square(t);
    const x2 = sum(mul(sq, g.constant([1, 0])));
    const y2 = sum(mul(sq, g.constant([0, 1])));
    return slope.add(scale(x2, a), scale(square(scale(y2, 1, -1)), b));
  };
}

test('saddle point: gradient 0, eigenvalues {2, −4}, classified, and escaped', async () => {
  const e = await cpu();
  const theta = new Parameter('theta', [2], new Float32Array([0, 0]));
  const h = await HessianAnalyzer.create(e, [theta], saddle(theta));
  const c = await h.classify();
  assert.is(c.kind, 'saddle point');
  assert.ok(Math.abs(c.minEigenvalue + 4) < 1e-9 && Math.abs(c.maxEigenvalue - 2) < 1e-9, `eigenvalues ${c.minEigenvalue}, ${c.maxEigenvalue}`);
  assert.ok(Math.abs(Math.abs(c.minEigenvector[1]) - 1) < 1e-9, 'negative-curvature direction is the y axis');
  // Plain gradient descent cannot leave: the gradient is exactly zero.
  assert.is(c.gradientNorm, 0);
  const esc = await h.escapeSaddle(0.1);
  assert.ok(esc.after < esc.before, `loss ${esc.before} → ${esc.after}`);
  // Then gradient descent rolls down to a minimum at (0, ±1), where the Hessian is positive definite.
  for (let i = 0; i < 200; i++) {
    const { gradient } = await h.evaluate();
    const p = await h.flatParams();
    h.setFlatParams(p.map((v, k) => v - 0.05 * gradient[k]));
  }
  const end = await h.classify();
  assert.is(end.kind, 'local minimum');
  const p = await h.flatParams();
  assert.ok(Math.abs(Math.abs(p[1]) - 1) < 1e-6 && Math.abs(p[0]) < 1e-6, `ended at ${p}`);
  e.dispose();
});

test('maximum and degenerate points are told apart', async () => {
  const e = await cpu();
  const theta = new Parameter('theta', [2], new Float32Array([0, 0]));
  const max = await HessianAnalyzer.create(e, [theta], (g) => scale(sum(square(g.param(theta))), -1));
  assert.is((await max.classify()).kind, 'local maximum');
  const theta4 = new Parameter('theta4', [2], new Float32Array([0, 0]));
  const min = await HessianAnalyzer.create(e, [theta4], (g) => sum(square(g.param(theta4))));
  assert.is((await min.classify()).kind, 'local minimum');
  let err: unknown = null;
  try { await min.escapeSaddle(0.1); } catch (x) { err = x; }
  assert.ok(err instanceof slope.ArgumentError && /no direction of negative curvature/.test(err.message), String(err));
  const theta2 = new Parameter('theta2', [2], new Float32Array([0, 0]));
  const deg = await HessianAnalyzer.create(e, [theta2], (g) => sum(square(square(g.param(theta2)))));
  assert.is((await deg.classify()).kind, 'degenerate');
  const theta3 = new Parameter('theta3', [2], new Float32Array([0.5, 0.5]));
  const nc = await HessianAnalyzer.create(e, [theta3], (g) => sum(square(g.param(theta3))));
  assert.is((await nc.classify()).kind, 'not critical');
  e.dispose();
});

function tinyMlp(seed: number) {
  const r = new Rng(seed);
  const W1 = new Parameter('W1', [5, 4], r.normal(20, 0.5));
  const b1 = new Parameter('b1', [5], r.normal(5, 0.1));
  const W2 = new Parameter('W2', [3, 5], r.normal(15, 0.5));
  const x = r.normal(6 * 4), y = r.ints(6, 3);
  const build = (g: slope.Graph) => {
    const xi = g.input('x', [6, 4]);
    const yi = g.input('y', [6], 'i32');
    return crossEntropy(linear(tanh(linear(xi, g.param(W1), g.param(b1))), g.param(W2)), yi);
  };
  return { params: [W1, b1, W2], build, feeds: { x, y } };
}

test('full Hessian of a tiny MLP equals finite differences of the gradient (float64)', async () => {
  const e = await cpu();
  const m = tinyMlp(3);
  const h = await HessianAnalyzer.create(e, m.params, m.build, m.feeds);
  const H = await h.fullHessian();
  const n = h.size;
  const theta = await h.flatParams();
  const eps = 1e-5;
  const fd = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    const tp = Float64Array.from(theta); tp[j] += eps;
    const tm = Float64Array.from(theta); tm[j] -= eps;
    // The cpu engine stores parameters in float64; writing through Float32Array would round,
    // so write the perturbed values directly in float64.
    writeF64(e, m.params, tp);
    const gp = (await h.evaluate()).gradient;
    writeF64(e, m.params, tm);
    const gm = (await h.evaluate()).gradient;
    for (let i = 0; i < n; i++) fd[i * n + j] = (gp[i] - gm[i]) / (2 * eps);
  }
  expectClose(H, fd, TOL.hessianFiniteDifference, 'Hessian vs finite differences');
  e.dispose();
});

function writeF64(e: slope.Engine, params: slope.Parameter[], flat: Float64Array) {
  let o = 0;
  for (const p of params) {
    e.write(p, flat.subarray(o, o + p.size));
    o += p.size;
  }
}

test('Lanczos finds the extreme eigenvalues of the full Hessian', async () => {
  const e = await cpu();
  const m = tinyMlp(5);
  const h = await HessianAnalyzer.create(e, m.params, m.build, m.feeds);
  const full = slope.analysis.symmetricEigen(await h.fullHessian(), h.size).values;
  const lz = (await h.lanczos(h.size)).values;
  assert.ok(Math.abs(lz[0] - full[0]) < 1e-8 * Math.max(1, Math.abs(full[0])) + 1e-9, `min ${lz[0]} vs ${full[0]}`);
  const hiL = lz[lz.length - 1], hiF = full[full.length - 1];
  assert.ok(Math.abs(hiL - hiF) < 1e-8 * Math.abs(hiF), `max ${hiL} vs ${hiF}`);
  e.dispose();
});

gpuTest('Hessian-vector products on the GPU match the cpu backend', async () => {
  const onGpu = await gpu();
  const c = await cpu();
  const r = new Rng(11);
  const v = r.normal(20 + 5 + 15);
  const out: Float64Array[] = [];
  for (const e of [onGpu, c]) {
    const m = tinyMlp(9);
    const h = await HessianAnalyzer.create(e, m.params, m.build, m.feeds);
    out.push(await h.hvp(v));
  }
  expectClose(out[0], out[1], TOL.hvp, 'GPU HVP vs cpu');
  onGpu.dispose();
  c.dispose();
});

test.run();
