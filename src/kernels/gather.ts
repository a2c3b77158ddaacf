/** Lowerings of gather and gather_bytes onto shaders/gather.wgsl. */
import source from '../../shaders/gather.wgsl';
import { groups, kernel, type Launch, type LoweringTable } from './spec.js';
import type { OpCall } from '../backend/types.js';

const WG = 256;
const P = [['n', 'u32'], ['N', 'u32'], ['D', 'u32'], ['words', 'u32'], ['H', 'u32'], ['W', 'u32'], ['scale', 'f32'],
  ['offset', 'f32'], ['cols', 'u32']] as const;

const GATHER = {
  rows: kernel('gather', source, 'gather_rows', ['read', 'read', 'read_write'], P),
  bytes: kernel('gather', source, 'gather_bytes', ['read', 'read', 'read_write'], P),
  rowsShift: kernel('gather', source, 'gather_rows_shift', ['read', 'read', 'read', 'read_write'], P),
  bytesShift: kernel('gather', source, 'gather_bytes_shift', ['read', 'read', 'read', 'read_write'], P),
};

function lower(call: OpCall<'gather' | 'gather_bytes'>, bytes: boolean): Launch[] {
  const [table, index] = call.inputs;
  const out = call.outputs[0];
  const B = index.length;
  if (!out.length || !B) return [];
  const shifted = call.inputs.length === 3;
  const N = table.shape[0];
  const D = out.length / B;
  const words = bytes ? table.shape[1] : D;
  const k = bytes ? (shifted ? GATHER.bytesShift : GATHER.bytes) : shifted ? GATHER.rowsShift : GATHER.rows;
  const a = call.attrs;
  const H = a.height || 1;
  const W = a.width || 1;
  const scale = 'scale' in a ? a.scale : 1;
  const offset = 'offset' in a ? a.offset : 0;
  // Columns of the shifts: (dy, dx) or (dy, dx, flip).
  const cols = shifted ? call.inputs[2].shape[1] : 2;
  return [{
    kernel: k,
    buffers: [...call.inputs, out],
    params: { n: out.length, N, D, words, H, W, scale, offset, cols },
    overrides: { WG },
    workgroups: groups(out.length, WG),
    // The rows gathered (not the whole table bound), the indices, the output.
    cost: { bytes: (bytes ? out.length : 4 * out.length) + 4 * B + 4 * out.length, flops: 0 },
  }];
}

export const GATHER_LOWERINGS = {
  gather: (c) => lower(c, false),
  gather_bytes: (c) => lower(c, true),
} satisfies Partial<LoweringTable>;
