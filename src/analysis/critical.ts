/**
 * Finding critical points (∇L = 0) of any kind — minima and saddles alike — and deciding, on a
 * stated criterion, whether a point found is one.
 *
 * The search minimises ½‖∇L‖² by inexact Newton steps with a trust region (Newton-MR: Roosta,
 * Liu, Wright and Xu 2018): each step solves H·δ = −∇L approximately by MINRES on
 * Hessian-vector products (H is never formed; H may be indefinite or singular, MINRES then
 * gives the least-squares step), truncated at the trust radius; the step is kept when ‖∇L‖
 * drops, and the radius follows the ratio of the actual to the predicted drop of ‖∇L‖². Its
 * fixed points are the points where H·∇L = 0: every critical point, but also "gradient-flat"
 * points where ∇L ≠ 0 lies in H's null space — which is why the result must pass the test
 * below, and why runs that miss it are to be listed, not dropped.
 *
 * The criterion (criticalPointTest): with the spectrum of H at the point, λ_ref = the smallest
 * |λ| above the zero threshold τ = relZeroTol·max|λ|, the point is critical when
 *     ‖∇L‖ ≤ ratio · λ_ref · ‖θ‖          (ratio 1e-6 by default).
 * Then the Newton step to the critical point, ‖H⁺∇L‖ ≤ ‖∇L‖/λ_ref, is at most ratio·‖θ‖: the
 * point is that close to a stationary point, along every direction of non-zero curvature; and
 * along an eigenvector u of a negative eigenvalue λ, the gradient term of the loss change,
 * |∇Lᵀu|·α ≤ ratio·|λ|·‖θ‖·α, is negligible next to the curvature term ½|λ|α² for any step
 * α ≫ 2·ratio·‖θ‖: the descent direction of a saddle is real, not an artefact of the gradient.
 */
import { ArgumentError } from '../errors.js';
import type { HessianAnalyzer } from './hessian.js';
import { axpy, dot, norm } from './linalg.js';

export interface SpectrumSummary {
  /** Number of eigenvalues. */
  n: number;
  min: number;
  max: number;
  /** |λ| ≤ zeroTol counts as zero. */
  zeroTol: number;
  negative: number;
  zero: number;
  positive: number;
  /** positive / n: 1 at a (strict) local minimum, the lecture's "minimum ratio". */
  minRatio: number;
  /** The smallest |λ| above zeroTol (NaN when every eigenvalue is zero). */
  minAbsNonzero: number;
}

/** Counts of negative / near-zero / positive eigenvalues, the zero threshold relative to max|λ|. */
export function summarizeSpectrum(values: ArrayLike<number>, relZeroTol = 1e-6): SpectrumSummary {
  const n = values.length;
  if (!n) throw new ArgumentError('summarizeSpectrum: no eigenvalues');
  let min = Infinity, max = -Infinity, scale = 0;
  for (let i = 0; i < n; i++) {
    min = Math.min(min, values[i]);
    max = Math.max(max, values[i]);
    scale = Math.max(scale, Math.abs(values[i]));
  }
  const zeroTol = relZeroTol * scale;
  let negative = 0, zero = 0, positive = 0, minAbsNonzero = Infinity;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (v < -zeroTol) negative++;
    else if (v > zeroTol) positive++;
    else zero++;
    if (Math.abs(v) > zeroTol) minAbsNonzero = Math.min(minAbsNonzero, Math.abs(v));
  }
  return {
    n, min, max, zeroTol, negative, zero, positive, minRatio: positive / n,
    minAbsNonzero: Number.isFinite(minAbsNonzero) ? minAbsNonzero : NaN,
  };
}

export interface CriticalPointTest {
  /** ‖∇L‖ ≤ bound. */
  critical: boolean;
  /** ratio · λ_ref · ‖θ‖. */
  bound: number;
  /** ‖∇L‖ / λ_ref: an upper bound on the Newton step to the critical point (Infinity if λ_ref is undefined). */
  newtonStepBound: number;
  kind: 'local minimum' | 'saddle point' | 'local maximum' | 'degenerate' | 'not critical';
}

