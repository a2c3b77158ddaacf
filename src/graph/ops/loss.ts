/**
 * Losses. crossEntropy fuses log-softmax with the negative log-likelihood (integer class labels
 * or probability targets, optional label smoothing); its backward (softmax − target)/N is one
 * kernel. mseLoss is the mean squared error.
 */
import { ArgumentError, ShapeError } from '../../errors.js';
import { defineOp, Tensor } from '../tensor.js';
import { requireF32, sameGraph, sameShape } from './shape.js';
import { mul, noteLabelRange, scale, sub } from './elementwise.js';
import { reshape, sum } from './reduce.js';
import { logSoftmax, softmax, softmaxBackward } from './softmax.js';

export type Reduction = 'mean' | 'sum' | 'none';

export interface CrossEntropyOptions {
  /** 'mean' (default, as PyTorch), 'sum' or 'none' (per-row losses). */
  reduction?: Reduction;
  /** ε in [0, 1): targets become (1 − ε)·target + ε/C. */
  labelSmoothing?: number;
}

function checkReduction(op: string, r: string): Reduction {
  if (r !== 'mean' && r !== 'sum' && r !== 'none') throw new ArgumentError(`${op}: reduction must be 'mean', 'sum' or 'none', got '${r}'`);
  return r;
}

/** A mean over no elements has no value (PyTorch returns NaN): refuse it when the graph is built. */
function checkNotEmpty(op: string, r: Reduction, x: Tensor): void {
  if (r === 'mean' && x.size === 0) {
    throw new ShapeError(`${op}: the mean over an empty input ${x} is undefined; use reduction 'sum' or 'none', or a non-empty batch`);
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
  return logits.graph.node('cross_entropy', [logits, target], { reduction, smoothing: ls });
}

function checkCE(logits: Tensor, target: Tensor) {
  requireF32('crossEntropy', logits);
  if (logits.rank !== 2) throw new ShapeError(`crossEntropy: logits must be (N, C), got ${logits}`);
  const [N] = logits.shape;
  if (target.dtype === 'i32') {
    if (target.rank !== 1 || target.shape[0] !== N) throw new ShapeError(`crossEntropy: labels must be int32 of shape [${N}] for logits ${logits}, got ${target}`);
  } else if (!sameShape(target.shape, logits.shape)) {
    throw new ShapeError(`crossEntropy: probability targets must match logits ${logits}, got ${target}`);
  }
}

defineOp({
  name: 'cross_entropy',
  infer([z, t], attrs) {
    checkCE(z, t);
    return { shape: attrs.reduction === 'none' ? [z.shape[0]] : [], dtype: 'f32' };
  },
  vjp(out, g) {
    const [z, t] = out.inputs;
    const red = out.attrs.reduction as Reduction, eps = out.attrs.smoothing as number;
    // ∂ℓ/∂t_c = (1 − ε)(lse − z_c)·s = −(1 − ε)·log softmax(z)_c·s, for probability targets.
    const gt = t.dtype === 'f32' ? scale(mul(logSoftmax(z), rowScale(g, red, z.shape[0])), -(1 - eps)) : null;
    return [crossEntropyBackward(z, t, g, red, eps), gt];
  },
});

/** The per-row factor s of the loss gradient: gₙ as a column (none), g/N (mean), g (sum). */
function rowScale(g: Tensor, red: Reduction, N: number): Tensor {
  return red === 'none' ? reshape(g, [N, 1]) : red === 'mean' ? scale(g, 1 / N) : g;
}

/**
 * dlogits = (softmax(z)·Σ_c t̃_c − t̃) · s with s = g/N (mean), g (sum) or gₙ per row (none);
 * Σ_c t̃_c = 1 for labels and for probability rows that sum to one.
 */
export function crossEntropyBackward(z: Tensor, t: Tensor, g: Tensor, reduction: Reduction, smoothing: number): Tensor {
  return z.graph.node('cross_entropy_backward', [z, t, g], { reduction, smoothing });
}

defineOp({
  name: 'cross_entropy_backward',
  infer([z, t, g], attrs) {
    checkCE(z, t);
    const want = attrs.reduction === 'none' ? [z.shape[0]] : [];
    if (!sameShape(g.shape, want)) throw new ShapeError(`crossEntropy backward: gradient must have shape [${want}], got ${g}`);
    return { shape: [...z.shape], dtype: 'f32' };
  },
  vjp(out, h) {
    const [z, t, g] = out.inputs;
    const [N, C] = z.shape;
    const red = out.attrs.reduction as Reduction, eps = out.attrs.smoothing as number;
    // out = (p·T − t̃) ⊙ s, p = softmax(z), T = Σ_c t̃_c (1 for labels), s = rowScale(g).
    const s = rowScale(g, red, N);
    const p = softmax(z);
    const T = t.dtype === 'f32' ? sum(scale(t, 1 - eps, eps / C), 1, true) : null;
    const gz = mul(softmaxBackward(p, h), T ? mul(s, T) : s);
    // ∂/∂t_d = (1 − ε)·s·(Σ_c h_c p_c − h_d), for probability targets.
    const gt = T ? scale(mul(sub(sum(mul(h, p), 1, true), h), s), 1 - eps) : null;
    // ∂/∂g: Σ h ⊙ (p·T − t̃) (/N for the mean), i.e. h against the backward with unit gradient.
    const unit = crossEntropyBackward(z, t, z.graph.fill(g.shape, 1), red, eps);
    const hp = mul(h, unit);
    const gg = red === 'none' ? sum(hp, 1) : sum(hp);
    return [gz, gt, gg];
  },
});

/** PyTorch's F.mse_loss: mean (or sum, or none) of (input − target)². */
export function mseLoss(input: Tensor, target: Tensor, opts: { reduction?: Reduction } = {}): Tensor {
  sameGraph('mseLoss', input, target);
  const reduction = checkReduction('mseLoss', opts.reduction ?? 'mean');
  checkNotEmpty('mseLoss', reduction, input);
  return input.graph.node('mse', [input, target], { reduction });
}

defineOp({
  name: 'mse',
  infer([a, b], attrs) {
    requireF32('mseLoss', a, b);
    if (!sameShape(a.shape, b.shape)) throw new ShapeError(`mseLoss: input ${a} and target ${b} differ in shape`);
    return { shape: attrs.reduction === 'none' ? [...a.shape] : [], dtype: 'f32' };
  },
  vjp(out, g) {
    const [a, b] = out.inputs;
    const ga = mseBackward(a, b, g, out.attrs.reduction as Reduction);
    return [ga, scale(ga, -1)];
  },
});

/** d mse / d input = 2 (a − b) · g / n (mean), · g (sum), ⊙ g (none). */
export function mseBackward(a: Tensor, b: Tensor, g: Tensor, reduction: Reduction): Tensor {
  return a.graph.node('mse_backward', [a, b, g], { reduction });
}

defineOp({
  name: 'mse_backward',
  infer([a, b, g], attrs) {
    const want = attrs.reduction === 'none' ? a.shape : [];
    if (!sameShape(g.shape, want)) throw new ShapeError(`mseLoss backward: gradient must have shape [${want}], got ${g}`);
    if (!sameShape(a.shape, b.shape)) throw new ShapeError(`mseLoss backward: ${a} and ${b} differ in shape`);
    return { shape: [...a.shape], dtype: 'f32' };
  },
  vjp(out, h) {
    const [a, b, g] = out.inputs;
    const red = out.attrs.reduction as Reduction;
    // out = 2(a − b) ⊙ g / n: linear in (a − b) and in g.
    const ha = mseBackward(h, b.graph.fill(h.shape, 0), g, red); // 2 h g / n
    const unit = mseBackward(a, b, a.graph.fill(g.shape, 1 / 1), red); // 2 (a − b) / n
    const hu = mul(h, unit);
    return [ha, scale(ha, -1), red === 'none' ? hu : sum(hu)];
  },
});
