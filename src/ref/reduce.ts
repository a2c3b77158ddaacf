/**
 * Reductions over one axis of a row-major tensor viewed as (outer, R, inner):
 *   sum: out[o, i] = Σ_r x[o, r, i]   mean: sum / R   max: max_r x[o, r, i]
 */
import type { In, Out } from './util.js';

export function reduce(out: Out, x: In, kind: 'sum' | 'mean' | 'max', outer: number, R: number, inner: number): void {
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      let acc = kind === 'max' ? -Infinity : 0;
      for (let r = 0; r < R; r++) {
        const v = x[(o * R + r) * inner + i];
        if (kind === 'max') acc = v > acc || Number.isNaN(v) ? v : acc;
        else acc += v;
      }
      out[o * inner + i] = kind === 'mean' ? acc / R : acc;
    }
  }
}
