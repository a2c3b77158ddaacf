/**
 * Classification metrics against the float64 reference: argmax and correct per row, and
 * class_metrics (a batch's weighted loss sum, correct count and sample count, one workgroup).
 * Scores rounded to integers make ties (the first maximum wins, as torch.argmax); batch lengths
 * straddle the 256-thread workgroup of class_metrics, and weights are a padded 0/1 mask or general.
 */
import { TOL } from '../tolerances.js';
import type { Rng } from '../util/rng.js';
import { checkOp, f32, i32, kcase } from './common.js';
import type { KernelCase } from './types.js';

const F = 'metrics';
const SHAPES: [number, number][] = [[1, 1], [7, 2], [7, 3], [65, 10], [256, 10], [257, 10], [300, 257], [1000, 3], [3001, 17]];

function scores(r: Rng, N: number, C: number, ties: boolean): Float32Array {
  const z = r.normal(N * C, 3);
  if (ties) for (let i = 0; i < z.length; i++) z[i] = Math.round(z[i] / 2);
  return z;
}

export const cases: KernelCase[] = [
  kcase(F, 'argmax and correct per row', async (e, r) => {
    for (const [N, C] of SHAPES) {
      for (const ties of [false, true]) {
        const z = f32([N, C], scores(r, N, C, ties));
        const labels = i32([N], r.ints(N, C));
        const label = `N=${N} C=${C}${ties ? ' ties' : ''}`;
        await checkOp(e, { op: 'argmax', inputs: [z], outShapes: [[N]], outDtypes: ['i32'], tol: TOL.exact, label: `argmax ${label}` });
        await checkOp(e, { op: 'correct', inputs: [z, labels], outShapes: [[N]], tol: TOL.exact, label: `correct ${label}` });
      }
    }
  }),
  kcase(F, 'class_metrics: weighted loss sum, correct count, sample count', async (e, r) => {
    for (const [N, C] of SHAPES) {
      for (const ties of [false, true]) {
        const z = f32([N, C], scores(r, N, C, ties));
        const labels = i32([N], r.ints(N, C));
        const loss = f32([N], r.uniform(N, 0, 5));
        // The trainer's 0/1 mask with a padded tail, and general weights.
        const mask = Float32Array.from({ length: N }, (_, n) => (n < N - (N >> 3) ? 1 : 0));
        for (const [kind, w] of [['mask', mask], ['weights', r.uniform(N, 0, 2)]] as const) {
          await checkOp(e, { op: 'class_metrics', inputs: [loss, z, labels, f32([N], w)], outShapes: [[3]], tol: TOL.reduce, label: `class_metrics N=${N} C=${C}${ties ? ' ties' : ''} ${kind}` });
        }
      }
    }
  }),
];
