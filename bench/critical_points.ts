/**
 * The lecture's critical-point experiment: when training stalls with a small gradient, is it at a
 * local minimum or at a saddle point? For many random initialisations of a network on a fixed
 * regression problem (float64 cpu backend):
 *   1. full-batch gradient descent (the "training" that stalls);
 *   2. from there, a search whose fixed points are the critical points of every kind — Newton-MR
 *      with a trust region on ½‖∇L‖² (src/analysis/critical.ts: MINRES on Hessian-vector products,
 *      no Hessian formed);
 *   3. at the point found, every Hessian eigenvalue (the full Hessian from n products, reduced by
 *      Householder tridiagonalization + QL), and the stated criterion
 *      ‖∇L‖ ≤ 1e-6 · λ_ref · ‖θ‖   (λ_ref = the smallest |λ| above the zero threshold 1e-6·max|λ|).
 * Runs that miss the criterion are listed, not dropped. "Minimum ratio" = (# positive
 * eigenvalues) / (# parameters), the lecture's measure: 1 at a strict local minimum.
 *
 *   node dist/bench/critical_points.js --size small --runs 100
 *   node dist/bench/critical_points.js --size large --runs 30
 * Options: [--first 1] [--out docs/figures] [--gd-steps N] [--lr η] [--max-iterations N]
 *   [--resume]: keep the results in the existing JSON (same configuration) and run only the missing seeds.
 * Writes critical_points_<size>.json; `--plot` (no runs) draws critical_points.svg from both.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as slope from '../src/node.js';

const { summarizeSpectrum, criticalPointTest, findCriticalPoint } = slope.analysis;

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1] : def;
}
const SIZE = arg('size', 'small') as 'small' | 'large';
const OUT = arg('out', 'docs/figures');
const RATIO = 1e-6, REL_ZERO = 1e-6;

interface Config {
  layers: number[]; N: number; gdSteps: number; lr: number;
  maxIterations: number; innerIterations: number; runs: number;
}
const CONFIGS: Record<'small' | 'large', Config> = {
  // 2-6-1 tanh: 25 parameters; 40 points.
  small: { layers: [2, 6, 1], N: 40, gdSteps: 1500, lr: 0.2, maxIterations: 2000, innerIterations: 25, runs: 100 },
  // 2-30-30-1 tanh: 1,051 parameters; 200 points.
  large: { layers: [2, 30, 30, 1], N: 200, gdSteps: 1500, lr: 0.1, maxIterations: 100, innerIterations: 300, runs: 30 },
};
const cfg: Config = { ...CONFIGS[SIZE] };
cfg.runs = Number(arg('runs', String(cfg.runs)));
cfg.gdSteps = Number(arg('gd-steps', String(cfg.gdSteps)));
cfg.lr = Number(arg('lr', String(cfg.lr)));
cfg.maxIterations = Number(arg('max-iterations', String(cfg.maxIterations)));
cfg.N = Number(arg('points', String(cfg.N)));
const FIRST = Number(arg('first', '1'));
const INIT = arg('init', SIZE === 'small' ? 'normal' : 'fan-in') as 'normal' | 'fan-in';

// The regression problem: y = sin(3x₀)·cos(2x₁) on N points of [−1, 1]², fixed.
function data(N: number) {
  const gen = new slope.Generator(12345);
  const X = Float32Array.from({ length: N * 2 }, () => gen.next() * 2 - 1);
  const Y = Float32Array.from({ length: N }, (_, i) => Math.sin(3 * X[2 * i]) * Math.cos(2 * X[2 * i + 1]));
  return { X, Y };
}

interface Result {
  seed: number;
  gdLoss: number; gdGradNorm: number;
  loss: number; gradNorm: number; thetaNorm: number;
  iterations: number; hvps: number; stopReason: string;
  n: number; lambdaMin: number; lambdaMax: number; zeroTol: number; lambdaRef: number;
  negative: number; zero: number; positive: number; minRatio: number;
  /** Counts with the zero threshold at 1e-8 and 1e-4 of max|λ|, for sensitivity. */
  counts8: [number, number, number]; counts4: [number, number, number];
  critical: boolean; bound: number; newtonStepBound: number; kind: string;
  /** The criterion with ratio 1e-3 instead of 1e-6 (a thousand times looser). */
  criticalLoose: boolean;
  /**
   * ‖H∇L‖ / (λmax‖∇L‖): 0 at a gradient-flat point (∇L ≠ 0 in H's null space), ~1 when ∇L lies along
   * stiff directions.
   */
  hgRatio: number;
  /** Share of ‖∇L‖² in eigen-directions with |λ| ≤ 1e-4·max|λ| (small network only: needs eigenvectors). */
  flatShare: number | null;
  /** The negative eigenvalues and the smallest and largest few (the whole spectrum when small). */
  eigenvalues: number[];
  seconds: number;
}

