/**
 * Lowerings of the fused optimizer ops onto shaders/optim.wgsl.
 *   optim.{sgd,adagrad,rmsprop,adam}: inputs [grads, blocks, hyper, status], outputs [params, state]
 *   optim.sumsq:    inputs [grads, blocks, hyper], outputs [partials]
 *   optim.finalize: inputs [partials, loss, hyper], outputs [status]
 * Attributes: total (elements), nseg (rows of the block table: one workgroup each), L (chunk
 * length = plane stride), pa/pb/pc (state planes), base and parts (this chunk's partials), hasLoss.
 */
import optimSource from '../../shaders/optim.wgsl';
import { attrNum, kernel, registerGpuOp, withCommon, type Launch, type LowerContext } from './spec.js';
import type { OpCall } from '../backend/types.js';
import { softwareAdapter } from './elementwise.js';

/** Threads per workgroup (each takes one vec4 per step of its loop). */
const WG = 64;
/** Threads of the one-workgroup finalize. */
const WG_FINAL = 256;

/**
 * The hyperparameter table (floats, ROW per row). Row 0 is global; row 1 + g belongs to param
 * group g: raw options (lr, weight decay, p1/p2 = the optimizer's two coefficients, eps, f1/f2 =
 * its flags) and host-computed step scalars d0…d4. See src/optim/optimizers.ts for each kind.
 */
export const HYP = {
  ROW: 16, t: 0, clipValueOn: 1, clipValue: 2, clipNormOn: 3, maxNorm: 4,
  lr: 0, wd: 1, p1: 2, p2: 3, eps: 4, f1: 5, f2: 6, d0: 8, d1: 9, d2: 10, d3: 11, d4: 12,
} as const;
/**
 * Most elements one row of the block table (one workgroup of an update) covers: 8192 on software
 * adapters, which run a workgroup's threads as loops on one CPU core (fewer, longer workgroups
 * were faster than 2048 in repeated runs on lavapipe, by about 1.2×), 1024 on GPUs (four vec4s per thread, enough
 * workgroups to fill the device).
 */
export function optimBlock(adapter: string | undefined): number {
  return softwareAdapter(adapter) ? 8192 : 1024;
}
/** The family's source with shaders/common.wgsl (finalize's workgroup sum). */
const source = withCommon(optimSource);

const P = [['total', 'u32'], ['nseg', 'u32'], ['L', 'u32'], ['pa', 'u32'], ['pb', 'u32'], ['pc', 'u32'], ['base', 'u32'], ['flag', 'u32']] as const;
const UPDATE = ['read', 'read', 'read', 'read', 'read_write', 'read_write'] as const;

export const OPTIM = {
  sgd: kernel('optim', source, 'sgd', UPDATE, P),
  adagrad: kernel('optim', source, 'adagrad', UPDATE, P),
  rmsprop: kernel('optim', source, 'rmsprop', UPDATE, P),
  adam: kernel('optim', source, 'adam', UPDATE, P),
  sumsq: kernel('optim', source, 'grad_sumsq', ['read', 'read', 'read', 'read_write'], P),
  finalize: kernel('optim', source, 'finalize', ['read', 'read', 'read', 'read_write'], P),
};

/**
 * Partial sums (one per thread) the norm reduction of a chunk with `blocks` table rows writes:
 * at most 64 workgroups on software adapters (two or so cores), 256 on GPUs (16k threads), each
 * striding over blocks.
 */
export function sumsqParts(blocks: number, adapter: string | undefined): number {
  return Math.min(softwareAdapter(adapter) ? 64 : 256, Math.max(1, blocks)) * WG;
}

/** vec4 access needs every block to start at a multiple of 4 elements (WebGPU aligns to ≥ 32 bytes). */
function checkAlign(ctx: LowerContext): void {
  const a = ctx.limits.minStorageBufferOffsetAlignment;
  if (a % 16) throw new Error(`internal: optimizer kernels need a storage offset alignment that is a multiple of 16 bytes (got ${a})`);
}

function params(call: OpCall): Record<string, number> {
  const a = call.attrs;
  return {
    total: attrNum(a, 'total'), nseg: attrNum(a, 'nseg'), L: attrNum(a, 'L'),
    pa: attrNum(a, 'pa'), pb: attrNum(a, 'pb'), pc: attrNum(a, 'pc'), base: attrNum(a, 'base'), flag: attrNum(a, 'hasLoss'),
  };
}

for (const kind of ['sgd', 'adagrad', 'rmsprop', 'adam'] as const) {
  registerGpuOp(`optim.${kind}`, (call, ctx): Launch[] => {
    checkAlign(ctx);
    const p = params(call);
    if (!p.total) return [];
    return [{ kernel: OPTIM[kind], buffers: [...call.inputs, ...call.outputs], params: p, overrides: { WG }, workgroups: p.nseg }];
  });
}

/** The bits of a quiet NaN, passed to grad_sumsq as a uniform (WGSL cannot spell a NaN). */
const NAN_BITS = 0x7fc00000;

registerGpuOp('optim.sumsq', (call, ctx): Launch[] => {
  checkAlign(ctx);
  const p = { ...params(call), flag: NAN_BITS };
  return [{ kernel: OPTIM.sumsq, buffers: [...call.inputs, ...call.outputs], params: p, overrides: { WG }, workgroups: attrNum(call.attrs, 'parts', WG) / WG }];
});

registerGpuOp('optim.finalize', (call): Launch[] => {
  const p = params(call);
  return [{ kernel: OPTIM.finalize, buffers: [...call.inputs, ...call.outputs], params: p, overrides: { WG: WG_FINAL }, workgroups: 1 }];
});
