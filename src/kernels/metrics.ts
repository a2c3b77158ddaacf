/** Lowerings of argmax, correct and class_metrics onto shaders/metrics.wgsl. */
import source from '../../shaders/metrics.wgsl';
import { groups, kernel, withCommon, type KernelSpec, type Launch, type LoweringTable } from './spec.js';
import type { OpCall } from '../backend/types.js';

const WG = 256;
const P = [['N', 'u32'], ['C', 'u32'], ['pad0', 'u32'], ['pad1', 'u32']] as const;

const SOURCE = withCommon(source);

const METRICS = {
  argmax: kernel('metrics', SOURCE, 'argmax_rows', ['read', 'read_write'], P),
  correct: kernel('metrics', SOURCE, 'correct_rows', ['read', 'read', 'read_write'], P),
  classMetrics: kernel('metrics', SOURCE, 'class_metrics', ['read', 'read', 'read', 'read', 'read_write'], P),
};

/** One thread per row: inputs, then outputs. */
function rows(call: OpCall<'argmax' | 'correct'>, k: KernelSpec): Launch[] {
  const [N, C] = call.inputs[0].shape;
  if (!N) return [];
  return [{ kernel: k, buffers: [...call.inputs, ...call.outputs], params: { N, C, pad0: 0, pad1: 0 },
    overrides: { WG }, workgroups: groups(N, WG) }];
}

export const METRICS_LOWERINGS = {
  argmax: (c) => rows(c, METRICS.argmax),
  correct: (c) => rows(c, METRICS.correct),
  // One workgroup whatever N: the totals of a training batch, a few hundred rows (one micro-batch
  // at most), cost less than a second dispatch would.
  class_metrics(call) {
    const [loss, z, labels, w] = call.inputs;
    const [N, C] = z.shape;
    return [{
      kernel: METRICS.classMetrics,
      buffers: [z, labels, loss, w, call.outputs[0]],
      params: { N, C, pad0: 0, pad1: 0 },
      overrides: { WG },
      workgroups: 1,
    }];
  },
} satisfies Partial<LoweringTable>;
