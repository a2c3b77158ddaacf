/**
 * Normalization references (float64), written from the math.
 *
 * Geometry. A flat row-major tensor x (n elements) is seen two ways at once:
 *   statistics: as (A, C, S); group c holds the M = A·S elements x[(a·C + c)·S + s]
 *   affine:     as (P, Q, T); element i uses weight w[q] and bias b[q], q = ⌊i / T⌋ mod Q
 * BatchNorm (N, C, *):      stats (N, C, S), affine (N, C, S)   (S = spatial size, 1 for 2-D)
 * LayerNorm over last K:    stats (1, n/K, K), affine (n/K, K, 1)
 * GroupNorm (N, C, *), G:   stats (1, N·G, (C/G)·S), affine (N, C, S)
 * InstanceNorm (N, C, *):   GroupNorm with G = C
 *
 * Statistics are stored shifted, as a (3, C) tensor: row 0 the shift K (the group's first
 * element), row 1 the offset d = mean(x − K), row 2 the biased variance v. The mean is K + d;
 * keeping it as an unevaluated sum lets (x − K) − d stay exact-ish when the mean is large and the
 * variance small. Anything computed from statistics depends on K and d only through K + d.
 *
 *   x̂ = (x − μ) / √(v + ε),   y = x̂ · w[q] + b[q]
 *   backward (batch statistics, ĝ = g · w[q], means over the group):
 *     dx = (ĝ − mean(ĝ) − x̂ · mean(ĝ x̂)) / √(v + ε)
 *   group sums: (Σ ĝ, Σ ĝ x̂) per group; affine grads: dw[q] = Σ g x̂, db[q] = Σ g over q's elements
 */
import type { In, Out } from './util.js';

export interface NormGeom {
  A: number;
  C: number;
  S: number;
  P: number;
  Q: number;
  T: number;
}

/** Flat index of element j (0 ≤ j < A·S) of statistics group c. */
export function groupIndex(g: NormGeom, c: number, j: number): number {
  const a = Math.floor(j / g.S);
  return (a * g.C + c) * g.S + (j - a * g.S);
}

export const affineIndex = (g: NormGeom, i: number): number => Math.floor(i / g.T) % g.Q;
export const statIndex = (g: NormGeom, i: number): number => Math.floor(i / g.S) % g.C;

/** stats (3, C) = (shift, offset, biased variance) of x over each group; two passes in f64. */
export function normStats(out: Out, x: In, g: NormGeom): void {
  const M = g.A * g.S;
  for (let c = 0; c < g.C; c++) {
    const K = M ? x[groupIndex(g, c, 0)] : 0;
    let s = 0;
    for (let j = 0; j < M; j++) s += x[groupIndex(g, c, j)] - K;
    const d = M ? s / M : 0;
    let q = 0;
    for (let j = 0; j < M; j++) q += (x[groupIndex(g, c, j)] - K - d) ** 2;
    out[c] = K;
    out[g.C + c] = d;
    out[2 * g.C + c] = M ? q / M : 0;
  }
}

/** x̂ of element i, from the shifted statistics. */
function xhat(x: In, stats: In, g: NormGeom, i: number, eps: number): number {
  const c = statIndex(g, i);
  return (x[i] - stats[c] - stats[g.C + c]) / Math.sqrt(stats[2 * g.C + c] + eps);
}

/** y = x̂ · w[q] + b[q] (w, b null: 1, 0). */
export function normApply(out: Out, x: In, stats: In, w: In | null, b: In | null, g: NormGeom, eps: number): void {
  for (let i = 0; i < out.length; i++) {
    const q = affineIndex(g, i);
    out[i] = xhat(x, stats, g, i, eps) * (w ? w[q] : 1) + (b ? b[q] : 0);
  }
}

/** (2, C): Σ ĝ and Σ ĝ·x̂ over each statistics group. */
export function normGroupSums(out: Out, x: In, stats: In, w: In | null, gr: In, g: NormGeom, eps: number): void {
  const M = g.A * g.S;
  for (let c = 0; c < g.C; c++) {
    let s0 = 0, s1 = 0;
    for (let j = 0; j < M; j++) {
      const i = groupIndex(g, c, j);
      const gh = gr[i] * (w ? w[affineIndex(g, i)] : 1);
      s0 += gh;
      s1 += gh * xhat(x, stats, g, i, eps);
    }
    out[c] = s0;
    out[g.C + c] = s1;
  }
}

/** dx through the batch statistics: (ĝ − mean ĝ − x̂ · mean(ĝ x̂)) / √(v + ε). */
export function normBackward(out: Out, x: In, stats: In, w: In | null, gr: In, g: NormGeom, eps: number): void {
  const M = g.A * g.S;
  const sums = new Float64Array(2 * g.C);
  normGroupSums(sums, x, stats, w, gr, g, eps);
  for (let c = 0; c < g.C; c++) {
    const r = 1 / Math.sqrt(stats[2 * g.C + c] + eps);
    const m0 = sums[c] / M, m1 = sums[g.C + c] / M;
    for (let j = 0; j < M; j++) {
      const i = groupIndex(g, c, j);
      const gh = gr[i] * (w ? w[affineIndex(g, i)] : 1);
      out[i] = r * (gh - m0 - xhat(x, stats, g, i, eps) * m1);
    }
  }
}

/** dw[q] = Σ g·x̂ ('weight') or db[q] = Σ g ('bias') over the elements using q. */
export function normAffineGrad(out: Out, x: In, stats: In, gr: In, g: NormGeom, eps: number,
  which: 'weight' | 'bias'): void {
  for (let q = 0; q < g.Q; q++) {
    let s = 0;
    for (let p = 0; p < g.P; p++) {
      for (let t = 0; t < g.T; t++) {
        const i = (p * g.Q + q) * g.T + t;
        s += which === 'bias' ? gr[i] : gr[i] * xhat(x, stats, g, i, eps);
      }
    }
    out[q] = s;
  }
}

/** Row `row` of an (R, C) tensor; row −1 means the mean K + d of a statistics tensor. */
export function normRow(out: Out, t: In, row: number, C: number): void {
  for (let c = 0; c < C; c++) out[c] = row < 0 ? t[c] + t[C + c] : t[row * C + c];
}

/** Stack R rows of length C into (R, C). */
export function normStack(out: Out, rows: In[], C: number): void {
  rows.forEach((r, k) => { for (let c = 0; c < C; c++) out[k * C + c] = r[c]; });
}