/**
 * Is a point with gradient norm `gradNorm`, parameter norm `thetaNorm` and Hessian spectrum
 * summary `s` a critical point, on the criterion ‖∇L‖ ≤ ratio·λ_ref·‖θ‖ (see the file header)?
 * `kind` classifies it when it is: saddle (negative and positive eigenvalues), minimum (none
 * negative; 'degenerate' when some are zero), maximum (none positive).
 */
export function criticalPointTest(
  gradNorm: number, thetaNorm: number, s: SpectrumSummary, ratio = 1e-6,
): CriticalPointTest {
  const ref = s.minAbsNonzero;
  const bound = Number.isNaN(ref) ? 0 : ratio * ref * thetaNorm;
  const critical = gradNorm <= bound;
  const newtonStepBound = Number.isNaN(ref) ? (gradNorm === 0 ? 0 : Infinity) : gradNorm / ref;
  let kind: CriticalPointTest['kind'] = 'not critical';
  if (critical) {
    if (s.negative && s.positive) kind = 'saddle point';
    else if (!s.negative && s.positive && !s.zero) kind = 'local minimum';
    else if (!s.positive && s.negative && !s.zero) kind = 'local maximum';
    else kind = 'degenerate';
  }
  return { critical, bound, newtonStepBound, kind };
}

export interface SearchOptions {
  /** Outer (Newton) iterations at most (default 100). */
  maxIterations?: number;
  /** MINRES iterations per step at most (default min(n, 200)). */
  innerIterations?: number;
  /** MINRES stops once ‖H·δ + ∇L‖ ≤ innerTol·‖∇L‖ (default 1e-4). */
  innerTol?: number;
  /** Stop when ‖∇L‖ ≤ gradTol (default 1e-14). */
  gradTol?: number;
  /** Initial trust radius (default 0.1·max(1, ‖θ‖)). */
  radius?: number;
  /** Stop after this many accepted steps in a row that lower ‖∇L‖ by less than 0.1% each (default 100). */
  patience?: number;
  /** Called after every outer iteration. */
  onIteration?(it: SearchIteration): void;
}

export interface SearchIteration {
  iteration: number;
  gradNorm: number;
  loss: number;
  radius: number;
  step: number;
  inner: number;
  accepted: boolean;
}

export interface SearchResult {
  iterations: number;
  /** Hessian-vector products (program runs) used, evaluations included. */
  hvps: number;
  loss: number;
  gradNorm: number;
  thetaNorm: number;
  stopReason: 'gradient tolerance' | 'trust region collapsed' | 'iteration limit' | 'no progress';
  history: SearchIteration[];
}

/**
 * Newton-MR with a trust region on ½‖∇L‖², from the analyzer's current parameters; leaves the
 * parameters at the best point found. See the file header; check the result with
 * criticalPointTest on the Hessian's spectrum there.
 */
export async function findCriticalPoint(h: HessianAnalyzer, opts: SearchOptions = {}): Promise<SearchResult> {
  const n = h.size;
  const maxIt = opts.maxIterations ?? 100;
  const innerMax = opts.innerIterations ?? Math.min(n, 200);
  const innerTol = opts.innerTol ?? 1e-4;
  const gradTol = opts.gradTol ?? 1e-14;
  let theta = await h.flatParams();
  let ev = await h.evaluate();
  let hvps = 1;
  let g = ev.gradient, gn = norm(g), loss = ev.loss;
  let radius = opts.radius ?? 0.1 * Math.max(1, norm(theta));
  const history: SearchIteration[] = [];
  let stopReason: SearchResult['stopReason'] = 'iteration limit';
  let stale = 0;
  let it = 0;
  for (; it < maxIt; it++) {
    if (gn <= gradTol) { stopReason = 'gradient tolerance'; break; }
    const sol = await minres((v) => { hvps++; return h.hvp(v); }, g, radius, innerMax, innerTol);
    const trial = Float64Array.from(theta);
    axpy(trial, 1, sol.x);
    h.setFlatParams(trial);
    const ev2 = await h.evaluate();
    hvps++;
    const gn2 = norm(ev2.gradient);
    const predicted = gn * gn - sol.residual * sol.residual;
    const actual = gn * gn - gn2 * gn2;
    const rho = predicted > 0 ? actual / predicted : -1;
    const step = norm(sol.x);
    const accepted = Number.isFinite(gn2) && gn2 < gn && rho > 1e-4;
    if (accepted) {
      theta = trial;
      g = ev2.gradient;
      stale = gn2 > 0.999 * gn ? stale + 1 : 0;
      gn = gn2;
      loss = ev2.loss;
    } else {
      h.setFlatParams(theta);
    }
    if (!accepted || rho < 0.25) radius = 0.25 * Math.min(radius, step || radius);
    else if (rho > 0.75 && step >= 0.99 * radius) radius *= 2;
    const rec = { iteration: it + 1, gradNorm: gn, loss, radius, step, inner: sol.iterations, accepted };
    history.push(rec);
    opts.onIteration?.(rec);
    if (radius < 1e-15 * (1 + norm(theta))) { stopReason = 'trust region collapsed'; it++; break; }
    if (stale >= (opts.patience ?? 100)) { stopReason = 'no progress'; it++; break; }
  }
  if (it >= maxIt && gn <= gradTol) stopReason = 'gradient tolerance';
  h.setFlatParams(theta);
  return { iterations: it, hvps, loss, gradNorm: gn, thetaNorm: norm(theta), stopReason, history };
}

