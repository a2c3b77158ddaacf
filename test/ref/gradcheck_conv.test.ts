/**
 * The backward rules of convolution and pooling through the graph (grad()) against central
 * differences in float64 on the cpu backend, on awkward geometries; and the rules of their
 * backward ops (second order), so Hessian-vector products through a CNN are right.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cpu, slope } from '../util/engine.js';
import { Rng } from '../util/rng.js';
import { f64, gradcheck, type GcInput } from '../util/gradcheck.js';

const o = slope.ops;
let engine: slope.Engine;
test.before(async () => { engine = await cpu(); });
test.after(() => engine.dispose());

const x = (shape: readonly number[], data: Float64Array, wrt?: boolean): GcInput => ({ shape, data, wrt });
const n = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

const GEOMS: [string, number[], number[], slope.Conv2dOptions][] = [
  ['batch 1, 3×3 padding 1', [1, 3, 5, 6], [5, 3, 3, 3], { padding: 1 }],
  ['stride 2, padding (2, 1), dilation (1, 2)', [2, 3, 7, 6], [2, 3, 3, 2], { stride: 2, padding: [2, 1], dilation: [1, 2] }],
  ['groups 3', [1, 6, 5, 4], [9, 2, 3, 2], { groups: 3, padding: 1 }],
  ["'same' with a 4×2 kernel", [1, 2, 5, 6], [3, 2, 4, 2], { padding: 'same' }],
];

/** Distinct values in a shuffled order, so no window maximum is within ε of a tie. */
function distinct(r: Rng, count: number): Float64Array {
  const a = Float64Array.from({ length: count }, (_, i) => (i - count / 2) / count);
  for (let i = count - 1; i > 0; i--) {
    const j = Math.floor(r.next() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

test('conv2d: input, weight and bias gradients', async () => {
  const r = new Rng(41);
  for (const [name, xs, ws, opts] of GEOMS) {
    await gradcheck(engine, r, `conv2d ${name}`, [x(xs, f64(r, n(xs))), x(ws, f64(r, n(ws))), x([ws[0]], f64(r, ws[0]))],
      (_g, [a, w, b]) => o.conv2d(a, w, b, opts));
  }
});

test('conv2d backward ops (second order): input, weight and bias gradients of the gradients', async () => {
  const r = new Rng(42);
  for (const [name, xs, ws, opts] of GEOMS) {
    const g = new slope.Graph();
    const ys = o.conv2d(g.input('x', xs), g.input('w', ws), null, opts).shape;
    const win = o.convWindow('conv2d', ws, opts);
    await gradcheck(engine, r, `backward input ${name}`, [x(ys, f64(r, n(ys))), x(ws, f64(r, n(ws)))],
      (_g, [dy, w]) => o.conv2dBackwardInput(dy, w, win, xs[2], xs[3]));
    await gradcheck(engine, r, `backward weight ${name}`, [x(xs, f64(r, n(xs))), x(ys, f64(r, n(ys)))],
      (_g, [a, dy]) => o.conv2dBackwardWeight(a, dy, win, ws[2], ws[3]));
    await gradcheck(engine, r, `backward bias ${name}`, [x(ys, f64(r, n(ys)))], (_g, [dy]) => o.conv2dBackwardBias(dy));
  }
});

test('pooling: max (away from ties), average (both divisors, ceil_mode), adaptive', async () => {
  const r = new Rng(43);
  const maxes: [number[], slope.MaxPool2dOptions][] = [
    [[2, 3, 7, 5], { kernelSize: 2 }],
    [[1, 2, 6, 7], { kernelSize: 3, stride: 2, padding: 1, ceilMode: true }],
    [[1, 2, 7, 6], { kernelSize: [3, 2], stride: 1, dilation: 2 }],
  ];
  for (const [xs, opts] of maxes) {
    await gradcheck(engine, r, `max_pool2d ${JSON.stringify(opts)}`, [x(xs, distinct(r, n(xs)))], (_g, [t]) => o.maxPool2d(t, opts));
  }
  for (const countIncludePad of [true, false]) {
    const opts = { kernelSize: 3, stride: 2, padding: 1, ceilMode: true, countIncludePad };
    await gradcheck(engine, r, `avg_pool2d ${JSON.stringify(opts)}`, [x([2, 2, 7, 6], f64(r, 168))], (_g, [t]) => o.avgPool2d(t, opts));
  }
  for (const [xs, out] of [[[1, 2, 7, 9], [3, 4]], [[1, 2, 3, 4], [5, 6]]] as [number[], [number, number]][]) {
    await gradcheck(engine, r, `adaptive ${xs} → ${out}`, [x(xs, f64(r, n(xs)))], (_g, [t]) => o.adaptiveAvgPool2d(t, out));
  }
});

test('pooling backward ops (second order)', async () => {
  const r = new Rng(44);
  const xs = [1, 2, 7, 6];
  const mopts = { kernelSize: 3, stride: 2, padding: 1, ceilMode: true };
  const g = new slope.Graph();
  const ms = o.maxPool2d(g.input('x', xs), mopts) as slope.Tensor & { attrs: slope.AttrsOf<'max_pool2d'> };
  // x fixes the argmax (no gradient flows to it); dy and h are differentiated.
  await gradcheck(engine, r, 'max_pool2d backward', [x(xs, distinct(r, n(xs)), false), x(ms.shape, f64(r, n(ms.shape)))],
    (_g, [a, dy]) => o.maxPool2dBackward(a, dy, ms.attrs));
  await gradcheck(engine, r, 'max_pool2d select', [x(xs, distinct(r, n(xs)), false), x(xs, f64(r, n(xs)))],
    (_g, [a, h]) => o.maxPool2dSelect(a, h, ms.attrs));
  const as = o.avgPool2d(g.input('x2', xs), { ...mopts, countIncludePad: false }) as slope.Tensor & { attrs: slope.AttrsOf<'avg_pool2d'> };
  await gradcheck(engine, r, 'avg_pool2d backward', [x(as.shape, f64(r, n(as.shape)))], (_g, [dy]) => o.avgPool2dBackward(dy, as.attrs, xs[2], xs[3]));
  await gradcheck(engine, r, 'adaptive backward', [x([1, 2, 3, 4], f64(r, 24))], (_g, [dy]) => o.adaptiveAvgPool2dBackward(dy, 7, 9));
});

test('bad geometry is a ShapeError or ArgumentError naming the shapes', () => {
  const g = new slope.Graph();
  const t = g.input('x', [1, 3, 5, 5]);
  assert.throws(() => o.conv2d(t, g.input('w', [4, 3, 7, 7])), /does not fit the padded input 5×5/);
  assert.throws(() => o.conv2d(t, g.input('w2', [4, 2, 3, 3]), null, { groups: 2 }), /divisible by groups 2/);
  assert.throws(() => o.conv2d(t, g.input('w3', [4, 3, 3, 3]), null, { padding: 'same', stride: 2 }), /not supported for strided/);
  assert.throws(() => o.conv2d(t, g.input('w4', [4, 2, 3, 3])), /takes 2 channels per group × 1 groups, x has 3/);
  assert.throws(() => o.conv2d(t, g.input('w5', [4, 3, 3, 3]), g.input('b', [5])), /bias must be a float32 vector of 4/);
  assert.throws(() => o.maxPool2d(t, { kernelSize: 3, padding: 2 }), /at most half the kernel/);
  assert.throws(() => o.maxPool2d(t, { kernelSize: 0 }), /kernelSize must be an integer ≥ 1/);
  assert.throws(() => o.avgPool2d(g.input('s', [1, 1, 2, 2]), { kernelSize: 5 }), /kernel 5×5 is larger than the padded input: output 0×0/);
  assert.throws(() => o.adaptiveAvgPool2d(t, 0), /outputSize/);
});

test.run();
