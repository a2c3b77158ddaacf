/**
 * The optimizers' fused updates (family optim): step ops, run by the optimizer's step hook over
 * a chunk of the parameter arena, never graph nodes.
 *   optim.{sgd,adagrad,rmsprop,adam}: inputs [grads, blocks, hyper, status], outputs [params, state]
 *   optim.sumsq:    inputs [grads, blocks, hyper], outputs [partials]
 *   optim.finalize: inputs [partials, loss, hyper], outputs [status]
 * `blocks` is a table of rows [first element, offset, group, length], one workgroup each;
 * `state` holds the optimizer's state tensors as planes of L floats (pa, pb, pc: which plane
 * is the kernel's first, second, third state); `status` is [clip scale, skip, flagged step,
 * gradient norm].
 */
import { defineOp } from './schema.js';

/**
 * The hyperparameter table (floats, ROW per row). Row 0 is global; row 1 + g belongs to param
 * group g: raw options (lr, weight decay, p1/p2 = the optimizer's two coefficients, eps, f1/f2 =
 * its flags) and host-computed step scalars d0…d4 (src/optim/optimizers.ts says what each
 * optimizer puts there). The kernels, the float64 path and the optimizers read this one table.
 */
export const HYP = {
  ROW: 16, t: 0, clipValueOn: 1, clipValue: 2, clipNormOn: 3, maxNorm: 4,
  lr: 0, wd: 1, p1: 2, p2: 3, eps: 4, f1: 5, f2: 6, d0: 8, d1: 9, d2: 10, d3: 11, d4: 12,
} as const;

/**
 * Threads of one workgroup of optim.sumsq: each writes one partial sum, so a chunk's `parts`
 * are a multiple of it (one workgroup per SUMSQ_THREADS partials).
 */
export const SUMSQ_THREADS = 64;

export const OPTIM_KINDS = ['sgd', 'adagrad', 'rmsprop', 'adam'] as const;
export type OptimKind = (typeof OPTIM_KINDS)[number];

export interface OptimUpdateAttrs {
  /** Elements updated, rows of the block table, chunk length (the state's plane stride). */
  total: number; nseg: number; L: number;
  pa: number; pb: number; pc: number;
}
export interface OptimSumsqAttrs {
  total: number; nseg: number;
  /** This chunk's partial sums: [base, base + parts) of the partials. */
  base: number; parts: number;
}
export interface OptimFinalizeAttrs {
  /** Partial sums to add. */
  total: number;
  /** 1: skip the update when the loss is not finite. */
  hasLoss: number;
}

const update = <const N extends string>(name: N) => defineOp<N, OptimUpdateAttrs,
  'step'>({ name, kind: 'step', family: 'optim', infer: null });

export const OPTIM_OPS = {
  'optim.sgd': update('optim.sgd'),
  'optim.adagrad': update('optim.adagrad'),
  'optim.rmsprop': update('optim.rmsprop'),
  'optim.adam': update('optim.adam'),
  'optim.sumsq': defineOp<'optim.sumsq', OptimSumsqAttrs,
    'step'>({ name: 'optim.sumsq', kind: 'step', family: 'optim', infer: null }),
  'optim.finalize': defineOp<'optim.finalize', OptimFinalizeAttrs,
    'step'>({ name: 'optim.finalize', kind: 'step', family: 'optim', infer: null }),
};