/**
 * MINRES (Paige and Saunders 1975) for H·x = −g from x = 0, H symmetric (possibly indefinite
 * or singular) given by its product. Stops when the residual ‖H·x + g‖ ≤ tol·‖g‖, after
 * `maxIter` products, or when the next iterate would leave the ball ‖x‖ ≤ radius (then the
 * point where the segment from the last iterate to the next one crosses the sphere is
 * returned, its residual recomputed with one more product).
 */
export async function minres(
  hv: (v: Float64Array) => Promise<Float64Array>, g: Float64Array, radius: number, maxIter: number, tol: number,
): Promise<{ x: Float64Array; residual: number; iterations: number }> {
  const n = g.length;
  const beta1 = norm(g);
  const x = new Float64Array(n);
  if (beta1 === 0) return { x, residual: 0, iterations: 0 };
  let r1: Float64Array = Float64Array.from(g, (v) => -v);
  let r2: Float64Array = Float64Array.from(r1), y: Float64Array = Float64Array.from(r1);
  let oldb = 0, beta = beta1, dbar = 0, epsln = 0, phibar = beta1, cs = -1, sn = 0;
  let w = new Float64Array(n), w2 = new Float64Array(n);
  let k = 0;
  for (; k < maxIter; k++) {
    const v = Float64Array.from(y, (t) => t / beta);
    y = await hv(v);
    if (k > 0) axpy(y, -beta / oldb, r1);
    const alfa = dot(v, y);
    axpy(y, -alfa / beta, r2);
    r1 = r2;
    r2 = y;
    oldb = beta;
    beta = norm(y);
    const oldeps = epsln;
    const delta = cs * dbar + sn * alfa;
    const gbar = sn * dbar - cs * alfa;
    epsln = sn * beta;
    dbar = -cs * beta;
    const gamma = Math.hypot(gbar, beta);
    if (!(gamma > 1e-300 * beta1)) break; // H·v = 0 on the whole Krylov space left: no further progress
    cs = gbar / gamma;
    sn = beta / gamma;
    const phi = cs * phibar;
    const w1 = w2;
    w2 = w;
    w = new Float64Array(n);
    for (let i = 0; i < n; i++) w[i] = (v[i] - oldeps * w1[i] - delta * w2[i]) / gamma;
    const next = Float64Array.from(x);
    axpy(next, phi, w);
    if (norm(next) > radius) {
      // Stop on the sphere: x + τ(next − x) with ‖·‖ = radius, its residual from one more product.
      const d = Float64Array.from(next, (v, i) => v - x[i]);
      const dd = dot(d, d), xd = dot(x, d), xx = dot(x, x);
      const tau = (-xd + Math.sqrt(Math.max(0, xd * xd + dd * (radius * radius - xx)))) / dd;
      axpy(x, tau, d);
      const hx = await hv(x);
      axpy(hx, 1, g);
      return { x, residual: norm(hx), iterations: k + 1 };
    }
    x.set(next);
    phibar = sn * phibar;
    if (phibar <= tol * beta1 || beta === 0) { k++; break; }
  }
  return { x, residual: phibar, iterations: k };
}
