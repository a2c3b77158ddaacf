/**
 * Batch-norm state (family batchnorm): the running mean and variance after a batch, the
 * num_batches_tracked counter, batch renormalization's r and d, and the planner's in-place
 * update of all three. No gradients flow through them.
 */
import { ShapeError } from '../errors.js';
import { defineOp, out, sameShape, type NoAttrs, type TensorMeta } from './schema.js';
import { checkStats } from './norm.js';
import { isOp, readsVariable, type AssignRule, type InPlaceUpdate, type OpNode } from './fusion.js';

export interface BnRunningAttrs {
  which: 'mean' | 'var';
  /** PyTorch's momentum; −1 for None (a cumulative average over tracked + 1 batches). */
  momentum: number;
  /** Values per channel in the batch (for the unbiased variance). */
  n: number;
}
export interface BnUpdateAttrs { momentum: number; n: number }
export interface BnRenormAttrs {
  which: 'r' | 'd'; eps: number;
  rmax: number; dmax: number; warmup: number; rmaxSteps: number; dmaxSteps: number;
}

function inferState(op: string, inputs: readonly TensorMeta[]): number {
  const [stats, ...rest] = inputs;
  const C = stats.shape[1];
  checkStats(op, stats, C);
  const tracked = rest[rest.length - 1];
  if (tracked.dtype !== 'i32' || tracked.size !== 1)
    throw new ShapeError(`${op}: num_batches_tracked must be an int32 scalar, got ${tracked}`);
  for (const r of rest.slice(0, -1)) if (!sameShape(r.shape,
    [C])) throw new ShapeError(`${op}: running statistics must be [${C}], got ${r}`);
  return C;
}

/** inputs [stats, running, tracked]: the new running mean or unbiased variance. */
export const bnRunning = defineOp({
  name: 'bn_running', kind: 'kernel', family: 'batchnorm',
  infer: (inputs, _a: BnRunningAttrs) => out([inferState('bnRunning', inputs)]),
});

/** inputs [tracked]: tracked + 1. */
export const bnCount = defineOp({
  name: 'bn_count', kind: 'kernel', family: 'batchnorm',
  infer([t], _a: NoAttrs) {
    if (t.dtype !== 'i32' || t.size !== 1) throw new ShapeError(`bnCount: expected an int32 scalar, got ${t}`);
    return out(t.shape, 'i32');
  },
});

/** inputs [stats, running_mean, running_var, tracked]: r or d per channel. */
export const bnRenorm = defineOp({
  name: 'bn_renorm', kind: 'kernel', family: 'batchnorm',
  infer: (inputs, _a: BnRenormAttrs) => out([inferState('bnRenorm', inputs)]),
});

/** bn_running (mean, var) and bn_count in place: inputs [stats]; outputs [running_mean, running_var, tracked]. */
export const bnUpdate = defineOp({
  name: 'bn_update', kind: 'fused', family: 'batchnorm',
  infer: ([stats], _a: BnUpdateAttrs) => [...out([stats.shape[1]]), ...out([stats.shape[1]]), ...out([1], 'i32')],
});

export const BATCHNORM_OPS = { bn_running: bnRunning, bn_count: bnCount, bn_renorm: bnRenorm, bn_update: bnUpdate };

/**
 * BatchNorm's state as its module writes it — running_mean ← bn_running(stats, running_mean,
 * t, 'mean'), running_var ← bn_running(stats, running_var, t, 'var'), t ← bn_count(t) — as one
 * bn_update (three ops and three copies otherwise).
 */
export const BN_UPDATE_RULE: AssignRule = {
  name: 'BatchNorm running statistics',
  find(assigns, taken) {
    const found: InPlaceUpdate<(typeof assigns)[number]['value'], (typeof assigns)[number]['variable']>[] = [];
    const running = (t: OpNode, which: 'mean' | 'var') => isOp(t, bnRunning) && t.attrs.which === which;
    for (const am of assigns) {
      const m = am.value;
      if (taken.has(am) || !isOp(m, bnRunning) || !running(m, 'mean') || !readsVariable(m.inputs[1],
        am.variable)) continue;
      const [stats, , tracked] = m.inputs;
      if (!(tracked.op.kind === 'leaf' && tracked.op.name === 'variable')) continue;
      const count = tracked.ref;
      const av = assigns.find(({ variable, value: v }) => isOp(v, bnRunning)
        && running(v, 'var') && v.inputs[0] === stats && readsVariable(v.inputs[1],
          variable) && readsVariable(v.inputs[2], count)
        && v.attrs.momentum === m.attrs.momentum && v.attrs.n === m.attrs.n);
      const ac = assigns.find(({ variable, value: v }) => variable === count && isOp(v,
        bnCount) && readsVariable(v.inputs[0], count));
      if (!av || !ac) continue;
      found.push({
        op: bnUpdate, reads: stats as typeof m, variables: [am.variable, av.variable, ac.variable],
        attrs: { momentum: m.attrs.momentum, n: m.attrs.n }, assigns: [am, av, ac],
      });
    }
    return found;
  },
};
