/** IDX files built in memory for tests. */
import { gzipSync } from 'node:zlib';

const SIZES: Record<number, number> = { 0x08: 1, 0x09: 1, 0x0b: 2, 0x0c: 4, 0x0d: 4, 0x0e: 8 };

/** An IDX file of `type` with `dims`, the values written big-endian. */
export function idxBytes(type: number, dims: number[], values: ArrayLike<number>): Uint8Array {
  const size = SIZES[type];
  const head = 4 + 4 * dims.length;
  const out = new Uint8Array(head + values.length * size);
  const dv = new DataView(out.buffer);
  out[2] = type;
  out[3] = dims.length;
  dims.forEach((d, i) => dv.setUint32(4 + 4 * i, d, false));
  for (let i = 0; i < values.length; i++) {
    const o = head + i * size;
    const v = values[i];
    if (type === 0x08) dv.setUint8(o, v);
    else if (type === 0x09) dv.setInt8(o, v);
    else if (type === 0x0b) dv.setInt16(o, v, false);
    else if (type === 0x0c) dv.setInt32(o, v, false);
    else if (type === 0x0d) dv.setFloat32(o, v, false);
    else dv.setFloat64(o, v, false);
  }
  return out;
}

export function gz(b: Uint8Array): Uint8Array {
  return new Uint8Array(gzipSync(b));
}
