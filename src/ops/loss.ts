/**
 * Losses (family cross_entropy): cross-entropy fused with log-softmax (int32 class labels or
 * float32 probability targets, label smoothing), its backward (softmax − target)·s in one op,
 * and the mean squared error with its backward.
 */
import { ShapeError } from '../errors.js';
import { defineOp, out, requireF32, sameShape, type TensorMeta } from './schema.js';

export type Reduction = 'mean' | 'sum' | 'none';
export interface CrossEntropyAttrs { reduction: Reduction; smoothing: number }
export interface MseAttrs { reduction: Reduction }

function checkCE(logits: TensorMeta, target: TensorMeta): void {
  requireF32('crossEntropy', logits);
  if (logits.rank !== 2) throw new ShapeError(`crossEntropy: logits must be (N, C), got ${logits}`);
  const [N] = logits.shape;
  if (target.dtype === 'i32') {
    if (target.rank !== 1 || target.shape[0] !== N) {
      throw new ShapeError(`crossEntropy: labels must be int32 of shape [${N}] for logits ${logits}, got ${target}`);
    }
  } else if (!sameShape(target.shape, logits.shape)) {
    throw new ShapeError(`crossEntropy: probability targets must match logits ${logits}, got ${target}`);
  }
}

/** inputs [logits (N, C), target]: the loss, [N] for 'none' else a scalar. */
export const crossEntropy = defineOp({
  name: 'cross_entropy', kind: 'kernel', family: 'cross_entropy',
  infer([z, t], at: CrossEntropyAttrs) {
    checkCE(z, t);
    return out(at.reduction === 'none' ? [z.shape[0]] : []);
  },
});

/** inputs [logits, target, g]: d loss / d logits. */
export const crossEntropyBackward = defineOp({
  name: 'cross_entropy_backward', kind: 'kernel', family: 'cross_entropy',
  infer([z, t, g], at: CrossEntropyAttrs) {
    checkCE(z, t);
    const want = at.reduction === 'none' ? [z.shape[0]] : [];
    if (!sameShape(g.shape,
      want)) throw new ShapeError(`crossEntropy backward: gradient must have shape [${want}], got ${g}`);
    return out(z.shape);
  },
});

/** inputs [input, target]: mean (or sum, or none) of (input − target)². */
export const mse = defineOp({
  name: 'mse', kind: 'kernel', family: 'cross_entropy',
  infer([a, b], at: MseAttrs) {
    requireF32('mseLoss', a, b);
    if (!sameShape(a.shape, b.shape)) throw new ShapeError(`mseLoss: input ${a} and target ${b} differ in shape`);
    return out(at.reduction === 'none' ? a.shape : []);
  },
});

/** inputs [input, target, g]: 2(a − b)·g / n (mean), ·g (sum), ⊙g (none). */
export const mseBackward = defineOp({
  name: 'mse_backward', kind: 'kernel', family: 'cross_entropy',
  infer([a, b, g], at: MseAttrs) {
    const want = at.reduction === 'none' ? a.shape : [];
    if (!sameShape(g.shape,
      want)) throw new ShapeError(`mseLoss backward: gradient must have shape [${want}], got ${g}`);
    if (!sameShape(a.shape, b.shape)) throw new ShapeError(`mseLoss backward: ${a} and ${b} differ in shape`);
    return out(a.shape);
  },
});

export const LOSS_OPS = {
  cross_entropy: crossEntropy, cross_entropy_backward: crossEntropyBackward, mse, mse_backward: mseBackward,
};
