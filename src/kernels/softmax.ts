/** Lowerings of softmax, log-softmax and their backward ops onto shaders/softmax.wgsl. */
import familySource from '../../shaders/softmax.wgsl';
import { forcedVariant, groups, kernel, withCommon, type Launch, type LowerContext,
  type LoweringTable } from './spec.js';
import type { OpCall } from '../backend/types.js';

const source = withCommon(familySource);

const WG = 256;
const P = [['rows', 'u32'], ['C', 'u32'], ['pad0', 'u32'], ['pad1', 'u32']] as const;

const SOFTMAX = {
  naive: kernel('softmax', source, 'softmax_naive', ['read', 'read_write'], P),
  wg: kernel('softmax', source, 'softmax_wg', ['read', 'read_write'], P),
  backwardNaive: kernel('softmax', source, 'softmax_backward_naive', ['read', 'read', 'read_write'], P),
  backwardWg: kernel('softmax', source, 'softmax_backward_wg', ['read', 'read', 'read_write'], P),
};
export const SOFTMAX_VARIANTS = ['naive', 'wg'] as const;

/** Rows of the last axis; one thread per row for short rows, one workgroup per row for long. */
export function rowVariant(ctx: LowerContext, family: string, C: number, rows: number): 'naive' | 'wg' {
  const forced = forcedVariant(ctx, family);
  if (forced === 'naive' || forced === 'wg') return forced;
  return C >= 512 || (C >= 64 && rows < 2048) ? 'wg' : 'naive';
}

function lower(call: OpCall, ctx: LowerContext, backward: boolean, log: boolean): Launch[] {
  const shape = call.inputs[0].shape;
  const C = shape[shape.length - 1] ?? 1;
  const rows = C ? call.inputs[0].length / C : 0;
  if (!rows || !C) return [];
  const v = rowVariant(ctx, 'softmax', C, rows);
  const k = backward ? (v === 'wg' ? SOFTMAX.backwardWg : SOFTMAX.backwardNaive) : v === 'wg'
    ? SOFTMAX.wg : SOFTMAX.naive;
  return [{
    kernel: k,
    buffers: [...call.inputs, ...call.outputs],
    params: { rows, C, pad0: 0, pad1: 0 },
    overrides: { LOG: Number(log), WG },
    workgroups: v === 'wg' ? rows : groups(rows, WG),
  }];
}

export const SOFTMAX_LOWERINGS = {
  softmax: (c, ctx) => lower(c, ctx, false, false),
  log_softmax: (c, ctx) => lower(c, ctx, false, true),
  softmax_backward: (c, ctx) => lower(c, ctx, true, false),
  log_softmax_backward: (c, ctx) => lower(c, ctx, true, true),
} satisfies Partial<LoweringTable>;
