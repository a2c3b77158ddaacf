/**
 * Lowering of `matmul` (transposes, batch, fused bias + activation) onto shaders/matmul.wgsl
 * and shaders/matmul_subgroup.wgsl. Variants (every one runs the whole test suite):
 *   naive — one thread per element of C (the reference port, kept as an oracle)
 *   reg   — 4×4 register blocks, 8×8 threads, no workgroup memory
 *   tiled — 64×64 tiles through workgroup memory, 4×4 per thread
 *   bcast — 8 rows × 8 columns per thread, rows shared by the whole workgroup
 *   row   — bcast on one row (8 columns per thread): for a C of one row (a batch of 1)
 *   sg    — 32 rows × 4 columns per thread, A handed round by subgroup shuffles
 *           (needs the `subgroups` feature with subgroups of ≥ 8 lanes)
 * Which is fastest depends on the adapter: the device profile holds the choice (a rule per
 * adapter, or a measurement: tuneMatmul in matmul_tune.ts).
 */
import mmSource from '../../shaders/matmul.wgsl';
import mmSgSource from '../../shaders/matmul_subgroup.wgsl';
import mmCommon from '../../shaders/matmul_common.wgsl';
import activation from '../../shaders/activation.wgsl';
import gemm from '../../shaders/gemm.wgsl';
import gemmSg from '../../shaders/gemm_subgroup.wgsl';
import { ArgumentError } from '../errors.js';
import { ACTIVATIONS, matmulDims } from '../ops/index.js';
import type { DeviceLimits } from '../gpu/device.js';
import { forcedVariant, groups, kernel, withCommon, type KernelSpec, type Launch, type LowerContext,
  type LoweringTable } from './spec.js';
import type { OpCall } from '../backend/types.js';

// Each source with the shared Params, bindings, helpers and accessors of matmul_common.wgsl and the
// activation table's functions appended, then the GEMM bodies it shares with the convolution
// (gemm.wgsl, gemm_subgroup.wgsl).
const source = withCommon(mmSource, mmCommon, activation, gemm);
const sgSource = withCommon(mmSgSource, mmCommon, activation, gemm, gemmSg);

const P = ['M', 'N', 'K', 'batch', 'stride_a', 'stride_b', 'tiles_n', 'tiles_mn'].map((k) => [k, 'u32'] as const);
const PARAMS = [
  ...P, ['alpha', 'f32'] as const, ...['trans_a', 'trans_b', 'has_bias', 'act'].map((k) => [k, 'u32'] as const),
  ['beta', 'f32'] as const, ['pad1', 'u32'] as const, ['pad2', 'u32'] as const,
];
const B = ['read', 'read', 'read', 'read_write'] as const;

interface VariantDef {
  kernel: KernelSpec;
  /** Rows of C per workgroup. */
  rows: number;
  /** Columns of C per workgroup, or per thread when `wide` (a workgroup then spans WG·cols). */
  cols: number;
  wide?: boolean;
  overrides?: Record<string, number>;
}

const VARIANTS = {
  naive: { kernel: kernel('matmul', source, 'matmul_naive', B, PARAMS), rows: 1, cols: 1 },
  reg: { kernel: kernel('matmul', source, 'matmul_reg', B, PARAMS), rows: 32, cols: 32 },
  tiled: { kernel: kernel('matmul', source, 'matmul_tiled', B, PARAMS), rows: 64, cols: 64 },
  bcast: {
    kernel: kernel('matmul', source, 'matmul_bcast', B, PARAMS), rows: 8, cols: 8, wide: true, overrides: { ROWS: 8 },
  },
  // bcast on one row: the matrix-vector product of a batch of 1 (the others' tiles of 8 or 32 rows
  // would compute 7 or 31 discarded rows for every row of C).
  row: {
    kernel: kernel('matmul', source, 'matmul_bcast', B, PARAMS), rows: 1, cols: 8, wide: true, overrides: { ROWS: 1 },
  },
  sg: {
    kernel: kernel('matmul', sgSource, 'matmul_sg', B, PARAMS), rows: 32, cols: 4, wide: true, overrides: { ROWS: 32 },
  },
} satisfies Record<string, VariantDef>;

export type MatmulVariant = keyof typeof VARIANTS;
export const MATMUL_VARIANTS = Object.keys(VARIANTS) as MatmulVariant[];

/** Whether a variant can run on a device with these limits (sg needs subgroups of ≥ 8 lanes). */
export function matmulVariantSupported(v: MatmulVariant, limits: Pick<DeviceLimits, 'subgroupMinSize'>): boolean {
  return v !== 'sg' || limits.subgroupMinSize >= 8;
}

/** A known variant name, or an ArgumentError listing them. */
export function checkMatmulVariant(name: string): MatmulVariant {
  if (!(MATMUL_VARIANTS as readonly string[]).includes(name)) {
    throw new ArgumentError(`unknown matmul variant '${name}' (expected ${MATMUL_VARIANTS.join(', ')})`);
  }
  return name as MatmulVariant;
}

/**
 * Threads per workgroup: 64, or 8 (one subgroup) when the output is narrow enough for 8 threads
 * of a wide variant. Two sizes only: each pipeline costs seconds of JIT on software adapters.
 */
function workgroupSize(v: VariantDef, N: number): number {
  return v.wide && N <= 8 * v.cols ? 8 : 64;
}

function lowerMatmul(call: OpCall<'matmul'>, ctx: LowerContext): Launch[] {
  const [a, b] = call.inputs;
  const at = call.attrs;
  const d = matmulDims(a.shape, b.shape, at.transA, at.transB);
  const out = call.outputs[0];
  if (!out.length) return [];
  const name = checkMatmulVariant(forcedVariant(ctx, 'matmul') ?? ctx.profile.matmul);
  const v: VariantDef = VARIANTS[name];
  if (!matmulVariantSupported(name, ctx.limits)) {
    throw new ArgumentError(`matmul variant '${name}' needs the 'subgroups' feature with subgroups of at least 8 ` +
      'lanes, which this adapter lacks');
  }
  const wg = workgroupSize(v, d.N);
  const tilesN = Math.ceil(d.N / (v.wide ? wg * v.cols : v.cols));
  const tilesMN = Math.ceil(d.M / v.rows) * tilesN;
  const bias = at.bias ? call.inputs[2] : a;
  return [{
    kernel: v.kernel,
    buffers: [a, b, bias, out],
    params: {
      M: d.M, N: d.N, K: d.K, batch: d.batch,
      stride_a: d.batchA ? d.M * d.K : 0, stride_b: d.batchB ? d.K * d.N : 0,
      tiles_n: tilesN, tiles_mn: tilesMN, alpha: at.alpha, beta: at.beta,
      trans_a: Number(at.transA), trans_b: Number(at.transB), has_bias: Number(at.bias), act: ACTIVATIONS[at.act].code,
      pad1: 0, pad2: 0,
    },
    overrides: { WG: wg, ...v.overrides },
    workgroups: name === 'naive' ? groups(d.batch * d.M * d.N, 64) : d.batch * tilesMN,
    cost: { bytes: 4 * (a.length + b.length + (at.bias ? d.N : 0) + out.length), flops: 2 * d.batch * d.M * d.N * d.K },
  }];
}

export const MATMUL_LOWERINGS = { matmul: lowerMatmul } satisfies Partial<LoweringTable>;
