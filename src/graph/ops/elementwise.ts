/**
 * Elementwise op builders: binary arithmetic with broadcasting, the pointwise functions of the
 * activation table and their derivatives, scale (αx+β), one-hot, broadcast, copy.
 */
import { ArgumentError } from '../../errors.js';
import { OPS, UNARY_KINDS, actParams, type BinaryKind, type UnaryAttrs, type UnaryKind } from '../../ops/index.js';
import { Tensor, build } from '../tensor.js';
import { sameGraph, sameShape } from './shape.js';
import { reshape, sum } from './reduce.js';

export { BINARY_KINDS, UNARY_KINDS, type BinaryKind, type UnaryKind } from '../../ops/index.js';

// ---------------------------------------------------------------- binary

/** A tensor or a JavaScript number, which broadcasts as a scalar (PyTorch's `x + 3`). */
export type Operand = Tensor | number;

const NAMES: Record<BinaryKind,
  string> = { add: 'add', sub: 'sub', mul: 'mul', div: 'div', eq: 'eq', max: 'maximum', min: 'minimum' };

/** a ∘ b with broadcasting; a number becomes a scalar constant of the other operand's graph. */
export function binary(kind: BinaryKind, a: Operand, b: Operand): Tensor {
  const op = NAMES[kind];
  checkOperand(op, 'a', a);
  checkOperand(op, 'b', b);
  if (!(a instanceof Tensor) && !(b instanceof Tensor)) {
    throw new ArgumentError(`${op}: at least one operand must be a Tensor, got two numbers (${a}, ${b})`);
  }
  const g = a instanceof Tensor ? a.graph : (b as Tensor).graph;
  const ta = a instanceof Tensor ? a : g.constant(Float32Array.of(a), []);
  const tb = b instanceof Tensor ? b : g.constant(Float32Array.of(b), []);
  sameGraph(op, ta, tb);
  return g.node(OPS.binary, [ta, tb], { kind });
}

function checkOperand(op: string, name: string, v: unknown): void {
  if (v instanceof Tensor || typeof v === 'number') return;
  throw new ArgumentError(`${op}: argument ${name} is ${describe(v)}, not a Tensor or a number`);
}

/** A value for messages: null, undefined, a string in quotes, else its type. */
export function describe(v: unknown): string {
  if (v === null || v === undefined) return String(v);
  if (typeof v === 'string') return `the string '${v.length > 20 ? v.slice(0, 20) + '…' : v}'`;
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? `a ${(v as object).constructor?.name ?? 'object'}` : `a ${typeof v}`;
}

export const add = (a: Operand, b: Operand) => binary('add', a, b);
export const sub = (a: Operand, b: Operand) => binary('sub', a, b);
export const mul = (a: Operand, b: Operand) => binary('mul', a, b);
export const div = (a: Operand, b: Operand) => binary('div', a, b);
/** 1 where a == b, else 0 (no gradient). */
export const eq = (a: Operand, b: Operand) => binary('eq', a, b);
export const maximum = (a: Operand, b: Operand) => binary('max', a, b);
export const minimum = (a: Operand, b: Operand) => binary('min', a, b);

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

/** The parameters of a pointwise function (the activation table says which each one takes). */
export interface UnaryParams {
  /** leaky_relu's negative slope (default 0.01). */
  alpha?: number;
  /** softplus's β (default 1). */
  beta?: number;
  /** softplus's threshold (default 20): above β·x > threshold it is the identity. */
  threshold?: number;
}

/** The typed attributes of a pointwise function call, defaults filled in and checked. */
export function unaryAttrs(kind: UnaryKind, p: UnaryParams = {}): UnaryAttrs {
  if (!(UNARY_KINDS as readonly string[]).includes(kind)) {
    throw new ArgumentError(`unknown activation '${kind}'; expected one of ${UNARY_KINDS.join(', ')}`);
  }
  const at: UnaryAttrs = { kind, ...actParams(kind, { ...p }) };
  if (!Number.isFinite(at.alpha) || !Number.isFinite(at.beta)) {
    throw new ArgumentError(`${kind}: parameters must be finite, got ${JSON.stringify(p)}`);
  }
  if (kind === 'softplus' && at.alpha === 0) throw new ArgumentError('softplus: beta must be non-zero');
  return at;
}

