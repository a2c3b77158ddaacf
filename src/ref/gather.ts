/**
 * Gathering a batch from a table that lives on the device, by an index vector (B):
 *   rows:  out[b, k] = table[idx[b], k]                  (32-bit values copied exactly)
 *   bytes: the table holds bytes packed four to a 32-bit word, little-endian, each row padded
 *          to whole words (`words` per row); out[b, k] = byte(idx[b], k) · scale + offset.
 * With shifts (B, 2) = (dy, dx), each row is read as planes of H × W pixels translated by
 * (dy, dx): out[b, c, y, x] = row[c, y − dy, x − dx], and a pixel from outside the image reads
 * as 0 (rows) or byte 0 (bytes). Shifts (B, 3) = (dy, dx, flip) also mirror the shifted image
 * left to right when flip ≠ 0: out[b, c, y, x] = row[c, y − dy, (W − 1 − x) − dx].
 * An index outside [0, N) reads a row of zeros (or of byte 0).
 */
import type { In, Out } from './util.js';

export interface GatherGeometry {
  /** Rows in the table. */
  N: number;
  /** Values per output row. */
  D: number;
  /** Translations (B, cols) as (dy, dx) or (dy, dx, flip), or null. */
  shifts: In | null;
  /** Columns of the shifts: 2, or 3 with a flip flag (default 2). */
  cols?: number;
  /** Image height and width for shifts (D = planes · H · W). */
  H: number;
  W: number;
}

/** Element of row b to read for output element k: its index in the row, or -1 (outside). */
function source(k: number, b: number, g: GatherGeometry): number {
  if (!g.shifts) return k;
  const hw = g.H * g.W;
  const plane = Math.floor(k / hw);
  const r = k % hw;
  const cols = g.cols ?? 2;
  const flip = cols === 3 && g.shifts[3 * b + 2] !== 0;
  const y = Math.floor(r / g.W) - g.shifts[cols * b];
  const x = (flip ? g.W - 1 - (r % g.W) : r % g.W) - g.shifts[cols * b + 1];
  if (y < 0 || x < 0 || y >= g.H || x >= g.W) return -1;
  return plane * hw + y * g.W + x;
}

function validRow(i: number, N: number): boolean {
  return Number.isInteger(i) && i >= 0 && i < N;
}

/** out (B, D) ← rows of table (N, D) picked by idx (B). */
export function gatherRows(out: Out, table: In, idx: In, g: GatherGeometry): void {
  const B = idx.length;
  for (let b = 0; b < B; b++) {
    const i = idx[b];
    for (let k = 0; k < g.D; k++) {
      const s = validRow(i, g.N) ? source(k, b, g) : -1;
      out[b * g.D + k] = s < 0 ? 0 : table[i * g.D + s];
    }
  }
}

/** Byte k of row i of a packed table (words per row), as an unsigned number. */
export function packedByte(table: In, i: number, k: number, words: number): number {
  const w = table[i * words + Math.floor(k / 4)] >>> 0;
  return (w >>> (8 * (k % 4))) & 255;
}

/** out (B, D) ← bytes of the packed table (N, words) picked by idx, as byte · scale + offset. */
export function gatherBytes(out: Out, table: In, idx: In, g: GatherGeometry, words: number, scale: number,
  offset: number): void {
  const B = idx.length;
  for (let b = 0; b < B; b++) {
    const i = idx[b];
    for (let k = 0; k < g.D; k++) {
      const s = validRow(i, g.N) ? source(k, b, g) : -1;
      const byte = s < 0 ? 0 : packedByte(table, i, s, words);
      out[b * g.D + k] = byte * scale + offset;
    }
  }
}
