/**
 * Per-row classification metrics, accumulated on the device without a readback:
 *   argmax:  out[n] = the first c with z[n, c] = max_c z[n, c]          z is (N, C)
 *   correct: out[n] = 1 if argmax(z[n, :]) = labels[n], else 0
 *   classMetrics: out = [Σ w[n]·loss[n], Σ w[n]·correct[n], Σ w[n]]   (a batch's weighted totals)
 * Rows that hold a NaN have no defined answer (the GPU may assume finite values).
 */
import type { In, Out } from './util.js';

/** Index of the first maximum of row n of z (N, C). */
export function argmaxRow(z: In, n: number, C: number): number {
  let best = 0;
  let v = z[n * C];
  for (let c = 1; c < C; c++) {
    const x = z[n * C + c];
    if (x > v) {
      v = x;
      best = c;
    }
  }
  return best;
}

/** out (N) ← argmax over the last axis of z (N, C). */
export function argmax(out: Out, z: In, N: number, C: number): void {
  for (let n = 0; n < N; n++) out[n] = argmaxRow(z, n, C);
}

/** out (N) ← 1 where argmax(z[n]) equals labels[n], else 0. */
export function correct(out: Out, z: In, labels: In, N: number, C: number): void {
  for (let n = 0; n < N; n++) out[n] = argmaxRow(z, n, C) === labels[n] ? 1 : 0;
}

/**
 * out (3) ← the weighted totals of a batch: [Σ w·loss, Σ w·correct, Σ w] over its N rows, where
 * correct[n] is 1 when argmax(z[n]) = labels[n]. With w a 0/1 mask of real rows these are the
 * loss sum, the number of correct predictions and the number of samples.
 */
export function classMetrics(out: Out, loss: In, z: In, labels: In, w: In, N: number, C: number): void {
  let l = 0;
  let k = 0;
  let m = 0;
  for (let n = 0; n < N; n++) {
    l += w[n] * loss[n];
    if (argmaxRow(z, n, C) === labels[n]) k += w[n];
    m += w[n];
  }
  out[0] = l;
  out[1] = k;
  out[2] = m;
}
