/** Lowerings of argmax and correct onto shaders/metrics.wgsl. */
import source from '../../shaders/metrics.wgsl';
import { groups, kernel, registerGpuOp } from './spec.js';

const WG = 256;
const P = [['N', 'u32'], ['C', 'u32'], ['pad0', 'u32'], ['pad1', 'u32']] as const;

export const METRICS = {
  argmax: kernel('metrics', source, 'argmax_rows', ['read', 'read_write'], P),
  correct: kernel('metrics', source, 'correct_rows', ['read', 'read', 'read_write'], P),
};

for (const [op, k] of [['argmax', METRICS.argmax], ['correct', METRICS.correct]] as const) {
  registerGpuOp(op, (call) => {
    const [N, C] = call.inputs[0].shape;
    if (!N) return [];
    return [{
      kernel: k,
      buffers: [...call.inputs, ...call.outputs],
      params: { N, C, pad0: 0, pad1: 0 },
      overrides: { WG },
      workgroups: groups(N, WG),
    }];
  });
}
