/**
 * Pooling and its backward ops against the float64 reference: max (values on a coarse grid so
 * that windows hold ties, NaN and −∞ planted: exact equality, NaN where the reference has NaN),
 * its backward and its select (the backward's adjoint), average pooling with and without the
 * padding in the divisor and ceil_mode's clipped windows, adaptive pooling (overlapping windows,
 * global, upsampling); odd sizes, stride 2, dilation, batch 1. Attributes and shapes come from
 * the public builders.
 */
import * as slope from '../../src/index.js';
import type { Tensor } from '../../src/index.js';
import { TOL } from '../tolerances.js';
import type { Rng } from '../util/rng.js';
import { checkOp, f32, fmt, kcase, numel } from './common.js';
import type { KernelCase } from './types.js';

const F = 'pool';
type WithAttrs = Tensor & { attrs: Record<string, unknown> };

/** Values on a grid of ½ (ties in most windows), with NaN and −∞ planted when asked. */
function grid(r: Rng, n: number, special: boolean): Float32Array {
  const x = r.uniform(n, -4, 4).map((v) => Math.round(v * 2) / 2);
  if (special && n > 20) {
    x[1] = NaN; x[Math.floor(n / 3)] = NaN; x[n - 2] = NaN; x[Math.floor(n / 2)] = -Infinity;
    for (let i = 5; i < 20; i++) x[i] = -Infinity;
  }
  return x;
}

const MAX: [string, number[], slope.MaxPool2dOptions][] = [
  ['2×2, odd sizes', [2, 3, 7, 9], { kernelSize: 2 }],
  ['3×3 stride 2 padding 1 ceil_mode', [1, 5, 8, 7], { kernelSize: 3, stride: 2, padding: 1, ceilMode: true }],
  ['2×3 stride (3, 2) ceil_mode (last window dropped)', [1, 2, 7, 6], { kernelSize: [2, 3], stride: [3, 2], ceilMode: true }],
  ['3×3 dilation 2 padding 1 stride 1', [2, 3, 7, 8], { kernelSize: 3, stride: 1, padding: 1, dilation: 2 }],
  ['batch 1, global 5×5', [1, 1, 5, 5], { kernelSize: 5 }],
  ['2×2 dilation 2 stride 3 padding 1 (disjoint windows with gaps)', [1, 2, 8, 9], { kernelSize: 2, stride: 3, padding: 1, dilation: 2 }],
  ['2×2 stride 2 padding 1 ceil_mode (disjoint, a clipped last window)', [1, 2, 7, 6], { kernelSize: 2, stride: 2, padding: 1, ceilMode: true }],
];
const AVG: [string, number[], slope.AvgPool2dOptions][] = [
  ['2×2, odd sizes', [2, 3, 7, 9], { kernelSize: 2 }],
  ['3×3 stride 2 padding 1 ceil_mode', [1, 5, 8, 7], { kernelSize: 3, stride: 2, padding: 1, ceilMode: true }],
  ['3×2 stride (2, 3) padding (1, 1) ceil_mode', [1, 3, 6, 8], { kernelSize: [3, 2], stride: [2, 3], padding: [1, 1], ceilMode: true }],
  ['3×3 stride 1 padding 1', [2, 2, 5, 6], { kernelSize: 3, stride: 1, padding: 1 }],
];
const ADAPTIVE: [number[], [number, number]][] = [[[2, 3, 7, 9], [3, 4]], [[2, 5, 5, 5], [1, 1]], [[1, 2, 3, 4], [5, 6]], [[1, 3, 14, 14], [4, 4]]];

export const cases: KernelCase[] = [
  ...MAX.map(([name, xs, o]) => kcase(F, `max ${name}`, async (e, r) => {
    const g = new slope.Graph();
    const xt = g.input('x', xs);
    const y = slope.maxPool2d(xt, o) as WithAttrs;
    for (const special of [false, true]) {
      const x = f32(xs, grid(r, numel(xs), special));
      const label = `max ${name} ${fmt(xs)}${special ? ' with NaN and −∞' : ''}`;
      await checkOp(e, { op: 'max_pool2d', inputs: [x], outShapes: [y.shape], attrs: y.attrs, tol: TOL.exact, label });
      const dy = f32(y.shape, r.uniform(numel(y.shape)));
      await checkOp(e, { op: 'max_pool2d_backward', inputs: [x, dy], outShapes: [xs], attrs: y.attrs, tol: TOL.elementwise, label: `${label} backward` });
      const h = f32(xs, r.uniform(numel(xs)));
      await checkOp(e, { op: 'max_pool2d_select', inputs: [x, h], outShapes: [y.shape], attrs: y.attrs, tol: TOL.exact, label: `${label} select` });
    }
  })),
  ...AVG.map(([name, xs, o]) => kcase(F, `avg ${name}`, async (e, r) => {
    for (const countIncludePad of [true, false]) {
      const g = new slope.Graph();
      const y = slope.avgPool2d(g.input('x', xs), { ...o, countIncludePad }) as WithAttrs;
      const label = `avg ${name} ${fmt(xs)}, count_include_pad ${countIncludePad}`;
      const x = f32(xs, r.uniform(numel(xs)));
      await checkOp(e, { op: 'avg_pool2d', inputs: [x], outShapes: [y.shape], attrs: y.attrs, tol: TOL.reduce, label });
      const dy = f32(y.shape, r.uniform(numel(y.shape)));
      const attrs = { ...y.attrs, H: xs[2], W: xs[3] };
      await checkOp(e, { op: 'avg_pool2d_backward', inputs: [dy], outShapes: [xs], attrs, tol: TOL.reduce, label: `${label} backward` });
    }
  })),
  kcase(F, 'adaptive average: overlapping windows, global, upsampling', async (e, r) => {
    for (const [xs, out] of ADAPTIVE) {
      const g = new slope.Graph();
      const y = slope.adaptiveAvgPool2d(g.input('x', xs), out) as WithAttrs;
      const label = `adaptive ${fmt(xs)} → ${fmt(out)}`;
      await checkOp(e, { op: 'adaptive_avg_pool2d', inputs: [f32(xs, r.uniform(numel(xs)))], outShapes: [y.shape], attrs: y.attrs, tol: TOL.reduce, label });
      const dy = f32(y.shape, r.uniform(numel(y.shape)));
      const attrs = { ...y.attrs, H: xs[2], W: xs[3] };
      await checkOp(e, { op: 'adaptive_avg_pool2d_backward', inputs: [dy], outShapes: [xs], attrs, tol: TOL.reduce, label: `${label} backward` });
    }
  }),
];
