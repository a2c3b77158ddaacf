/** Reductions over one axis (sum, mean, max) and reshape (a view: no copy, no kernel). */
import { ShapeError } from '../errors.js';
import { defineOp, out, requireF32 } from './schema.js';
import type { ShapeAttrs } from './elementwise.js';

export const REDUCE_KINDS = ['sum', 'mean', 'max'] as const;
export type ReduceKind = (typeof REDUCE_KINDS)[number];
export interface ReduceAttrs { kind: ReduceKind; axis: number; keepdims: boolean }

/** The shape with `axis` kept as 1. */
export function keptShape(shape: readonly number[], axis: number): number[] {
  const s = [...shape];
  s[axis] = 1;
  return s;
}

/** x viewed as (outer, R, inner) around `axis`. */
export function reduceDims(shape: readonly number[], axis: number): { outer: number; R: number; inner: number } {
  const prod = (s: readonly number[]) => s.reduce((a, d) => a * d, 1);
  return { outer: prod(shape.slice(0, axis)), R: shape[axis], inner: prod(shape.slice(axis + 1)) };
}

export const reduce = defineOp({
  name: 'reduce', kind: 'kernel', family: 'reduce',
  infer([x], at: ReduceAttrs) {
    requireF32(at.kind, x);
    if (x.rank === 0) throw new ShapeError(`${at.kind}: cannot reduce a rank-0 tensor`);
    if (x.shape[at.axis] === 0 && at.kind === 'max')
      throw new ShapeError(`max: cannot reduce over an empty axis (${x})`);
    return out(at.keepdims ? keptShape(x.shape, at.axis) : x.shape.filter((_, i) => i !== at.axis));
  },
});

/** Same data, new shape: the output aliases the input's storage. */
export const reshape = defineOp({
  name: 'reshape', kind: 'planner', family: 'reduce', view: true,
  infer: ([x], at: ShapeAttrs) => out(at.shape, x.dtype),
});

export const REDUCE_OPS = { reduce, reshape };
