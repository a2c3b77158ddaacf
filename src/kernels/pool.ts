/**
 * Launch geometry of 2-D pooling on shaders/pool.wgsl: plain functions from a geometry
 * (src/ref/pool.ts) and views to Launch objects; nothing is registered here. One variant, one
 * thread per output element: forward passes scan their window, backward passes gather from the
 * windows covering each input element (no atomics), so each is the direct port of the
 * reference and already the natural kernel.
 */
import source from '../../shaders/pool.wgsl';
import type { View } from '../backend/types.js';
import type { AdaptiveGeom, Pool2dGeom } from '../ref/pool.js';
import { groups, kernel, type KernelSpec, type Launch } from './spec.js';

const PARAMS = ['P', 'H', 'W', 'OH', 'OW', 'kh', 'kw', 'stride_h', 'stride_w', 'pad_h', 'pad_w', 'dil_h', 'dil_w']
  .concat(['count_include_pad', 'pad0', 'pad1']).map((k) => [k, 'u32'] as const);
const B = ['read', 'read', 'read_write'] as const;
const k = (entry: string): KernelSpec => kernel('pool', source, entry, B, PARAMS);

const POOL = {
  max: k('max_pool2d'), maxBackward: k('max_pool2d_backward'),
  avg: k('avg_pool2d'), avgBackward: k('avg_pool2d_backward'),
  adaptive: k('adaptive_avg_pool2d'), adaptiveBackward: k('adaptive_avg_pool2d_backward'),
};

function params(g: Pool2dGeom | AdaptiveGeom, countIncludePad = true): Record<string, number> {
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
export const maxPool2dLaunch = (g: Pool2dGeom, x: View, y: View): Launch =>
  launch(POOL.max, [x, x, y], params(g), y.length);
/** dx from x and dy (the argmax recomputed from x). */
export const maxPool2dBackwardLaunch = (g: Pool2dGeom, x: View, dy: View, dx: View): Launch =>
  launch(POOL.maxBackward, [x, dy, dx], params(g), dx.length);
/** y = avg_pool2d(x) (count_include_pad: PyTorch's default true). */
export const avgPool2dLaunch = (g: Pool2dGeom, x: View, y: View, countIncludePad = true): Launch =>
  launch(POOL.avg, [x, x, y], params(g, countIncludePad), y.length);
export const avgPool2dBackwardLaunch = (g: Pool2dGeom, dy: View, dx: View, countIncludePad = true): Launch =>
  launch(POOL.avgBackward, [dy, dy, dx], params(g, countIncludePad), dx.length);
/** y = adaptive_avg_pool2d(x) to (OH, OW). */
export const adaptiveAvgPool2dLaunch = (g: AdaptiveGeom, x: View, y: View): Launch =>
  launch(POOL.adaptive, [x, x, y], params(g), y.length);
export const adaptiveAvgPool2dBackwardLaunch = (g: AdaptiveGeom, dy: View, dx: View): Launch =>
  launch(POOL.adaptiveBackward, [dy, dy, dx], params(g), dx.length);
