/** Lowerings of the batch-norm state ops (running statistics, counter, both in place, renorm r/d) onto
 * shaders/batchnorm.wgsl. */
import source from '../../shaders/batchnorm.wgsl';
import { groups, kernel, type LoweringTable } from './spec.js';

const WG = 64;

const BATCHNORM = {
  running: kernel('batchnorm', source, 'bn_running', ['read', 'read', 'read', 'read_write'],
    [['C', 'u32'], ['momentum', 'f32'], ['unbias', 'f32'], ['pad', 'u32']]),
  update: kernel('batchnorm', source, 'bn_update', ['read', 'read_write', 'read_write', 'read_write'],
    [['C', 'u32'], ['momentum', 'f32'], ['unbias', 'f32'], ['pad', 'u32']]),
  count: kernel('batchnorm', source, 'bn_count', ['read', 'read_write'],
    [['n', 'u32'], ['pad0', 'u32'], ['pad1', 'u32'], ['pad2', 'u32']]),
  renorm: kernel('batchnorm', source, 'bn_renorm', ['read', 'read', 'read', 'read', 'read_write'], [
    ['C', 'u32'], ['eps', 'f32'], ['rmax', 'f32'], ['dmax', 'f32'], ['warmup', 'f32'], ['rmax_steps', 'f32'],
      ['dmax_steps', 'f32'], ['pad', 'u32'],
  ]),
};

export const BATCHNORM_LOWERINGS = {
  bn_running(c) {
    const C = c.outputs[0].length;
    if (!C) return [];
    const n = c.attrs.n;
    return [{
      kernel: BATCHNORM.running, buffers: [...c.inputs, c.outputs[0]],
      params: { C, momentum: c.attrs.momentum, unbias: n / Math.max(1, n - 1), pad: 0 },
      overrides: { WG, WHICH: c.attrs.which === 'var' ? 1 : 0 }, workgroups: groups(C, WG),
    }];
  },
  /** bn_running (mean, var) and bn_count in place: inputs [stats], outputs [running_mean, running_var, tracked]. */
  bn_update(c) {
    const C = c.outputs[0].length;
    const n = c.attrs.n;
    return [{
      kernel: BATCHNORM.update, buffers: [c.inputs[0], ...c.outputs],
      params: { C, momentum: c.attrs.momentum, unbias: n / Math.max(1, n - 1), pad: 0 },
      overrides: { WG }, workgroups: 1,
    }];
  },
  bn_count: (c) => [{
    kernel: BATCHNORM.count, buffers: [c.inputs[0], c.outputs[0]],
      params: { n: c.outputs[0].length, pad0: 0, pad1: 0, pad2: 0 },
    overrides: { WG }, workgroups: groups(c.outputs[0].length, WG),
  }],
  bn_renorm(c) {
    const C = c.outputs[0].length;
    if (!C) return [];
    const a = c.attrs;
    return [{
      kernel: BATCHNORM.renorm, buffers: [...c.inputs, c.outputs[0]],
      params: {
        C, eps: a.eps, rmax: a.rmax, dmax: a.dmax, warmup: a.warmup,
        rmax_steps: a.rmaxSteps, dmax_steps: a.dmaxSteps, pad: 0,
      },
      overrides: { WG, WHICH: a.which === 'd' ? 1 : 0 }, workgroups: groups(C, WG),
    }];
  },
} satisfies Partial<LoweringTable>;
