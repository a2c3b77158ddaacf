/**
 * Lowerings of 2-D pooling onto shaders/pool.wgsl, from launch functions of a geometry (src/ops'
 * PoolGeom, the fields of src/ref/pool.ts's) and views. One variant, one
 * thread per output element: forward passes scan their window, backward passes gather from the
 * windows covering each input element (no atomics), so each is the direct port of the
 * reference and already the natural kernel. Max pooling's backward has a second entry point
 * for windows that do not overlap (2×2 stride 2, as CNNs use it), chosen by the geometry.
 */
import source from '../../shaders/pool.wgsl';
import type { OpCall, View } from '../backend/types.js';
import { poolGeom, type PoolGeom } from '../ops/index.js';
import { groups, kernel, type KernelSpec, type Launch, type LoweringTable } from './spec.js';

/** Adaptive pooling's geometry: x (N, C, H, W) to (OH, OW). */
export interface AdaptiveGeom { N: number; C: number; H: number; W: number; OH: number; OW: number }

const PARAMS = ['P', 'H', 'W', 'OH', 'OW', 'kh', 'kw', 'stride_h', 'stride_w', 'pad_h', 'pad_w', 'dil_h', 'dil_w']
  .concat(['count_include_pad', 'pad0', 'pad1']).map((k) => [k, 'u32'] as const);
const B = ['read', 'read', 'read_write'] as const;
const k = (entry: string): KernelSpec => kernel('pool', source, entry, B, PARAMS);

const POOL = {
  max: k('max_pool2d'), maxBackward: k('max_pool2d_backward'), maxSelect: k('max_pool2d_select'),
  maxBackwardDisjoint: k('max_pool2d_backward_disjoint'),
  avg: k('avg_pool2d'), avgBackward: k('avg_pool2d_backward'),
  adaptive: k('adaptive_avg_pool2d'), adaptiveBackward: k('adaptive_avg_pool2d_backward'),
};

function params(g: PoolGeom | AdaptiveGeom, countIncludePad = true): Record<string, number> {
  const w = 'kH' in g ? g : null;
  return {
    P: g.N * g.C, H: g.H, W: g.W, OH: g.OH, OW: g.OW,
    kh: w?.kH ?? 1, kw: w?.kW ?? 1, stride_h: w?.strideH ?? 1, stride_w: w?.strideW ?? 1,
    pad_h: w?.padH ?? 0, pad_w: w?.padW ?? 0, dil_h: w?.dilH ?? 1, dil_w: w?.dilW ?? 1,
    count_include_pad: Number(countIncludePad), pad0: 0, pad1: 0,
  };
}

const launch = (kernel: KernelSpec, buffers: View[], p: Record<string, number>, n: number): Launch =>
  ({ kernel, buffers, params: p, overrides: { WG: 64 }, workgroups: groups(n, 64) });

/** y = max_pool2d(x). */
export const maxPool2dLaunch = (g: PoolGeom, x: View, y: View): Launch =>
  launch(POOL.max, [x, x, y], params(g), y.length);
/** Windows that do not overlap (stride ≥ the dilated kernel on both axes): each element has one candidate. */
export const disjointWindows = (g: PoolGeom): boolean =>
  g.strideH >= g.dilH * (g.kH - 1) + 1 && g.strideW >= g.dilW * (g.kW - 1) + 1;
/** dx from x and dy (the argmax recomputed from x); a one-window path when the windows do not overlap. */
export function maxPool2dBackwardLaunch(g: PoolGeom, x: View, dy: View, dx: View): Launch {
  if (!disjointWindows(g)) return launch(POOL.maxBackward, [x, dy, dx], params(g), dx.length);
  // One thread per stride_h × stride_w cell of the input (pad0 × pad1 cells per plane).
  const CH = Math.floor((g.H - 1 + g.padH) / g.strideH) + 1;
  const CW = Math.floor((g.W - 1 + g.padW) / g.strideW) + 1;
  return launch(POOL.maxBackwardDisjoint, [x, dy, dx], { ...params(g), pad0: CH, pad1: CW }, g.N * g.C * CH * CW);
}
/** y = avg_pool2d(x) (count_include_pad: PyTorch's default true). */
export const avgPool2dLaunch = (g: PoolGeom, x: View, y: View, countIncludePad = true): Launch =>
  launch(POOL.avg, [x, x, y], params(g, countIncludePad), y.length);
