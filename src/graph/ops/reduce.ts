/** Reductions over one axis (sum, mean, max) and reshape (a view: no copy, no kernel). */
import { ShapeError, fmtShape } from '../../errors.js';
import { OPS, type ReduceKind } from '../../ops/index.js';
import { sizeOf, type Tensor, build } from '../tensor.js';
import { normAxis } from './shape.js';

export type { ReduceKind } from '../../ops/index.js';

function reduce(kind: ReduceKind, x: Tensor, axis: number, keepdims: boolean): Tensor {
  const ax = normAxis(kind, axis, x.rank);
  return build(OPS.reduce, [x], { kind, axis: ax, keepdims });
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
  return build(OPS.reshape, [x], { shape: s });
}

export function flatten(x: Tensor): Tensor {
  return reshape(x, [x.size]);
}
