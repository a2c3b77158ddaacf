/**
 * Elementwise ops: binary arithmetic with broadcasting, unary activations and their
 * derivatives, scale (αx+β), one-hot, broadcast, copy. Every backward rule is written in IR ops.
 */
import { ArgumentError, ShapeError, fmtShape } from '../../errors.js';
import { defineOp, Tensor, type Attrs } from '../tensor.js';
import { broadcastShapes, requireF32, sameGraph, sameShape } from './shape.js';
import { reshape, sum } from './reduce.js';

export const BINARY_KINDS = ['add', 'sub', 'mul', 'div', 'eq', 'max', 'min'] as const;
export type BinaryKind = (typeof BINARY_KINDS)[number];

export const UNARY_KINDS = ['relu', 'leaky_relu', 'gelu', 'sigmoid', 'tanh', 'exp', 'log', 'neg', 'square', 'sqrt', 'abs'] as const;
export type UnaryKind = (typeof UNARY_KINDS)[number];

/** Which tensor a derivative is computed from: the op's output (cheaper, fusable) or its input. */
export const DERIV_FROM_OUTPUT: Record<UnaryKind, boolean> = {
  relu: true, leaky_relu: false, gelu: false, sigmoid: true, tanh: true, exp: true, log: false, neg: false,
  square: false, sqrt: true, abs: false,
};

// ---------------------------------------------------------------- binary

function binary(kind: BinaryKind, a: Tensor, b: Tensor): Tensor {
  sameGraph(kind, a, b);
  return a.graph.node('binary', [a, b], { kind });
}

defineOp({
  name: 'binary',
  infer([a, b], attrs) {
    requireF32(String(attrs.kind), a, b);
    if (a.rank > 4 || b.rank > 4) throw new ShapeError(`${attrs.kind}: tensors of rank above 4 are not supported (${a}, ${b})`);
    return { shape: broadcastShapes(String(attrs.kind), a.shape, b.shape), dtype: 'f32' };
  },
  vjp(out, g) {
    const [a, b] = out.inputs;
    switch (out.attrs.kind as BinaryKind) {
      case 'add': return [sumTo(g, a.shape), sumTo(g, b.shape)];
      case 'sub': return [sumTo(g, a.shape), sumTo(neg(g), b.shape)];
      case 'mul': return [sumTo(mul(g, b), a.shape), sumTo(mul(g, a), b.shape)];
      case 'div': return [sumTo(div(g, b), a.shape), sumTo(neg(mul(g, div(out, b))), b.shape)];
      case 'eq': return [null, null];
      case 'max':
      case 'min': {
        // The gradient goes to the selected operand (to a on ties), as torch.maximum splits ties evenly;
        // we keep it simple and deterministic: mask = (out == a).
        const m = binary('eq', out, a);
        return [sumTo(mul(g, m), a.shape), sumTo(mul(g, scale(m, -1, 1)), b.shape)];
      }
    }
  },
});

export const add = (a: Tensor, b: Tensor) => binary('add', a, b);
export const sub = (a: Tensor, b: Tensor) => binary('sub', a, b);
export const mul = (a: Tensor, b: Tensor) => binary('mul', a, b);
export const div = (a: Tensor, b: Tensor) => binary('div', a, b);
/** 1 where a == b, else 0 (no gradient). */
export const eq = (a: Tensor, b: Tensor) => binary('eq', a, b);
export const maximum = (a: Tensor, b: Tensor) => binary('max', a, b);
export const minimum = (a: Tensor, b: Tensor) => binary('min', a, b);

/** Sum `g` over the dimensions that broadcasting expanded, giving `shape`. */
export function sumTo(g: Tensor, shape: readonly number[]): Tensor {
  if (sameShape(g.shape, shape)) return g;
  const r = g.rank;
  const padded = [...Array(r - shape.length).fill(1), ...shape];
  let t = g;
  for (let i = 0; i < r; i++) {
    if (padded[i] === 1 && g.shape[i] !== 1) t = sum(t, i, true);
  }
  return sameShape(t.shape, shape) ? t : reshape(t, shape);
}

// ---------------------------------------------------------------- unary

function checkUnaryKind(kind: string): UnaryKind {
  if (!(UNARY_KINDS as readonly string[]).includes(kind)) {
    throw new ArgumentError(`unknown activation '${kind}'; expected one of ${UNARY_KINDS.join(', ')}`);
  }
  return kind as UnaryKind;
}

export function unary(kind: UnaryKind, x: Tensor, attrs: { alpha?: number } = {}): Tensor {
  checkUnaryKind(kind);
  const alpha = attrs.alpha ?? 0.01;
  if (!Number.isFinite(alpha)) throw new ArgumentError(`${kind}: negative slope must be finite, got ${alpha}`);
  return x.graph.node('unary', [x], kind === 'leaky_relu' ? { kind, alpha } : { kind });
}

defineOp({
  name: 'unary',
  infer([x], attrs) {
    requireF32(String(attrs.kind), x);
    return { shape: [...x.shape], dtype: 'f32' };
  },
  vjp(out, g) {
    const kind = out.attrs.kind as UnaryKind;
    const x = out.inputs[0];
    if (kind === 'neg') return [neg(g)];
    return [unaryGrad(kind, DERIV_FROM_OUTPUT[kind] ? out : x, g, out.attrs)];
  },
});

