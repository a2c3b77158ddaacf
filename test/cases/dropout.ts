/**
 * Dropout against the float64 reference: the device draws the reference's Philox bits, so every
 * keep/drop decision must match (inputs away from zero: a dropped element is an exact 0, a kept
 * one x/(1 − p)); sizes not multiples of 4 (a partial last block), seeds and steps with the top
 * bit set, several streams, p = 0 and p = 1.
 */
import { TOL } from '../tolerances.js';
import { checkOp, f32, i32, kcase } from './common.js';
import type { KernelCase } from './types.js';

const F = 'dropout';
const RUNS: [number, number, number, number, number][] = [
  // n, p, seed, step, stream
  [1, 0.5, 0, 0, 0],
  [7, 0.3, 1, 1, 0],
  [1001, 0.1, 0x9e3779b9, 77, 3],
  [65_539, 0.5, 123456789, 4_000_000_000, 1],
  [300, 0.9, 9, 2, 0],
  [13, 1, 9, 2, 0],
  [10, 0, 5, 5, 5],
];

export const cases: KernelCase[] = [
  kcase(F, 'masks bit for bit with the reference', async (e, r) => {
    for (const [n, p, seed, step, stream] of RUNS) {
      const x = f32([n], r.uniform(n, 0.5, 2));
      const rng = i32([2], Int32Array.from([seed | 0, step | 0]));
      await checkOp(e, { op: 'dropout', inputs: [x, rng], outShapes: [[n]], attrs: { p, stream }, tol: TOL.elementwise, label: `dropout n=${n} p=${p} seed=${seed} step=${step} stream=${stream}` });
    }
  }),
];
