/**
 * Gathering a batch from a table on the device: `gather` copies rows of an f32 or i32 table;
 * `gather_bytes` reads rows of bytes packed four to an int32 word as byte · scale + offset.
 * Both may translate each row as an image (a third input of per-row shifts). No gradients.
 */
import { ShapeError, fmtShape } from '../errors.js';
import { defineOp, out, type TensorMeta } from './schema.js';

/** Image height and width for shifted rows (0 without shifts). */
export interface GatherAttrs { height: number; width: number }
export interface GatherBytesAttrs extends GatherAttrs { features: number; scale: number; offset: number }

function checkShifts(op: string, inputs: readonly TensorMeta[], B: number): void {
  const s = inputs[2];
  if (s && (s.dtype !== 'i32' || s.rank !== 2 || s.shape[0] !== B || (s.shape[1] !== 2 && s.shape[1] !== 3))) {
    throw new ShapeError(`${op}: shifts must be int32 of shape [${B},2] (dy, dx) or [${B},3] (dy, dx, flip), got ${s}`);
  }
}

/** inputs [table (N, …), index (B), shifts?]: rows index[b] of the table. */
export const gather = defineOp({
  name: 'gather', kind: 'kernel', family: 'gather',
  infer(inputs, _at: GatherAttrs) {
    const [table, index] = inputs;
    checkShifts('gather', inputs, index.shape[0]);
    return out([index.shape[0], ...table.shape.slice(1)], table.dtype);
  },
});

/** inputs [packed table int32 (N, words), index (B), shifts?]: (B, features) f32. */
export const gatherBytes = defineOp({
  name: 'gather_bytes', kind: 'kernel', family: 'gather',
  infer(inputs, at: GatherBytesAttrs) {
    const [table, index] = inputs;
    if (table.dtype !== 'i32' || table.rank !== 2)
      throw new ShapeError(`gatherBytes: the packed table must be int32 (N, words), got ${table}`);
    if (table.shape[1] * 4 < at.features) {
      throw new ShapeError(`gatherBytes: rows of ${table.shape[1]} words hold ${table.shape[1] * 4} bytes, fewer ` +
        `than ${at.features} features (table ${fmtShape(table.shape)})`);
    }
    checkShifts('gatherBytes', inputs, index.shape[0]);
    return out([index.shape[0], at.features]);
  },
});

export const GATHER_OPS = { gather, gather_bytes: gatherBytes };
