/**
 * The lecture's worked example, through the engine (graph, grad twice) on the GPU and on the cpu
 * backend: the 1-1-1 network y = w₁·w₂·x with one sample (x = 1, ŷ = 1) and L = (ŷ − w₁w₂x)².
 * At the origin ∇L = 0 and H = [[0, −2], [−2, 0]] (eigenvalues ±2; (1, 1)/√2 for −2); gradient
 * descent started there cannot move; along that eigenvector the second-order Taylor estimate
 * 1 − α² agrees with the true loss 1 − α² + α⁴/4 up to the α⁴/4 term; escapeSaddle leaves the
 * origin and gradient descent then reaches w₁w₂ = 1.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cpu, slope } from '../util/engine.js';
import { gpu, gpuTest } from '../util/suite.js';

const { Parameter, HessianAnalyzer, mul, sub, square, sum } = slope;

async function workedExample(e: slope.Engine) {
  const w1 = new Parameter('w1', [1], new Float32Array([0]));
  const w2 = new Parameter('w2', [1], new Float32Array([0]));
  const h = await HessianAnalyzer.create(e, [w1, w2], (g) => {
    const x = g.input('x', [1]), yHat = g.input('y', [1]);
    return sum(square(sub(yHat, mul(mul(g.param(w1), g.param(w2)), x))));
  }, { x: new Float32Array([1]), y: new Float32Array([1]) });
  return h;
}

/** The whole story; `tol` is the agreement asked of float32 (GPU) or float64 (cpu) arithmetic. */
async function story(e: slope.Engine, tol: number) {
  const h = await workedExample(e);
  const close = (got: number, want: number, what: string) => assert.ok(Math.abs(got - want) <= tol * Math.max(1, Math.abs(want)), `${what}: ${got}, expected ${want}`);

  // At the origin: L = 1, ∇L = 0 exactly, H = [[0, −2], [−2, 0]].
  const at0 = await h.evaluate();
  close(at0.loss, 1, 'L(0, 0)');
  assert.equal(Array.from(at0.gradient), [0, 0], 'the gradient at the origin is exactly zero');
  const H = await h.fullHessian();
  [0, -2, -2, 0].forEach((v, i) => close(H[i], v, `H[${i >> 1}][${i & 1}]`));
  const { values, vectors } = slope.analysis.symmetricEigen(H, 2);
  close(values[0], -2, 'λmin');
  close(values[1], 2, 'λmax');
  const u = vectors[0];
  close(Math.abs(u[0]), Math.SQRT1_2, 'u₁');
  close(u[0] * u[1], 0.5, 'u₁·u₂ (u ∥ (1, 1)/√2)');
  const c = await h.classify();
  assert.is(c.kind, 'saddle point');

  // Gradient descent started at the origin cannot move: every step is −η·0.
  for (let i = 0; i < 10; i++) {
    const { gradient } = await h.evaluate();
    const p = await h.flatParams();
    h.setFlatParams(p.map((v, k) => v - 0.1 * gradient[k]));
  }
  assert.equal(Array.from(await h.flatParams()), [0, 0], 'gradient descent stays at the origin');

  // Along u: the second-order Taylor estimate L(0) + ½α²·uᵀHu = 1 − α², the true loss 1 − α² + α⁴/4.
  const uHu = u[0] * (H[0] * u[0] + H[1] * u[1]) + u[1] * (H[2] * u[0] + H[3] * u[1]);
  for (const alpha of [0.05, 0.2, 0.5, 1]) {
    h.setFlatParams([alpha * u[0], alpha * u[1]]);
    const L = await h.loss();
    const taylor = at0.loss + 0.5 * alpha * alpha * uHu;
    close(taylor, 1 - alpha ** 2, `Taylor estimate at α = ${alpha}`);
    close(L, 1 - alpha ** 2 + alpha ** 4 / 4, `true loss at α = ${alpha}`);
    close(L - taylor, alpha ** 4 / 4, `true − Taylor at α = ${alpha}`);
  }

  // escapeSaddle leaves the origin along ±u, lowering the loss; gradient descent then reaches w₁w₂ = 1.
  h.setFlatParams([0, 0]);
  const esc = await h.escapeSaddle(0.1);
  close(esc.eigenvalue, -2, 'escape eigenvalue');
  assert.ok(esc.after < esc.before, `escape lowers the loss: ${esc.before} → ${esc.after}`);
  for (let i = 0; i < 200; i++) {
    const { gradient } = await h.evaluate();
    const p = await h.flatParams();
    h.setFlatParams(p.map((v, k) => v - 0.1 * gradient[k]));
  }
  const [a, b] = await h.flatParams();
  assert.ok(Math.abs(a * b - 1) < 1e-5, `w₁w₂ = ${a * b} after gradient descent`);
  assert.ok((await h.loss()) < 1e-9, 'loss reaches 0');
  assert.is((await h.classify({ gradTol: 1e-4 })).kind, 'degenerate', 'the minima w₁w₂ = 1 form a curve: one zero eigenvalue');
}

test('worked example (cpu backend, float64)', async () => {
  const e = await cpu();
  await story(e, 1e-12);
  e.dispose();
});

gpuTest('worked example (GPU, float32)', async () => {
  const e = await gpu();
  await story(e, 2e-6);
  e.dispose();
});

test.run();
