/**
 * Lowerings of conv2d and its backward ops onto shaders/conv.wgsl and conv_subgroup.wgsl, from
 * launch functions of a geometry (src/ops' ConvGeom, the fields of src/ref/conv.ts's) and views.
 * Variants, each for the forward pass and both backward passes:
 *   naive — direct loops, one thread per output element (the reference variant)
 *   bcast — implicit GEMM on gemm_bcast: ROWS rows × 8 columns per thread
 *   tiled — implicit GEMM on gemm_tiled: 64×64 tiles through workgroup memory
 *   sg    — implicit GEMM on gemm_sg: A shared by subgroup shuffles (needs subgroups ≥ 8 lanes)
 * The GEMM bodies are the ones matmul runs (shaders/gemm.wgsl); conv_common.wgsl supplies the
 * accessors that read the patch matrix straight from the image. The default variant follows the
 * adapter's matmul choice (defaultConvVariant): the same bodies win on the same adapter.
 */
import convSource from '../../shaders/conv.wgsl';
import convSgSource from '../../shaders/conv_subgroup.wgsl';
import convCommon from '../../shaders/conv_common.wgsl';
import gemm from '../../shaders/gemm.wgsl';
import gemmSg from '../../shaders/gemm_subgroup.wgsl';
import common from '../../shaders/common.wgsl';
import activation from '../../shaders/activation.wgsl';
import type { OpCall, View } from '../backend/types.js';
import type { DeviceLimits } from '../gpu/device.js';
import { ArgumentError } from '../errors.js';
import { ACTIVATIONS, convGeom, type Activation, type ConvGeom } from '../ops/index.js';
import type { DeviceProfile } from '../gpu/profile.js';
import {
  forcedVariant, groups, kernel, withCommon, type KernelSpec, type Launch, type LowerContext, type LoweringTable,
} from './spec.js';

const source = withCommon(convSource, convCommon, activation, gemm, common);
const sgSource = withCommon(convSgSource, convCommon, activation, gemm, gemmSg);

const U = (names: string[]) => names.map((k) => [k, 'u32'] as const);
const PARAMS = [
  ...U(['N', 'C', 'H', 'W', 'K', 'R', 'S', 'G', 'OH', 'OW']),
  ...U(['stride_h', 'stride_w', 'pad_h', 'pad_w', 'dil_h', 'dil_w']),
  ...U(['gm', 'gn', 'gk', 'tiles_n', 'tiles_mn', 'has_bias', 'act']), ['alpha', 'f32'] as const, ['beta',
    'f32'] as const,
  ...U(['dq_h', 'dr_h', 'dq_w', 'dr_w', 'pad0', 'pad1', 'pad2']),
];
const B = ['read', 'read', 'read', 'read_write'] as const;
const k = (src: string, entry: string): KernelSpec => kernel('conv', src, entry, B, PARAMS);

export type ConvVariant = 'naive' | 'bcast' | 'tiled' | 'sg';
export const CONV_VARIANTS: ConvVariant[] = ['naive', 'bcast', 'tiled', 'sg'];
/** forward: y from (x, w); input: dx from (dy, w); weight: dw from (x, dy). */
export type ConvDirection = 'forward' | 'input' | 'weight';
const MODE: Record<ConvDirection, number> = { forward: 0, input: 1, weight: 2 };
/** MODE 3: the backward to the input at stride 1, run as the forward GEMM on dy (see conv.wgsl). */
const FLIPPED = 3;

/**
 * The geometry of the forward convolution that computes dx at stride 1: dy (N, K, OH, OW) is its
 * input, dx (N, C, H, W) its output, padded by dil·(R − 1) − pad; null when that padding would be
 * negative (PyTorch allows padding beyond the kernel) or the stride is not 1.
 */
function flippedGeom(g: ConvGeom): ConvGeom | null {
  const padH = g.dilH * (g.R - 1) - g.padH, padW = g.dilW * (g.S - 1) - g.padW;
  if (g.strideH !== 1 || g.strideW !== 1 || padH < 0 || padW < 0) return null;
  return { ...g, C: g.K, H: g.OH, W: g.OW, K: g.C, OH: g.H, OW: g.W, padH, padW };
}

const CONV = {
  naive: {
    forward: k(source, 'conv2d_naive'), input: k(source, 'conv2d_dx_naive'), weight: k(source, 'conv2d_dw_naive'),
  },
  bias: k(source, 'conv2d_db'),
  bcast: k(source, 'conv2d_bcast'),
  tiled: k(source, 'conv2d_tiled'),
  sg: k(sgSource, 'conv2d_sg'),
};

