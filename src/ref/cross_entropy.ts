/**
 * Cross-entropy of logits z (N, C) against targets, fused with log-softmax:
 *   t̃ = (1 − ε)·t + ε/C  (t = one-hot of the label, or the given probabilities)
 *   ℓₙ = −Σ_c t̃_c · log softmax(zₙ)_c,   reduced by mean over N (default), sum, or none.
 * Backward: ∂/∂zₙ = (softmax(zₙ)·Σ_c t̃ₙ,c − t̃ₙ) · s, s = g/N (mean), g (sum), gₙ (none);
 * Σ_c t̃ₙ,c = 1 for labels and for probability rows that sum to one.
 * MSE: mean (sum, none) of (a − b)²; backward 2(a − b)·g/n.
 */
import type { In, Out } from './util.js';

function target(t: In, labels: boolean, n: number, c: number, C: number, eps: number): number {
  const base = labels ? (t[n] === c ? 1 : 0) : t[n * C + c];
  return (1 - eps) * base + eps / C;
}

/** Per-row losses into rows (N). */
export function crossEntropyRows(rows: Out, z: In, t: In, labels: boolean, N: number, C: number, eps: number): void {
  for (let n = 0; n < N; n++) {
    const o = n * C;
    let m = -Infinity;
    for (let c = 0; c < C; c++) m = Math.max(m, z[o + c]);
    let s = 0;
    for (let c = 0; c < C; c++) s += Math.exp(z[o + c] - m);
    const lse = m + Math.log(s);
    let l = 0;
    for (let c = 0; c < C; c++) {
      const tc = target(t, labels, n, c, C, eps);
      if (tc !== 0) l -= tc * (z[o + c] - lse);
    }
    rows[n] = l;
  }
}

export function crossEntropy(out: Out, z: In, t: In, labels: boolean, N: number, C: number, eps: number,
  reduction: string): void {
  const rows = new Float64Array(N);
  crossEntropyRows(rows, z, t, labels, N, C, eps);
  if (reduction === 'none') {
    for (let n = 0; n < N; n++) out[n] = rows[n];
    return;
  }
  let s = 0;
  for (let n = 0; n < N; n++) s += rows[n];
  out[0] = reduction === 'mean' ? s / N : s;
}

export function crossEntropyBackward(out: Out, z: In, t: In, g: In, labels: boolean, N: number, C: number, eps: number,
  reduction: string): void {
  for (let n = 0; n < N; n++) {
    const o = n * C;
    const s = reduction === 'none' ? g[n] : reduction === 'mean' ? g[0] / N : g[0];
    let m = -Infinity;
    for (let c = 0; c < C; c++) m = Math.max(m, z[o + c]);
    let sum = 0, T = 0;
    for (let c = 0; c < C; c++) {
      sum += Math.exp(z[o + c] - m);
      T += target(t, labels, n, c, C, eps);
    }
    for (let c = 0; c < C; c++) out[o + c] = ((Math.exp(z[o + c] - m) / sum) * T - target(t, labels, n, c, C, eps)) * s;
  }
}

export function mse(out: Out, a: In, b: In, reduction: string): void {
  if (reduction === 'none') {
    for (let i = 0; i < a.length; i++) out[i] = (a[i] - b[i]) ** 2;
    return;
  }
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] - b[i]) ** 2;
  out[0] = reduction === 'mean' ? s / a.length : s;
}

export function mseBackward(out: Out, a: In, b: In, g: In, reduction: string): void {
  const n = a.length;
  for (let i = 0; i < n; i++) {
    const s = reduction === 'none' ? g[i] : reduction === 'mean' ? g[0] / n : g[0];
    out[i] = 2 * (a[i] - b[i]) * s;
  }
}
