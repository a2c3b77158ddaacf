/** Lowerings of gather and gather_bytes onto shaders/gather.wgsl. */
import source from '../../shaders/gather.wgsl';
import { groups, kernel, registerGpuOp, type Launch } from './spec.js';
import type { OpCall } from '../backend/types.js';

const WG = 256;
const P = [['n', 'u32'], ['N', 'u32'], ['D', 'u32'], ['words', 'u32'], ['H', 'u32'], ['W', 'u32'], ['scale', 'f32'], ['offset', 'f32']] as const;

export const GATHER = {
  rows: kernel('gather', source, 'gather_rows', ['read', 'read', 'read_write'], P),
  bytes: kernel('gather', source, 'gather_bytes', ['read', 'read', 'read_write'], P),
  rowsShift: kernel('gather', source, 'gather_rows_shift', ['read', 'read', 'read', 'read_write'], P),
  bytesShift: kernel('gather', source, 'gather_bytes_shift', ['read', 'read', 'read', 'read_write'], P),
};

function lower(call: OpCall, bytes: boolean): Launch[] {
  const [table, index] = call.inputs;
  const out = call.outputs[0];
  const B = index.length;
  if (!out.length || !B) return [];
  const shifted = call.inputs.length === 3;
  const N = table.shape[0];
  const D = out.length / B;
  const words = bytes ? table.shape[1] : D;
  const k = bytes ? (shifted ? GATHER.bytesShift : GATHER.bytes) : shifted ? GATHER.rowsShift : GATHER.rows;
  const H = Number(call.attrs.height ?? 0) || 1;
  const W = Number(call.attrs.width ?? 0) || 1;
  const scale = bytes ? Number(call.attrs.scale) : 1;
  const offset = bytes ? Number(call.attrs.offset) : 0;
  return [{
    kernel: k,
    buffers: [...call.inputs, out],
    params: { n: out.length, N, D, words, H, W, scale, offset },
    overrides: { WG },
    workgroups: groups(out.length, WG),
  }];
}

registerGpuOp('gather', (c) => lower(c, false));
registerGpuOp('gather_bytes', (c) => lower(c, true));
