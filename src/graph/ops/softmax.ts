/** Row-wise softmax and log-softmax over the last axis, max-subtracted, and their backward ops. */
import { ShapeError } from '../../errors.js';
import { OPS } from '../../ops/index.js';
import { Tensor, build } from '../tensor.js';

function lastAxis(op: string, x: Tensor, axis: number) {
  if (axis !== -1 && axis !== x.rank - 1)
    throw new ShapeError(`${op}: only the last axis is supported (got dim=${axis} for ${x})`);
  if (x.rank < 1) throw new ShapeError(`${op}: needs a tensor of rank ≥ 1, got ${x}`);
}

/** softmax(x)ᵢ = exp(xᵢ − max x) / Σⱼ exp(xⱼ − max x), over the last axis. */
export function softmax(x: Tensor, axis = -1): Tensor {
  lastAxis('softmax', x, axis);
  return build(OPS.softmax, [x], {});
}

/** log softmax(x) = x − max − log Σ exp(x − max), over the last axis. */
export function logSoftmax(x: Tensor, axis = -1): Tensor {
  lastAxis('logSoftmax', x, axis);
  return build(OPS.log_softmax, [x], {});
}

/** y ⊙ (g − Σ g⊙y): the softmax vector-Jacobian product, one kernel. */
export function softmaxBackward(y: Tensor, g: Tensor): Tensor {
  return build(OPS.softmax_backward, [y, g], {});
}

/** g − exp(y)·Σ g: the log-softmax vector-Jacobian product, one kernel. */
export function logSoftmaxBackward(y: Tensor, g: Tensor): Tensor {
  return build(OPS.log_softmax_backward, [y, g], {});
}
