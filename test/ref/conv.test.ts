/**
 * The conv2d references (src/ref/conv.ts): hand values, PyTorch's output sizes on awkward
 * shapes, PyTorch's own values (test/golden/cnn.json from scripts/golden_cnn.py, float64), and
 * the backward references against central differences in float64.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as cv from '../../src/ref/conv.js';
import golden from '../golden/cnn.json';
import { Rng } from '../util/rng.js';
import { expectGrad, f64, fdGrad } from './fd.js';

const near = (got: ArrayLike<number>, want: ArrayLike<number | null>, tol: number, label: string) => {
  assert.is(got.length, want.length, `${label}: length`);
  for (let i = 0; i < want.length; i++) {
    const w = want[i] ?? NaN;
    const ok = Number.isNaN(w) ? Number.isNaN(got[i]) : Math.abs(got[i] - w) <= tol * Math.max(1, Math.abs(w));
    assert.ok(ok, `${label}[${i}]: ${got[i]} vs ${w}`);
  }
};
const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

test('hand values: a 2×2 difference kernel, bias, stride, padding', () => {
  // x = 1…9 in a 3×3 plane; w = [[1, 0], [0, −1]]: y = x[i, j] − x[i+1, j+1] = −4 everywhere.
  const x = [1, 2, 3, 4, 5, 6, 7, 8, 9];
  let g = cv.conv2dGeom([1, 1, 3, 3], [1, 1, 2, 2]);
  const y = new Float64Array(4);
  cv.conv2d(y, x, [1, 0, 0, -1], [0.5], g);
  near(y, [-3.5, -3.5, -3.5, -3.5], 0, 'difference + bias');
  // All-ones 3×3 kernel, padding 1, stride 2: window sums at (0,0), (0,2), (2,0), (2,2).
  g = cv.conv2dGeom([1, 1, 3, 3], [1, 1, 3, 3], { stride: 2, padding: 1 });
  assert.equal([g.OH, g.OW], [2, 2]);
  cv.conv2d(y, x, new Array(9).fill(1), null, g);
  near(y, [1 + 2 + 4 + 5, 2 + 3 + 5 + 6, 4 + 5 + 7 + 8, 5 + 6 + 8 + 9], 0, 'padded window sums');
  // Two groups, one channel each: each output channel sees only its own input channel.
  g = cv.conv2dGeom([1, 2, 1, 2], [2, 1, 1, 1], { groups: 2 });
  const y2 = new Float64Array(4);
  cv.conv2d(y2, [1, 2, 10, 20], [3, -1], null, g);
  near(y2, [3, 6, -10, -20], 0, 'groups');
});

test("output sizes follow PyTorch's formula (odd sizes, stride, padding, dilation, 'same')", () => {
  const cases: [number[], number[], cv.Conv2dOptions, [number, number]][] = [
    [[1, 3, 7, 6], [5, 3, 3, 3], { padding: 1 }, [7, 6]],
    [[2, 3, 9, 8], [4, 3, 3, 2], { stride: 2, padding: [1, 2], dilation: [1, 2] }, [5, 5]], // ⌊(9+2−2−1)/2⌋+1, ⌊(8+4−2−1)/2⌋+1
    [[1, 1, 28, 28], [6, 1, 5, 5], {}, [24, 24]],
    [[1, 1, 5, 5], [1, 1, 3, 3], { stride: 2 }, [2, 2]],
    [[1, 1, 6, 6], [1, 1, 3, 3], { stride: 2, padding: 1 }, [3, 3]],
    [[1, 2, 9, 7], [3, 2, 4, 3], { padding: 'same', dilation: 2 }, [9, 7]],
    [[1, 2, 9, 7], [3, 2, 2, 2], { padding: 'same' }, [9, 7]],
    [[1, 2, 4, 4], [3, 2, 4, 4], { padding: 'valid' }, [1, 1]],
    [[1, 1, 7, 7], [1, 1, 1, 1], { stride: 3 }, [3, 3]],
  ];
  for (const [xs, ws, o, want] of cases) {
    const g = cv.conv2dGeom(xs, ws, o);
    assert.equal([g.OH, g.OW], want, `${JSON.stringify(xs)} ${JSON.stringify(ws)} ${JSON.stringify(o)}`);
  }
  // 'same' with an even total padding puts the extra row and column at the bottom and right.
  const g = cv.conv2dGeom([1, 1, 5, 5], [1, 1, 4, 2], { padding: 'same' });
  assert.equal([g.padH, g.padW], [1, 0]);
});

test('bad geometry is an error naming the shapes', () => {
  assert.throws(() => cv.conv2dGeom([1, 3, 5, 5], [4, 3, 3, 3], { groups: 2 }), /divisible by groups/);
  assert.throws(() => cv.conv2dGeom([1, 4, 5, 5], [4, 3, 3, 3]), /expects 3 input channels/);
  assert.throws(() => cv.conv2dGeom([1, 1, 2, 2], [1, 1, 3, 3]), /larger than the padded input 2×2/);
  assert.throws(() => cv.conv2dGeom([1, 1, 5, 5], [1, 1, 3, 3], { padding: 'same', stride: 2 }), /'same' needs stride 1/);
  assert.throws(() => cv.conv2dGeom([1, 1, 5], [1, 1, 3, 3]), /\(N, C, H, W\)/);
  assert.not.throws(() => cv.conv2dGeom([1, 1, 2, 2], [1, 1, 3, 3], { padding: 1 }));
});

interface ConvGolden {
  name: string; x_shape: number[]; w_shape: number[]; y_shape: number[];
  stride: cv.Pair; padding: cv.Pair | 'same' | 'valid'; dilation: cv.Pair; groups: number;
  x: number[]; w: number[]; b: number[] | null; dy: number[]; y: number[]; dx: number[]; dw: number[]; db: number[] | null;
}

test('PyTorch float64 values: forward, backward to input, weight and bias', () => {
  const cases = (golden as unknown as { conv2d: ConvGolden[] }).conv2d;
  assert.ok(cases.length >= 6);
  for (const c of cases) {
    const g = cv.conv2dGeom(c.x_shape, c.w_shape, { stride: c.stride, padding: c.padding, dilation: c.dilation, groups: c.groups });
    assert.equal([c.x_shape[0], c.w_shape[0], g.OH, g.OW], c.y_shape, `${c.name}: output shape`);
    const y = new Float64Array(size(c.y_shape));
    cv.conv2d(y, c.x, c.w, c.b, g);
    near(y, c.y, 1e-10, `${c.name}: y`);
    const dx = new Float64Array(c.x.length), dw = new Float64Array(c.w.length), db = new Float64Array(c.w_shape[0]);
    cv.conv2dBackwardInput(dx, c.dy, c.w, g);
    cv.conv2dBackwardWeight(dw, c.dy, c.x, g);
    near(dx, c.dx, 1e-10, `${c.name}: dx`);
    near(dw, c.dw, 1e-10, `${c.name}: dw`);
    if (c.db) {
      cv.conv2dBackwardBias(db, c.dy, g);
      near(db, c.db, 1e-10, `${c.name}: db`);
    }
  }
});

/** Awkward geometries for the gradient checks: odd sizes, stride 2, padding, dilation, groups, C and K not multiples of 4, batch 1. */
const FD_CASES: [string, number[], number[], cv.Conv2dOptions][] = [
  ['batch 1, 3×3 padding 1', [1, 3, 5, 7], [5, 3, 3, 3], { padding: 1 }],
  ['stride 2, padding (2, 1), odd sizes', [2, 3, 7, 5], [2, 3, 3, 3], { stride: 2, padding: [2, 1] }],
  ['dilation (2, 1), stride (1, 2)', [1, 2, 7, 6], [3, 2, 2, 3], { dilation: [2, 1], stride: [1, 2] }],
  ['groups 3 (C 6, K 9)', [2, 6, 5, 4], [9, 2, 3, 2], { groups: 3, padding: 1 }],
  ['depthwise, 5 channels', [1, 5, 6, 5], [5, 1, 3, 3], { groups: 5, padding: 1 }],
  ["'same' with a 4×2 kernel", [1, 2, 5, 6], [3, 2, 4, 2], { padding: 'same' }],
  ['kernel as large as the padded input', [1, 2, 3, 3], [2, 2, 5, 4], { padding: 1 }],
];

