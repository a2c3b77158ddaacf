/**
 * Convolution and pooling builders with PyTorch's arguments (torch.nn.functional's conv2d,
 * max_pool2d, avg_pool2d, adaptive_avg_pool2d), and the backward builders their rules use.
 * Options are resolved here (pairs, 'same' padding); the ops' shape rules check the geometry
 * and name the shapes.
 */
import { ArgumentError, ShapeError } from '../../errors.js';
import {
  OPS, type AdaptiveAttrs, type AvgPoolAttrs, type Conv2dAttrs, type ConvWindow, type PoolWindow,
} from '../../ops/index.js';
import { Tensor, build } from '../tensor.js';
import { sameGraph } from './shape.js';

export type Pair = number | readonly [number, number];

export interface Conv2dOptions {
  stride?: Pair;
  /** Both sides alike (a number or a pair), 'valid' (none), or 'same' (stride 1 only, as in PyTorch). */
  padding?: Pair | 'valid' | 'same';
  dilation?: Pair;
  groups?: number;
}

export interface MaxPool2dOptions {
  kernelSize: Pair;
  /** Default: the kernel size. */
  stride?: Pair | null;
  padding?: Pair;
  dilation?: Pair;
  ceilMode?: boolean;
}

export interface AvgPool2dOptions {
  kernelSize: Pair;
  stride?: Pair | null;
  padding?: Pair;
  ceilMode?: boolean;
  /** PyTorch's default: padding counts in the divisor. */
  countIncludePad?: boolean;
}

/** (h, w) from a number or a pair of integers ≥ `min`, or an ArgumentError naming the option. */
export function pairOf(op: string, name: string, v: Pair, min: number): [number, number] {
  const p: [number, number] = typeof v === 'number' ? [v, v] : Array.isArray(v) && v.length === 2 ? [v[0],
    v[1]] : [NaN, NaN];
  if (!p.every((d) => Number.isInteger(d) && d >= min)) {
    throw new ArgumentError(`${op}: ${name} must be an integer ≥ ${min} or a pair of them, got ${JSON.stringify(v)}`);
  }
  return p;
}

/** The window of conv2d(x, w, …) from PyTorch's options; the weight's kernel size resolves 'same'. */
export function convWindow(op: string, w: readonly number[], o: Conv2dOptions): ConvWindow {
  const [strideH, strideW] = pairOf(op, 'stride', o.stride ?? 1, 1);
  const [dilH, dilW] = pairOf(op, 'dilation', o.dilation ?? 1, 1);
  const groups = o.groups ?? 1;
  if (!Number.isInteger(groups) || groups < 1)
    throw new ArgumentError(`${op}: groups must be an integer ≥ 1, got ${groups}`);
  const p = o.padding ?? 0;
  let pads: [number, number, number, number];
  if (p === 'valid') pads = [0, 0, 0, 0];
  else if (p === 'same') {
    if (strideH !== 1 || strideW !== 1)
      throw new ArgumentError(`${op}: padding='same' is not supported for strided convolutions (stride ` +
        `${strideH},${strideW})`);
    const th = dilH * ((w[2] ?? 1) - 1), tw = dilW * ((w[3] ?? 1) - 1);
    pads = [th >> 1, th - (th >> 1), tw >> 1, tw - (tw >> 1)];
  } else {
    if (typeof p === 'string')
      throw new ArgumentError(`${op}: padding must be a number, a pair, 'valid' or 'same', got '${p}'`);
    const [ph, pw] = pairOf(op, 'padding', p, 0);
    pads = [ph, ph, pw, pw];
  }
  return { strideH, strideW, padTop: pads[0], padBottom: pads[1], padLeft: pads[2], padRight: pads[3], dilH, dilW,
    groups };
}

/** PyTorch's F.conv2d: x (N, C, H, W) ⋆ weight (K, C/groups, R, S) + bias (K) → (N, K, OH, OW). */
export function conv2d(x: Tensor, weight: Tensor, bias?: Tensor | null, opts: Conv2dOptions = {}): Tensor {
  sameGraph('conv2d', x, weight, ...(bias ? [bias] : []));
  const win = convWindow('conv2d', weight.shape, opts);
  const at: Conv2dAttrs = { ...win, bias: !!bias, act: 'none', alpha: 0, beta: 0 };
  return build(OPS.conv2d, bias ? [x, weight, bias] : [x, weight], at);
}

