/**
 * Lowering of dropout onto shaders/dropout.wgsl: y = x · keep · scale with the mask drawn on
 * the device by Philox4x32-10 from (seed, step) in the rng buffer, the layer's stream and the
 * element index, bit for bit as src/ref/dropout.ts draws it. The backward pass is the same op on
 * the gradient.
 */
import source from '../../shaders/dropout.wgsl';
import type { OpCall, View } from '../backend/types.js';
import { dropScale, dropThreshold } from '../ops/dropout.js';
import { groups, kernel, type Launch, type LoweringTable } from './spec.js';

const DROPOUT = kernel('dropout', source, 'dropout', ['read', 'read', 'read_write'], [
  ['n', 'u32'], ['stream', 'u32'], ['threshold', 'u32'], ['scale', 'f32'],
]);

/** y = dropout(x) in training mode, rng = (seed, step) as int32 (one thread per 4 elements). */
export function dropoutLaunch(x: View, rng: View, y: View, p: number, stream: number): Launch {
  if (x.length !== y.length) throw new Error(`internal: dropout of ${x.length} elements into ${y.length}`);
  return {
    kernel: DROPOUT, buffers: [x, rng, y],
    params: { n: x.length, stream, threshold: dropThreshold(p), scale: dropScale(p) },
    overrides: { WG: 64 }, workgroups: groups(Math.ceil(x.length / 4), 64),
  };
}

export const DROPOUT_LOWERINGS = {
  dropout: (c: OpCall<'dropout'>) =>
    c.outputs[0].length ? [dropoutLaunch(c.inputs[0], c.inputs[1], c.outputs[0], c.attrs.p, c.attrs.stream)] : [],
} satisfies Partial<LoweringTable>;
