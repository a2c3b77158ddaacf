/**
 * Every backward rule (each op's vjp, written in IR ops) against central finite differences in
 * float64 on the cpu backend, including the vjps of the backward ops themselves (second order).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cpu, slope } from '../util/engine.js';
import { Rng } from '../util/rng.js';
import { f64, gradcheck, type GcInput } from '../util/gradcheck.js';
import { ACTIVATIONS } from '../../src/ops/index.js';

const o = slope.ops;
const UNARY = slope.UNARY_KINDS;
const FROM_OUTPUT = new Set(UNARY.filter((k) => ACTIVATIONS[k].deriv === 'output'));

/** Inputs inside each function's domain, away from kinks by more than ε. */
function domain(kind: string, r: Rng, n: number): Float64Array {
  if (kind === 'log' || kind === 'sqrt') return f64(r, n, 0.3, 3);
  return f64(r, n, -2.5, 2.5, 0.05);
}

/** Where unary_grad's t lives: the op's output for relu, sigmoid, tanh, exp, sqrt. */
function derivDomain(kind: string, r: Rng, n: number): Float64Array {
  switch (kind) {
    case 'relu': return f64(r, n, -2, 2, 0.05);
    case 'sigmoid': return f64(r, n, 0.05, 0.95);
    case 'tanh': return f64(r, n, -0.95, 0.95);
    case 'exp': case 'sqrt': case 'log': return f64(r, n, 0.3, 3);
    default: return domain(kind, r, n);
  }
}

let engine: slope.Engine;
test.before(async () => { engine = await cpu(); });
test.after(() => engine.dispose());

const x = (shape: number[], data: Float64Array | Int32Array, wrt?: boolean): GcInput => ({ shape, data, wrt });

test('binary ops with broadcasting (add, sub, mul, div, max, min)', async () => {
  const r = new Rng(11);
  const pairs: [number[], number[]][] = [[[3, 4], [3, 4]], [[3, 4], [4]], [[3, 1], [1, 4]], [[2, 3, 4], [3, 1]], [[4], []]];
  for (const kind of ['add', 'sub', 'mul', 'div', 'max', 'min'] as const) {
    for (const [sa, sb] of pairs) {
      const na = sa.reduce((a, d) => a * d, 1), nb = sb.reduce((a, d) => a * d, 1);
      const b = kind === 'div' ? f64(r, nb, 0.5, 2) : f64(r, nb);
      await gradcheck(engine, r, `${kind} ${sa}∘${sb}`, [x(sa, f64(r, na)), x(sb, b)], (_g, [p, q]) => o[kind === 'max' ? 'maximum' : kind === 'min' ? 'minimum' : kind](p, q));
    }
  }
});

test('unary activations', async () => {
  const r = new Rng(12);
  for (const kind of UNARY) {
    await gradcheck(engine, r, kind, [x([3, 5], domain(kind, r, 15))], (_g, [t]) => o.unary(kind, t, { alpha: 0.07 }));
  }
});

test('unary_grad (second order: its vjp uses unary_deriv2)', async () => {
  const r = new Rng(13);
  for (const kind of UNARY) {
    const t = derivDomain(kind, r, 12);
    await gradcheck(engine, r, `${kind}'`, [x([12], t), x([12], f64(r, 12))], (_g, [a, b]) => o.unaryGrad(a, b, o.unaryAttrs(kind, { alpha: 0.07 })));
  }
  assert.ok(FROM_OUTPUT.has('relu'));
});

test('unary_deriv2 has no backward rule and says so', async () => {
  const g = new slope.Graph();
  const t = g.input('t', [3]);
  const d = o.unaryDeriv2(t, o.unaryAttrs('gelu'));
  assert.throws(() => slope.grad(o.sum(d), [t]), /third derivatives/);
});

test('scale, broadcastTo, reshape, copy', async () => {
  const r = new Rng(14);
  await gradcheck(engine, r, 'scale', [x([7], f64(r, 7))], (_g, [t]) => o.scale(t, -1.7, 0.3));
  await gradcheck(engine, r, 'broadcast row', [x([4], f64(r, 4))], (_g, [t]) => o.broadcastTo(t, [3, 4]));
  await gradcheck(engine, r, 'broadcast column', [x([3, 1], f64(r, 3))], (_g, [t]) => o.broadcastTo(t, [2, 3, 4]));
  await gradcheck(engine, r, 'reshape', [x([2, 6], f64(r, 12))], (_g, [t]) => o.mul(o.reshape(t, [3, 4]), o.reshape(t, [3, 4])));
  await gradcheck(engine, r, 'copy', [x([5], f64(r, 5))], (_g, [t]) => o.square(o.copy(t)));
});

test('reductions: sum, mean, max over each axis, with and without keepdims', async () => {
  const r = new Rng(15);
  for (const kind of ['sum', 'mean', 'max'] as const) {
    for (const axis of [0, 1, 2, -1]) {
      for (const keep of [false, true]) {
        // Distinct values, so the max is unique and ε moves no element past another.
        const data = Float64Array.from({ length: 24 }, (_, i) => ((i * 7) % 24) * 0.1 + 0.01 * r.next());
        await gradcheck(engine, r, `${kind} axis ${axis} keepdims ${keep}`, [x([2, 3, 4], data)], (_g, [t]) => o[kind](t, axis, keep));
      }
    }
    await gradcheck(engine, r, `${kind} of all`, [x([3, 4], f64(r, 12))], (_g, [t]) => o[kind](t));
  }
});

