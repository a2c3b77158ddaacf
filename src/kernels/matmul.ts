/** Lowering of `matmul` (transposes, batch, fused bias + activation) onto shaders/matmul.wgsl. */
import source from '../../shaders/matmul.wgsl';
import { matmulDims } from '../graph/ops/matmul.js';
import { groups, kernel, registerGpuOp, type KernelSpec, type Launch, type LowerContext } from './spec.js';
import type { OpCall } from '../backend/types.js';

const P = ['M', 'N', 'K', 'batch', 'stride_a', 'stride_b', 'tiles_n', 'tiles_mn'].map((k) => [k, 'u32'] as const);
const PARAMS = [...P, ['alpha', 'f32'] as const, ['pad0', 'u32'] as const, ['pad1', 'u32'] as const, ['pad2', 'u32'] as const];
const B = ['read', 'read', 'read', 'read_write'] as const;

export const MATMUL: Record<'naive' | 'reg' | 'tiled', KernelSpec> = {
  naive: kernel('matmul', source, 'matmul_naive', B, PARAMS),
  reg: kernel('matmul', source, 'matmul_reg', B, PARAMS),
  tiled: kernel('matmul', source, 'matmul_tiled', B, PARAMS),
};
export const MATMUL_VARIANTS = ['naive', 'reg', 'tiled'] as const;
export type MatmulVariant = (typeof MATMUL_VARIANTS)[number];

const ACTS: Record<string, number> = { none: 0, relu: 1, leaky_relu: 2, gelu: 3, sigmoid: 4, tanh: 5 };
const TILE: Record<MatmulVariant, number> = { naive: 1, reg: 32, tiled: 64 };

let defaultVariant: MatmulVariant = 'reg';
/** The variant used when none is forced (chosen per adapter by measuring; see bench/matmul). */
export function setDefaultMatmulVariant(v: MatmulVariant): void {
  defaultVariant = v;
}

export function lowerMatmul(call: OpCall, ctx: LowerContext): Launch[] {
  const [a, b] = call.inputs;
  const at = call.attrs;
  const d = matmulDims(a.shape, b.shape, !!at.transA, !!at.transB);
  const out = call.outputs[0];
  if (!out.length) return [];
  const variant = (ctx.variant('matmul') as MatmulVariant | undefined) ?? defaultVariant;
  const k = MATMUL[variant];
  if (!k) throw new Error(`unknown matmul variant '${variant}' (expected ${MATMUL_VARIANTS.join(', ')})`);
  const ts = TILE[variant];
  const tilesN = Math.ceil(d.N / ts);
  const tilesMN = Math.ceil(d.M / ts) * tilesN;
  const act = ACTS[String(at.act ?? 'none')];
  if (act === undefined) throw new Error(`internal: matmul epilogue ${String(at.act)}`);
  const bias = at.bias ? call.inputs[2] : a;
  return [{
    kernel: k,
    buffers: [a, b, bias, out],
    params: {
      M: d.M, N: d.N, K: d.K, batch: d.batch,
      stride_a: d.batchA ? d.M * d.K : 0, stride_b: d.batchB ? d.K * d.N : 0,
      tiles_n: tilesN, tiles_mn: tilesMN, alpha: Number(at.alpha ?? 0), pad0: 0, pad1: 0, pad2: 0,
    },
    overrides: { TRANS_A: Number(!!at.transA), TRANS_B: Number(!!at.transB), HAS_BIAS: Number(!!at.bias), ACT: act, WG: 64 },
    workgroups: variant === 'naive' ? groups(d.batch * d.M * d.N, 64) : d.batch * tilesMN,
  }];
}

registerGpuOp('matmul', lowerMatmul);
