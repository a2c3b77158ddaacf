/**
 * Softmax and log-softmax (row-wise, last axis) and their backward kernels against the float64
 * reference: odd row lengths, rows of one element, outlier logits, and logits of ±1000 and 100
 * (the max subtraction must keep every result finite).
 */
import { TOL } from '../tolerances.js';
import type { Rng } from '../util/rng.js';
import { checkOp, f32, fmt, kcase, numel, reference } from './common.js';
import type { KernelCase } from './types.js';

const F = 'softmax';
const SHAPES = [[1, 1], [7, 1], [1, 7], [5, 7], [63, 65], [3, 257], [2, 1000], [300, 10], [4, 3, 5]];

/** Normal logits ×3 with a few ×20 outliers, so probabilities are far from uniform. */
export function logits(r: Rng, n: number): Float32Array {
  const x = r.normal(n, 3);
  for (let i = 0; i < n; i += 7) x[i] *= 7;
  return x;
}

/** Rows that overflow exp without the max subtraction, and rows of equal logits. */
export const EXTREME_ROWS: number[][] = [
  [1000, -1000, 0, 3], [-1000, -1000, -1000, -1000], [1000, 1000, 999.5, -5], [100, 100, 100, 100], [100, 0, -100, 50],
];

const OPS = [['softmax', 'softmax_backward'], ['log_softmax', 'log_softmax_backward']] as const;

export const cases: KernelCase[] = OPS.flatMap(([fwd, bwd]) => [
  kcase(F, `${fwd} forward`, async (e, r) => {
    for (const s of SHAPES) {
      await checkOp(e, { op: fwd, inputs: [f32(s, logits(r, numel(s)))], outShapes: [s], tol: TOL.softmax, label: `${fwd} ${fmt(s)}` });
    }
  }),
  kcase(F, `${fwd} of logits ±1000, 100, and single-element rows`, async (e) => {
    const s = [EXTREME_ROWS.length, 4];
    await checkOp(e, { op: fwd, inputs: [f32(s, Float32Array.from(EXTREME_ROWS.flat()))], outShapes: [s], tol: TOL.softmax, label: `${fwd} extremes` });
    const one = [3, 1];
    await checkOp(e, { op: fwd, inputs: [f32(one, Float32Array.from([1000, -1000, 0]))], outShapes: [one], tol: TOL.exact, label: `${fwd} rows of one` });
  }),
  kcase(F, `${bwd}`, async (e, r) => {
    // Logits of unit scale: with one dominant probability, y ⊙ (g − Σ g y) cancels to values far
    // below the inputs' rounding, and no relative criterion is meaningful.
    for (const s of [...SHAPES, [EXTREME_ROWS.length, 4]]) {
      const x = s[1] === 4 && s[0] === EXTREME_ROWS.length ? Float32Array.from(EXTREME_ROWS.flat()) : r.normal(numel(s));
      const [y] = await reference(fwd, [f32(s, x)], [s]);
      const inputs = [f32(s, Float32Array.from(y)), f32(s, r.normal(numel(s)))];
      await checkOp(e, { op: bwd, inputs, outShapes: [s], tol: TOL.softmax, label: `${bwd} ${fmt(s)}` });
    }
  }),
]);
