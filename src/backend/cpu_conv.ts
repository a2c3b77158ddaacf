/** cpu implementations of convolution, pooling and dropout, each a call into the float64 references. */
import * as cv from '../ref/conv.js';
import * as pl from '../ref/pool.js';
import * as ew from '../ref/elementwise.js';
import { dropout } from '../ref/dropout.js';
import { convGeom, poolGeom } from '../ops/index.js';
import type { CpuTable } from './cpu.js';

/** The adaptive geometry of x (N, C, H, W) pooled to OH × OW. */
const adaptive = (s: readonly number[], OH: number, OW: number) => ({ N: s[0], C: s[1], H: s[2], W: s[3], OH, OW });

export const CPU_CONV = {
  conv2d({ ins, outs, inShapes, attrs: a }) {
    const g = convGeom('conv2d', inShapes[0], inShapes[1], a);
    cv.conv2d(outs[0], ins[0], ins[1], a.bias ? ins[2] : null, g);
    if (a.act !== 'none') for (let i = 0; i < outs[0].length; i++) outs[0][i] = ew.unaryValue(a.act, outs[0][i],
      a.alpha, a.beta);
  },
  conv2d_backward_input({ ins, outs, inShapes, outShapes, attrs: a }) {
    cv.conv2dBackwardInput(outs[0], ins[0], ins[1], convGeom('conv2d backward input', outShapes[0], inShapes[1], a));
  },
  conv2d_backward_weight({ ins, outs, inShapes, outShapes, attrs: a }) {
    cv.conv2dBackwardWeight(outs[0], ins[1], ins[0], convGeom('conv2d backward weight', inShapes[0], outShapes[0], a));
  },
  conv2d_backward_bias({ ins, outs, inShapes }) {
    const [N, K, OH, OW] = inShapes[0];
    cv.conv2dBackwardBias(outs[0], ins[0], { N, K, OH, OW } as cv.Conv2dGeom);
  },
  max_pool2d: ({ ins, outs, inShapes, attrs }) => pl.maxPool2d(outs[0], ins[0], poolGeom('max_pool2d', inShapes[0],
    attrs)),
  max_pool2d_backward: ({ ins, outs, inShapes, attrs }) =>
    pl.maxPool2dBackward(outs[0], ins[1], ins[0], poolGeom('max_pool2d backward', inShapes[0], attrs)),
  max_pool2d_select: ({ ins, outs, inShapes, attrs }) => pl.maxPool2dSelect(outs[0], ins[1], ins[0],
    poolGeom('max_pool2d select', inShapes[0], attrs)),
  avg_pool2d: ({ ins, outs, inShapes, attrs: a }) => pl.avgPool2d(outs[0], ins[0], poolGeom('avg_pool2d', inShapes[0],
    a), a.countIncludePad),
  avg_pool2d_backward: ({ ins, outs, outShapes, attrs: a }) =>
    pl.avgPool2dBackward(outs[0], ins[0], poolGeom('avg_pool2d backward', outShapes[0], a), a.countIncludePad),
  adaptive_avg_pool2d: ({ ins, outs, inShapes, attrs: a }) => pl.adaptiveAvgPool2d(outs[0], ins[0],
    adaptive(inShapes[0], a.OH, a.OW)),
  adaptive_avg_pool2d_backward: ({ ins, outs, outShapes, attrs: a }) =>
    pl.adaptiveAvgPool2dBackward(outs[0], ins[0], adaptive(outShapes[0], a.OH, a.OW)),
  dropout: ({ ins, outs, attrs: a }) =>
    dropout(outs[0], ins[0], { p: a.p, seed: ins[1][0] >>> 0, step: ins[1][1] >>> 0, stream: a.stream }),
} satisfies Partial<CpuTable>;
