/** Reductions (sum, mean, max over one axis) against the float64 reference. */
import { TOL } from '../tolerances.js';
import { checkOp, f32, fmt, kcase, numel } from './common.js';
import type { KernelCase } from './types.js';

const F = 'reduce';
const SHAPES: [number[], number][] = [
  [[1], 0], [[7], 0], [[257], 0], [[3000], 0], [[63, 65], 0], [[63, 65], 1], [[7, 13, 5], 0], [[7, 13, 5], 1],
  [[7, 13, 5], 2], [[3, 1025], 1], [[1025, 3], 0], [[1, 1], 1], [[2, 0, 3], 2], [[2, 0, 3], 1],
];

export const cases: KernelCase[] = (['sum', 'mean', 'max'] as const).map((kind) =>
  kcase(F, `${kind} over one axis`, async (e, r) => {
    for (const [shape, axis] of SHAPES) {
      if (kind === 'max' && shape[axis] === 0) continue;
      const out = shape.filter((_, i) => i !== axis);
      // max: all-negative inputs catch a wrong identity; half-integers make ties.
      const x = kind === 'max' ? r.uniform(numel(shape), -9, -1).map((v) => Math.round(v * 2) / 2) : r.normal(numel(shape));
      const tol = kind === 'max' ? TOL.exact : TOL.reduce;
      await checkOp(e, { op: 'reduce', inputs: [f32(shape, x)], outShapes: [out], attrs: { kind, axis, keepdims: false }, tol, label: `${kind} ${fmt(shape)} axis ${axis}` });
    }
  }));