async function one(engine: slope.Engine, seed: number, X: Float32Array, Y: Float32Array): Promise<Result> {
  const t0 = performance.now();
  const { layers, N } = cfg;
  const gen = new slope.Generator(seed);
  const params: slope.Parameter[] = [];
  for (let l = 0; l + 1 < layers.length; l++) {
    const [fi, fo] = [layers[l], layers[l + 1]];
    // small: N(0, 1) weights, N(0, 0.5²) hidden biases (as in the first version of this bench); large: N(0, 1/fan_in).
    const std = INIT === 'normal' ? 1 : 1 / Math.sqrt(fi);
    params.push(new slope.Parameter(`W${l}_${seed}`, [fo, fi], slope.nn.normal(fo * fi, 0, std, gen)));
    const last = l + 2 === layers.length;
    const bias = last ? new Float32Array(fo) : slope.nn.normal(fo, 0, INIT === 'normal' ? 0.5 : 0.1, gen);
    params.push(new slope.Parameter(`b${l}_${seed}`, [fo], bias));
  }
  const build = (g: slope.Graph) => {
    let a: slope.Tensor = g.input('x', [N, 2]);
    for (let i = 0; i < params.length; i += 2) {
      a = slope.linear(a, g.param(params[i]), g.param(params[i + 1]));
      if (i + 2 < params.length) a = slope.tanh(a);
    }
    return slope.mseLoss(a, g.input('y', [N, 1]));
  };
  // 1. Full-batch gradient descent through a training program (the optimizer as its hook).
  const g = new slope.Graph();
  const loss = build(g);
  const grads = slope.grad(loss, params.map((p) => g.param(p)));
  const opt = new slope.SGD(params, { lr: cfg.lr });
  const step = await engine.compile(g, {
    outputs: { loss }, loss, gradients: params.map((p, i) => [p, grads[i]] as const), hooks: [opt],
  });
  for (let i = 0; i < cfg.gdSteps; i++) await step.run({ x: X, y: Y });
  step.dispose();
  const h = await slope.HessianAnalyzer.create(engine, params, build, { x: X, y: Y });
  const atGd = await h.evaluate();
  const gdGradNorm = Math.hypot(...atGd.gradient);
  // 2. Newton-MR with a trust region on ½‖∇L‖².
  const res = await findCriticalPoint(h, {
    maxIterations: cfg.maxIterations, innerIterations: Math.min(h.size, cfg.innerIterations), innerTol: 1e-10,
    patience: 200,
    onIteration: process.env.DEBUG_CP
      ? (r) => console.log(`  it ${r.iteration}: ‖∇L‖ ${r.gradNorm.toExponential(2)} loss ${r.loss.toExponential(4)} ` +
        `Δ ${r.radius.toExponential(1)} inner ${r.inner}${r.accepted ? '' : ' rejected'}`)
      : undefined,
  });
  // 3. The whole spectrum, and the criterion.
  const values = await h.spectrum();
  const s = summarizeSpectrum(values, REL_ZERO);
  const t = criticalPointTest(res.gradNorm, res.thetaNorm, s, RATIO);
  const at = await h.evaluate();
  const hg = await h.hvp(at.gradient);
  const hgRatio = Math.hypot(...hg) / (Math.max(Math.abs(s.min), Math.abs(s.max)) * res.gradNorm);
  let flatShare: number | null = null;
  if (h.size <= 60) {
    const { values: vals, vectors } = slope.analysis.symmetricEigen(await h.fullHessian(), h.size);
    const big = Math.max(...Array.from(vals, Math.abs));
    let num = 0;
    vals.forEach((lam, i) => {
      if (Math.abs(lam) <= 1e-4 * big) num += vectors[i].reduce((a, v, k) => a + v * at.gradient[k], 0) ** 2;
    });
    flatShare = num / res.gradNorm ** 2;
  }
  const counts = (rel: number): [number, number, number] => {
    const q = summarizeSpectrum(values, rel);
    return [q.negative, q.zero, q.positive];
  };
  const all = Array.from(values);
  const smallest = all.slice().sort((a, b) => Math.abs(a) - Math.abs(b)).slice(0, 10);
  const keep = all.length <= 60 ? all
    : [...new Set([...all.filter((v) => v < -s.zeroTol), ...smallest, ...all.slice(-5)])].sort((a, b) => a - b);
  return {
    seed, gdLoss: atGd.loss, gdGradNorm, loss: res.loss, gradNorm: res.gradNorm, thetaNorm: res.thetaNorm,
    iterations: res.iterations, hvps: res.hvps, stopReason: res.stopReason,
    n: s.n, lambdaMin: s.min, lambdaMax: s.max, zeroTol: s.zeroTol, lambdaRef: s.minAbsNonzero,
    negative: s.negative, zero: s.zero, positive: s.positive, minRatio: s.minRatio,
    counts8: counts(1e-8), counts4: counts(1e-4),
    critical: t.critical, bound: t.bound, newtonStepBound: t.newtonStepBound, kind: t.kind,
    criticalLoose: criticalPointTest(res.gradNorm, res.thetaNorm, s, 1e-3).critical, hgRatio, flatShare,
    eigenvalues: keep, seconds: (performance.now() - t0) / 1000,
  };
}

