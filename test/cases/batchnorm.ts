/**
 * The batch-norm state kernels (shaders/batchnorm.wgsl) against the float64 reference: running
 * mean and variance updates (PyTorch's momentum, and momentum=None's cumulative average at several
 * step counts), num_batches_tracked + 1, and batch renormalization's r and d before, during and
 * after the rmax/dmax ramps, with statistics both inside and beyond the limits; and bn_update,
 * the three state updates in place on the variables in one dispatch. Channel counts straddle the
 * 64-thread workgroup.
 */
import { TOL } from '../tolerances.js';
import type { Rng } from '../util/rng.js';
import type { OpInput } from '../util/runop.js';
import { checkOp, f32, i32, kcase } from './common.js';
import type { KernelCase } from './types.js';

const F = 'batchnorm';
const CHANNELS = [1, 7, 64, 65, 300];
const STEPS = [0, 1, 5, 40, 1000];

/** Statistics (3, C) as norm.wgsl leaves them: shift K, offset d (mean = K + d), biased variance v. */
function stats(r: Rng, C: number, spread: number): OpInput {
  const K = r.normal(C, 2);
  const d = r.normal(C, 0.3 * spread);
  const v = r.uniform(C, 0.01, 4 * spread);
  return f32([3, C], Float32Array.from([...K, ...d, ...v]));
}

const tracked = (t: number): OpInput => i32([1], Int32Array.of(t));

export const cases: KernelCase[] = [
  kcase(F, 'running mean and variance (momentum 0.1, 0.9, and None = cumulative)', async (e, r) => {
    for (const C of CHANNELS) {
      for (const momentum of [0.1, 0.9, -1]) {
        for (const t of momentum < 0 ? STEPS : [3]) {
          for (const which of ['mean', 'var'] as const) {
            const running = which === 'mean' ? r.normal(C, 2) : r.uniform(C, 0.1, 3);
            await checkOp(e, {
              op: 'bn_running', inputs: [stats(r, C, 1), f32([C], running), tracked(t)], outShapes: [[C]],
              attrs: { which, momentum, n: 17 }, tol: TOL.bnState, label: `bn_running ${which} C=${C} momentum=${momentum} t=${t}`,
            });
          }
        }
      }
    }
  }),
  kcase(F, 'num_batches_tracked + 1', async (e) => {
    for (const t of [0, 1, 41, 2 ** 30]) {
      await checkOp(e, { op: 'bn_count', inputs: [tracked(t)], outShapes: [[1]], outDtypes: ['i32'], tol: TOL.exact, label: `bn_count t=${t}` });
    }
  }),
  kcase(F, 'batch renorm r and d: warm-up, ramps, clipped and not', async (e, r) => {
    const lim = { rmax: 3, dmax: 5, warmup: 5, rmaxSteps: 20, dmaxSteps: 40 };
    for (const C of CHANNELS) {
      for (const t of [0, 4, 5, 15, 30, 45, 1000]) {
        // spread 1: batch statistics near the running ones (r, d within the limits late in the
        // ramps); spread 30: far from them (clipped).
        for (const spread of [1, 30]) {
          const st = stats(r, C, spread);
          const rm = f32([C], r.normal(C, 2));
          const rv = f32([C], r.uniform(C, 0.5, 2));
          for (const which of ['r', 'd'] as const) {
            await checkOp(e, {
              op: 'bn_renorm', inputs: [st, rm, rv, tracked(t)], outShapes: [[C]],
              attrs: { which, eps: 1e-5, ...lim }, tol: TOL.bnState, label: `bn_renorm ${which} C=${C} t=${t} spread=${spread}`,
            });
          }
        }
      }
    }
  }),
  kcase(F, 'bn_update: running mean, variance and num_batches_tracked in place, as bn_running and bn_count', async (e, r) => {
    for (const C of CHANNELS) {
      for (const momentum of [0.1, -1]) {
        for (const t of momentum < 0 ? [0, 5, 1000] : [3]) {
          await checkOp(e, {
            op: 'bn_update', inputs: [stats(r, C, 1)], outShapes: [[C], [C], [1]], outDtypes: ['f32', 'f32', 'i32'],
            outInit: [r.normal(C, 2), r.uniform(C, 0.1, 3), Int32Array.of(t)],
            attrs: { momentum, n: 17 }, tol: TOL.bnState, label: `bn_update C=${C} momentum=${momentum} t=${t}`,
          });
        }
      }
    }
  }),
];
