/** The float64 references against values worked out by hand (or by closed forms). */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as ew from '../../src/ref/elementwise.js';
import { matmul } from '../../src/ref/matmul.js';
import { reduce } from '../../src/ref/reduce.js';
import * as sm from '../../src/ref/softmax.js';
import * as ce from '../../src/ref/cross_entropy.js';

const near = (got: ArrayLike<number>, want: number[], tol = 1e-12, label = '') => {
  assert.is(got.length, want.length, `${label}: length`);
  for (let i = 0; i < want.length; i++) {
    assert.ok(Math.abs(got[i] - want[i]) <= tol * Math.max(1, Math.abs(want[i])), `${label}[${i}]: ${got[i]} vs ${want[i]}`);
  }
};
const out = (n: number) => new Float64Array(n);

test('unary values, including the tails of gelu and sigmoid', () => {
  const v = (k: string, x: number, a?: number) => ew.unaryValue(k, x, a);
  near([v('relu', -1), v('relu', 2), v('leaky_relu', -2, 0.1), v('leaky_relu', 3, 0.1)], [0, 2, -0.2, 3]);
  // PyTorch: F.gelu(torch.tensor(1.), approximate='tanh') = 0.8411920; the closed form:
  near([v('gelu_tanh', 1)], [0.5 * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * 1.044715))]);
  // PyTorch: F.gelu(torch.tensor(x)) (the exact form) = x·Φ(x); Φ(1) = 0.8413447460685429.
  near([v('gelu', 1), v('gelu', -1), v('gelu', 2)], [0.8413447460685429, -0.15865525393145707, 1.9544997361036416], 1e-14);
  near([ew.erfc(0.5), ew.erfc(3), ew.erfc(5), ew.erfc(-1)], [0.4795001221869535, 2.209049699858544e-5, 1.5374597944280349e-12, 1.8427007929497148], 1e-13);
  near([v('gelu', 0), v('sigmoid', 0), v('tanh', 0), v('exp', 1), v('log', Math.E), v('sqrt', 4), v('abs', -3), v('square', 3), v('neg', 2)],
    [0, 0.5, 0, Math.E, 1, 2, 3, 9, -2]);
  near([v('sigmoid', 1000), v('sigmoid', -1000)], [1, 0]);
  // gelu(−6) = −6·σ(2u): tiny, negative and finite (the tanh form would cancel to 0 or worse).
  const g6 = v('gelu_tanh', -6);
  const u = Math.sqrt(2 / Math.PI) * (-6 - 0.044715 * 216);
  near([g6], [-6 / (1 + Math.exp(-2 * u))], 1e-12);
  assert.ok(g6 < 0 && g6 > -1e-9);
});

test('derivatives: closed forms at chosen points', () => {
  near([ew.unaryDeriv('sigmoid', 0.25), ew.unaryDeriv('tanh', 0.5), ew.unaryDeriv('exp', 3), ew.unaryDeriv('log', 4), ew.unaryDeriv('sqrt', 2)],
    [0.1875, 0.75, 3, 0.25, 0.25]);
  near([ew.unaryDeriv('relu', 0), ew.unaryDeriv('relu', 1), ew.unaryDeriv('leaky_relu', -1, 0.2), ew.unaryDeriv('abs', -2)], [0, 1, 0.2, -1]);
  // gelu'(0) = ½; gelu'' = sech²u·u' + …(terms with a factor x), so gelu''(0) = u'(0) = √(2/π).
  near([ew.unaryDeriv('gelu_tanh', 0), ew.unaryDeriv2('gelu_tanh', 0)], [0.5, Math.sqrt(2 / Math.PI)]);
  // The exact form: gelu' = Φ + xφ, gelu'' = φ(2 − x²); at 0 the two forms agree to second order.
  near([ew.unaryDeriv('gelu', 0), ew.unaryDeriv2('gelu', 0), ew.unaryDeriv('gelu', 1)], [0.5, Math.sqrt(2 / Math.PI), 0.8413447460685429 + 0.24197072451914337]);
  near([ew.unaryDeriv2('sigmoid', 0.25), ew.unaryDeriv2('tanh', 0.5), ew.unaryDeriv2('log', 2), ew.unaryDeriv2('sqrt', 2)], [0.5, -1, -0.25, -0.125]);
});

test('binary with broadcasting, scale, one-hot, broadcast', () => {
  const o = out(6);
  ew.binary(o, [1, 2], [10, 20, 30], 'add', [2, 1], [3], [2, 3]);
  near(o, [11, 21, 31, 12, 22, 32]);
  ew.binary(o, [1, 2, 3, 4, 5, 6], [2], 'div', [2, 3], [1], [2, 3]);
  near(o, [0.5, 1, 1.5, 2, 2.5, 3]);
  ew.binary(o, [1, 5, 3, 4, 2, 6], [3, 3, 3, 3, 3, 3], 'max', [6], [6], [6]);
  near(o, [3, 5, 3, 4, 3, 6]);
  ew.scale(o, [1, 2, 3, 4, 5, 6], -2, 1);
  near(o, [-1, -3, -5, -7, -9, -11]);
  ew.oneHot(o, [2, 0], 3);
  near(o, [0, 0, 1, 1, 0, 0]);
  ew.broadcast(o, [7, 8, 9], [3], [2, 3]);
  near(o, [7, 8, 9, 7, 8, 9]);
});

