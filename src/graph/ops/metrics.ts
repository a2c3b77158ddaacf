/**
 * Classification metrics as graph ops, so accuracy accumulates on the device: `argmax` over
 * the last axis (int32 class per row), `correct` (1 where the argmax equals the label) and
 * `classMetrics` (a batch's weighted loss sum, correct count and sample count in one kernel).
 * None is differentiable; no gradient flows through them.
 */
import { ShapeError } from '../../errors.js';
import { OPS } from '../../ops/index.js';
import { Tensor, build } from '../tensor.js';
import { requireF32, sameGraph } from './shape.js';

function checkLogits(op: string, z: Tensor): void {
  requireF32(op, z);
  if (z.rank !== 2 || z.shape[1] < 1)
    throw new ShapeError(`${op}: expected scores of shape (N, C) with C ≥ 1, got ${z}`);
}

/** Scores (N, C) and int32 labels (N). */
function checkLabels(op: string, z: Tensor, labels: Tensor): void {
  checkLogits(op, z);
  if (labels.dtype !== 'i32' || labels.rank !== 1 || labels.shape[0] !== z.shape[0]) {
    throw new ShapeError(`${op}: labels must be int32 of shape [${z.shape[0]}] for scores ${z}, got ${labels}`);
  }
}

/** Index of the first maximum of each row of z (N, C), as int32 (N) (torch.argmax(z, 1)). */
export function argmax(z: Tensor): Tensor {
  checkLogits('argmax', z);
  return build(OPS.argmax, [z], {});
}

/** 1.0 where argmax(z[n]) equals labels[n], else 0.0: z (N, C) f32, labels (N) int32 → (N) f32. */
export function correct(z: Tensor, labels: Tensor): Tensor {
  sameGraph('correct', z, labels);
  checkLabels('correct', z, labels);
  return build(OPS.correct, [z, labels], {});
}

/**
 * A batch's weighted totals in one pass: [Σ w·loss, Σ w·correct, Σ w] (f32, shape [3]) from the
 * per-row losses (N), the scores z (N, C), int32 labels (N) and row weights (N). With a 0/1 mask
 * of real rows as weights: the loss sum, the number of correct predictions, the sample count.
 */
export function classMetrics(loss: Tensor, z: Tensor, labels: Tensor, weight: Tensor): Tensor {
  sameGraph('classMetrics', loss, z, labels, weight);
  checkLabels('classMetrics', z, labels);
  const N = z.shape[0];
  for (const [name, t] of [['loss', loss], ['weight', weight]] as const) {
    requireF32('classMetrics', t);
    if (t.rank !== 1 || t.shape[0] !== N)
      throw new ShapeError(`classMetrics: ${name} must have shape [${N}] for scores ${z}, got ${t}`);
  }
  return build(OPS.class_metrics, [loss, z, labels, weight], {});
}
