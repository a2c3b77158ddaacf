/** cpu implementations of the training-data ops (gather, metrics), calls into the references. */
import { gatherBytes, gatherRows, type GatherGeometry } from '../ref/gather.js';
import { argmax, classMetrics, correct } from '../ref/metrics.js';
import type { GatherAttrs } from '../ops/index.js';
import type { CpuArgs, CpuTable } from './cpu.js';

function geometry({ ins, inShapes, outShapes, attrs }: CpuArgs<GatherAttrs>): GatherGeometry {
  const B = outShapes[0][0];
  const D = B ? outShapes[0].reduce((a, d) => a * d, 1) / B : 0;
  return { N: inShapes[0][0], D, shifts: ins[2] ?? null, cols: inShapes[2]?.[1] ?? 2, H: attrs.height || 1,
    W: attrs.width || 1 };
}

export const CPU_TRAIN = {
  gather: (a) => gatherRows(a.outs[0], a.ins[0], a.ins[1], geometry(a)),
  gather_bytes: (a) => gatherBytes(a.outs[0], a.ins[0], a.ins[1], geometry(a), a.inShapes[0][1], a.attrs.scale,
    a.attrs.offset),
  argmax: ({ ins, outs, inShapes }) => argmax(outs[0], ins[0], inShapes[0][0], inShapes[0][1]),
  correct: ({ ins, outs, inShapes }) => correct(outs[0], ins[0], ins[1], inShapes[0][0], inShapes[0][1]),
  class_metrics: ({ ins, outs, inShapes }) => classMetrics(outs[0], ins[0], ins[1], ins[2], ins[3], inShapes[1][0],
    inShapes[1][1]),
} satisfies Partial<CpuTable>;
