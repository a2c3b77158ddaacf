/**
 * pool.wgsl dispatched directly (test/kernels/direct.ts) against the float64 references of
 * src/ref/pool.ts: max (ties, NaN, −∞, dilation), average (count_include_pad both ways,
 * ceil_mode's clipped windows) and adaptive average pooling, forward and backward, on awkward
 * shapes. Runs before the op layer registers pooling; it will become case-table rows then.
 */
import { test } from 'uvu';
import type { Engine } from '../../src/index.js';
import { nodeGpu } from '../../src/gpu/node.js';
import * as pl from '../../src/ref/pool.js';
import * as K from '../../src/kernels/pool.js';
import { expectClose } from '../util/close.js';
import { gpu, gpuTest } from '../util/suite.js';
import { Rng } from '../util/rng.js';
import { TOL } from '../tolerances.js';
import { Direct } from './direct.js';

let engine: Engine | null = null;
const open = async () => (engine ??= await gpu({ gpu: nodeGpu(['enable-dawn-features=disable_robustness']) }));
test.after(() => engine?.dispose());

const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

/** Values on a coarse grid, so that windows hold ties; a few NaN and −∞ when asked. */
function input(r: Rng, n: number, special: boolean): Float32Array {
  const x = r.uniform(n, -4, 4).map((v) => Math.round(v * 2) / 2);
  if (special) {
    x[1] = NaN; x[Math.floor(n / 3)] = NaN; x[Math.floor(n / 2)] = -Infinity; x[n - 2] = NaN;
    for (let i = 5; i < Math.min(n, 20); i++) x[i] = -Infinity;
  }
  return x;
}

const MAX: [string, number[], pl.Pool2dOptions][] = [
  ['2×2 stride 2, odd sizes', [2, 3, 7, 9], { kernel: 2 }],
  ['3×3 stride 2 padding 1 ceil_mode', [1, 5, 8, 7], { kernel: 3, stride: 2, padding: 1, ceilMode: true }],
  ['2×3 stride (3, 2) ceil_mode (last window dropped)', [1, 2, 7, 6], { kernel: [2, 3], stride: [3, 2], ceilMode: true }],
  ['3×3 dilation 2 padding 1 stride 1 (overlapping)', [2, 3, 7, 8], { kernel: 3, stride: 1, padding: 1, dilation: 2 }],
  ['batch 1, 1 channel, 5×5 kernel 5 (global)', [1, 1, 5, 5], { kernel: 5 }],
];
const AVG: [string, number[], pl.Pool2dOptions][] = [
  ['2×2 stride 2, odd sizes', [2, 3, 7, 9], { kernel: 2 }],
  ['3×3 stride 2 padding 1 ceil_mode', [1, 5, 8, 7], { kernel: 3, stride: 2, padding: 1, ceilMode: true }],
  ['3×2 stride (2, 3) padding (1, 1) ceil_mode', [1, 3, 6, 8], { kernel: [3, 2], stride: [2, 3], padding: [1, 1], ceilMode: true }],
  ['3×3 stride 1 padding 1 (overlapping)', [2, 2, 5, 6], { kernel: 3, stride: 1, padding: 1 }],
];
const ADAPTIVE: [number[], [number, number]][] = [[[2, 3, 7, 9], [3, 4]], [[2, 5, 5, 5], [1, 1]], [[1, 2, 3, 4], [5, 6]], [[1, 3, 14, 14], [4, 4]]];

gpuTest('max_pool2d forward and backward (ties, NaN, −∞)', async () => {
  const d = new Direct(await open());
  try {
    const r = new Rng(21);
    for (const [name, xs, o] of MAX) {
      for (const special of [false, true]) {
        const g = pl.pool2dGeom('max', xs, o);
        const x = input(r, size(xs), special);
        const ny = g.N * g.C * g.OH * g.OW;
        const dy = r.uniform(ny);
        const yRef = new Float64Array(ny), dxRef = new Float64Array(x.length);
        pl.maxPool2d(yRef, x, g);
        pl.maxPool2dBackward(dxRef, dy, x, g);
        const [xv, dyv, yv, dxv] = [await d.buffer('x', x), await d.buffer('dy', dy), await d.buffer('y', ny), await d.buffer('dx', x.length)];
        await d.run([K.maxPool2dLaunch(g, xv, yv), K.maxPool2dBackwardLaunch(g, xv, dyv, dxv)]);
        const label = `max ${name}${special ? ' with NaN and −∞' : ''}`;
        expectClose(await d.read(yv), yRef, TOL.exact, `${label}: y`);
        expectClose(await d.read(dxv), dxRef, TOL.elementwise, `${label}: dx`);
        d.free();
      }
    }
  } finally {
    d.free();
  }
});

gpuTest('avg_pool2d forward and backward (count_include_pad both ways, ceil_mode)', async () => {
  const d = new Direct(await open());
  try {
    const r = new Rng(22);
    for (const [name, xs, o] of AVG) {
      for (const cip of [true, false]) {
        const g = pl.pool2dGeom('avg', xs, o);
        const x = r.uniform(size(xs));
        const ny = g.N * g.C * g.OH * g.OW;
        const dy = r.uniform(ny);
        const yRef = new Float64Array(ny), dxRef = new Float64Array(x.length);
        pl.avgPool2d(yRef, x, g, cip);
        pl.avgPool2dBackward(dxRef, dy, g, cip);
        const [xv, dyv, yv, dxv] = [await d.buffer('x', x), await d.buffer('dy', dy), await d.buffer('y', ny), await d.buffer('dx', x.length)];
        await d.run([K.avgPool2dLaunch(g, xv, yv, cip), K.avgPool2dBackwardLaunch(g, dyv, dxv, cip)]);
        const label = `avg ${name}, count_include_pad ${cip}`;
        expectClose(await d.read(yv), yRef, TOL.reduce, `${label}: y`);
        expectClose(await d.read(dxv), dxRef, TOL.reduce, `${label}: dx`);
        d.free();
      }
    }
  } finally {
    d.free();
  }
});

gpuTest('adaptive_avg_pool2d forward and backward (overlapping windows, global, upsampling)', async () => {
  const d = new Direct(await open());
  try {
    const r = new Rng(23);
    for (const [xs, out] of ADAPTIVE) {
      const g = pl.adaptiveGeom(xs, out);
      const x = r.uniform(size(xs));
      const ny = g.N * g.C * g.OH * g.OW;
      const dy = r.uniform(ny);
      const yRef = new Float64Array(ny), dxRef = new Float64Array(x.length);
      pl.adaptiveAvgPool2d(yRef, x, g);
      pl.adaptiveAvgPool2dBackward(dxRef, dy, g);
      const [xv, dyv, yv, dxv] = [await d.buffer('x', x), await d.buffer('dy', dy), await d.buffer('y', ny), await d.buffer('dx', x.length)];
      await d.run([K.adaptiveAvgPool2dLaunch(g, xv, yv), K.adaptiveAvgPool2dBackwardLaunch(g, dyv, dxv)]);
      const label = `adaptive ${xs} → ${out}`;
      expectClose(await d.read(yv), yRef, TOL.reduce, `${label}: y`);
      expectClose(await d.read(dxv), dxRef, TOL.reduce, `${label}: dx`);
      d.free();
    }
  } finally {
    d.free();
  }
});

test.run();
