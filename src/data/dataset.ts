/**
 * A labelled classification dataset held in memory: features (float32, or bytes with an affine
 * map to floats) and int32 class labels, validated once at construction so that nothing later
 * has to check them (labels uploaded to the device are never range-checked again).
 */
import { ArgumentError, fmtShape } from '../errors.js';

export interface ByteFeatures {
  /** One byte per feature, row-major (length × features). */
  data: Uint8Array;
  /** feature = byte · scale + offset. */
  scale: number;
  offset: number;
}

export interface DatasetInit {
  name: string;
  /** Shape of one sample, e.g. [28, 28] or [4]. */
  sampleShape: readonly number[];
  /** Class labels, one per sample, in [0, numClasses). */
  y: Int32Array;
  numClasses: number;
  /** Float features (length × prod(sampleShape)); give this or `bytes`. */
  x?: Float32Array;
  bytes?: ByteFeatures;
  classNames?: readonly string[];
}

export class Dataset {
  readonly name: string;
  readonly sampleShape: readonly number[];
  readonly features: number;
  readonly numClasses: number;
  readonly y: Int32Array;
  readonly bytes: ByteFeatures | null;
  readonly classNames: readonly string[] | null;
  private floats: Float32Array | null;

  constructor(init: DatasetInit) {
    this.name = init.name;
    this.sampleShape = [...init.sampleShape];
    this.features = this.sampleShape.reduce((a, d) => a * d, 1);
    this.numClasses = init.numClasses;
    this.y = init.y;
    this.floats = init.x ?? null;
    this.bytes = init.bytes ?? null;
    this.classNames = init.classNames ?? null;
    this.validate();
  }

  private validate(): void {
    const n = this.y.length;
    const what = `dataset '${this.name}'`;
    if (!this.sampleShape.every((d) => Number.isSafeInteger(d) && d > 0))
      throw new ArgumentError(`${what}: sample shape ${fmtShape(this.sampleShape)} must be positive integers`);
    if (!Number.isSafeInteger(this.numClasses) || this.numClasses < 1)
      throw new ArgumentError(`${what}: numClasses must be a positive integer, got ${this.numClasses}`);
    if (!this.floats === !this.bytes) throw new ArgumentError(`${what}: give exactly one of x (floats) or bytes`);
    const len = this.floats ? this.floats.length : this.bytes!.data.length;
    if (len !== n * this.features) {
      throw new ArgumentError(`${what}: ${len} feature values for ${n} labels of shape ${fmtShape(this.sampleShape)} ` +
        `(expected ${n * this.features})`);
    }
    if (this.bytes && !(Number.isFinite(this.bytes.scale) && Number.isFinite(this.bytes.offset)))
      throw new ArgumentError(`${what}: byte scale and offset must be finite`);
    for (let i = 0; i < n; i++) {
      const v = this.y[i];
      if (v < 0 || v >= this.numClasses) {
        throw new ArgumentError(`${what}: label ${v} at index ${i} is out of range for ${this.numClasses} classes ` +
          `(expected 0 ≤ label < ${this.numClasses})`);
      }
    }
    if (this.classNames && this.classNames.length !== this.numClasses) {
      throw new ArgumentError(`${what}: ${this.classNames.length} class names for ${this.numClasses} classes`);
    }
  }

  get length(): number {
    return this.y.length;
  }

  /** Float features, row-major (computed once from the bytes when the data are bytes). */
  get x(): Float32Array {
    if (!this.floats) {
      const { data, scale, offset } = this.bytes!;
      const x = new Float32Array(data.length);
      for (let i = 0; i < data.length; i++) x[i] = data[i] * scale + offset;
      this.floats = x;
    }
    return this.floats;
  }

  /** Copy the features and labels of the given samples into a batch (rows beyond indices untouched). */
  fill(indices: ArrayLike<number>, x: Float32Array, y: Int32Array): void {
    const D = this.features;
    for (let b = 0; b < indices.length; b++) {
      const i = indices[b];
      if (this.floats) x.set(this.floats.subarray(i * D, (i + 1) * D), b * D);
      else {
        const { data, scale, offset } = this.bytes!;
        for (let k = 0; k < D; k++) x[b * D + k] = data[i * D + k] * scale + offset;
      }
      y[b] = this.y[i];
    }
  }

  /** A new dataset of the given samples, in that order. */
  subset(indices: ArrayLike<number>, name = this.name): Dataset {
    const n = indices.length;
    const D = this.features;
    const y = new Int32Array(n);
    for (let b = 0; b < n; b++) {
      const i = indices[b];
      if (!Number.isInteger(i) || i < 0 || i >= this.length)
        throw new ArgumentError(`subset of '${this.name}': index ${i} is out of range for ${this.length} samples`);
      y[b] = this.y[i];
    }
    const base = { name, sampleShape: this.sampleShape, y, numClasses: this.numClasses,
      classNames: this.classNames ?? undefined };
    if (this.bytes) {
      const data = new Uint8Array(n * D);
      for (let b = 0; b < n; b++) data.set(this.bytes.data.subarray(indices[b] * D, (indices[b] + 1) * D), b * D);
      return new Dataset({ ...base, bytes: { ...this.bytes, data } });
    }
    const x = new Float32Array(n * D);
    for (let b = 0; b < n; b++) x.set(this.floats!.subarray(indices[b] * D, (indices[b] + 1) * D), b * D);
    return new Dataset({ ...base, x });
  }

  /** Bytes of the device table in bytes when the data are bytes (packed), else as floats. */
  deviceBytes(): number {
    return this.bytes ? this.length * Math.ceil(this.features / 4) * 4 : this.length * this.features * 4;
  }
}

/** Bytes packed four to an int32 word (little-endian), each row padded to whole words. */
export function packBytes(bytes: Uint8Array, rows: number, features: number): { table: Int32Array; words: number } {
  const words = Math.ceil(features / 4);
  if (bytes.length !== rows * features)
    throw new ArgumentError(`packBytes: ${bytes.length} bytes for ${rows} rows of ${features}`);
  const table = new Int32Array(rows * words);
  for (let r = 0; r < rows; r++) {
    for (let k = 0; k < features; k++) {
      table[r * words + (k >> 2)] |= bytes[r * features + k] << (8 * (k & 3));
    }
  }
  return { table, words };
}

/** A training set and a test set. */
export interface Split {
  train: Dataset;
  test: Dataset;
}

/** Split a dataset by holding out every k-th sample of each class, k = round(1 / fraction). */
export function holdOut(ds: Dataset, fraction: number): Split {
  if (!(fraction > 0 && fraction < 1)) throw new ArgumentError(`test fraction must be in (0, 1), got ${fraction}`);
  const k = Math.max(2, Math.round(1 / fraction));
  const seen = new Int32Array(ds.numClasses);
  const train: number[] = [];
  const test: number[] = [];
  for (let i = 0; i < ds.length; i++) (seen[ds.y[i]]++ % k === k - 1 ? test : train).push(i);
  if (!test.length || !train.length)
    throw new ArgumentError(`${ds.name}: ${ds.length} samples are too few to hold out a test set`);
  return { train: ds.subset(train, `${ds.name}-train`), test: ds.subset(test, `${ds.name}-test`) };
}
