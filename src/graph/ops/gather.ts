/**
 * Gathering a batch from a table on the device by an index vector: `gather` copies rows of an
 * f32 or i32 table; `gatherBytes` reads rows of bytes packed four to an int32 word and turns
 * them into floats (byte · scale + offset). Both can translate each row as an image (random
 * shifts for data augmentation). The tables are data: no gradient flows into them.
 */
import { ArgumentError, ShapeError } from '../../errors.js';
import { OPS } from '../../ops/index.js';
import { Tensor, build } from '../tensor.js';
import { sameGraph } from './shape.js';

export interface GatherShiftOptions {
  /**
   * Per-row translations (B, 2) int32 as (dy, dx), or (B, 3) as (dy, dx, flip) where flip ≠ 0 also
   * mirrors the shifted image left to right; pixels shifted in from outside read as 0.
   */
  shifts?: Tensor;
  /** Image height and width: each row is read as planes of height × width values. */
  height?: number;
  width?: number;
}

export interface GatherBytesOptions extends GatherShiftOptions {
  /** Bytes per row that are features (the packed rows hold ceil(features / 4) words). */
  features: number;
  /** out = byte · scale + offset (e.g. scale 1/255 maps pixels to [0, 1]). */
  scale?: number;
  offset?: number;
}

function shiftInputs(op: string, index: Tensor, rowSize: number, o: GatherShiftOptions): { inputs: Tensor[];
  attrs: { height: number; width: number } } {
  if (!o.shifts) return { inputs: [], attrs: { height: 0, width: 0 } };
  const { height: H, width: W } = o;
  if (!Number.isSafeInteger(H) || !Number.isSafeInteger(W) || H! < 1 || W! < 1) {
    throw new ArgumentError(`${op}: shifts need positive integer height and width, got ${H} × ${W}`);
  }
  if (rowSize % (H! * W!) !== 0) {
    throw new ShapeError(`${op}: rows of ${rowSize} values are not whole ${H} × ${W} images`);
  }
  sameGraph(op, index, o.shifts);
  return { inputs: [o.shifts], attrs: { height: H!, width: W! } };
}

function checkIndex(op: string, table: Tensor, index: Tensor): void {
  sameGraph(op, table, index);
  if (index.dtype !== 'i32' || index.rank !== 1)
    throw new ShapeError(`${op}: index must be int32 of shape [B], got ${index}`);
  if (table.rank < 1) throw new ShapeError(`${op}: table must have a row dimension, got ${table}`);
}

/** out[b] = table[index[b]] (rows of any trailing shape), optionally translated as images. */
export function gather(table: Tensor, index: Tensor, opts: GatherShiftOptions = {}): Tensor {
  checkIndex('gather', table, index);
  const rowSize = table.size / Math.max(1, table.shape[0]);
  const s = shiftInputs('gather', index, rowSize, opts);
  return build(OPS.gather, [table, index, ...s.inputs], s.attrs);
}


/** out[b, k] = byte k of packed row index[b] · scale + offset; the table is int32 (N, words). */
export function gatherBytes(table: Tensor, index: Tensor, opts: GatherBytesOptions): Tensor {
  checkIndex('gatherBytes', table, index);
  const { features } = opts;
  const scale = opts.scale ?? 1;
  const offset = opts.offset ?? 0;
  if (!Number.isSafeInteger(features) || features < 1)
    throw new ArgumentError(`gatherBytes: features must be a positive integer, got ${features}`);
  if (!Number.isFinite(scale) || !Number.isFinite(offset))
    throw new ArgumentError(`gatherBytes: scale and offset must be finite, got ${scale}, ${offset}`);
  const s = shiftInputs('gatherBytes', index, features, opts);
  return build(OPS.gather_bytes, [table, index, ...s.inputs], { features, scale, offset, ...s.attrs });
}

