/**
 * The lecture's critical-point experiment: when training stalls with a tiny gradient, is it at
 * a local minimum or at a saddle point? For many random initialisations of a small network we
 * train with gradient descent, then drive the gradient norm to ~0 with Newton steps on ∇L = 0
 * (Hessians from Hessian-vector products), and at the critical point found compute every
 * Hessian eigenvalue. "Minimum ratio" = (# positive eigenvalues) / (# parameters): 1 at a local
 * minimum, below 1 at a saddle point. Output: a table, JSON, and a scatter of minimum ratio
 * against training loss.
 *
 *   node dist/bench/critical_points.js [--runs 16] [--backend cpu|webgpu] [--out docs/figures]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import * as slope from '../src/node.js';

const args = process.argv.slice(2);
const arg = (k: string, d: string) => {
  const i = args.indexOf(`--${k}`);
  return i >= 0 ? args[i + 1] : d;
};
const runs = Number(arg('runs', '16'));
const backend = arg('backend', 'cpu') as 'cpu' | 'webgpu';
const outDir = arg('out', 'docs/figures');

// A fixed small regression problem: y = sin(3x₀)·cos(2x₁) on 40 points, a 2-6-1 tanh network
// (25 parameters), mean squared error.
const N = 40, H = 6;
const data = new slope.Generator(12345);
const X = Float32Array.from({ length: N * 2 }, () => data.next() * 2 - 1);
const Y = Float32Array.from({ length: N }, (_, i) => Math.sin(3 * X[2 * i]) * Math.cos(2 * X[2 * i + 1]));

interface Result { seed: number; loss: number; gradNorm: number; minRatio: number; minEig: number; kind: string }

async function one(engine: slope.Engine, seed: number): Promise<Result> {
  const gen = new slope.Generator(seed);
  const W1 = new slope.Parameter(`W1_${seed}`, [H, 2], slope.nn.normal(2 * H, 0, 1, gen));
  const b1 = new slope.Parameter(`b1_${seed}`, [H], slope.nn.normal(H, 0, 0.5, gen));
  const W2 = new slope.Parameter(`W2_${seed}`, [1, H], slope.nn.normal(H, 0, 1, gen));
  const b2 = new slope.Parameter(`b2_${seed}`, [1], new Float32Array(1));
  const params = [W1, b1, W2, b2];
  const h = await slope.HessianAnalyzer.create(engine, params, (g) => {
    const x = g.input('x', [N, 2]);
    const y = g.input('y', [N, 1]);
    const hid = slope.tanh(slope.linear(x, g.param(W1), g.param(b1)));
    return slope.mseLoss(slope.linear(hid, g.param(W2), g.param(b2)), y);
  }, { x: X, y: Y });
  let theta = await h.flatParams();
  // 1. Gradient descent.
  for (let i = 0; i < 1500; i++) {
    const { gradient } = await h.evaluate();
    theta = theta.map((v, k) => v - 0.2 * gradient[k]);
    h.setFlatParams(theta);
  }
  // 2. Drive ∇L to 0 with Levenberg–Marquardt steps on the residual ∇L (Jacobian H):
  //    δ = −(H² + μI)⁻¹ H ∇L, which tends to Newton's step as μ → 0 and converges to the nearby
  //    critical point, minimum or saddle alike.
  let { gradient } = await h.evaluate();
  let gn = Math.hypot(...gradient);
  let mu = 1e-4;
  for (let i = 0; i < 400 && gn > 1e-10 && mu < 1e6; i++) {
    const { values, vectors } = slope.analysis.symmetricEigen(await h.fullHessian(), h.size);
    const coef = values.map((lam, k) => (lam / (lam * lam + mu)) * vectors[k].reduce((a, v, j) => a + v * gradient[j], 0));
    const trial = theta.map((v, j) => v - coef.reduce((a, c, k) => a + c * vectors[k][j], 0));
    h.setFlatParams(trial);
    const g2 = (await h.evaluate()).gradient;
    const n2 = Math.hypot(...g2);
    if (n2 < gn) { theta = trial; gradient = g2; gn = n2; mu = Math.max(1e-14, mu / 3); } else { mu *= 4; h.setFlatParams(theta); }
    if (process.env.DEBUG_CP) console.log(`  lm ${i}: ‖∇L‖ ${gn.toExponential(2)} μ ${mu.toExponential(1)}`);
  }
  h.setFlatParams(theta);
  const c = await h.classify({ gradTol: 1e-4 });
  const { values } = await h.eigen();
  const tol = 1e-6 * Math.max(...values.map(Math.abs));
  const positive = values.filter((v) => v > tol).length;
  return { seed, loss: await h.loss(), gradNorm: c.gradientNorm, minRatio: positive / values.length, minEig: c.minEigenvalue, kind: c.kind };
}

const engine = await slope.init({ backend });
const results: Result[] = [];
for (let s = 1; s <= runs; s++) {
  const r = await one(engine, s);
  results.push(r);
  console.log(`seed ${String(s).padStart(2)}  loss ${r.loss.toExponential(3)}  ‖∇L‖ ${r.gradNorm.toExponential(1)}  min ratio ${r.minRatio.toFixed(2)}  λmin ${r.minEig.toExponential(2)}  ${r.kind}`);
}
engine.dispose();

const critical = results.filter((r) => r.gradNorm < 1e-4);
const saddles = critical.filter((r) => r.kind === 'saddle point').length;
const minima = critical.filter((r) => r.kind === 'local minimum').length;
console.log(`\n${backend} backend: ${critical.length}/${results.length} runs reached ‖∇L‖ < 1e-4: ${minima} local minima, ${saddles} saddle points, ${critical.length - minima - saddles} degenerate`);
console.log(slope.table(['seed', 'loss', '‖∇L‖', 'min ratio', 'λmin', 'kind'], results.map((r) => [r.seed, r.loss, r.gradNorm, r.minRatio, r.minEig, r.kind])));
mkdirSync(outDir, { recursive: true });
writeFileSync(`${outDir}/critical_points.json`, JSON.stringify({ backend, network: '2-6-1 tanh, MSE, 40 points', results }, null, 1));
writeFileSync(`${outDir}/critical_points.svg`, slope.linePlot({
  title: 'Where training stalls: minimum ratio vs loss at critical points',
  xLabel: 'minimum ratio (positive Hessian eigenvalues / parameters)', yLabel: 'training loss (MSE)', yLog: true,
  series: [
    { name: 'local minimum', x: critical.filter((r) => r.kind === 'local minimum').map((r) => r.minRatio), y: critical.filter((r) => r.kind === 'local minimum').map((r) => r.loss), markers: true, line: false },
    { name: 'saddle / degenerate', x: critical.filter((r) => r.kind !== 'local minimum').map((r) => r.minRatio), y: critical.filter((r) => r.kind !== 'local minimum').map((r) => r.loss), markers: true, line: false },
  ],
  xRange: [0.4, 1.02],
}));
console.log(`wrote ${outDir}/critical_points.json and .svg`);
