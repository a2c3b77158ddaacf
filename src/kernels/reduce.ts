/** Lowering of `reduce` (sum, mean, max over one axis) onto shaders/reduce.wgsl. */
import source from '../../shaders/reduce.wgsl';
import { reduceDims } from '../ops/index.js';
import { forcedVariant, groups, kernel, type Launch, type LowerContext, type LoweringTable } from './spec.js';
import type { View } from '../backend/types.js';

const WG = 256;
const P = [['outer', 'u32'], ['R', 'u32'], ['inner', 'u32'], ['n_out', 'u32']] as const;

const REDUCE = {
  naive: kernel('reduce', source, 'reduce_naive', ['read', 'read_write'], P),
  wg: kernel('reduce', source, 'reduce_wg', ['read', 'read_write'], P),
};
export const REDUCE_VARIANTS = ['naive', 'wg'] as const;
const CODES = { sum: 0, mean: 1, max: 2 } as const;

/** Launch reducing x viewed as (outer, R, inner) into out (outer, inner). */
export function reduceLaunch(ctx: LowerContext, x: View, out: View, kind: keyof typeof CODES, outer: number, R: number,
  inner: number): Launch {
  const nOut = outer * inner;
  const forced = forcedVariant(ctx, 'reduce');
  const useWg = forced ? forced === 'wg' : R >= 256 && nOut < 4096;
  const params = { outer, R, inner, n_out: nOut };
  const cost = { bytes: 4 * (x.length + nOut), flops: x.length };
  return useWg
    ? { kernel: REDUCE.wg, buffers: [x, out], params, overrides: { OP: CODES[kind], WG }, workgroups: nOut, cost }
    : { kernel: REDUCE.naive, buffers: [x, out], params, overrides: { OP: CODES[kind], WG },
      workgroups: groups(nOut, WG), cost };
}

export const REDUCE_LOWERINGS = {
  reduce(call, ctx) {
    if (!call.outputs[0].length) return [];
    const { outer, R, inner } = reduceDims(call.inputs[0].shape, call.attrs.axis);
    return [reduceLaunch(ctx, call.inputs[0], call.outputs[0], call.attrs.kind, outer, R, inner)];
  },
} satisfies Partial<LoweringTable>;
