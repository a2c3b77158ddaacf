/** Backward rules of softmax, log-softmax and their backward ops (for second derivatives). */
import { exp, mul, scale, sub } from '../ops/elementwise.js';
import { sum } from '../ops/reduce.js';
import { logSoftmaxBackward, softmaxBackward } from '../ops/softmax.js';
import type { Tensor } from '../tensor.js';
import type { VjpTable } from './types.js';

const rowsum = (t: Tensor) => sum(t, -1, true);

export const SOFTMAX_VJPS = {
  softmax: (y, g) => [softmaxBackward(y, g)],
  log_softmax: (y, g) => [logSoftmaxBackward(y, g)],
  softmax_backward(out, h) {
    const [s, g] = out.inputs;
    // out = s ⊙ (g − c), c = Σ g s.  ∂/∂g: s ⊙ (h − Σ h s).  ∂/∂s: h ⊙ (g − c) − g · Σ h s.
    const c = rowsum(mul(g, s));
    const hs = rowsum(mul(h, s));
    return [sub(mul(h, sub(g, c)), mul(g, hs)), softmaxBackward(s, h)];
  },
  log_softmax_backward(out, h) {
    const [y, g] = out.inputs;
    // out = g − p Σg with p = exp(y).  ∂/∂g: h − Σ(p h).  ∂/∂y: −h ⊙ p · Σg.
    const p = exp(y);
    return [mul(mul(h, p), scale(rowsum(g), -1, 0)), sub(h, rowsum(mul(p, h)))];
  },
} satisfies Partial<VjpTable>;
