/**
 * Mini-batch order. Each epoch's order is a permutation drawn from a generator seeded by
 * (seed, epoch): the same seed gives the same orders, each epoch a different one, and the
 * position (epoch, batch) is all a checkpoint needs to resume the exact sequence. Without
 * `dropLast` the last batch of an epoch holds the remainder; with it, the remainder is skipped.
 */
import { ArgumentError } from '../errors.js';
import { Generator } from '../random.js';

export interface DataLoaderOptions {
  batchSize: number;
  /** Reshuffle at the start of every epoch (default true). */
  shuffle?: boolean;
  /** Seed of the shuffling (default 0). */
  seed?: number;
  /** Skip the last, partial batch of each epoch (default false). */
  dropLast?: boolean;
}

/** A 32-bit hash of (seed, epoch) for seeding each epoch's generator (splitmix-style mixing). */
export function mixSeed(seed: number, epoch: number): number {
  let h = (Math.imul(seed | 0, 0x9e3779b1) ^ Math.imul(epoch + 1, 0x85ebca77)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d) >>> 0;
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

/** A uniformly random permutation of 0..n-1 (Fisher–Yates). */
export function permutation(n: number, gen: Generator): Int32Array {
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(gen.next() * (i + 1));
    const t = p[i];
    p[i] = p[j];
    p[j] = t;
  }
  return p;
}

export class DataLoader {
  readonly batchSize: number;
  readonly shuffle: boolean;
  readonly seed: number;
  readonly dropLast: boolean;
  private cached: { epoch: number; order: Int32Array } | null = null;

  constructor(readonly length: number, opts: DataLoaderOptions) {
    const { batchSize } = opts;
    if (!Number.isSafeInteger(length) || length < 1)
      throw new ArgumentError(`DataLoader: the dataset is empty (${length} samples)`);
    if (!Number.isSafeInteger(batchSize) || batchSize < 1)
      throw new ArgumentError(`DataLoader: batchSize must be a positive integer, got ${batchSize}`);
    this.batchSize = batchSize;
    this.shuffle = opts.shuffle ?? true;
    this.seed = opts.seed ?? 0;
    if (!Number.isInteger(this.seed)) throw new ArgumentError(`DataLoader: seed must be an integer, got ${this.seed}`);
    this.dropLast = opts.dropLast ?? false;
    if (this.dropLast && batchSize > length) {
      throw new ArgumentError(`DataLoader: dropLast with batchSize ${batchSize} > ${length} samples would give no ` +
        `batches; lower batchSize or set dropLast false`);
    }
  }

  /** Batches per epoch. */
  get batchesPerEpoch(): number {
    return this.dropLast ? Math.floor(this.length / this.batchSize) : Math.ceil(this.length / this.batchSize);
  }

  /** The sample order of an epoch (0-based). */
  order(epoch: number): Int32Array {
    if (!Number.isSafeInteger(epoch) || epoch < 0)
      throw new ArgumentError(`DataLoader: epoch must be a non-negative integer, got ${epoch}`);
    if (this.cached?.epoch === epoch) return this.cached.order;
    const order = this.shuffle ? permutation(this.length,
      new Generator(mixSeed(this.seed, epoch))) : Int32Array.from({ length: this.length }, (_, i) => i);
    this.cached = { epoch, order };
    return order;
  }

  /** Sample indices of batch `i` of an epoch (the last one may be shorter). */
  batch(epoch: number, i: number): Int32Array {
    if (!Number.isSafeInteger(i) || i < 0 || i >= this.batchesPerEpoch)
      throw new ArgumentError(`DataLoader: batch ${i} is out of range (0..${this.batchesPerEpoch - 1})`);
    const start = i * this.batchSize;
    return this.order(epoch).subarray(start, Math.min(this.length, start + this.batchSize));
  }

  /** The batches of an epoch, from batch `start`. */
  *epoch(epoch: number, start = 0): IterableIterator<{ index: number; indices: Int32Array }> {
    for (let i = start; i < this.batchesPerEpoch; i++) yield { index: i, indices: this.batch(epoch, i) };
  }
}
