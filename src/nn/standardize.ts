/**
 * Feature standardization over a whole dataset: x̃ = (x − mean) / std per input dimension, with
 * the statistics of the training set applied to training and test data alike.
 *
 * The statistics run on the engine's backend (the normalization kernels: per-dimension Welford
 * passes merged in a fixed order), chunk by chunk so that a large dataset never exceeds the
 * device's binding limit; the chunks' (count, mean, M2) are merged on the host in float64 with
 * Chan's formula, in chunk order (deterministic). std is the population standard deviation
 * (ddof = 0). A dimension with zero variance is left centred (divided by 1, not by 0).
 */
import { ArgumentError, NonFiniteError } from '../errors.js';
import type { Engine } from '../engine.js';
import { Graph } from '../graph/tensor.js';
import type { Program } from '../graph/program.js';
import { channelGeom, normApply, normStats } from '../graph/ops/norm.js';

export interface StandardizeOptions {
  /** Rows per device pass (default: as many as fit 16 MiB, at most the dataset). */
  chunkRows?: number;
}

type Data = Float32Array | Float64Array | readonly number[];

function checkData(op: string, data: Data, dims: number): number {
  if (!Number.isSafeInteger(dims) || dims < 1)
    throw new ArgumentError(`${op}: dims must be a positive integer, got ${dims}`);
  if (!data.length || data.length % dims)
    throw new ArgumentError(`${op}: data has ${data.length} values, not a positive multiple of dims = ${dims}`);
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i]))
      throw new NonFiniteError(`${op}: value ${data[i]} at row ${Math.floor(i / dims)}, dimension ${i % dims}`);
  }
  return data.length / dims;
}

function chunkRows(op: string, rows: number, dims: number, opts: StandardizeOptions): number {
  const c = opts.chunkRows ?? Math.max(1, Math.floor((16 << 20) / (4 * dims)));
  if (!Number.isSafeInteger(c) || c < 1)
    throw new ArgumentError(`${op}: chunkRows must be a positive integer, got ${c}`);
  return Math.min(c, rows);
}

/** Runs `body` over row chunks with one compiled program per distinct chunk size. */
async function overChunks(engine: Engine, rows: number, per: number, build: (n: number) => Promise<Program>,
  body: (p: Program, start: number, n: number) => Promise<void>) {
  const progs = new Map<number, Program>();
  try {
    for (let start = 0; start < rows; start += per) {
      const n = Math.min(per, rows - start);
      let p = progs.get(n);
      if (!p) progs.set(n, (p = await build(n)));
      await body(p, start, n);
    }
  } finally {
    for (const p of progs.values()) p.dispose();
  }
}

/** Per-dimension statistics of a training set, and the transform they define. */
export class Standardizer {
  /** 1 where a dimension's variance is zero (left centred). */
  readonly constant: Uint8Array;
  constructor(readonly mean: Float64Array, readonly std: Float64Array, readonly count: number) {
    if (mean.length !== std.length) throw new ArgumentError('Standardizer: mean and std differ in length');
    this.constant = Uint8Array.from(std, (s) => (s === 0 ? 1 : 0));
  }

  get dims(): number {
    return this.mean.length;
  }

  /** (x − mean) / std row by row (std 0 → 1), on the engine's backend. */
  async transform(engine: Engine, data: Data, opts: StandardizeOptions = {}): Promise<Float32Array> {
    const D = this.dims;
    const rows = checkData('Standardizer.transform', data, D);
    // The mean as an unevaluated sum hi + lo of two float32 values keeps (x − hi) − lo accurate
    // when |mean| ≫ std; the variance row holds std² (1 for a constant dimension).
    const stats = new Float32Array(3 * D);
    for (let c = 0; c < D; c++) {
      stats[c] = Math.fround(this.mean[c]);
      stats[D + c] = this.mean[c] - stats[c];
      stats[2 * D + c] = this.constant[c] ? 1 : this.std[c] ** 2;
    }
    const out = new Float32Array(rows * D);
    const build = (n: number) => {
      const g = new Graph();
      const x = g.input('x', [n, D]);
      const y = normApply(x, g.constant(stats, [3, D]), channelGeom([n, D]), { eps: 0 });
      return engine.compile(g, { outputs: { y } });
    };
    await overChunks(engine, rows, chunkRows('Standardizer.transform', rows, D, opts), build, async (p, start, n) => {
      await p.run({ x: slice(data, start * D, (start + n) * D) });
      out.set(await p.read('y'), start * D);
    });
    return out;
  }
}

function slice(data: Data, a: number, b: number): Float32Array | Float64Array | number[] {
  return Array.isArray(data) ? data.slice(a, b) : (data as Float32Array).subarray(a, b);
}

/**
 * Fit a Standardizer to `data` (rows of `dims` values, row-major): per-dimension mean and
 * population standard deviation, computed on the engine's backend.
 */
export async function fitStandardizer(engine: Engine, data: Data, dims: number,
  opts: StandardizeOptions = {}): Promise<Standardizer> {
  const D = dims;
  const rows = checkData('fitStandardizer', data, D);
  const mean = new Float64Array(D), m2 = new Float64Array(D);
  let count = 0;
  const build = (n: number) => {
    const g = new Graph();
    const x = g.input('x', [n, D]);
    return engine.compile(g, { outputs: { stats: normStats(x, channelGeom([n, D])) } });
  };
  await overChunks(engine, rows, chunkRows('fitStandardizer', rows, D, opts), build, async (p, start, n) => {
    await p.run({ x: slice(data, start * D, (start + n) * D) });
    const s = await p.read('stats');
    // Chan et al.: merge (count, mean, M2) of the rows so far with this chunk's.
    const total = count + n;
    for (let c = 0; c < D; c++) {
      const mk = s[c] + s[D + c];
      const delta = mk - mean[c];
      mean[c] += (delta * n) / total;
      m2[c] += s[2 * D + c] * n + (delta * delta * count * n) / total;
    }
    count = total;
  });
  return new Standardizer(mean, Float64Array.from(m2, (v) => Math.sqrt(Math.max(0, v) / count)), count);
}
