/** Row-wise softmax and log-softmax over the last axis, max-subtracted, and their backward ops. */
import { ShapeError } from '../../errors.js';
import { defineOp, Tensor } from '../tensor.js';
import { requireF32, sameShape } from './shape.js';
import { exp, mul, sub } from './elementwise.js';
import { sum } from './reduce.js';

function lastAxis(op: string, x: Tensor, axis: number) {
  if (axis !== -1 && axis !== x.rank - 1) throw new ShapeError(`${op}: only the last axis is supported (got dim=${axis} for ${x})`);
  if (x.rank < 1) throw new ShapeError(`${op}: needs a tensor of rank ≥ 1, got ${x}`);
}

/** softmax(x)ᵢ = exp(xᵢ − max x) / Σⱼ exp(xⱼ − max x), over the last axis. */
export function softmax(x: Tensor, axis = -1): Tensor {
  lastAxis('softmax', x, axis);
  return x.graph.node('softmax', [x], {});
}

/** log softmax(x) = x − max − log Σ exp(x − max), over the last axis. */
export function logSoftmax(x: Tensor, axis = -1): Tensor {
  lastAxis('logSoftmax', x, axis);
  return x.graph.node('log_softmax', [x], {});
}

const same = (name: string) => (inputs: readonly Tensor[]) => {
  requireF32(name, ...inputs);
  for (const t of inputs) {
    if (!sameShape(t.shape, inputs[0].shape)) throw new ShapeError(`${name}: ${inputs[0]} and ${t} differ in shape`);
  }
  return { shape: [...inputs[0].shape], dtype: 'f32' as const };
};

defineOp({ name: 'softmax', infer: same('softmax'), vjp: (y, g) => [softmaxBackward(y, g)] });
defineOp({ name: 'log_softmax', infer: same('logSoftmax'), vjp: (y, g) => [logSoftmaxBackward(y, g)] });

/** y ⊙ (g − Σ g⊙y): the softmax vector-Jacobian product, one kernel. */
export function softmaxBackward(y: Tensor, g: Tensor): Tensor {
  return y.graph.node('softmax_backward', [y, g], {});
}

/** g − exp(y)·Σ g: the log-softmax vector-Jacobian product, one kernel. */
export function logSoftmaxBackward(y: Tensor, g: Tensor): Tensor {
  return y.graph.node('log_softmax_backward', [y, g], {});
}

const rowsum = (t: Tensor) => sum(t, -1, true);

defineOp({
  name: 'softmax_backward',
  infer: same('softmax backward'),
  vjp(out, h) {
    const [s, g] = out.inputs;
    // out = s ⊙ (g − c), c = Σ g s.  ∂/∂g: s ⊙ (h − Σ h s).  ∂/∂s: h ⊙ (g − c) − g · Σ h s.
    const c = rowsum(mul(g, s));
    const hs = rowsum(mul(h, s));
    return [sub(mul(h, sub(g, c)), mul(g, hs)), softmaxBackward(s, h)];
  },
});

defineOp({
  name: 'log_softmax_backward',
  infer: same('logSoftmax backward'),
  vjp(out, h) {
    const [y, g] = out.inputs;
    // out = g − p Σg with p = exp(y).  ∂/∂g: h − Σ(p h).  ∂/∂y: −h ⊙ p · Σg.
    const p = exp(y);
    return [mul(mul(h, p), scaleNeg(rowsum(g))), sub(h, rowsum(mul(p, h)))];
  },
});

function scaleNeg(t: Tensor): Tensor {
  return t.graph.node('scale', [t], { alpha: -1, beta: 0 });
}