test('max with ties splits the gradient evenly (torch.amax)', async () => {
  const g = new slope.Graph();
  const t = g.input('t', [4]);
  const [dt] = slope.grad(o.max(t), [t]);
  const p = await engine.compile(g, { outputs: { dt } });
  await p.run({ t: [1, 3, 3, 2] });
  assert.equal(Array.from(await p.read('dt')), [0, 0.5, 0.5, 0]);
});

test('matmul: every transpose combination, batched, shared operands', async () => {
  const r = new Rng(16);
  const M = 3, K = 4, N = 2;
  for (const [tA, tB] of [[false, false], [true, false], [false, true], [true, true]]) {
    for (const [ba, bb] of [[0, 0], [2, 2], [2, 0], [0, 2]]) {
      const sa = [...(ba ? [ba] : []), ...(tA ? [K, M] : [M, K])];
      const sb = [...(bb ? [bb] : []), ...(tB ? [N, K] : [K, N])];
      await gradcheck(engine, r, `matmul ${sa}${tA ? 'ᵀ' : ''}·${sb}${tB ? 'ᵀ' : ''}`,
        [x(sa, f64(r, (ba || 1) * M * K)), x(sb, f64(r, (bb || 1) * K * N))], (_g, [a, b]) => o.matmul(a, b, { transA: tA, transB: tB }));
    }
  }
  await gradcheck(engine, r, 'linear', [x([5, 4], f64(r, 20)), x([3, 4], f64(r, 12)), x([3], f64(r, 3))], (_g, [a, w, b]) => o.linear(a, w, b));
});

test('softmax and log-softmax, forward and backward ops', async () => {
  const r = new Rng(17);
  for (const s of [[4, 5], [2, 3, 4], [3, 1]]) {
    const n = s.reduce((a, d) => a * d, 1);
    await gradcheck(engine, r, `softmax ${s}`, [x(s, f64(r, n, -3, 3))], (_g, [t]) => o.softmax(t));
    await gradcheck(engine, r, `logSoftmax ${s}`, [x(s, f64(r, n, -3, 3))], (_g, [t]) => o.logSoftmax(t));
    await gradcheck(engine, r, `softmaxBackward ${s}`, [x(s, f64(r, n, 0, 1)), x(s, f64(r, n))], (_g, [y, g]) => o.softmaxBackward(y, g));
    await gradcheck(engine, r, `logSoftmaxBackward ${s}`, [x(s, f64(r, n, -3, 0)), x(s, f64(r, n))], (_g, [y, g]) => o.logSoftmaxBackward(y, g));
  }
});

test('cross-entropy (labels and probabilities, every reduction, smoothing) and its backward op', async () => {
  const r = new Rng(18);
  const N = 4, C = 5;
  for (const reduction of ['mean', 'sum', 'none'] as const) {
    for (const smoothing of [0, 0.15]) {
      const z = () => x([N, C], f64(r, N * C, -3, 3));
      const labels = x([N], Int32Array.from(r.ints(N, C)));
      const probs = () => x([N, C], f64(r, N * C, 0, 1));
      const gShape = reduction === 'none' ? [N] : [];
      const g = () => x(gShape, f64(r, reduction === 'none' ? N : 1));
      const opts = { reduction, labelSmoothing: smoothing };
      await gradcheck(engine, r, `CE labels ${reduction} ε=${smoothing}`, [z(), labels], (_g, [a, t]) => o.crossEntropy(a, t, opts));
      await gradcheck(engine, r, `CE probs ${reduction} ε=${smoothing}`, [z(), probs()], (_g, [a, t]) => o.crossEntropy(a, t, opts));
      await gradcheck(engine, r, `CE' labels ${reduction} ε=${smoothing}`, [z(), labels, g()], (_g, [a, t, s]) => o.crossEntropyBackward(a, t, s, reduction, smoothing));
      await gradcheck(engine, r, `CE' probs ${reduction} ε=${smoothing}`, [z(), probs(), g()], (_g, [a, t, s]) => o.crossEntropyBackward(a, t, s, reduction, smoothing));
    }
  }
});

test('MSE and its backward op', async () => {
  const r = new Rng(19);
  for (const reduction of ['mean', 'sum', 'none'] as const) {
    const s = [3, 4];
    const gShape = reduction === 'none' ? s : [];
    await gradcheck(engine, r, `mse ${reduction}`, [x(s, f64(r, 12)), x(s, f64(r, 12))], (_g, [a, b]) => o.mseLoss(a, b, { reduction }));
    await gradcheck(engine, r, `mse' ${reduction}`, [x(s, f64(r, 12)), x(s, f64(r, 12)), x(gShape, f64(r, reduction === 'none' ? 12 : 1))],
      (_g, [a, b, g]) => o.mseBackward(a, b, g, reduction));
  }
});

test('a composite graph: gradient of a gradient (linear → gelu → softmax CE)', async () => {
  const r = new Rng(20);
  await gradcheck(engine, r, 'grad of grad', [x([3, 4], f64(r, 12)), x([2, 4], f64(r, 8)), x([3], Int32Array.from([0, 1, 1]))], (g, [a, w, t]) => {
    const loss = o.crossEntropy(o.gelu(o.linear(a, w)), t);
    const [gw] = slope.grad(loss, [w]);
    return o.sum(o.mul(gw, gw));
  });
});

test.run();
