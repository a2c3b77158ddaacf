/**
 * What tuning chooses among: the kernel families whose variants are picked per adapter by
 * measuring (the backend's tuner, src/backend/tune.ts, times them at compile). A family joins by
 * adding a row: its candidate variants on a device. Every candidate must be correct for every
 * call of the family (the kernel case suite runs each one), because tuning may pick any of them.
 * The choice is shared by the calls of one shape class (shapeClass): the op, its shapes with each
 * dimension rounded up to a power of two, and its boolean and integer attributes.
 */
import type { DeviceLimits } from '../gpu/device.js';
import type { OpCall } from '../backend/types.js';
import { matmulDims } from '../ops/index.js';
import { MATMUL_VARIANTS, matmulVariantSupported } from './matmul.js';
import { REDUCE_VARIANTS } from './reduce.js';
import { SOFTMAX_VARIANTS } from './softmax.js';
import { NORM_VARIANTS } from './norm.js';
import { CONV_VARIANTS, convVariantSupported } from './conv.js';

export interface Tunable {
  /** The variants to time on this device (names the family's lowering accepts from forcedVariant). */
  candidates(limits: DeviceLimits): readonly string[];
  /**
   * Smaller shapes to time instead (inputs, then outputs) when the call's own would take long,
   * keeping what decides between the variants; null or absent: the call's shapes.
   */
  proxy?(call: OpCall): readonly (readonly number[])[] | null;
  /** The family's ops that are tuned (absent: every op); the others take the family's default. */
  ops?: readonly string[];
}

/** Multiply-adds above which a matmul is timed on fewer rows (rows of C past 128 repeat the same tiles). */
const MATMUL_TUNE_WORK = 2 ** 24;

function matmulProxy(call: OpCall): number[][] | null {
  const [a, b] = call.inputs;
  const at = call.attrs as { transA: boolean; transB: boolean };
  const d = matmulDims(a.shape, b.shape, at.transA, at.transB);
  if (d.batch * d.M * d.N * d.K <= MATMUL_TUNE_WORK || d.M <= 128) return null;
  const M = Math.max(128, Math.floor(MATMUL_TUNE_WORK / (d.batch * d.N * d.K) / 32) * 32);
  const lead = (s: readonly number[]) => s.slice(0, s.length - 2);
  const aShape = [...lead(a.shape), ...(at.transA ? [d.K, M] : [M, d.K])];
  return [aShape, ...call.inputs.slice(1).map((v) => [...v.shape]), [...lead(call.outputs[0].shape), M, d.N]];
}

/** Multiply-adds above which a convolution is timed on fewer images (the choice follows one image's GEMM). */
const CONV_TUNE_WORK = 2 ** 26;

/** The convolution on fewer images: the activations' (N, ·, ·, ·) shapes shrunk alike, the weight kept. */
function convProxy(call: OpCall): number[][] | null {
  const shapes = [...call.inputs, ...call.outputs].map((v) => [...v.shape]);
  // Per op: the indices (inputs, then outputs) of the activations and of the weight (K, Cg, R, S).
  const [acts, wi] = call.op.name === 'conv2d_backward_weight' ? [[0, 1], 2] : [[0, shapes.length - 1], 1];
  const y = call.op.name === 'conv2d_backward_input' ? shapes[0] : shapes[acts[1]];   // (N, K, OH, OW)
  const [N] = y;
  const perImage = (y[1] * y[2] * y[3] * shapes[wi].slice(1).reduce((a, d) => a * d, 1));
  const n = Math.max(1, Math.floor(CONV_TUNE_WORK / perImage));
  if (n >= N) return null;
  for (const i of acts) shapes[i][0] = n;
  return shapes;
}

/** The tuned families, by op family. */
export const TUNABLE: Readonly<Record<string, Tunable>> = {
  // The naive matmul stays a reference: it is never the fastest.
  matmul: { candidates: (l) => MATMUL_VARIANTS.filter((v) => v !== 'naive' && matmulVariantSupported(v, l)),
    proxy: matmulProxy },
  reduce: { candidates: () => REDUCE_VARIANTS },
  softmax: { candidates: () => SOFTMAX_VARIANTS },
  norm: { candidates: () => NORM_VARIANTS },
  // Convolution's bias gradient has one kernel: only the three GEMMs are tuned.
  conv: { candidates: (l) => CONV_VARIANTS.filter((v) => v !== 'naive' && convVariantSupported(v, l)), proxy: convProxy,
    ops: ['conv2d', 'conv2d_backward_input', 'conv2d_backward_weight'] },
};

const pow2 = (d: number) => (d <= 1 ? d : 2 ** Math.ceil(Math.log2(d)));

/** The tuning key of a call: `family:op shapes attrs`, or null when its family is not tuned. */
export function shapeClass(call: OpCall): string | null {
  const family = call.op.family;
  const t = TUNABLE[family];
  if (!t || (t.ops && !t.ops.includes(call.op.name))) return null;
  const shapes = [...call.inputs, ...call.outputs].map((v) => v.shape.map(pow2).join('x')).join(',');
  const attrs = Object.entries(call.attrs as Record<string, unknown>)
    .filter(([, v]) => typeof v === 'boolean' || Number.isInteger(v))
    .map(([k, v]) => `${k}=${Number(v)}`).join(',');
  return `${family}:${call.op.name} ${shapes}${attrs ? ` ${attrs}` : ''}`;
}
