/**
 * Lowerings of the fused optimizer step ops (src/ops/optim.ts) onto shaders/optim.wgsl. The
 * hyperparameter table's layout (HYP) is declared with the ops.
 */
import optimSource from '../../shaders/optim.wgsl';
import { SUMSQ_THREADS, type OptimKind } from '../ops/index.js';
import { kernel, withCommon, type Launch, type LowerContext, type Lowering, type LoweringTable } from './spec.js';
import type { OpCall } from '../backend/types.js';

/** Threads per workgroup (each takes one vec4 per step of its loop; one partial sum each in sumsq). */
const OPTIM_WG = SUMSQ_THREADS;
/** Threads of the one-workgroup finalize. */
const WG_FINAL = 256;

/** The family's source with shaders/common.wgsl (finalize's workgroup sum). */
const source = withCommon(optimSource);

const P = [['total', 'u32'], ['nseg', 'u32'], ['L', 'u32'], ['pa', 'u32'], ['pb', 'u32'], ['pc', 'u32'],
  ['base', 'u32'], ['flag', 'u32']] as const;
const UPDATE = ['read', 'read', 'read', 'read', 'read_write', 'read_write'] as const;

const OPTIM = {
  sgd: kernel('optim', source, 'sgd', UPDATE, P),
  adagrad: kernel('optim', source, 'adagrad', UPDATE, P),
  rmsprop: kernel('optim', source, 'rmsprop', UPDATE, P),
  adam: kernel('optim', source, 'adam', UPDATE, P),
  sumsq: kernel('optim', source, 'grad_sumsq', ['read', 'read', 'read', 'read_write'], P),
  finalize: kernel('optim', source, 'finalize', ['read', 'read', 'read', 'read_write'], P),
};

/** vec4 access needs every block to start at a multiple of 4 elements (WebGPU aligns to ≥ 32 bytes). */
function checkAlign(ctx: LowerContext): void {
  const a = ctx.limits.minStorageBufferOffsetAlignment;
  if (a % 16)
    throw new Error(`internal: optimizer kernels need a storage offset alignment that is a multiple of 16 bytes (got ` +
      `${a})`);
}

const ZERO = { total: 0, nseg: 0, L: 0, pa: 0, pb: 0, pc: 0, base: 0, flag: 0 };

function update(kind: OptimKind): Lowering<`optim.${OptimKind}`> {
  return (call: OpCall<`optim.${OptimKind}`>, ctx): Launch[] => {
    checkAlign(ctx);
    const p = { ...ZERO, ...call.attrs };
    if (!p.total) return [];
    // Inputs read once, parameters and state read and written in place.
    const len = (vs: readonly { length: number }[]) => vs.reduce((a, v) => a + v.length, 0);
    const cost = { bytes: 4 * (len(call.inputs) + 2 * len(call.outputs)), flops: 0 };
    return [{ kernel: OPTIM[kind], buffers: [...call.inputs, ...call.outputs], params: p, overrides: { WG: OPTIM_WG },
      workgroups: p.nseg, cost }];
  };
}

/** The bits of a quiet NaN, passed to grad_sumsq as a uniform (WGSL cannot spell a NaN). */
const NAN_BITS = 0x7fc00000;

export const OPTIM_LOWERINGS = {
  'optim.sgd': update('sgd'),
  'optim.adagrad': update('adagrad'),
  'optim.rmsprop': update('rmsprop'),
  'optim.adam': update('adam'),
  'optim.sumsq'(call, ctx) {
    checkAlign(ctx);
    const { total, nseg, base, parts } = call.attrs;
    const p = { ...ZERO, total, nseg, base, flag: NAN_BITS };
    return [{ kernel: OPTIM.sumsq, buffers: [...call.inputs, ...call.outputs], params: p, overrides: { WG: OPTIM_WG },
      workgroups: parts / OPTIM_WG }];
  },
  'optim.finalize'(call) {
    const p = { ...ZERO, total: call.attrs.total, flag: call.attrs.hasLoss };
    return [{ kernel: OPTIM.finalize, buffers: [...call.inputs, ...call.outputs], params: p,
      overrides: { WG: WG_FINAL }, workgroups: 1 }];
  },
} satisfies Partial<LoweringTable>;

