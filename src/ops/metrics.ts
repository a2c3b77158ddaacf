/**
 * Classification metrics, so accuracy accumulates on the device: argmax over the last axis,
 * correct (1 where the argmax equals the label) and class_metrics (a batch's weighted loss sum,
 * correct count and sample count). None has a gradient.
 */
import { defineOp, out, type NoAttrs } from './schema.js';

/** inputs [z (N, C)]: int32 (N). */
export const argmax = defineOp({ name: 'argmax', kind: 'kernel', family: 'metrics',
  infer: ([z], _at: NoAttrs) => out([z.shape[0]], 'i32') });
/** inputs [z (N, C), labels (N)]: f32 (N). */
export const correct = defineOp({ name: 'correct', kind: 'kernel', family: 'metrics',
  infer: ([z], _at: NoAttrs) => out([z.shape[0]]) });
/** inputs [loss (N), z (N, C), labels (N), weight (N)]: [Σ w·loss, Σ w·correct, Σ w]. */
export const classMetrics = defineOp({ name: 'class_metrics', kind: 'kernel', family: 'metrics',
  infer: (_i, _at: NoAttrs) => out([3]) });

export const METRICS_OPS = { argmax, correct, class_metrics: classMetrics };
