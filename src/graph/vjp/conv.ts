/**
 * Backward rules of convolution and pooling. Every backward op is linear in its gradient input,
 * and its rule is the adjoint pair: conv2d's backward-input and backward-weight are each other's
 * and conv2d's transposes, avg and adaptive pooling's backward ops are the forward ops'
 * transposes, and max pooling's backward (scatter to the argmax) and select (gather from it) are
 * each other's; dropout's is dropout of the gradient with the same mask (same rng and stream).
 * So Hessian-vector products run through convolutional networks. Graphs hold plain conv2d nodes
 * (an activation is folded into the epilogue only after planning).
 */
import { windowOf, poolWindowOf, type AvgPoolAttrs } from '../../ops/index.js';
import { broadcastTo } from '../ops/elementwise.js';
import { reshape } from '../ops/reduce.js';
import {
  adaptiveAvgPool2d, adaptiveAvgPool2dBackward, avgPool2dBackward, conv2dBackwardBias, conv2dBackwardInput,
  conv2dBackwardWeight, maxPool2dBackward, maxPool2dSelect,
} from '../ops/conv.js';
import { OPS } from '../../ops/index.js';
import { build, type Tensor } from '../tensor.js';
import type { VjpTable } from './types.js';

/** conv2d(x, w) with a window and no bias or activation. */
const conv = (x: Tensor, w: Tensor, win: ReturnType<typeof windowOf>) =>
  build(OPS.conv2d, [x, w], { ...win, bias: false, act: 'none' as const, alpha: 0, beta: 0 });

const avgAttrs = (a: AvgPoolAttrs): AvgPoolAttrs => ({ ...poolWindowOf(a), countIncludePad: a.countIncludePad });

export const CONV_VJPS = {
  conv2d(out, g) {
    if (out.attrs.act !== 'none') throw new Error('conv2d nodes with an activation exist only after compilation');
    const [x, w] = out.inputs;
    const win = windowOf(out.attrs);
    return [
      conv2dBackwardInput(g, w, win, x.shape[2], x.shape[3]),
      conv2dBackwardWeight(x, g, win, w.shape[2], w.shape[3]),
      ...(out.attrs.bias ? [conv2dBackwardBias(g)] : []),
    ];
  },
  // dx = Bᵀ(dy, w), bilinear: ∂/∂dy = conv(h, w), ∂/∂w = backward-weight(h, dy).
  conv2d_backward_input(out, h) {
    const [dy, w] = out.inputs;
    const win = windowOf(out.attrs);
    return [conv(h, w, win), conv2dBackwardWeight(h, dy, win, w.shape[2], w.shape[3])];
  },
  // dw = Wᵀ(x, dy): ∂/∂x = backward-input(dy, h), ∂/∂dy = conv(x, h).
  conv2d_backward_weight(out, h) {
    const [x, dy] = out.inputs;
    const win = windowOf(out.attrs);
    return [conv2dBackwardInput(dy, h, win, x.shape[2], x.shape[3]), conv(x, h, win)];
  },
  conv2d_backward_bias(out, h) {
    const dy = out.inputs[0];
    return [broadcastTo(reshape(h, [1, dy.shape[1], 1, 1]), dy.shape)];
  },
  max_pool2d(out, g) {
    return [maxPool2dBackward(out.inputs[0], g, poolWindowOf(out.attrs))];
  },
  // Piecewise constant in x (the argmax): no gradient to x.
  max_pool2d_backward(out, h) {
    return [null, maxPool2dSelect(out.inputs[0], h, poolWindowOf(out.attrs))];
  },
  max_pool2d_select(out, g) {
    return [null, maxPool2dBackward(out.inputs[0], g, poolWindowOf(out.attrs))];
  },
  avg_pool2d(out, g) {
    const x = out.inputs[0];
    return [avgPool2dBackward(g, avgAttrs(out.attrs), x.shape[2], x.shape[3])];
  },
  avg_pool2d_backward(out, h) {
    return [build(OPS.avg_pool2d, [h], avgAttrs(out.attrs))];
  },
  adaptive_avg_pool2d(out, g) {
    const x = out.inputs[0];
    return [adaptiveAvgPool2dBackward(g, x.shape[2], x.shape[3])];
  },
  adaptive_avg_pool2d_backward(out, h) {
    return [adaptiveAvgPool2d(h, [out.attrs.OH, out.attrs.OW])];
  },
  dropout(out, g) {
    return [build(OPS.dropout, [g, out.inputs[1]], { ...out.attrs }), null];
  },
} satisfies Partial<VjpTable>;
