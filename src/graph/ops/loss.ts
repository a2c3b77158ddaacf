/**
 * Losses. crossEntropy fuses log-softmax with the negative log-likelihood (integer class labels
 * or probability targets, optional label smoothing); its backward (softmax − target)/N is one
 * kernel. mseLoss is the mean squared error.
 */
import { ArgumentError, ShapeError } from '../../errors.js';
import { OPS, type Reduction } from '../../ops/index.js';
import { Tensor, build } from '../tensor.js';
import { sameGraph } from './shape.js';
import { noteLabelRange } from './elementwise.js';

export type { Reduction } from '../../ops/index.js';

export interface CrossEntropyOptions {
  /** 'mean' (default, as PyTorch), 'sum' or 'none' (per-row losses). */
  reduction?: Reduction;
  /** ε in [0, 1): targets become (1 − ε)·target + ε/C. */
  labelSmoothing?: number;
}

function checkReduction(op: string, r: string): Reduction {
  if (r !== 'mean' && r !== 'sum' && r !== 'none')
    throw new ArgumentError(`${op}: reduction must be 'mean', 'sum' or 'none', got '${r}'`);
  return r;
}

/** A mean over no elements has no value (PyTorch returns NaN): refuse it when the graph is built. */
function checkNotEmpty(op: string, r: Reduction, x: Tensor): void {
  if (r === 'mean' && x.size === 0) {
    throw new ShapeError(`${op}: the mean over an empty input ${x} is undefined; use reduction 'sum' or 'none', or a ` +
      `non-empty batch`);
  }
}

/**
 * PyTorch's F.cross_entropy(logits, target): logits (N, C); target int32 class indices (N) in
 * [0, C) or float32 probabilities (N, C). Returns the mean over rows by default.
 */
export function crossEntropy(logits: Tensor, target: Tensor, opts: CrossEntropyOptions = {}): Tensor {
  sameGraph('crossEntropy', logits, target);
  const reduction = checkReduction('crossEntropy', opts.reduction ?? 'mean');
  const ls = opts.labelSmoothing ?? 0;
  if (!(ls >= 0 && ls < 1)) throw new ArgumentError(`crossEntropy: labelSmoothing must be in [0, 1), got ${ls}`);
  if (target.dtype === 'i32' && logits.rank === 2) noteLabelRange(target, logits.shape[1]);
  checkNotEmpty('crossEntropy', reduction, logits);
  return build(OPS.cross_entropy, [logits, target], { reduction, smoothing: ls });
}

/**
 * dlogits = (softmax(z)·Σ_c t̃_c − t̃) · s with s = g/N (mean), g (sum) or gₙ per row (none);
 * Σ_c t̃_c = 1 for labels and for probability rows that sum to one.
 */
export function crossEntropyBackward(z: Tensor, t: Tensor, g: Tensor, reduction: Reduction, smoothing: number): Tensor {
  return build(OPS.cross_entropy_backward, [z, t, g], { reduction, smoothing });
}

/** PyTorch's F.mse_loss: mean (or sum, or none) of (input − target)². */
export function mseLoss(input: Tensor, target: Tensor, opts: { reduction?: Reduction } = {}): Tensor {
  sameGraph('mseLoss', input, target);
  const reduction = checkReduction('mseLoss', opts.reduction ?? 'mean');
  checkNotEmpty('mseLoss', reduction, input);
  return build(OPS.mse, [input, target], { reduction });
}

/** d mse / d input = 2 (a − b) · g / n (mean), · g (sum), ⊙ g (none). */
export function mseBackward(a: Tensor, b: Tensor, g: Tensor, reduction: Reduction): Tensor {
  return build(OPS.mse_backward, [a, b, g], { reduction });
}
