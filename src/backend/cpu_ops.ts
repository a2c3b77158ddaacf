/** cpu implementations of the core ops, each a call into the float64 references. */
import * as ew from '../ref/elementwise.js';
import { reduce } from '../ref/reduce.js';
import { matmul } from '../ref/matmul.js';
import * as sm from '../ref/softmax.js';
import * as ce from '../ref/cross_entropy.js';
import { matmulDims, reduceDims, rowsOf } from '../ops/index.js';
import type { CpuTable } from './cpu.js';

/** Rows and row length of a softmax family call's first input. */
const rc = (s: readonly number[]): [number, number] => {
  const { rows, C } = rowsOf(s);
  return [rows, C];
};

export const CPU_OPS = {
  copy: ({ ins, outs }) => ew.copy(outs[0], ins[0]),
  detach: ({ ins, outs }) => outs[0].set(ins[0]),
  add_into: ({ ins, outs }) => { for (let i = 0; i < outs[0].length; i++) outs[0][i] += ins[0][i]; },
  unary: ({ ins, outs, attrs: a }) => ew.unary(outs[0], ins[0], a.kind, a.alpha, a.beta),
  unary_grad: ({ ins, outs, attrs: a }) => ew.unaryGrad(outs[0], ins[0], ins[1], a.kind, a.alpha, a.beta),
  unary_deriv2: ({ ins, outs, attrs: a }) => ew.unaryDeriv2All(outs[0], ins[0], a.kind, a.alpha, a.beta),
  binary: ({ ins, outs, inShapes, outShapes, attrs }) => ew.binary(outs[0], ins[0], ins[1], attrs.kind, inShapes[0],
    inShapes[1], outShapes[0]),
  broadcast: ({ ins, outs, inShapes, outShapes }) => ew.broadcast(outs[0], ins[0], inShapes[0], outShapes[0]),
  scale: ({ ins, outs, attrs }) => ew.scale(outs[0], ins[0], attrs.alpha, attrs.beta),
  one_hot: ({ ins, outs, attrs }) => ew.oneHot(outs[0], ins[0], attrs.classes),
  reduce({ ins, outs, inShapes, attrs }) {
    const { outer, R, inner } = reduceDims(inShapes[0], attrs.axis);
    reduce(outs[0], ins[0], attrs.kind, outer, R, inner);
  },
  matmul({ ins, outs, inShapes, attrs: a }) {
    const d = matmulDims(inShapes[0], inShapes[1], a.transA, a.transB);
    matmul(outs[0], ins[0], ins[1], {
      ...d, transA: a.transA, transB: a.transB, bias: a.bias ? ins[2] : null, act: a.act, alpha: a.alpha, beta: a.beta,
    });
  },
  softmax: ({ ins, outs, inShapes }) => sm.softmax(outs[0], ins[0], ...rc(inShapes[0])),
  log_softmax: ({ ins, outs, inShapes }) => sm.logSoftmax(outs[0], ins[0], ...rc(inShapes[0])),
  softmax_backward: ({ ins, outs, inShapes }) => sm.softmaxBackward(outs[0], ins[0], ins[1], ...rc(inShapes[0])),
  log_softmax_backward: ({ ins, outs, inShapes }) => sm.logSoftmaxBackward(outs[0], ins[0], ins[1], ...rc(inShapes[0])),
  cross_entropy({ ins, outs, inShapes, inDtypes, attrs }) {
    const [N, C] = inShapes[0];
    ce.crossEntropy(outs[0], ins[0], ins[1], inDtypes[1] === 'i32', N, C, attrs.smoothing, attrs.reduction);
  },
  cross_entropy_backward({ ins, outs, inShapes, inDtypes, attrs }) {
    const [N, C] = inShapes[0];
    ce.crossEntropyBackward(outs[0], ins[0], ins[1], ins[2], inDtypes[1] === 'i32', N, C, attrs.smoothing,
      attrs.reduction);
  },
  mse: ({ ins, outs, attrs }) => ce.mse(outs[0], ins[0], ins[1], attrs.reduction),
  mse_backward: ({ ins, outs, attrs }) => ce.mseBackward(outs[0], ins[0], ins[1], ins[2], attrs.reduction),
} satisfies Partial<CpuTable>;
