/**
 * The MNIST digits as served by scripts/serve.mjs: one binary file, "SLDG", u32 count, rows,
 * cols (little-endian), then uint8 pixels image after image, then uint8 labels. Also a seeded
 * train/test split and the conversion to float batches (pixels/255, optionally standardised
 * per pixel with the training set's mean and standard deviation).
 */
export interface Digits {
  count: number;
  rows: number;
  cols: number;
  pixels: Uint8Array;
  labels: Uint8Array;
}

export async function loadDigits(url: string, onProgress?: (fraction: number) => void): Promise<Digits> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`could not load the digits from ${url}: HTTP ${res.status} (start the page with npm run web)`);
  const total = Number(res.headers.get('content-length') ?? 0);
  const reader = res.body!.getReader();
  const parts: Uint8Array[] = [];
  let got = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    parts.push(value);
    got += value.length;
    if (total && onProgress) onProgress(got / total);
  }
  const bytes = new Uint8Array(got);
  let o = 0;
  for (const p of parts) { bytes.set(p, o); o += p.length; }
  return parseDigits(bytes);
}

export function parseDigits(bytes: Uint8Array): Digits {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = String.fromCharCode(...bytes.subarray(0, 4));
  if (magic !== 'SLDG') throw new Error(`digits file: bad magic "${magic}" (expected SLDG)`);
  const count = view.getUint32(4, true), rows = view.getUint32(8, true), cols = view.getUint32(12, true);
  const px = rows * cols;
  if (bytes.length !== 16 + count * px + count) {
    throw new Error(`digits file: ${bytes.length} bytes, expected ${16 + count * px + count} for ${count} images of ${rows}x${cols}`);
  }
  return {
    count, rows, cols,
    pixels: bytes.subarray(16, 16 + count * px),
    labels: bytes.subarray(16 + count * px),
  };
}

/** A seeded permutation (mulberry32 + Fisher–Yates). */
export function permutation(n: number, seed: number): Int32Array {
  let s = seed >>> 0;
  const rand = () => {
    let t = (s = (s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    const t = p[i]; p[i] = p[j]; p[j] = t;
  }
  return p;
}

export interface Split {
  train: Int32Array;
  test: Int32Array;
}

/** Shuffle once with `seed`, then keep the last `testCount` digits for testing. */
export function split(d: Digits, testCount: number, seed = 1): Split {
  const p = permutation(d.count, seed);
  return { train: p.subarray(0, d.count - testCount), test: p.subarray(d.count - testCount) };
}

/** Per-pixel affine map x' = (x/255 − mean)·invStd; identity-like for raw [0, 1] inputs. */
export interface PixelMap {
  mean: Float32Array;
  invStd: Float32Array;
}

export function rawMap(px: number): PixelMap {
  return { mean: new Float32Array(px), invStd: new Float32Array(px).fill(1) };
}

/** Feature standardisation from the training images; constant pixels keep a unit scale. */
export function standardiseMap(d: Digits, idx: ArrayLike<number>): PixelMap {
  const px = d.rows * d.cols;
  const sum = new Float64Array(px), sq = new Float64Array(px);
  for (let i = 0; i < idx.length; i++) {
    const o = idx[i] * px;
    for (let k = 0; k < px; k++) {
      const v = d.pixels[o + k] / 255;
      sum[k] += v;
      sq[k] += v * v;
    }
  }
  const mean = new Float32Array(px), invStd = new Float32Array(px);
  for (let k = 0; k < px; k++) {
    const m = sum[k] / idx.length;
    const sd = Math.sqrt(Math.max(0, sq[k] / idx.length - m * m));
    mean[k] = m;
    invStd[k] = sd > 1e-3 ? 1 / sd : 1;
  }
  return { mean, invStd };
}

/** Gather images idx[from, from+n) into (n, rows·cols) floats and their labels. */
export function gather(d: Digits, idx: ArrayLike<number>, from: number, n: number, map: PixelMap): { x: Float32Array; y: Int32Array } {
  const px = d.rows * d.cols;
  const x = new Float32Array(n * px), y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const j = idx[(from + i) % idx.length];
    const o = j * px;
    for (let k = 0; k < px; k++) x[i * px + k] = (d.pixels[o + k] / 255 - map.mean[k]) * map.invStd[k];
    y[i] = d.labels[j];
  }
  return { x, y };
}
