/** Backward rules of the reductions and reshape. */
import { keptShape } from '../../ops/index.js';
import { broadcastTo, div, eq, mul, scale } from '../ops/elementwise.js';
import { reshape, sum } from '../ops/reduce.js';
import type { VjpTable } from './types.js';

export const REDUCE_VJPS = {
  reduce(out, g) {
    const x = out.inputs[0];
    const { axis, keepdims } = out.attrs;
    const gk = keepdims ? g : reshape(g, keptShape(x.shape, axis));
    switch (out.attrs.kind) {
      case 'sum': return [broadcastTo(gk, x.shape)];
      case 'mean': return [scale(broadcastTo(gk, x.shape), 1 / Math.max(1, x.shape[axis]))];
      case 'max': {
        const mk = keepdims ? out : reshape(out, keptShape(x.shape, axis));
        const mask = eq(x, mk);
        const count = sum(mask, axis, true);
        return [mul(mask, broadcastTo(div(gk, count), x.shape))];
      }
    }
  },
  reshape: (out, g) => [reshape(g, out.inputs[0].shape)],
} satisfies Partial<VjpTable>;
