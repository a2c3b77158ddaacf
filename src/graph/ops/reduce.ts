/** Reductions over one axis (sum, mean, max) and reshape (a view: no copy, no kernel). */
import { ShapeError, fmtShape } from '../../errors.js';
import { defineOp, sizeOf, Tensor } from '../tensor.js';
import { normAxis, requireF32 } from './shape.js';
import { broadcastTo, div, eq, mul, scale } from './elementwise.js';

export type ReduceKind = 'sum' | 'mean' | 'max';

function reduce(kind: ReduceKind, x: Tensor, axis: number, keepdims: boolean): Tensor {
  const ax = normAxis(kind, axis, x.rank);
  return x.graph.node('reduce', [x], { kind, axis: ax, keepdims });
}

/** Sum over `axis` (PyTorch's x.sum(dim, keepdim)). With no axis: the sum of all elements, shape []. */
export function sum(x: Tensor, axis?: number, keepdims = false): Tensor {
  if (axis === undefined) return reduce('sum', flatten(x), 0, false);
  return reduce('sum', x, axis, keepdims);
}
export function mean(x: Tensor, axis?: number, keepdims = false): Tensor {
  if (axis === undefined) return reduce('mean', flatten(x), 0, false);
  return reduce('mean', x, axis, keepdims);
}
/** Maximum over `axis` (torch.amax: the gradient is split evenly between tied maxima). */
export function max(x: Tensor, axis?: number, keepdims = false): Tensor {
  if (axis === undefined) return reduce('max', flatten(x), 0, false);
  return reduce('max', x, axis, keepdims);
}

function keptShape(x: Tensor, axis: number): number[] {
  const s = [...x.shape];
  s[axis] = 1;
  return s;
}

defineOp({
  name: 'reduce',
  infer([x], attrs) {
    requireF32(`${attrs.kind}`, x);
    const axis = attrs.axis as number;
    if (x.rank === 0) throw new ShapeError(`${attrs.kind}: cannot reduce a rank-0 tensor`);
    if (x.shape[axis] === 0 && attrs.kind === 'max') throw new ShapeError(`max: cannot reduce over an empty axis (${x})`);
    const shape = attrs.keepdims ? keptShape(x, axis) : x.shape.filter((_, i) => i !== axis);
    return { shape, dtype: 'f32' };
  },
  vjp(out, g) {
    const x = out.inputs[0];
    const axis = out.attrs.axis as number;
    const gk = out.attrs.keepdims ? g : reshape(g, keptShape(x, axis));
    switch (out.attrs.kind as ReduceKind) {
      case 'sum': return [broadcastTo(gk, x.shape)];
      case 'mean': return [scale(broadcastTo(gk, x.shape), 1 / Math.max(1, x.shape[axis]))];
      case 'max': {
        const mk = out.attrs.keepdims ? out : reshape(out, keptShape(x, axis));
        const mask = eq(x, mk);
        const count = sum(mask, axis, true);
        return [mul(mask, broadcastTo(div(gk, count), x.shape))];
      }
    }
  },
});

/** Same data, new shape (one dimension may be -1). A view: it aliases the input's storage. */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  const s = [...shape];
  const free = s.indexOf(-1);
  if (free >= 0) {
    const known = s.reduce((a, d, i) => (i === free ? a : a * d), 1);
    s[free] = known === 0 ? 0 : x.size / known;
  }
  if (s.some((d) => !Number.isSafeInteger(d) || d < 0) || sizeOf(s) !== x.size) {
    throw new ShapeError(`reshape: cannot view ${x} (${x.size} elements) as ${fmtShape(shape)}`);
  }
  if (s.length === x.rank && s.every((d, i) => d === x.shape[i])) return x;
  return x.graph.node('reshape', [x], { shape: s });
}

export function flatten(x: Tensor): Tensor {
  return reshape(x, [x.size]);
}

defineOp({
  name: 'reshape',
  view: true,
  infer: ([x], attrs) => ({ shape: [...(attrs.shape as number[])], dtype: x.dtype }),
  vjp: (out, g) => [reshape(g, out.inputs[0].shape)],
});