/** Rows and columns of C per workgroup of each GEMM variant (columns per thread when `wide`). */
const TILING = {
  bcast: { rows: 8, cols: 8, wide: true },
  tiled: { rows: 64, cols: 64, wide: false },
  sg: { rows: 32, cols: 4, wide: true },
};
/** Rows per workgroup (the ROWS override) of the variants that take one. */
const ROWS = { bcast: 8, sg: 32 } as const;

/** Whether a variant can run on a device with these limits (sg needs subgroups of ≥ 8 lanes). */
export function convVariantSupported(v: ConvVariant, limits: Pick<DeviceLimits, 'subgroupMinSize'>): boolean {
  return v !== 'sg' || limits.subgroupMinSize >= 8;
}

/** The GEMM a direction runs, per group (see conv.wgsl's header): C (M, N) = A (M, K) · B (K, N). */
export function convGemmDims(dir: ConvDirection, g: ConvGeom): { M: number; N: number; K: number } {
  const Cg = g.C / g.groups, Kg = g.K / g.groups, RS = g.R * g.S;
  if (dir === 'forward') return { M: Kg, N: g.N * g.OH * g.OW, K: Cg * RS };
  if (dir === 'input') return { M: Cg, N: g.N * g.H * g.W, K: Kg * RS };
  return { M: Kg, N: Cg * RS, K: g.N * g.OH * g.OW };
}

export interface ConvLaunchOptions {
  variant: ConvVariant;
  /** Forward only: the bias (K), and the epilogue activation with its parameters (the table's alpha, beta). */
  bias?: View | null;
  act?: Activation;
  alpha?: number;
  beta?: number;
}

type Dims = { M: number; N: number; K: number };
type Params = Record<string, number>;

function params(g: ConvGeom, gm: Dims, tilesN: number, tilesMN: number, o: ConvLaunchOptions): Params {
  const a = ACTIVATIONS[o.act ?? 'none'];
  if (!a.epilogue) throw new Error(`internal: conv epilogue ${o.act}`);
  return {
    N: g.N, C: g.C, H: g.H, W: g.W, K: g.K, R: g.R, S: g.S, G: g.groups, OH: g.OH, OW: g.OW,
    stride_h: g.strideH, stride_w: g.strideW, pad_h: g.padH, pad_w: g.padW, dil_h: g.dilH, dil_w: g.dilW,
    gm: gm.M, gn: gm.N, gk: gm.K, tiles_n: tilesN, tiles_mn: tilesMN,
    has_bias: Number(!!o.bias), act: a.code, alpha: o.alpha ?? 0, beta: o.beta ?? 0,
    dq_h: Math.floor(g.dilH / g.strideH), dr_h: g.dilH % g.strideH, dq_w: Math.floor(g.dilW / g.strideW),
      dr_w: g.dilW % g.strideW,
    pad0: 0, pad1: 0, pad2: 0,
  };
}

/**
 * One launch of a direction: forward (in0 = x, in1 = w, out = y), input (in0 = dy, in1 = w,
 * out = dx) or weight (in0 = x, in1 = dy, out = dw). Every output element is written.
 */
export function conv2dLaunch(
  dir: ConvDirection, g: ConvGeom, in0: View, in1: View, out: View, o: ConvLaunchOptions,
): Launch {
  if (dir !== 'forward' && (o.bias || (o.act ?? 'none') !== 'none')) {
    throw new Error('internal: only the forward conv has an epilogue');
  }
  const flipped = dir === 'input' && o.variant !== 'naive' ? flippedGeom(g) : null;
  const mode = flipped ? FLIPPED : MODE[dir];
  const gm = convGemmDims(flipped ? 'forward' : dir, flipped ?? g);
  const bias = o.bias ?? in0;
  // The useful work, the same in every direction (the forward GEMM's), and the operands once each.
  const fwd = convGemmDims('forward', g);
  const cost = { flops: 2 * g.groups * fwd.M * fwd.N * fwd.K,
    bytes: 4 * (in0.length + in1.length + (o.bias ? o.bias.length : 0) + out.length) };
  if (o.variant === 'naive') {
    return {
      kernel: CONV.naive[dir], buffers: [in0, in1, bias, out], params: params(g, gm, 0, 0, o),
      overrides: { WG: 64 }, workgroups: groups(out.length, 64), cost,
    };
  }
  const t = TILING[o.variant];
  // 8 threads (one subgroup) when the columns fit them, as for matmul, or when 64 threads' tiles
  // would compute a quarter more columns than there are (the weight gradient's C·R·S = 288 columns
  // ran on 512): two sizes, two pipelines.
  const span = (w: number) => Math.ceil(gm.N / (w * t.cols)) * w * t.cols;
  const wg = t.wide && (gm.N <= 8 * t.cols || span(64) > 1.25 * span(8)) ? 8 : 64;
  const tilesN = Math.ceil(gm.N / (t.wide ? wg * t.cols : t.cols));
  const tilesMN = Math.ceil(gm.M / t.rows) * tilesN;
  return {
    kernel: CONV[o.variant], buffers: [in0, in1, bias, out], params: params(flipped ?? g, gm, tilesN, tilesMN, o),
    overrides: o.variant === 'tiled' ? { MODE: mode } : { WG: wg, ROWS: ROWS[o.variant], MODE: mode },
    workgroups: g.groups * tilesMN, cost,
  };
}

