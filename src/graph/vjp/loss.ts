/** Backward rules of the losses (their backward ops too, for second derivatives). */
import type { Reduction } from '../../ops/index.js';
import { mul, scale, sub } from '../ops/elementwise.js';
import { crossEntropyBackward, mseBackward } from '../ops/loss.js';
import { reshape, sum } from '../ops/reduce.js';
import { logSoftmax, softmax, softmaxBackward } from '../ops/softmax.js';
import type { Tensor } from '../tensor.js';
import type { VjpTable } from './types.js';

/** The per-row factor s of the loss gradient: gₙ as a column (none), g/N (mean), g (sum). */
function rowScale(g: Tensor, red: Reduction, N: number): Tensor {
  return red === 'none' ? reshape(g, [N, 1]) : red === 'mean' ? scale(g, 1 / N) : g;
}

export const LOSS_VJPS = {
  cross_entropy(out, g) {
    const [z, t] = out.inputs;
    const { reduction: red, smoothing: eps } = out.attrs;
    // ∂ℓ/∂t_c = (1 − ε)(lse − z_c)·s = −(1 − ε)·log softmax(z)_c·s, for probability targets.
    const gt = t.dtype === 'f32' ? scale(mul(logSoftmax(z), rowScale(g, red, z.shape[0])), -(1 - eps)) : null;
    return [crossEntropyBackward(z, t, g, red, eps), gt];
  },
  cross_entropy_backward(out, h) {
    const [z, t, g] = out.inputs;
    const [N, C] = z.shape;
    const { reduction: red, smoothing: eps } = out.attrs;
    // out = (p·T − t̃) ⊙ s, p = softmax(z), T = Σ_c t̃_c (1 for labels), s = rowScale(g).
    const s = rowScale(g, red, N);
    const p = softmax(z);
    const T = t.dtype === 'f32' ? sum(scale(t, 1 - eps, eps / C), 1, true) : null;
    const gz = mul(softmaxBackward(p, h), T ? mul(s, T) : s);
    // ∂/∂t_d = (1 − ε)·s·(Σ_c h_c p_c − h_d), for probability targets.
    const gt = T ? scale(mul(sub(sum(mul(h, p), 1, true), h), s), 1 - eps) : null;
    // ∂/∂g: Σ h ⊙ (p·T − t̃) (/N for the mean), i.e. h against the backward with unit gradient.
    const unit = crossEntropyBackward(z, t, z.graph.fill(g.shape, 1), red, eps);
    const hp = mul(h, unit);
    const gg = red === 'none' ? sum(hp, 1) : sum(hp);
    return [gz, gt, gg];
  },
  mse(out, g) {
    const [a, b] = out.inputs;
    const ga = mseBackward(a, b, g, out.attrs.reduction);
    return [ga, scale(ga, -1)];
  },
  mse_backward(out, h) {
    const [a, b, g] = out.inputs;
    const red = out.attrs.reduction;
    // out = 2(a − b) ⊙ g / n: linear in (a − b) and in g.
    const ha = mseBackward(h, b.graph.fill(h.shape, 0), g, red); // 2 h g / n
    const unit = mseBackward(a, b, a.graph.fill(g.shape, 1 / 1), red); // 2 (a − b) / n
    const hu = mul(h, unit);
    return [ha, scale(ha, -1), red === 'none' ? hu : sum(hu)];
  },
} satisfies Partial<VjpTable>;