const e3 = (v: number) => (Number.isFinite(v) ? v.toExponential(2) : String(v));

function describe(size: string, results: Result[]): string {
  const crit = results.filter((r) => r.critical);
  const miss = results.filter((r) => !r.critical);
  const withNeg = crit.filter((r) => r.negative > 0);
  const strictMin = crit.filter((r) => r.negative === 0 && r.zero === 0);
  const flatMin = crit.filter((r) => r.negative === 0 && r.zero > 0);
  return `${size}: ${results.length} runs, ${crit.length} meet the criterion: ${withNeg.length} with a negative ` +
    `eigenvalue (saddle points), ${strictMin.length} strict local minima (every eigenvalue > 0), ${flatMin.length} ` +
    `with no negative but some zero eigenvalues; ${miss.length} miss it ` +
    `(${results.filter((r) => r.criticalLoose).length} meet it with ratio 1e-3 instead of 1e-6)`;
}

function plot(): void {
  const sets = (['small', 'large'] as const).filter((s) => existsSync(join(OUT, `critical_points_${s}.json`)))
    .map((s) => ({
      size: s,
      ...(JSON.parse(readFileSync(join(OUT, `critical_points_${s}.json`), 'utf8')) as
        { network: string; results: Result[] }),
    }));
  const series: slope.Series[] = [];
  // Runs that miss the criterion are drawn first (light), those that meet it on top (dark); the
  // ratios are multiples of 1/n, so each point is moved sideways by a fixed ±0.006 (by seed) to show how many
  // share one.
  const colors = {
    small: ['#f4a6a6', '#a6c8f4', '#d62728', '#1f77b4'], large: ['#f8c98f', '#a8dca8', '#ff7f0e', '#2ca02c'],
  };
  const jitter = (seed: number) => 0.006 * (((seed * 2654435761) >>> 0) / 2 ** 32 * 2 - 1);
  for (const [k, crit] of [[0, false], [2, true]] as const) {
    for (const s of sets) {
      const n = s.results[0]?.n;
      const pick = (f: (r: Result) => boolean, name: string, color: string) => {
        const rs = s.results.filter((r) => r.critical === crit && f(r));
        if (!rs.length) return;
        series.push({
          name: `${name}, ${n} parameters: ${rs.length}`, x: rs.map((r) => r.minRatio + jitter(r.seed)),
          y: rs.map((r) => r.loss), markers: true, line: false, color,
        });
      };
      const tag = crit ? 'critical' : 'missed the criterion';
      pick((r) => r.negative > 0, `${tag}, negative λ`, colors[s.size][k]);
      pick((r) => r.negative === 0, `${tag}, no negative λ`, colors[s.size][k + 1]);
    }
  }
  const xs = series.flatMap((s) => [...s.x]), ys = series.flatMap((s) => [...s.y]).filter((v) => v > 0);
  const pad = (lo: number, hi: number) => [Math.max(0, lo - 0.05), Math.min(1.05, hi + 0.05)] as [number, number];
  writeFileSync(join(OUT, 'critical_points.svg'), slope.linePlot({
    title: 'Where the critical-point search ends: minimum ratio vs training loss', legend: 'outside',
    xLabel: 'minimum ratio = positive Hessian eigenvalues / parameters (points moved ±0.006 to show overlaps)',
    yLabel: 'training loss (MSE)', yLog: true, xRange: pad(Math.min(...xs), Math.max(...xs)),
    yRange: [10 ** Math.floor(Math.log10(Math.min(...ys))), 10 ** Math.ceil(Math.log10(Math.max(...ys)))],
    series,
  }));
  console.log(`wrote ${OUT}/critical_points.svg`);
}