/** dx (N, C, H, W) of a conv2d with window `win` from dy and the weight. */
export function conv2dBackwardInput(dy: Tensor, weight: Tensor, win: ConvWindow, H: number, W: number): Tensor {
  return build(OPS.conv2d_backward_input, [dy, weight], { ...win, H, W });
}

/** dw (K, C/groups, R, S) of a conv2d with window `win` from x and dy. */
export function conv2dBackwardWeight(x: Tensor, dy: Tensor, win: ConvWindow, R: number, S: number): Tensor {
  return build(OPS.conv2d_backward_weight, [x, dy], { ...win, R, S });
}

/** db (K) = Σ over n, oh, ow of dy (N, K, OH, OW). */
export function conv2dBackwardBias(dy: Tensor): Tensor {
  return build(OPS.conv2d_backward_bias, [dy], {});
}

function poolWindow(op: string, o: MaxPool2dOptions, dilation: Pair): PoolWindow {
  if (!o || o.kernelSize === undefined) throw new ArgumentError(`${op}: kernelSize is required`);
  const [kH, kW] = pairOf(op, 'kernelSize', o.kernelSize, 1);
  const [strideH, strideW] = pairOf(op, 'stride', o.stride ?? o.kernelSize, 1);
  const [padH, padW] = pairOf(op, 'padding', o.padding ?? 0, 0);
  const [dilH, dilW] = pairOf(op, 'dilation', dilation, 1);
  return { kH, kW, strideH, strideW, padH, padW, dilH, dilW, ceilMode: !!o.ceilMode };
}

/** PyTorch's F.max_pool2d (ties to the first maximum; NaN propagates). */
export function maxPool2d(x: Tensor, opts: MaxPool2dOptions): Tensor {
  sameGraph('maxPool2d', x);
  return build(OPS.max_pool2d, [x], poolWindow('maxPool2d', opts, opts?.dilation ?? 1));
}

export function maxPool2dBackward(x: Tensor, dy: Tensor, win: PoolWindow): Tensor {
  return build(OPS.max_pool2d_backward, [x, dy], win);
}

export function maxPool2dSelect(x: Tensor, h: Tensor, win: PoolWindow): Tensor {
  return build(OPS.max_pool2d_select, [x, h], win);
}

/** PyTorch's F.avg_pool2d (count_include_pad true by default). */
export function avgPool2d(x: Tensor, opts: AvgPool2dOptions): Tensor {
  sameGraph('avgPool2d', x);
  const at: AvgPoolAttrs = { ...poolWindow('avgPool2d', opts, 1), countIncludePad: opts.countIncludePad ?? true };
  return build(OPS.avg_pool2d, [x], at);
}

export function avgPool2dBackward(dy: Tensor, at: AvgPoolAttrs, H: number, W: number): Tensor {
  return build(OPS.avg_pool2d_backward, [dy], { ...at, H, W });
}

/** PyTorch's F.adaptive_avg_pool2d to `outputSize` (a number or a pair; null keeps that axis). */
export function adaptiveAvgPool2d(x: Tensor, outputSize: number | readonly [number | null, number | null]): Tensor {
  sameGraph('adaptiveAvgPool2d', x);
  if (x.rank !== 4) throw new ShapeError(`adaptiveAvgPool2d: x must be (N, C, H, W), got ${x}`);
  const [oh, ow] = typeof outputSize === 'number' ? [outputSize, outputSize] : outputSize;
  const at: AdaptiveAttrs = { OH: oh ?? x.shape[2], OW: ow ?? x.shape[3] };
  pairOf('adaptiveAvgPool2d', 'outputSize', [at.OH, at.OW], 1);
  return build(OPS.adaptive_avg_pool2d, [x], at);
}

export function adaptiveAvgPool2dBackward(dy: Tensor, H: number, W: number): Tensor {
  return build(OPS.adaptive_avg_pool2d_backward, [dy], { OH: dy.shape[2], OW: dy.shape[3], H, W });
}
