/** Backward rules of the elementwise ops (and of fill, a constant). */
import { ACTIVATIONS } from '../../ops/index.js';
import { ArgumentError } from '../../errors.js';
import { binary, mul, div, neg, scale, sumTo, unaryGrad, unaryDeriv2 } from '../ops/elementwise.js';
import type { VjpTable } from './types.js';

export const ELEMENTWISE_VJPS = {
  binary(out, g) {
    const [a, b] = out.inputs;
    switch (out.attrs.kind) {
      case 'add': return [sumTo(g, a.shape), sumTo(g, b.shape)];
      case 'sub': return [sumTo(g, a.shape), sumTo(neg(g), b.shape)];
      case 'mul': return [sumTo(mul(g, b), a.shape), sumTo(mul(g, a), b.shape)];
      case 'div': return [sumTo(div(g, b), a.shape), sumTo(neg(mul(g, div(out, b))), b.shape)];
      case 'eq': return [null, null];
      case 'max':
      case 'min': {
        // The gradient goes to the selected operand (to a on ties), as torch.maximum splits ties evenly;
        // we keep it simple and deterministic: mask = (out == a).
        const m = binary('eq', out, a);
        return [sumTo(mul(g, m), a.shape), sumTo(mul(g, scale(m, -1, 1)), b.shape)];
      }
    }
  },
  unary(out, g) {
    if (out.attrs.kind === 'neg') return [neg(g)];
    return [unaryGrad(ACTIVATIONS[out.attrs.kind].deriv === 'output' ? out : out.inputs[0], g, out.attrs)];
  },
  unary_grad(out, h) {
    const [t, g] = out.inputs;
    // d/dg: the same linear map applied to h. d/dt: h · g · f''(t).
    return [mul(mul(h, g), unaryDeriv2(t, out.attrs)), unaryGrad(t, h, out.attrs)];
  },
  unary_deriv2(out) {
    throw new ArgumentError(`third derivatives of ${out.attrs.kind} are not implemented`);
  },
  scale: (out, g) => [scale(g, out.attrs.alpha)],
  one_hot: () => [null],
  broadcast: (out, g) => [sumTo(g, out.inputs[0].shape)],
  copy: (_o, g) => [g],
  detach: () => [null],
  fill: () => [],
} satisfies Partial<VjpTable>;
