/**
 * Elementwise kernels against the float64 reference: unary activations, their first and second
 * derivatives (every function of the activation table), binary ops with broadcasting, scale,
 * broadcast, copy, the in-place accumulate and one-hot.
 */
import { TOL } from '../tolerances.js';
import type { Rng } from '../util/rng.js';
import { checkOp, f32, fmt, i32, kcase, numel, SIZES } from './common.js';
import type { KernelCase } from './types.js';
import { UNARY_KINDS, unaryAttrs, type UnaryKind } from '../../src/graph/ops/elementwise.js';

const F = 'elementwise';
const UNARY = UNARY_KINDS;
type Unary = UnaryKind;
const EXACTISH = new Set<Unary>(['relu', 'leaky_relu', 'neg', 'square', 'abs']);
const tolOf = (k: Unary) => (EXACTISH.has(k) ? TOL.elementwise : TOL.transcendental);

/** Inputs in each function's domain, with saturating magnitudes where the function has them. */
function inputOf(kind: Unary, r: Rng, n: number): Float32Array {
  switch (kind) {
    case 'log': return r.uniform(n, 1e-3, 100);
    case 'sqrt': return r.uniform(n, 0, 100);
    case 'exp': return r.uniform(n, -10, 10);
    case 'sigmoid': case 'tanh': case 'gelu': case 'gelu_tanh': {
      const x = r.uniform(n, -8, 8);
      if (n > 2) { x[0] = 60; x[1] = -60; }
      return x;
    }
    // Across the threshold (β·x > threshold is the identity) and deep in the exponential tail.
    case 'softplus': return r.uniform(n, -40, 40);
    default: return r.uniform(n, -3, 3);
  }
}

/** The tensor a derivative is evaluated at: the op's output for relu, sigmoid, tanh, exp, sqrt. */
function derivPoint(kind: Unary, r: Rng, n: number): Float32Array {
  switch (kind) {
    case 'relu': return r.uniform(n, 0, 3).map((v, i) => (i % 3 ? v : 0));
    case 'sigmoid': return r.uniform(n, 0, 1);
    case 'tanh': return r.uniform(n, -1, 1);
    case 'exp': return r.uniform(n, 1e-3, 50);
    case 'sqrt': case 'log': return r.uniform(n, 0.1, 10);
    case 'gelu': case 'gelu_tanh': return r.uniform(n, -6, 6);
    case 'softplus': return r.uniform(n, -20, 20);
    default: return r.uniform(n, -3, 3);
  }
}

/** The function's parameters: random where it has them (leaky_relu's slope; softplus's β and threshold). */
const attrsOf = (kind: Unary, r: Rng) => ({ ...unaryAttrs(kind, { alpha: 0.05 + 0.2 * r.next(), beta: 0.5 + 1.5 * r.next(), threshold: 2 + 18 * r.next() }) });

function unaryCases(): KernelCase[] {
  return UNARY.flatMap((kind) => [
    kcase(F, `unary ${kind}`, async (e, r) => {
      for (const n of SIZES) {
        await checkOp(e, { op: 'unary', inputs: [f32([n], inputOf(kind, r, n))], outShapes: [[n]], attrs: attrsOf(kind, r), tol: tolOf(kind), label: `${kind} n=${n}` });
      }
    }),
    kcase(F, `unary_grad ${kind}`, async (e, r) => {
      for (const n of SIZES) {
        const inputs = [f32([n], derivPoint(kind, r, n)), f32([n], r.normal(n))];
        await checkOp(e, { op: 'unary_grad', inputs, outShapes: [[n]], attrs: attrsOf(kind, r), tol: tolOf(kind), label: `${kind}' n=${n}` });
      }
    }),
    kcase(F, `unary_deriv2 ${kind}`, async (e, r) => {
      for (const n of SIZES) {
        const inputs = [f32([n], derivPoint(kind, r, n))];
        await checkOp(e, { op: 'unary_deriv2', inputs, outShapes: [[n]], attrs: attrsOf(kind, r), tol: tolOf(kind), label: `${kind}'' n=${n}` });
      }
    }),
  ]);
}

