/** Lowerings of argmax, correct and class_metrics onto shaders/metrics.wgsl. */
import source from '../../shaders/metrics.wgsl';
import { groups, kernel, registerGpuOp, withCommon } from './spec.js';

const WG = 256;
const P = [['N', 'u32'], ['C', 'u32'], ['pad0', 'u32'], ['pad1', 'u32']] as const;

const SOURCE = withCommon(source);

export const METRICS = {
  argmax: kernel('metrics', SOURCE, 'argmax_rows', ['read', 'read_write'], P),
  correct: kernel('metrics', SOURCE, 'correct_rows', ['read', 'read', 'read_write'], P),
  classMetrics: kernel('metrics', SOURCE, 'class_metrics', ['read', 'read', 'read', 'read', 'read_write'], P),
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

// One workgroup whatever N: the totals of a training batch, a few hundred rows (one micro-batch
// at most), cost less than a second dispatch would.
registerGpuOp('class_metrics', (call) => {
  const [loss, z, labels, w] = call.inputs;
  const [N, C] = z.shape;
  return [{
    kernel: METRICS.classMetrics,
    buffers: [z, labels, loss, w, call.outputs[0]],
    params: { N, C, pad0: 0, pad1: 0 },
    overrides: { WG },
    workgroups: 1,
  }];
});