export function unary(kind: UnaryKind, x: Tensor, params: UnaryParams = {}): Tensor {
  return build(OPS.unary, [x], unaryAttrs(kind, params));
}

/** g · f'(·), with f' evaluated from `t` (the output or the input, per the activation table). */
export function unaryGrad(t: Tensor, g: Tensor, at: UnaryAttrs): Tensor {
  return build(OPS.unary_grad, [t, g], at);
}

/** d f'(t) / dt, with f' written as a function of t (see the activation table's `deriv`). */
export function unaryDeriv2(t: Tensor, at: UnaryAttrs): Tensor {
  return build(OPS.unary_deriv2, [t], at);
}

export const relu = (x: Tensor) => unary('relu', x);
export const leakyRelu = (x: Tensor, negativeSlope = 0.01) => unary('leaky_relu', x, { alpha: negativeSlope });
/** PyTorch's F.gelu: x·Φ(x) (the exact form), or with approximate 'tanh' the tanh approximation. */
export const gelu = (x: Tensor, opts: { approximate?: 'none' | 'tanh' } = {}) => unary(geluKind(opts.approximate), x);

/** The activation kind of PyTorch's GELU(approximate=…). */
export function geluKind(approximate: string = 'none'): 'gelu' | 'gelu_tanh' {
  if (approximate !== 'none' && approximate !== 'tanh') {
    throw new ArgumentError(`gelu: approximate must be 'none' or 'tanh', got ${JSON.stringify(approximate)}`);
  }
  return approximate === 'tanh' ? 'gelu_tanh' : 'gelu';
}
export const sigmoid = (x: Tensor) => unary('sigmoid', x);
export const tanh = (x: Tensor) => unary('tanh', x);
/** PyTorch's F.softplus: (1/β)·log(1 + exp(β·x)), and x itself where β·x > threshold. */
export const softplus = (x: Tensor, beta = 1, threshold = 20) => unary('softplus', x, { beta, threshold });
export const exp = (x: Tensor) => unary('exp', x);
export const log = (x: Tensor) => unary('log', x);
export const neg = (x: Tensor) => unary('neg', x);
export const square = (x: Tensor) => unary('square', x);
export const sqrt = (x: Tensor) => unary('sqrt', x);
export const abs = (x: Tensor) => unary('abs', x);

// ---------------------------------------------------------------- scale, one-hot, broadcast, copy

/** alpha·x + beta, with constants baked into the op's uniform (not the shader text). */
export function scale(x: Tensor, alpha: number, beta = 0): Tensor {
  if (!Number.isFinite(alpha) || !Number.isFinite(beta))
    throw new ArgumentError(`scale: alpha and beta must be finite (got ${alpha}, ${beta})`);
  return build(OPS.scale, [x], { alpha, beta });
}

/** One-hot rows: labels (N) int32 → (N, C) float32. Labels are range-checked on upload. */
export function oneHot(labels: Tensor, numClasses: number): Tensor {
  if (!Number.isSafeInteger(numClasses) || numClasses < 1)
    throw new ArgumentError(`oneHot: numClasses must be a positive integer, got ${numClasses}`);
  noteLabelRange(labels, numClasses);
  return build(OPS.one_hot, [labels], { classes: numClasses });
}

/** Record that an int32 input holds class indices in [0, C), checked on the host at upload. */
export function noteLabelRange(labels: Tensor, classes: number): void {
  if (labels.op === OPS.input && typeof labels.ref === 'string') {
    const prev = labels.graph.labelRanges.get(labels.ref);
    labels.graph.labelRanges.set(labels.ref, prev === undefined ? classes : Math.min(prev, classes));
  }
}

/** Expand `x` to `shape` by broadcasting (a copy). */
export function broadcastTo(x: Tensor, shape: readonly number[]): Tensor {
  if (sameShape(x.shape, shape)) return x;
  return build(OPS.broadcast, [x], { shape: [...shape] });
}

/** An identity copy into new storage. */
export function copy(x: Tensor): Tensor {
  return build(OPS.copy, [x], {});
}

/** PyTorch's x.detach(): the same values, no gradient (a copy). */
export function detach(x: Tensor): Tensor {
  return build(OPS.detach, [x], {});
}