test('matmul, transposes, batch, bias and activation', () => {
  const A = [1, 2, 3, 4], B = [5, 6, 7, 8];
  const base = { M: 2, N: 2, K: 2, batch: 1, transA: false, transB: false, batchA: false, batchB: false };
  const o = out(4);
  matmul(o, A, B, base);
  near(o, [19, 22, 43, 50]);
  matmul(o, A, B, { ...base, transA: true }); // Aᵀ = [[1,3],[2,4]]
  near(o, [26, 30, 38, 44]);
  matmul(o, A, B, { ...base, transB: true }); // Bᵀ = [[5,7],[6,8]]
  near(o, [17, 23, 39, 53]);
  matmul(o, A, B, { ...base, bias: [-20, 0], act: 'relu' });
  near(o, [0, 22, 23, 50]);
  const ob = out(8);
  matmul(ob, A, [1, 0, 0, 1, 2, 0, 0, 2], { ...base, batch: 2, batchB: true }); // shared A, B = I and 2I
  near(ob, [1, 2, 3, 4, 2, 4, 6, 8]);
});

test('reductions over each axis', () => {
  const x = [1, 2, 3, 4, 5, 6]; // (2, 3)
  const o = out(3);
  reduce(o, x, 'sum', 1, 2, 3);
  near(o, [5, 7, 9]);
  reduce(o, x, 'mean', 2, 3, 1);
  near(o.subarray(0, 2), [2, 5]);
  reduce(o, [-3, -1, -2], 'max', 1, 3, 1);
  near(o.subarray(0, 1), [-1]);
});

test('softmax and log-softmax: closed forms, huge logits, rows of one', () => {
  const o = out(2);
  sm.softmax(o, [0, Math.log(3)], 1, 2);
  near(o, [0.25, 0.75]);
  sm.logSoftmax(o, [0, Math.log(3)], 1, 2);
  near(o, [Math.log(0.25), Math.log(0.75)]);
  sm.softmax(o, [1000, 1000], 1, 2);
  near(o, [0.5, 0.5]);
  sm.softmax(o, [1000, -1000], 2, 1);
  near(o, [1, 1]);
  sm.logSoftmax(o, [-1000, 1000], 1, 2);
  near(o, [-2000, 0]);
  // backward: y = (¼, ¾), g = (1, 0): dx = y ⊙ (g − ¼) = (3/16, −3/16).
  sm.softmaxBackward(o, [0.25, 0.75], [1, 0], 1, 2);
  near(o, [3 / 16, -3 / 16]);
  sm.logSoftmaxBackward(o, [Math.log(0.25), Math.log(0.75)], [1, 0], 1, 2);
  near(o, [0.75, -0.75]);
});

test('cross-entropy: uniform logits give log C; one-hot probabilities equal labels; backward', () => {
  const z = new Array(8).fill(0); // (2, 4)
  const o = out(2);
  ce.crossEntropy(o, z, [1, 3], true, 2, 4, 0, 'mean');
  near(o.subarray(0, 1), [Math.log(4)]);
  ce.crossEntropy(o, z, [1, 3], true, 2, 4, 0.3, 'none');
  near(o, [Math.log(4), Math.log(4)]);
  const zl = [2, 0, -1, 0.5, 0, 0, 3, 1];
  const probs = [1, 0, 0, 0, 0, 0, 0, 1];
  const a = out(1), b = out(1);
  ce.crossEntropy(a, zl, [0, 3], true, 2, 4, 0.1, 'sum');
  ce.crossEntropy(b, zl, probs, false, 2, 4, 0.1, 'sum');
  near(a, [b[0]]);
  const d = out(4);
  ce.crossEntropyBackward(d, [0, 0, 0, 0], [0], [1], true, 1, 4, 0, 'mean');
  near(d, [-0.75, 0.25, 0.25, 0.25]);
  // Probability rows that sum to 2: the gradient is softmax·2 − t.
  ce.crossEntropyBackward(d, [0, 0, 0, 0], [1, 1, 0, 0], [1], false, 1, 4, 0, 'sum');
  near(d, [-0.5, -0.5, 0.5, 0.5]);
});

test('mse forward and backward', () => {
  const o = out(2);
  ce.mse(o, [1, 2], [0, 0], 'mean');
  near(o.subarray(0, 1), [2.5]);
  ce.mse(o, [1, 2], [0, 0], 'sum');
  near(o.subarray(0, 1), [5]);
  ce.mseBackward(o, [1, 2], [0, 0], [1], 'mean');
  near(o, [1, 2]);
  ce.mseBackward(o, [1, 2], [0, 0], [3, -1], 'none');
  near(o, [6, -4]);
});

test.run();