/** db (K) = Σ over n, oh, ow of dy (N, K, OH, OW): one workgroup per channel. */
export function conv2dBiasGradLaunch(g: ConvGeom, dy: View, db: View): Launch {
  return {
    kernel: CONV.bias, buffers: [dy, dy, dy, db],
    params: params(g, convGemmDims('forward', g), 0, 0, { variant: 'naive' }),
    overrides: { WG: 64 }, workgroups: g.K,
  };
}

/**
 * The variant when none is forced: the one whose GEMM body the adapter's matmul uses (sg, bcast
 * or tiled); bcast where matmul uses its register blocks (no conv variant has them) or is naive.
 */
export function defaultConvVariant(profile: Pick<DeviceProfile, 'matmul'>, limits: Pick<DeviceLimits,
  'subgroupMinSize'>): ConvVariant {
  const m = profile.matmul;
  const v: ConvVariant = m === 'sg' || m === 'tiled' || m === 'bcast' ? m : 'bcast';
  return convVariantSupported(v, limits) ? v : 'bcast';
}

function variantOf(ctx: LowerContext): ConvVariant {
  const forced = forcedVariant(ctx, 'conv');
  if (forced === undefined) return defaultConvVariant(ctx.profile, ctx.limits);
  if (!(CONV_VARIANTS as string[]).includes(forced)) {
    throw new ArgumentError(`unknown conv variant '${forced}' (expected ${CONV_VARIANTS.join(', ')})`);
  }
  if (!convVariantSupported(forced as ConvVariant, ctx.limits)) {
    throw new ArgumentError(`conv variant '${forced}' needs the 'subgroups' feature with subgroups of at least 8 ` +
      `lanes, which this adapter lacks`);
  }
  return forced as ConvVariant;
}

export const CONV_LOWERINGS = {
  conv2d(c: OpCall<'conv2d'>, ctx) {
    const [x, w] = c.inputs;
    if (!c.outputs[0].length) return [];
    const a = c.attrs;
    const g = convGeom('conv2d', x.shape, w.shape, a);
    const o = { variant: variantOf(ctx), bias: a.bias ? c.inputs[2] : null, act: a.act, alpha: a.alpha, beta: a.beta };
    return [conv2dLaunch('forward', g, x, w, c.outputs[0], o)];
  },
  conv2d_backward_input(c: OpCall<'conv2d_backward_input'>, ctx) {
    const [dy, w] = c.inputs;
    if (!c.outputs[0].length) return [];
    const g = convGeom('conv2d backward input', c.outputs[0].shape, w.shape, c.attrs);
    return [conv2dLaunch('input', g, dy, w, c.outputs[0], { variant: variantOf(ctx) })];
  },
  conv2d_backward_weight(c: OpCall<'conv2d_backward_weight'>, ctx) {
    const [x, dy] = c.inputs;
    if (!c.outputs[0].length) return [];
    const g = convGeom('conv2d backward weight', x.shape, c.outputs[0].shape, c.attrs);
    return [conv2dLaunch('weight', g, x, dy, c.outputs[0], { variant: variantOf(ctx) })];
  },
  conv2d_backward_bias(c: OpCall<'conv2d_backward_bias'>) {
    if (!c.outputs[0].length) return [];
    const [N, K, OH, OW] = c.inputs[0].shape;
    const g = { N, C: 1, H: 1, W: 1, K, R: 1, S: 1, groups: 1, strideH: 1, strideW: 1, padH: 0, padW: 0, dilH: 1,
      dilW: 1, OH, OW };
    return [conv2dBiasGradLaunch(g, c.inputs[0], c.outputs[0])];
  },
} satisfies Partial<LoweringTable>;
