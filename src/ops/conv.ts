/**
 * 2-D convolution (NCHW, PyTorch semantics) and its backward ops. src/ref/conv.ts has the
 * formulas. x (N, C, H, W), w (K, C/groups, R, S), bias (K), y (N, K, OH, OW).
 * Padding is given per side (top, bottom, left, right): PyTorch's numbers pad both sides alike,
 * padding='same' puts the odd one at the bottom and right. Kernels see only the top and left
 * padding and OH, OW (the geometry below).
 */
import { ShapeError, fmtShape } from '../errors.js';
import { ACTIVATIONS, type Activation } from './activation.js';
import { defineOp, out, requireF32, type NoAttrs, type Shape, type TensorMeta } from './schema.js';

/** The window of a convolution: stride, padding per side, dilation, groups. */
export interface ConvWindow {
  strideH: number; strideW: number;
  padTop: number; padBottom: number; padLeft: number; padRight: number;
  dilH: number; dilW: number;
  groups: number;
}
export interface Conv2dAttrs extends ConvWindow {
  /** A third input, the bias (K). */
  bias: boolean;
  /** Epilogue activation (after the bias) with its two parameters, as matmul's. */
  act: Activation; alpha: number; beta: number;
}
/** dx (N, C, H, W) from dy and w: the input's size is not implied by dy's. */
export interface Conv2dInputGradAttrs extends ConvWindow { H: number; W: number }
/** dw (K, C/groups, R, S) from x and dy. */
export interface Conv2dWeightGradAttrs extends ConvWindow { R: number; S: number }

/** Everything the kernels and references need (field names as src/ref/conv.ts's Conv2dGeom). */
export interface ConvGeom {
  N: number; C: number; H: number; W: number;
  K: number; R: number; S: number; groups: number;
  strideH: number; strideW: number; padH: number; padW: number; dilH: number; dilW: number;
  OH: number; OW: number;
}

export const WINDOW_KEYS = ['strideH', 'strideW', 'padTop', 'padBottom', 'padLeft', 'padRight', 'dilH', 'dilW',
  'groups'] as const;
export const windowOf = (a: ConvWindow): ConvWindow => Object.fromEntries(WINDOW_KEYS.map((k) => [k,
  a[k]])) as unknown as ConvWindow;

/** PyTorch's output size along one axis. */
export const convOut = (size: number, k: number, stride: number, before: number, after: number, dil: number): number =>
  Math.floor((size + before + after - dil * (k - 1) - 1) / stride) + 1;

/** The geometry of x (N, C, H, W) ⋆ w (K, C/groups, R, S), or a ShapeError naming the op and the shapes. */
export function convGeom(op: string, x: Shape, w: Shape, a: ConvWindow): ConvGeom {
  const fail = (why: string): never => {
    throw new ShapeError(`${op}: ${why} (x ${fmtShape(x)}, weight ${fmtShape(w)})`);
  };
  if (x.length !== 4 || w.length !== 4) fail('x must be (N, C, H, W) and the weight (K, C/groups, R, S)');
  for (const k of WINDOW_KEYS) {
    const v = a[k];
    const min = k.startsWith('pad') ? 0 : 1;
    if (!Number.isInteger(v) || v < min) fail(`${k} must be an integer ≥ ${min}, got ${v}`);
  }
  const [N, C, H, W] = x;
  const [K, Cg, R, S] = w;
  if (C % a.groups || K % a.groups) {
    fail(`in channels ${C} and out channels ${K} must be divisible by groups ${a.groups}`);
  }
  if (Cg * a.groups !== C) fail(`the weight takes ${Cg} channels per group × ${a.groups} groups, x has ${C}`);
  const OH = convOut(H, R, a.strideH, a.padTop, a.padBottom, a.dilH);
  const OW = convOut(W, S, a.strideW, a.padLeft, a.padRight, a.dilW);
  if (R < 1 || S < 1 || OH < 1 || OW < 1) {
    fail(`the kernel ${R}×${S} (dilation ${a.dilH},${a.dilW}) does not fit the padded input ` +
      `${H + a.padTop + a.padBottom}×${W + a.padLeft + a.padRight}: output ${OH}×${OW}`);
  }
  return {
    N, C, H, W, K, R, S, groups: a.groups, strideH: a.strideH, strideW: a.strideW,
    padH: a.padTop, padW: a.padLeft, dilH: a.dilH, dilW: a.dilW, OH, OW,
  };
}

function f32x4(op: string, ...ts: TensorMeta[]): void {
  requireF32(op, ...ts);
  for (const t of ts) if (t.rank !== 4) throw new ShapeError(`${op}: expected a rank-4 tensor, got ${t}`);
}

export const conv2d = defineOp({
  name: 'conv2d', kind: 'kernel', family: 'conv',
  infer([x, w, b], at: Conv2dAttrs) {
    f32x4('conv2d', x, w);
    const g = convGeom('conv2d', x.shape, w.shape, at);
    if (at.bias && (!b || b.rank !== 1 || b.shape[0] !== g.K || b.dtype !== 'f32')) {
      throw new ShapeError(`conv2d: the bias must be a float32 vector of ${g.K}, got ${b}`);
    }
    if (!ACTIVATIONS[at.act]?.epilogue) throw new ShapeError(`conv2d: '${at.act}' is not an epilogue activation`);
    return out([g.N, g.K, g.OH, g.OW]);
  },
});

/** dx = the transposed convolution of dy (N, K, OH, OW) with w: inputs [dy, w]. */
export const conv2dBackwardInput = defineOp({
  name: 'conv2d_backward_input', kind: 'kernel', family: 'conv',
  infer([dy, w], at: Conv2dInputGradAttrs) {
    f32x4('conv2d backward input', dy, w);
    const [N, K] = dy.shape;
    const x = [N, w.shape[1] * at.groups, at.H, at.W];
    const g = convGeom('conv2d backward input', x, w.shape, at);
    if (g.K !== K || g.OH !== dy.shape[2] || g.OW !== dy.shape[3]) {
      throw new ShapeError(`conv2d backward input: dy ${dy} does not match the output ${fmtShape([N, g.K, g.OH,
        g.OW])} of x ${fmtShape(x)}`);
    }
    return out(x);
  },
});

/** dw from x and dy: inputs [x, dy]. */
export const conv2dBackwardWeight = defineOp({
  name: 'conv2d_backward_weight', kind: 'kernel', family: 'conv',
  infer([x, dy], at: Conv2dWeightGradAttrs) {
    f32x4('conv2d backward weight', x, dy);
    const w = [dy.shape[1], x.shape[1] / at.groups, at.R, at.S];
    const g = convGeom('conv2d backward weight', x.shape, w, at);
    if (g.N !== dy.shape[0] || g.OH !== dy.shape[2] || g.OW !== dy.shape[3]) {
      throw new ShapeError(`conv2d backward weight: dy ${dy} does not match the output ${fmtShape([g.N, g.K, g.OH,
        g.OW])} of x ${x}`);
    }
    return out(w);
  },
});

/** db (K) = Σ over n, oh, ow of dy (N, K, OH, OW). */
export const conv2dBackwardBias = defineOp({
  name: 'conv2d_backward_bias', kind: 'kernel', family: 'conv',
  infer([dy], _at: NoAttrs) {
    f32x4('conv2d backward bias', dy);
    return out([dy.shape[1]]);
  },
});

export const CONV_OPS = {
  conv2d, conv2d_backward_input: conv2dBackwardInput, conv2d_backward_weight: conv2dBackwardWeight,
  conv2d_backward_bias: conv2dBackwardBias,
};
