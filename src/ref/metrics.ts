/**
 * Per-row classification metrics, accumulated on the device without a readback:
 *   argmax:  out[n] = the first c with z[n, c] = max_c z[n, c]          z is (N, C)
 *   correct: out[n] = 1 if argmax(z[n, :]) = labels[n], else 0
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
