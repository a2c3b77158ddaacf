/**
 * Elementwise ops: binary arithmetic with broadcasting (rank ≤ 4), the pointwise functions of
 * the activation table with their first and second derivatives, scale (αx + β), one-hot,
 * broadcast, copy, and the planner's in-place accumulate.
 */
import { ShapeError, fmtShape } from '../errors.js';
import type { UnaryKind } from './activation.js';
import { isOp, readsVariable, type AssignRule, type InPlaceUpdate } from './fusion.js';
import { broadcastShapes, defineOp, out, requireF32, sameShape, type DType, type NoAttrs,
  type TensorMeta } from './schema.js';

export const BINARY_KINDS = ['add', 'sub', 'mul', 'div', 'eq', 'max', 'min'] as const;
export type BinaryKind = (typeof BINARY_KINDS)[number];

export interface BinaryAttrs { kind: BinaryKind }
/** A pointwise function and its two parameters (see the activation table for their meaning). */
export interface UnaryAttrs { kind: UnaryKind; alpha: number; beta: number }
export interface ScaleAttrs { alpha: number; beta: number }
export interface OneHotAttrs { classes: number }
export interface ShapeAttrs { shape: number[] }

const f32Like = (op: string) => ([x]: readonly TensorMeta[]) => {
  requireF32(op, x);
  return out(x.shape);
};

export const binary = defineOp({
  name: 'binary', kind: 'kernel', family: 'elementwise',
  infer([a, b], at: BinaryAttrs) {
    requireF32(at.kind, a, b);
    if (a.rank > 4 || b.rank > 4)
      throw new ShapeError(`${at.kind}: tensors of rank above 4 are not supported (${a}, ${b})`);
    return out(broadcastShapes(at.kind, a.shape, b.shape));
  },
});

export const unary = defineOp({
  name: 'unary', kind: 'kernel', family: 'elementwise',
  infer: (ins, at: UnaryAttrs) => f32Like(at.kind)(ins),
});

/** g · f'(t), t the output or the input of f (the activation table's `deriv`). */
export const unaryGrad = defineOp({
  name: 'unary_grad', kind: 'kernel', family: 'elementwise',
  infer([t, g], at: UnaryAttrs) {
    requireF32('unary_grad', t, g);
    if (!sameShape(t.shape,
      g.shape)) throw new ShapeError(`${at.kind} backward: ${t} and gradient ${g} differ in shape`);
    return out(t.shape);
  },
});

/** d f'(t)/dt, with f' written as a function of the same t as unary_grad. */
export const unaryDeriv2 = defineOp({
  name: 'unary_deriv2', kind: 'kernel', family: 'elementwise',
  infer: ([t], _at: UnaryAttrs) => out(t.shape),
});

export const scale = defineOp({
  name: 'scale', kind: 'kernel', family: 'elementwise',
  infer: (ins, _at: ScaleAttrs) => f32Like('scale')(ins),
});

export const oneHot = defineOp({
  name: 'one_hot', kind: 'kernel', family: 'elementwise',
  infer([l], at: OneHotAttrs) {
    if (l.dtype !== 'i32' || l.rank !== 1) throw new ShapeError(`oneHot: labels must be int32 of shape [N], got ${l}`);
    return out([l.shape[0], at.classes]);
  },
});

export const broadcast = defineOp({
  name: 'broadcast', kind: 'kernel', family: 'elementwise',
  infer([x], at: ShapeAttrs) {
    const b = broadcastShapes('broadcastTo', x.shape, at.shape);
    if (!sameShape(b,
      at.shape)) throw new ShapeError(`broadcastTo: ${fmtShape(x.shape)} cannot be broadcast to ${fmtShape(at.shape)}`);
    if (at.shape.length > 4) throw new ShapeError(`broadcastTo: rank above 4 is not supported (${fmtShape(at.shape)})`);
    return out(at.shape, x.dtype);
  },
});

export const copy = defineOp({
  name: 'copy', kind: 'kernel', family: 'elementwise',
  infer: ([x], _at: NoAttrs) => out(x.shape, x.dtype),
});

/** acc ← acc + x in place (the planner's form of an accumulator assign v ← v + x): inputs [x], outputs [acc]. */
export const addInto = defineOp({
  name: 'add_into', kind: 'fused', family: 'elementwise',
  infer: ([x], _at: NoAttrs) => out(x.shape),
});

export interface FillAttrs { shape: number[]; value: number; dtype: DType }

/** A constant filled with one value, written once at compile. */
export const fill = defineOp({
  name: 'fill', kind: 'planner', family: 'elementwise',
  infer: (_ins, at: FillAttrs) => out(at.shape, at.dtype),
});


/** PyTorch's x.detach(): the same values, no gradient (a copy). */
export const detach = defineOp({
  name: 'detach', kind: 'kernel', family: 'elementwise',
  infer: ([x], _at: NoAttrs) => out(x.shape, x.dtype),
});

/** Accumulator assigns v ← v + t (float32, same sizes) as one in-place add_into (an add and a copy otherwise). */
export const ACCUMULATE_RULE: AssignRule = {
  name: 'accumulators',
  find(assigns, taken) {
    const found: InPlaceUpdate<(typeof assigns)[number]['value'], (typeof assigns)[number]['variable']>[] = [];
    for (const a of assigns) {
      const v = a.value;
      if (taken.has(a) || !isOp(v, binary) || v.attrs.kind !== 'add' || a.variable.dtype !== 'f32') continue;
      const [x, y] = v.inputs;
      const rx = readsVariable(x, a.variable), ry = readsVariable(y, a.variable);
      const t = rx && !ry ? y : ry && !rx ? x : null;
      if (!t || t.dtype !== 'f32' || t.size !== a.variable.size || v.size !== t.size) continue;
      found.push({ op: addInto, reads: t as typeof v, variables: [a.variable], attrs: {}, assigns: [a] });
    }
    return found;
  },
};

export const ELEMENTWISE_OPS = {
  binary, unary, unary_grad: unaryGrad, unary_deriv2: unaryDeriv2, scale, one_hot: oneHot, broadcast, copy, detach,
  add_into: addInto, fill,
};