export const avgPool2dBackwardLaunch = (g: PoolGeom, dy: View, dx: View, countIncludePad = true): Launch =>
  launch(POOL.avgBackward, [dy, dy, dx], params(g, countIncludePad), dx.length);
/** y = adaptive_avg_pool2d(x) to (OH, OW). */
export const adaptiveAvgPool2dLaunch = (g: AdaptiveGeom, x: View, y: View): Launch =>
  launch(POOL.adaptive, [x, x, y], params(g), y.length);
export const adaptiveAvgPool2dBackwardLaunch = (g: AdaptiveGeom, dy: View, dx: View): Launch =>
  launch(POOL.adaptiveBackward, [dy, dy, dx], params(g), dx.length);
/** y from x and h (shaped like x): h at each window's argmax of x. */
export const maxPool2dSelectLaunch = (g: PoolGeom, x: View, h: View, y: View): Launch =>
  launch(POOL.maxSelect, [x, h, y], params(g), y.length);

const adaptiveOf = (s: readonly number[], OH: number, OW: number): AdaptiveGeom => ({ N: s[0], C: s[1], H: s[2],
  W: s[3], OH, OW });
const none = (c: { outputs: readonly View[] }) => !c.outputs[0].length;

export const POOL_LOWERINGS = {
  max_pool2d: (c: OpCall<'max_pool2d'>) =>
    none(c) ? [] : [maxPool2dLaunch(poolGeom('max_pool2d', c.inputs[0].shape, c.attrs), c.inputs[0], c.outputs[0])],
  max_pool2d_backward: (c: OpCall<'max_pool2d_backward'>) => none(c) ? [] : [
    maxPool2dBackwardLaunch(poolGeom('max_pool2d backward', c.inputs[0].shape, c.attrs), c.inputs[0], c.inputs[1],
      c.outputs[0]),
  ],
  max_pool2d_select: (c: OpCall<'max_pool2d_select'>) => none(c) ? [] : [
    maxPool2dSelectLaunch(poolGeom('max_pool2d select', c.inputs[0].shape, c.attrs), c.inputs[0], c.inputs[1],
      c.outputs[0]),
  ],
  avg_pool2d: (c: OpCall<'avg_pool2d'>) => none(c) ? [] : [
    avgPool2dLaunch(poolGeom('avg_pool2d', c.inputs[0].shape, c.attrs), c.inputs[0], c.outputs[0],
      c.attrs.countIncludePad),
  ],
  avg_pool2d_backward: (c: OpCall<'avg_pool2d_backward'>) => none(c) ? [] : [
    avgPool2dBackwardLaunch(poolGeom('avg_pool2d backward', c.outputs[0].shape, c.attrs), c.inputs[0], c.outputs[0],
      c.attrs.countIncludePad),
  ],
  adaptive_avg_pool2d: (c: OpCall<'adaptive_avg_pool2d'>) => none(c) ? [] : [
    adaptiveAvgPool2dLaunch(adaptiveOf(c.inputs[0].shape, c.attrs.OH, c.attrs.OW), c.inputs[0], c.outputs[0]),
  ],
  adaptive_avg_pool2d_backward: (c: OpCall<'adaptive_avg_pool2d_backward'>) => none(c) ? [] : [
    adaptiveAvgPool2dBackwardLaunch(adaptiveOf(c.outputs[0].shape, c.attrs.OH, c.attrs.OW), c.inputs[0], c.outputs[0]),
  ],
} satisfies Partial<LoweringTable>;
