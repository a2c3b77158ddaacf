/**
 * Host side of a step: the small arrays fed each run. With the dataset on the device these are
 * the row indices (B int32), the row mask and weights, and random shifts and flips; the features never
 * leave the device. Streamed datasets also copy the batch's features and labels.
 */
import type { Dataset } from '../data/dataset.js';
import type { Generator } from '../nn/init.js';
import type { Feed } from '../graph/program.js';

export class Feeder {
  private idx: Int32Array;
  private mask: Float32Array;
  private weight: Float32Array;
  private shifts: Int32Array | null;
  private x: Float32Array | null;
  private xb: Int32Array | null;
  private y: Int32Array | null;

  /** Columns of the shifts: (dy, dx), or (dy, dx, flip) with flips. */
  private cols: number;

  constructor(readonly ds: Dataset, readonly rows: number, readonly onDevice: boolean, readonly maxShift: number,
    readonly gen: Generator, readonly flip = false) {
    this.idx = new Int32Array(rows);
    this.mask = new Float32Array(rows);
    this.weight = new Float32Array(rows);
    this.cols = flip ? 3 : 2;
    this.shifts = maxShift > 0 || flip ? new Int32Array(this.cols * rows) : null;
    this.x = onDevice || ds.bytes ? null : new Float32Array(rows * ds.features);
    this.xb = !onDevice && ds.bytes ? new Int32Array(rows * Math.ceil(ds.features / 4)) : null;
    this.y = onDevice ? null : new Int32Array(rows);
  }

  /** Micro-batches needed for a batch of n rows. */
  parts(n: number): number {
    return Math.max(1, Math.ceil(n / this.rows));
  }

  /**
   * Feeds for part j of a batch. Rows past the batch's end are padding: they repeat samples
   * from `pad` (real samples, so batch statistics stay meaningful) with mask and weight 0.
   */
  feeds(batch: Int32Array, j: number, pad: Int32Array, training: boolean): Record<string, Feed> {
    const m = this.rows;
    const start = j * m;
    const real = Math.max(0, Math.min(m, batch.length - start));
    const w = 1 / batch.length;
    for (let k = 0; k < m; k++) {
      const inBatch = k < real;
      this.idx[k] = inBatch ? batch[start + k] : pad[(k - real) % pad.length];
      this.mask[k] = inBatch ? 1 : 0;
      this.weight[k] = inBatch ? w : 0;
    }
    const f: Record<string, Feed> = { mask: this.mask };
    if (training) {
      f.weight = this.weight;
      if (this.shifts) {
        // Per row: dy, dx (when shifting), then the flip; all from the run's generator, whose state
        // checkpoints keep, so a resumed run draws the same.
        const s = this.maxShift;
        const c = this.cols;
        for (let k = 0; k < m; k++) {
          for (let d = 0; d < 2; d++) this.shifts[c * k + d] = s ? Math.floor(this.gen.next() * (2 * s + 1)) - s : 0;
          if (this.flip) this.shifts[c * k + 2] = this.gen.next() < 0.5 ? 1 : 0;
        }
        f.shifts = this.shifts;
      }
    }
    if (this.onDevice) f.idx = this.idx;
    else if (this.xb) {
      this.packRows();
      f.xb = this.xb;
      f.y = this.y!;
    } else {
      this.ds.fill(this.idx, this.x!, this.y!);
      f.x = this.x!;
      f.y = this.y!;
    }
    return f;
  }

  /** The selected rows' bytes, packed four to a word as on the device. */
  private packRows(): void {
    const D = this.ds.features;
    const words = Math.ceil(D / 4);
    const data = this.ds.bytes!.data;
    const xb = this.xb!;
    xb.fill(0);
    for (let k = 0; k < this.rows; k++) {
      const i = this.idx[k];
      for (let c = 0; c < D; c++) xb[k * words + (c >> 2)] |= data[i * D + c] << (8 * (c & 3));
      this.y![k] = this.ds.y[i];
    }
  }
}