async function main(): Promise<void> {
  if (process.argv.includes('--plot')) return plot();
  const { X, Y } = data(cfg.N);
  const engine = await slope.init({ backend: 'cpu' });
  const file = join(OUT, `critical_points_${SIZE}.json`);
  // --resume: keep the results already in the file (same configuration) and run only the missing seeds.
  const results: Result[] = [];
  if (process.argv.includes('--resume') && existsSync(file)) {
    const old = JSON.parse(readFileSync(file, 'utf8')) as { config: Config; results: Result[] };
    const same = (['layers', 'N', 'gdSteps', 'lr', 'maxIterations', 'innerIterations'] as const)
      .every((k) => JSON.stringify(old.config[k]) === JSON.stringify(cfg[k]));
    if (!same) throw new Error(`--resume: ${file} was written with another configuration`);
    results.push(...old.results);
    console.log(`resuming: ${results.length} results in ${file}`);
  }
  mkdirSync(OUT, { recursive: true });
  const network = `${cfg.layers.join('-')} tanh, MSE, ${cfg.N} points of sin(3x₀)·cos(2x₁)`;
  const save = () => writeFileSync(file, JSON.stringify({
    network, config: cfg, criterion: `‖∇L‖ ≤ ${RATIO}·λ_ref·‖θ‖, λ_ref the smallest |λ| above ${REL_ZERO}·max|λ|`,
    summary: describe(SIZE, results), results,
  }, null, 1) + '\n');
  try {
    for (let seed = FIRST; seed < FIRST + cfg.runs; seed++) {
      if (results.some((r) => r.seed === seed)) continue;
      const r = await one(engine, seed, X, Y);
      results.push(r);
      console.log(`seed ${String(seed).padStart(3)}  GD: loss ${e3(r.gdLoss)} ‖∇L‖ ${e3(r.gdGradNorm)} | ` +
        `search: ${r.iterations} it, ${r.hvps} HVPs, ${r.stopReason} | ` +
        `loss ${e3(r.loss)} ‖∇L‖ ${e3(r.gradNorm)} (bound ${e3(r.bound)}) | ` +
        `λ ${e3(r.lambdaMin)} … ${e3(r.lambdaMax)}, ` +
        `−/0/+ ${r.negative}/${r.zero}/${r.positive} | ${r.kind} | ‖H∇L‖/(λmax‖∇L‖) ${e3(r.hgRatio)}` +
        `${r.flatShare === null ? '' : `, flat share ${r.flatShare.toFixed(3)}`} | ${r.seconds.toFixed(0)} s`);
      save();
    }
  } finally {
    engine.dispose();
  }
  console.log(`\n${describe(SIZE, results)}`);
  console.log(`wrote ${file}`);
}

await main();