test('backward references match central differences (float64)', () => {
  const r = new Rng(5);
  for (const [name, xs, ws, o] of FD_CASES) {
    const g = cv.conv2dGeom(xs, ws, o);
    const x = f64(r.uniform(size(xs))), w = f64(r.uniform(size(ws))), b = f64(r.uniform(ws[0]));
    const ny = g.N * g.K * g.OH * g.OW;
    const cot = f64(r.normal(ny));
    const fwd = (xx: Float64Array, ww: Float64Array, bb: Float64Array) => {
      const y = new Float64Array(ny);
      cv.conv2d(y, xx, ww, bb, g);
      return y;
    };
    const dx = new Float64Array(x.length), dw = new Float64Array(w.length), db = new Float64Array(b.length);
    cv.conv2dBackwardInput(dx, cot, w, g);
    cv.conv2dBackwardWeight(dw, cot, x, g);
    cv.conv2dBackwardBias(db, cot, g);
    expectGrad(`${name}: dx`, dx, fdGrad((v) => fwd(v, w, b), x, cot));
    expectGrad(`${name}: dw`, dw, fdGrad((v) => fwd(x, v, b), w, cot));
    expectGrad(`${name}: db`, db, fdGrad((v) => fwd(x, w, v), b, cot));
  }
});

test('flops count multiply-adds of the forward pass', () => {
  const g = cv.conv2dGeom([2, 4, 5, 5], [6, 2, 3, 3], { groups: 2, padding: 1 });
  assert.is(cv.conv2dFlops(g), 2 * 2 * 6 * 25 * 2 * 9);
});

test.run();
