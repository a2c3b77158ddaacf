/**
 * The pooling references (src/ref/pool.ts): hand values (ties, NaN, −∞, padding divisors),
 * PyTorch's output sizes with ceil_mode, PyTorch's own float64 values (test/golden/cnn.json),
 * and the backward references against central differences.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as pl from '../../src/ref/pool.js';
import golden from '../golden/cnn.json';
import { Rng } from '../util/rng.js';
import { expectGrad, f64, fdGrad } from './fd.js';

const near = (got: ArrayLike<number>, want: ArrayLike<number | null>, tol: number, label: string) => {
  assert.is(got.length, want.length, `${label}: length`);
  for (let i = 0; i < want.length; i++) {
    const w = want[i] ?? NaN;
    const ok = Number.isNaN(w) ? Number.isNaN(got[i]) : got[i] === w || Math.abs(got[i] - w) <= tol * Math.max(1, Math.abs(w));
    assert.ok(ok, `${label}[${i}]: ${got[i]} vs ${w}`);
  }
};
const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

test('max pool: ties go to the first maximum, NaN wins (the last NaN), all −∞ keeps the first element', () => {
  // PyTorch: F.max_pool2d(x, 2, 1, return_indices=True) on this 3×3 plane gives
  // values [[nan, nan], [nan, 5]] and indices [[3, 1], [3, 7]].
  const x = [1, NaN, 3, NaN, 2, 2, 5, 5, 0];
  const g = pl.pool2dGeom('max', [1, 1, 3, 3], { kernel: 2, stride: 1 });
  const y = new Float64Array(4), idx = new Float64Array(4);
  pl.maxPool2d(y, x, g, idx);
  near(y, [NaN, NaN, NaN, 5], 0, 'values');
  assert.equal(Array.from(idx), [3, 1, 3, 7]);
  // A window of equal values: the first.
  pl.maxPool2d(y.subarray(0, 1), [2, 2, 2, 2], pl.pool2dGeom('max', [1, 1, 2, 2], { kernel: 2 }), idx);
  assert.is(idx[0], 0);
  // −∞ everywhere with padding 1: each window's first in-bounds element (PyTorch: [[0,0,1],[0,0,1],[2,2,3]]).
  const gi = pl.pool2dGeom('max', [1, 1, 2, 2], { kernel: 2, stride: 1, padding: 1 });
  const y9 = new Float64Array(9), i9 = new Float64Array(9);
  pl.maxPool2d(y9, [-Infinity, -Infinity, -Infinity, -Infinity], gi, i9);
  assert.equal(Array.from(i9), [0, 0, 1, 0, 0, 1, 2, 2, 3]);
  assert.ok(Array.from(y9).every((v) => v === -Infinity));
  // The gradient goes to the argmax only.
  const dx = new Float64Array(9);
  pl.maxPool2dBackward(dx, [1, 10, 100, 1000], x, g);
  near(dx, [0, 10, 0, 101, 0, 0, 0, 1000, 0], 0, 'dx');
});

test('avg pool: divisors with and without padding, clipped ceil_mode windows', () => {
  // 3×3 plane 1…9, kernel 2, stride 2, padding 1, ceil_mode off: windows at −1 and 1.
  const x = [1, 2, 3, 4, 5, 6, 7, 8, 9];
  const g = pl.pool2dGeom('avg', [1, 1, 3, 3], { kernel: 2, stride: 2, padding: 1 });
  assert.equal([g.OH, g.OW], [2, 2]);
  const y = new Float64Array(4);
  pl.avgPool2d(y, x, g, true);
  near(y, [1 / 4, (2 + 3) / 4, (4 + 7) / 4, (5 + 6 + 8 + 9) / 4], 1e-15, 'count_include_pad');
  pl.avgPool2d(y, x, g, false);
  near(y, [1, 2.5, 5.5, 7], 1e-15, 'exclude padding');
  // ceil_mode, no padding: 3×3 with kernel 2 stride 2 → 2×2; the last window holds one column.
  const gc = pl.pool2dGeom('avg', [1, 1, 3, 3], { kernel: 2, ceilMode: true });
  assert.equal([gc.OH, gc.OW], [2, 2]);
  pl.avgPool2d(y, x, gc, true);
  // The divisor counts the window clipped to the padded input (here the input): 4, 2, 2, 1.
  near(y, [(1 + 2 + 4 + 5) / 4, (3 + 6) / 2, (7 + 8) / 2, 9], 1e-15, 'ceil_mode');
});

test('adaptive windows: PyTorch index formula', () => {
  assert.equal(pl.adaptiveRange(0, 7, 3), [0, 3]);
  assert.equal(pl.adaptiveRange(1, 7, 3), [2, 5]);
  assert.equal(pl.adaptiveRange(2, 7, 3), [4, 7]);
  assert.equal(pl.adaptiveRange(4, 3, 5), [2, 3]);
  const y = new Float64Array(1);
  pl.adaptiveAvgPool2d(y, [1, 2, 3, 4, 5, 6], pl.adaptiveGeom([1, 1, 2, 3], 1));
  near(y, [3.5], 1e-15, 'global average');
});

test("output sizes: PyTorch's pooling formula with ceil_mode", () => {
  // [H, k, s, p, ceil] → out (from torch 1.13: F.max_pool2d(torch.zeros(1,1,H,H), k, s, p, ceil_mode=…))
  const cases: [number, number, number, number, boolean, number][] = [
    [5, 2, 2, 0, true, 3], [5, 3, 2, 1, true, 3], [6, 3, 2, 1, true, 4], [7, 3, 3, 1, true, 3], [4, 2, 3, 1, true, 2],
    [5, 2, 2, 0, false, 2], [7, 3, 2, 1, false, 4], [28, 2, 2, 0, false, 14], [1, 1, 1, 0, true, 1],
  ];
  for (const [H, k, s, p, ceil, want] of cases) assert.is(pl.poolOutSize(H, k, s, p, 1, ceil), want, `H=${H} k=${k} s=${s} p=${p} ceil=${ceil}`);
});

test('bad geometry is an error naming the shapes', () => {
  assert.throws(() => pl.pool2dGeom('max', [1, 1, 5, 5], { kernel: 3, padding: 2 }), /at most half the kernel/);
  assert.throws(() => pl.pool2dGeom('avg', [1, 1, 2, 2], { kernel: 3 }), /larger than the padded input/);
  assert.throws(() => pl.pool2dGeom('avg', [1, 1, 5, 5], { kernel: 2, dilation: 2 }), /no dilation/);
  assert.throws(() => pl.adaptiveGeom([1, 1, 5, 5], [0, 2]), /≥ 1/);
});

interface PoolGolden {
  kind: 'max' | 'avg'; name: string; x_shape: number[]; y_shape: number[]; kernel: pl.Pair; stride: pl.Pair | null;
  padding: pl.Pair; dilation?: pl.Pair; ceil_mode: boolean; count_include_pad?: boolean; indices?: number[];
  x: (number | null)[]; dy: number[]; y: (number | null)[]; dx: (number | null)[];
}
interface AdaptiveGolden { name: string; x_shape: number[]; out: [number, number]; y_shape: number[]; x: number[]; dy: number[]; y: number[]; dx: number[] }

test('PyTorch float64 values: max and avg pooling (indices, NaN, ties), forward and backward', () => {
  const cases = (golden as unknown as { pool2d: PoolGolden[] }).pool2d;
  assert.ok(cases.length >= 10);
  for (const c of cases) {
    const g = pl.pool2dGeom(c.kind, c.x_shape, { kernel: c.kernel, stride: c.stride ?? undefined, padding: c.padding, dilation: c.dilation, ceilMode: c.ceil_mode });
    assert.equal([c.x_shape[0], c.x_shape[1], g.OH, g.OW], c.y_shape, `${c.name}: output shape`);
    const x = c.x.map((v) => v ?? NaN);
    const y = new Float64Array(size(c.y_shape)), dx = new Float64Array(x.length);
    if (c.kind === 'max') {
      const idx = new Float64Array(y.length);
      pl.maxPool2d(y, x, g, idx);
      assert.equal(Array.from(idx), c.indices, `${c.name}: indices`);
      pl.maxPool2dBackward(dx, c.dy, x, g);
    } else {
      pl.avgPool2d(y, x, g, c.count_include_pad);
      pl.avgPool2dBackward(dx, c.dy, g, c.count_include_pad);
    }
    near(y, c.y, 1e-10, `${c.name}: y`);
    near(dx, c.dx, 1e-10, `${c.name}: dx`);
  }
  const ad = (golden as unknown as { adaptive_avg_pool2d: AdaptiveGolden[] }).adaptive_avg_pool2d;
  for (const c of ad) {
    const g = pl.adaptiveGeom(c.x_shape, c.out);
    const y = new Float64Array(size(c.y_shape)), dx = new Float64Array(c.x.length);
    pl.adaptiveAvgPool2d(y, c.x, g);
    pl.adaptiveAvgPool2dBackward(dx, c.dy, g);
    near(y, c.y, 1e-10, `${c.name}: y`);
    near(dx, c.dx, 1e-10, `${c.name}: dx`);
  }
});

test('backward references match central differences (float64)', () => {
  const r = new Rng(9);
  const geoms: [string, 'max' | 'avg', number[], pl.Pool2dOptions, boolean?][] = [
    ['2×2 stride 2, odd sizes', 'max', [2, 3, 7, 5], { kernel: 2 }],
    ['3×3 stride 2 padding 1 ceil', 'max', [1, 2, 6, 7], { kernel: 3, stride: 2, padding: 1, ceilMode: true }],
    ['3×2 dilation 2 stride 1 (overlapping)', 'max', [1, 3, 7, 6], { kernel: [3, 2], stride: 1, dilation: 2 }],
    ['3×3 stride 2 padding 1 ceil, include pad', 'avg', [2, 3, 7, 6], { kernel: 3, stride: 2, padding: 1, ceilMode: true }, true],
    ['3×3 stride 2 padding 1 ceil, exclude pad', 'avg', [1, 2, 7, 6], { kernel: 3, stride: 2, padding: 1, ceilMode: true }, false],
    ['2×3 stride (1, 2), overlapping', 'avg', [1, 3, 5, 7], { kernel: [2, 3], stride: [1, 2] }, true],
  ];
  for (const [name, kind, xs, o, cip] of geoms) {
    const g = pl.pool2dGeom(kind, xs, o);
    // Distinct values, so no window's maximum is within ε of another element (no kinks).
    const n = size(xs);
    const x = f64(Array.from({ length: n }, (_, i) => i / n));
    for (let i = n - 1; i > 0; i--) { const j = Math.floor(r.next() * (i + 1)); [x[i], x[j]] = [x[j], x[i]]; }
    const ny = g.N * g.C * g.OH * g.OW;
    const cot = f64(r.normal(ny));
    const dx = new Float64Array(n);
    const fwd = (v: Float64Array) => {
      const y = new Float64Array(ny);
      if (kind === 'max') pl.maxPool2d(y, v, g); else pl.avgPool2d(y, v, g, cip);
      return y;
    };
    if (kind === 'max') pl.maxPool2dBackward(dx, cot, x, g); else pl.avgPool2dBackward(dx, cot, g, cip);
    expectGrad(`${kind} ${name}`, dx, fdGrad(fwd, x, cot));
  }
  for (const [xs, out] of [[[2, 3, 7, 9], [3, 4]], [[1, 2, 5, 5], [1, 1]], [[1, 2, 3, 4], [5, 6]], [[1, 1, 6, 6], [4, 4]]] as [number[], [number, number]][]) {
    const g = pl.adaptiveGeom(xs, out);
    const x = f64(r.uniform(size(xs)));
    const ny = g.N * g.C * g.OH * g.OW;
    const cot = f64(r.normal(ny));
    const dx = new Float64Array(x.length);
    pl.adaptiveAvgPool2dBackward(dx, cot, g);
    expectGrad(`adaptive ${xs} → ${out}`, dx, fdGrad((v) => { const y = new Float64Array(ny); pl.adaptiveAvgPool2d(y, v, g); return y; }, x, cot));
  }
});

test.run();
