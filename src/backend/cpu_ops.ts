/** cpu implementations of the core ops, each a call into the float64 references. */
import * as ew from '../ref/elementwise.js';
import { reduce } from '../ref/reduce.js';
import { matmul } from '../ref/matmul.js';
import * as sm from '../ref/softmax.js';
import * as ce from '../ref/cross_entropy.js';
import { matmulDims } from '../graph/ops/matmul.js';
import { registerCpuOp } from './cpu.js';

const last = (s: readonly number[]) => s[s.length - 1] ?? 1;
const rowsOf = (s: readonly number[]) => s.reduce((a, d) => a * d, 1) / Math.max(1, last(s));

registerCpuOp('copy', ({ ins, outs }) => ew.copy(outs[0], ins[0]));
registerCpuOp('add_into', ({ ins, outs }) => { for (let i = 0; i < outs[0].length; i++) outs[0][i] += ins[0][i]; });
registerCpuOp('fill', ({ outs, attrs }) => outs[0].fill(attrs.value as number));
registerCpuOp('unary', ({ ins, outs, attrs }) => ew.unary(outs[0], ins[0], attrs.kind as string, attrs.alpha as number));
registerCpuOp('unary_grad', ({ ins, outs, attrs }) => ew.unaryGrad(outs[0], ins[0], ins[1], attrs.kind as string, attrs.alpha as number));
registerCpuOp('unary_deriv2', ({ ins, outs, attrs }) => ew.unaryDeriv2All(outs[0], ins[0], attrs.kind as string));
registerCpuOp('binary', ({ ins, outs, inShapes, outShapes, attrs }) =>
  ew.binary(outs[0], ins[0], ins[1], attrs.kind as string, inShapes[0], inShapes[1], outShapes[0]));
registerCpuOp('broadcast', ({ ins, outs, inShapes, outShapes }) => ew.broadcast(outs[0], ins[0], inShapes[0], outShapes[0]));
registerCpuOp('scale', ({ ins, outs, attrs }) => ew.scale(outs[0], ins[0], attrs.alpha as number, attrs.beta as number));
registerCpuOp('one_hot', ({ ins, outs, attrs }) => ew.oneHot(outs[0], ins[0], attrs.classes as number));
registerCpuOp('reduce', ({ ins, outs, inShapes, attrs }) => {
  const s = inShapes[0];
  const ax = attrs.axis as number;
  const outer = s.slice(0, ax).reduce((a, d) => a * d, 1);
  const inner = s.slice(ax + 1).reduce((a, d) => a * d, 1);
  reduce(outs[0], ins[0], attrs.kind as 'sum', outer, s[ax], inner);
});
registerCpuOp('matmul', ({ ins, outs, inShapes, attrs }) => {
  const d = matmulDims(inShapes[0], inShapes[1], !!attrs.transA, !!attrs.transB);
  matmul(outs[0], ins[0], ins[1], {
    ...d, transA: !!attrs.transA, transB: !!attrs.transB,
    bias: attrs.bias ? ins[2] : null, act: attrs.act as string, alpha: attrs.alpha as number,
  });
});
registerCpuOp('softmax', ({ ins, outs, inShapes }) => sm.softmax(outs[0], ins[0], rowsOf(inShapes[0]), last(inShapes[0])));
registerCpuOp('log_softmax', ({ ins, outs, inShapes }) => sm.logSoftmax(outs[0], ins[0], rowsOf(inShapes[0]), last(inShapes[0])));
registerCpuOp('softmax_backward', ({ ins, outs, inShapes }) =>
  sm.softmaxBackward(outs[0], ins[0], ins[1], rowsOf(inShapes[0]), last(inShapes[0])));
registerCpuOp('log_softmax_backward', ({ ins, outs, inShapes }) =>
  sm.logSoftmaxBackward(outs[0], ins[0], ins[1], rowsOf(inShapes[0]), last(inShapes[0])));
registerCpuOp('cross_entropy', ({ ins, outs, inShapes, inDtypes, attrs }) => {
  const [N, C] = inShapes[0];
  ce.crossEntropy(outs[0], ins[0], ins[1], inDtypes[1] === 'i32', N, C, attrs.smoothing as number, attrs.reduction as string);
});
registerCpuOp('cross_entropy_backward', ({ ins, outs, inShapes, inDtypes, attrs }) => {
  const [N, C] = inShapes[0];
  ce.crossEntropyBackward(outs[0], ins[0], ins[1], ins[2], inDtypes[1] === 'i32', N, C, attrs.smoothing as number, attrs.reduction as string);
});
registerCpuOp('mse', ({ ins, outs, attrs }) => ce.mse(outs[0], ins[0], ins[1], attrs.reduction as string));
registerCpuOp('mse_backward', ({ ins, outs, attrs }) => ce.mseBackward(outs[0], ins[0], ins[1], ins[2], attrs.reduction as string));
