/**
 * Sharpness of a minimum as Keskar et al. (2017) and most later work measure it: the largest
 * eigenvalue of the Hessian of the loss, found by Lanczos iterations on Hessian-vector products
 * (H is never formed), stopped when the top Ritz pair's residual ‖Hy − θy‖ is small.
 */
import type { HessianAnalyzer } from './hessian.js';
import { axpy, dot, norm, symmetricEigen } from './linalg.js';

export interface SharpnessOptions {
  /** Krylov dimension at most (default 50). */
  maxIterations?: number;
  /** Stop when the top Ritz residual ≤ tol·|θ| (default 1e-4). */
  tol?: number;
  /** Seed of the start vector. */
  seed?: number;
}

export interface Sharpness {
  /** The largest Ritz value: λmax (from below: Lanczos Ritz values are interior). */
  value: number;
  /** ‖Hy − λy‖ for the Ritz vector y, recomputed with one more product. */
  residual: number;
  iterations: number;
  vector: Float64Array;
}

/** λmax of the Hessian by Lanczos with full reorthogonalisation. */
export async function sharpness(h: HessianAnalyzer, opts: SharpnessOptions = {}): Promise<Sharpness> {
  const n = h.size;
  const m = Math.min(n, opts.maxIterations ?? 50);
  const tol = opts.tol ?? 1e-4;
  let s = (opts.seed ?? 1) >>> 0 || 1;
  const rand = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296) - 0.5;
  let q: Float64Array = Float64Array.from({ length: n }, rand);
  scale(q, 1 / norm(q));
  const Q: Float64Array[] = [];
  const alpha: number[] = [], beta: number[] = [];
  let top: { value: number; y: Float64Array } = { value: NaN, y: new Float64Array(0) };
  for (let k = 0; k < m; k++) {
    Q.push(q);
    const w = await h.hvp(q);
    alpha.push(dot(w, q));
    for (let pass = 0; pass < 2; pass++) for (const qi of Q) axpy(w, -dot(w, qi), qi);
    const b = norm(w);
    const K = alpha.length;
    const T = new Float64Array(K * K);
    for (let i = 0; i < K; i++) {
      T[i * K + i] = alpha[i];
      if (i + 1 < K) T[i * K + i + 1] = T[(i + 1) * K + i] = beta[i];
    }
    const { values, vectors } = symmetricEigen(T, K);
    top = { value: values[K - 1], y: vectors[K - 1] };
    // Ritz residual estimate: β_k · |last component of the Ritz vector in the Krylov basis|.
    if (b * Math.abs(top.y[K - 1]) <= tol * Math.abs(top.value) || b < 1e-300 || k === m - 1) break;
    beta.push(b);
    q = scale(w, 1 / b);
  }
  const v = new Float64Array(n);
  top.y.forEach((c, i) => axpy(v, c, Q[i]));
  scale(v, 1 / norm(v));
  const hv = await h.hvp(v);
  axpy(hv, -top.value, v);
  return { value: top.value, residual: norm(hv), iterations: alpha.length, vector: v };
}

function scale(v: Float64Array, c: number): Float64Array {
  for (let i = 0; i < v.length; i++) v[i] *= c;
  return v;
}
