/**
 * Lowerings of the fused optimizer ops onto shaders/optim.wgsl.
 *   optim.{sgd,adagrad,rmsprop,adam}: inputs [grads, segments, hyper, status], outputs [params, state]
 *   optim.sumsq:    inputs [grads, segments, hyper], outputs [partials]
 *   optim.finalize: inputs [partials, loss, hyper], outputs [status]
 * Attributes: total (threads), nseg, L (chunk length = plane stride), pa/pb/pc (state planes),
 * base and parts (this chunk's partials), hasLoss.
 */
import source from '../../shaders/optim.wgsl';
import { attrNum, groups, kernel, registerGpuOp, type Launch } from './spec.js';
import type { OpCall } from '../backend/types.js';

const WG = 256;

/**
 * The hyperparameter table (floats, ROW per row). Row 0 is global; row 1 + g belongs to param
 * group g: raw options (lr, weight decay, p1/p2 = the optimizer's two coefficients, eps, f1/f2 =
 * its flags) and host-computed step scalars d0…d4. See src/optim/optimizers.ts for each kind.
 */
export const HYP = {
  ROW: 16, t: 0, clipValueOn: 1, clipValue: 2, clipNormOn: 3, maxNorm: 4,
  lr: 0, wd: 1, p1: 2, p2: 3, eps: 4, f1: 5, f2: 6, d0: 8, d1: 9, d2: 10, d3: 11, d4: 12,
} as const;
/** Most workgroups one chunk's norm reduction uses (each strides over the elements). */
export const MAX_PARTS = 256;
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

/** Workgroups the norm reduction of `total` elements uses. */
export function sumsqParts(total: number): number {
  return Math.min(MAX_PARTS, groups(total, WG));
}

function params(call: OpCall): Record<string, number> {
  const a = call.attrs;
  return {
    total: attrNum(a, 'total'), nseg: attrNum(a, 'nseg'), L: attrNum(a, 'L'),
    pa: attrNum(a, 'pa'), pb: attrNum(a, 'pb'), pc: attrNum(a, 'pc'), base: attrNum(a, 'base'), flag: attrNum(a, 'hasLoss'),
  };
}

for (const kind of ['sgd', 'adagrad', 'rmsprop', 'adam'] as const) {
  registerGpuOp(`optim.${kind}`, (call): Launch[] => {
    const p = params(call);
    if (!p.total) return [];
    return [{ kernel: OPTIM[kind], buffers: [...call.inputs, ...call.outputs], params: p, overrides: { WG }, workgroups: groups(p.total, WG) }];
  });
}

/** The bits of a quiet NaN, passed to grad_sumsq as a uniform (WGSL cannot spell a NaN). */
const NAN_BITS = 0x7fc00000;

registerGpuOp('optim.sumsq', (call): Launch[] => {
  const p = { ...params(call), flag: NAN_BITS };
  return [{ kernel: OPTIM.sumsq, buffers: [...call.inputs, ...call.outputs], params: p, overrides: { WG }, workgroups: attrNum(call.attrs, 'parts', 1) }];
});

registerGpuOp('optim.finalize', (call): Launch[] => {
  const p = params(call);
  return [{ kernel: OPTIM.finalize, buffers: [...call.inputs, ...call.outputs], params: p, overrides: { WG }, workgroups: 1 }];
});
