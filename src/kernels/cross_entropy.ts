/** Lowerings of cross-entropy and MSE (forward and backward) onto shaders/cross_entropy.wgsl. */
import familySource from '../../shaders/cross_entropy.wgsl';
import { groups, kernel, withCommon, type Launch, type LoweringTable } from './spec.js';
import { reduceLaunch } from './reduce.js';
import { rowVariant } from './softmax.js';

const source = withCommon(familySource);

const WG = 256;
const P = [['N', 'u32'], ['C', 'u32'], ['eps', 'f32'], ['n', 'u32']] as const;
const RED: Record<string, number> = { none: 0, mean: 1, sum: 2 };

const CROSS_ENTROPY = {
  rowsNaive: kernel('cross_entropy', source, 'ce_rows_naive', ['read', 'read', 'read_write'], P),
  rowsWg: kernel('cross_entropy', source, 'ce_rows_wg', ['read', 'read', 'read_write'], P),
  backwardNaive: kernel('cross_entropy', source, 'ce_backward_naive', ['read', 'read', 'read', 'read_write'], P),
  backwardWg: kernel('cross_entropy', source, 'ce_backward_wg', ['read', 'read', 'read', 'read_write'], P),
  mseSq: kernel('cross_entropy', source, 'mse_sq', ['read', 'read', 'read_write'], P),
  mseBackward: kernel('cross_entropy', source, 'mse_backward', ['read', 'read', 'read', 'read_write'], P),
};

export const CROSS_ENTROPY_LOWERINGS = {
  cross_entropy(call, ctx) {
    const [z, t] = call.inputs;
    const [N, C] = z.shape;
    const out = call.outputs[0];
    if (!N) return [];
    const red = call.attrs.reduction;
    const rows = red === 'none' ? out : ctx.scratch(N, 'row losses');
    const v = rowVariant(ctx, 'cross_entropy', C, N);
    const launches: Launch[] = [{
      kernel: v === 'wg' ? CROSS_ENTROPY.rowsWg : CROSS_ENTROPY.rowsNaive,
      buffers: [z, t, rows],
      params: { N, C, eps: call.attrs.smoothing, n: N * C },
      overrides: { PROBS: Number(t.dtype === 'f32'), WG },
      workgroups: v === 'wg' ? N : groups(N, WG),
    }];
    if (red !== 'none') launches.push(reduceLaunch(ctx, rows, out, red === 'mean' ? 'mean' : 'sum', 1, N, 1));
    return launches;
  },
  cross_entropy_backward(call, ctx) {
    const [z, t] = call.inputs;
    const [N, C] = z.shape;
    if (!N) return [];
    const v = rowVariant(ctx, 'cross_entropy', C, N);
    return [{
      kernel: v === 'wg' ? CROSS_ENTROPY.backwardWg : CROSS_ENTROPY.backwardNaive,
      buffers: [...call.inputs, ...call.outputs],
      params: { N, C, eps: call.attrs.smoothing, n: N * C },
      overrides: { PROBS: Number(t.dtype === 'f32'), REDUCTION: RED[call.attrs.reduction], WG },
      workgroups: v === 'wg' ? N : groups(N, WG),
    }];
  },
  mse(call, ctx) {
    const [a] = call.inputs;
    const n = a.length;
    const out = call.outputs[0];
    if (!n) return [];
    const red = call.attrs.reduction;
    const sq = red === 'none' ? out : ctx.scratch(n, 'squared errors');
    const launches: Launch[] = [{
      kernel: CROSS_ENTROPY.mseSq, buffers: [...call.inputs, sq], params: { N: 0, C: 0, eps: 0, n }, overrides: { WG },
        workgroups: groups(n, WG),
    }];
    if (red !== 'none') launches.push(reduceLaunch(ctx, sq, out, red === 'mean' ? 'mean' : 'sum', 1, n, 1));
    return launches;
  },
  mse_backward(call) {
    const n = call.inputs[0].length;
    if (!n) return [];
    return [{
      kernel: CROSS_ENTROPY.mseBackward,
      buffers: [...call.inputs, ...call.outputs],
      params: { N: 0, C: 0, eps: 0, n },
      overrides: { REDUCTION: RED[call.attrs.reduction], WG },
      workgroups: groups(n, WG),
    }];
  },
} satisfies Partial<LoweringTable>;