const BINARY = ['add', 'sub', 'mul', 'div', 'eq', 'max', 'min'] as const;
/** Operand shapes: same shape, row (bias) and column broadcasting, outer, 3-d and 4-d, scalars. */
const BROADCASTS: [number[], number[]][] = [
  [[7], [7]], [[257], [257]], [[63, 65], [65]], [[63, 65], [63, 1]], [[1, 65], [63, 1]], [[65], [63, 65]],
  [[7, 13, 5], [13, 1]], [[2, 3, 4, 5], [3, 1, 5]], [[257], [1]], [[5], []], [[], []],
];

function broadcastOut(a: number[], b: number[]): number[] {
  const r = Math.max(a.length, b.length);
  return Array.from({ length: r }, (_, i) => Math.max(a[a.length - r + i] ?? 1, b[b.length - r + i] ?? 1));
}

function binaryCases(): KernelCase[] {
  return BINARY.map((kind) => kcase(F, `binary ${kind}`, async (e, r) => {
    for (const [sa, sb] of BROADCASTS) {
      // Half-integers make ties for eq/max/min; divisors stay away from zero.
      const a = r.uniform(numel(sa), -3, 3).map((v) => (kind === 'eq' || kind === 'max' || kind === 'min' ? Math.round(v * 2) / 2 : v));
      const b = r.uniform(numel(sb), -3, 3).map((v) => (kind === 'div' ? Math.sign(v || 1) * (0.5 + Math.abs(v)) : kind === 'add' || kind === 'sub' || kind === 'mul' ? v : Math.round(v * 2) / 2));
      const out = broadcastOut(sa, sb);
      const tol = kind === 'eq' ? TOL.exact : TOL.elementwise;
      await checkOp(e, { op: 'binary', inputs: [f32(sa, a), f32(sb, b)], outShapes: [out], attrs: { kind }, tol, label: `${kind} ${fmt(sa)}∘${fmt(sb)}` });
    }
  }));
}

function otherCases(): KernelCase[] {
  return [
    kcase(F, 'scale', async (e, r) => {
      for (const n of SIZES) {
        const attrs = { alpha: r.uniform(1, -3, 3)[0], beta: r.uniform(1, -3, 3)[0] };
        await checkOp(e, { op: 'scale', inputs: [f32([n], r.normal(n))], outShapes: [[n]], attrs, tol: TOL.elementwise, label: `scale n=${n}` });
      }
    }),
    kcase(F, 'broadcast', async (e, r) => {
      for (const [from, to] of [[[1, 65], [63, 65]], [[13, 1], [7, 13, 5]], [[], [7]], [[3, 1, 5], [2, 3, 4, 5]], [[1], [257]]] as number[][][]) {
        await checkOp(e, { op: 'broadcast', inputs: [f32(from, r.normal(numel(from)))], outShapes: [to], attrs: { shape: to }, tol: TOL.exact, label: `broadcast ${fmt(from)}→${fmt(to)}` });
      }
    }),
    kcase(F, 'copy f32 (NaN and Inf survive) and i32', async (e, r) => {
      for (const n of SIZES) {
        const x = r.normal(n);
        if (n > 3) { x[1] = NaN; x[2] = Infinity; x[3] = -Infinity; }
        await checkOp(e, { op: 'copy', inputs: [f32([n], x)], outShapes: [[n]], tol: TOL.exact, label: `copy f32 n=${n}` });
        const k = Int32Array.from(r.ints(n, 2 ** 31 - 1), (v, i) => (i % 2 ? -v : v));
        await checkOp(e, { op: 'copy', inputs: [i32([n], k)], outShapes: [[n]], outDtypes: ['i32'], tol: TOL.exact, label: `copy i32 n=${n}` });
      }
    }),
    kcase(F, 'add_into (in place)', async (e, r) => {
      for (const n of SIZES) {
        const acc = r.normal(n);
        await checkOp(e, { op: 'add_into', inputs: [f32([n], r.normal(n))], outShapes: [[n]], outInit: [acc], tol: TOL.elementwise, label: `add_into n=${n}` });
      }
    }),
    kcase(F, 'one_hot', async (e, r) => {
      for (const [N, C] of [[1, 1], [7, 10], [257, 65], [63, 3]]) {
        await checkOp(e, { op: 'one_hot', inputs: [i32([N], r.ints(N, C))], outShapes: [[N, C]], attrs: { classes: C }, tol: TOL.exact, label: `one_hot N=${N} C=${C}` });
      }
    }),
  ];
}

export const cases: KernelCase[] = [...unaryCases(), ...binaryCases(), ...otherCases()];