/** g · f'(·), with f' evaluated from `t` (the output or the input, per DERIV_FROM_OUTPUT). */
export function unaryGrad(kind: UnaryKind, t: Tensor, g: Tensor, attrs: Attrs = {}): Tensor {
  if (!sameShape(t.shape, g.shape)) throw new ShapeError(`${kind} backward: ${t} and gradient ${g} differ in shape`);
  return t.graph.node('unary_grad', [t, g], kind === 'leaky_relu' ? { kind, alpha: attrs.alpha ?? 0.01 } : { kind });
}

defineOp({
  name: 'unary_grad',
  infer([t, g]) {
    requireF32('unary_grad', t, g);
    return { shape: [...t.shape], dtype: 'f32' };
  },
  vjp(out, h) {
    const [t, g] = out.inputs;
    const kind = out.attrs.kind as UnaryKind;
    // d/dg: the same linear map applied to h. d/dt: h · g · f''(t).
    return [mul(mul(h, g), unaryDeriv2(kind, t, out.attrs)), unaryGrad(kind, t, h, out.attrs)];
  },
});

/** d f'(t) / dt, with f' written as a function of t (see DERIV_FROM_OUTPUT). */
export function unaryDeriv2(kind: UnaryKind, t: Tensor, attrs: Attrs = {}): Tensor {
  return t.graph.node('unary_deriv2', [t], kind === 'leaky_relu' ? { kind, alpha: attrs.alpha ?? 0.01 } : { kind });
}

defineOp({
  name: 'unary_deriv2',
  infer([t]) {
    return { shape: [...t.shape], dtype: 'f32' };
  },
  vjp(out) {
    throw new ArgumentError(`third derivatives of ${out.attrs.kind} are not implemented`);
  },
});

export const relu = (x: Tensor) => unary('relu', x);
export const leakyRelu = (x: Tensor, negativeSlope = 0.01) => unary('leaky_relu', x, { alpha: negativeSlope });
export const gelu = (x: Tensor) => unary('gelu', x);
export const sigmoid = (x: Tensor) => unary('sigmoid', x);
export const tanh = (x: Tensor) => unary('tanh', x);
export const exp = (x: Tensor) => unary('exp', x);
export const log = (x: Tensor) => unary('log', x);
export const neg = (x: Tensor) => unary('neg', x);
export const square = (x: Tensor) => unary('square', x);
export const sqrt = (x: Tensor) => unary('sqrt', x);
export const abs = (x: Tensor) => unary('abs', x);

// ---------------------------------------------------------------- scale, one-hot, broadcast, copy

/** alpha·x + beta, with constants baked into the op's uniform (not the shader text). */
export function scale(x: Tensor, alpha: number, beta = 0): Tensor {
  if (!Number.isFinite(alpha) || !Number.isFinite(beta)) throw new ArgumentError(`scale: alpha and beta must be finite (got ${alpha}, ${beta})`);
  return x.graph.node('scale', [x], { alpha, beta });
}

defineOp({
  name: 'scale',
  infer([x]) {
    requireF32('scale', x);
    return { shape: [...x.shape], dtype: 'f32' };
  },
  vjp(out, g) {
    return [scale(g, out.attrs.alpha as number)];
  },
});

/** One-hot rows: labels (N) int32 → (N, C) float32. Labels are range-checked on upload. */
export function oneHot(labels: Tensor, numClasses: number): Tensor {
  if (!Number.isSafeInteger(numClasses) || numClasses < 1) throw new ArgumentError(`oneHot: numClasses must be a positive integer, got ${numClasses}`);
  noteLabelRange(labels, numClasses);
  return labels.graph.node('one_hot', [labels], { classes: numClasses });
}

defineOp({
  name: 'one_hot',
  infer([l], attrs) {
    if (l.dtype !== 'i32' || l.rank !== 1) throw new ShapeError(`oneHot: labels must be int32 of shape [N], got ${l}`);
    return { shape: [l.shape[0], attrs.classes as number], dtype: 'f32' };
  },
  vjp: () => [null],
});

/** Record that an int32 input holds class indices in [0, C), checked on the host at upload. */
export function noteLabelRange(labels: Tensor, classes: number): void {
  if (labels.op === 'input' && typeof labels.ref === 'string') {
    const prev = labels.graph.labelRanges.get(labels.ref);
    labels.graph.labelRanges.set(labels.ref, prev === undefined ? classes : Math.min(prev, classes));
  }
}

/** Expand `x` to `shape` by broadcasting (a copy). */
export function broadcastTo(x: Tensor, shape: readonly number[]): Tensor {
  if (sameShape(x.shape, shape)) return x;
  return x.graph.node('broadcast', [x], { shape: [...shape] });
}

defineOp({
  name: 'broadcast',
  infer([x], attrs) {
    const shape = attrs.shape as number[];
    const b = broadcastShapes('broadcastTo', x.shape, shape);
    if (!sameShape(b, shape)) throw new ShapeError(`broadcastTo: ${fmtShape(x.shape)} cannot be broadcast to ${fmtShape(shape)}`);
    if (shape.length > 4) throw new ShapeError(`broadcastTo: rank above 4 is not supported (${fmtShape(shape)})`);
    return { shape: [...shape], dtype: x.dtype };
  },
  vjp(out, g) {
    return [sumTo(g, out.inputs[0].shape)];
  },
});

/** An identity copy into new storage. */
export function copy(x: Tensor): Tensor {
  return x.graph.node('copy', [x]);
}

defineOp({
  name: 'copy',
  infer: ([x]) => ({ shape: [...x.shape], dtype: x.dtype }),
  vjp: (_o, g) => [g],
});
