/**
 * Launch geometry of dropout on shaders/dropout.wgsl: y = x · keep · scale with the mask drawn on
 * the device by Philox4x32-10 from (seed, step, stream, element index), bit for bit as
 * src/ref/dropout.ts draws it. Nothing is registered here. The backward pass is the same launch
 * on dy. Eval mode and p = 0 are the identity: the op layer launches nothing then.
 */
import source from '../../shaders/dropout.wgsl';
import type { View } from '../backend/types.js';
import { dropScale, dropThreshold, seedKey, type DropoutArgs } from '../ref/dropout.js';
import { groups, kernel, type Launch } from './spec.js';

const DROPOUT = kernel('dropout', source, 'dropout', ['read', 'read_write'], [
  ...['n', 'seed_lo', 'seed_hi', 'step', 'stream', 'threshold'].map((k) => [k, 'u32'] as const),
  ['scale', 'f32'] as const, ['pad0', 'u32'] as const,
]);

/** y = dropout(x) in training mode (x and y the same length; one thread per 4 elements). */
export function dropoutLaunch(x: View, y: View, a: DropoutArgs): Launch {
  if (x.length !== y.length) throw new Error(`internal: dropout of ${x.length} elements into ${y.length}`);
  const [lo, hi] = seedKey(a.seed);
  if (!(Number.isInteger(a.step) && a.step >= 0 && a.step < 2 ** 32)) {
    throw new Error(`dropout: step must be a u32, got ${a.step}`);
  }
  return {
    kernel: DROPOUT, buffers: [x, y],
    params: {
      n: x.length, seed_lo: lo, seed_hi: hi, step: a.step, stream: a.stream ?? 0,
      threshold: dropThreshold(a.p), scale: dropScale(a.p), pad0: 0,
    },
    overrides: { WG: 64 }, workgroups: groups(Math.ceil(x.length / 4), 64),
  };
}
