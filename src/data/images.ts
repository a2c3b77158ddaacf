/**
 * Images as classification data, in any environment: decoded 8-bit pixels (interleaved, 1–4
 * channels) are converted to the dataset's channels, optionally resized, and stacked as bytes in
 * PyTorch's [C, H, W] layout (feature = byte / 255). Decoding files is the caller's part: in Node
 * src/data/images_node.ts reads PNG and JPEG folders; in a browser, canvas pixels fit `Pixels`.
 *
 * Conversions follow PIL's `Image.convert`: RGB → gray is the ITU-R 601-2 luma
 * L = (299 R + 587 G + 114 B) / 1000, rounded; gray → RGB repeats the value; alpha is dropped.
 * Resizing is bilinear with half-pixel centres and clamped edges (PyTorch's
 * `interpolate(mode='bilinear', align_corners=False, antialias=False)`), rounded to bytes.
 */
import { ArgumentError } from '../errors.js';
import { Dataset } from './dataset.js';
import { DataFormatError } from './errors.js';

/** Decoded pixels: height × width × channels bytes, row-major, channels interleaved. */
export interface Pixels {
  width: number;
  height: number;
  /** 1 gray, 2 gray + alpha, 3 RGB, 4 RGBA. */
  channels: number;
  data: Uint8Array;
}

/** The channels a dataset's images are converted to. */
export type ImageChannels = 1 | 3;

/** 'HxW' (also 'H×W' or 'H,W') → [H, W]. */
export function parseImageSize(s: string): [number, number] {
  const m = /^\s*(\d+)\s*[x×,]\s*(\d+)\s*$/i.exec(s);
  const hw = m ? [Number(m[1]), Number(m[2])] : [];
  if (!m || !hw.every((v) => Number.isSafeInteger(v) && v >= 1 && v <= 16384)) {
    throw new ArgumentError(`image size must be HxW with sides from 1 to 16384 (e.g. 28x28); got '${s}'`);
  }
  return [hw[0], hw[1]];
}

function checkPixels(p: Pixels, what: string): void {
  const side = (v: number) => Number.isSafeInteger(v) && v > 0;
  const ok = side(p.width) && side(p.height) && p.channels >= 1 && p.channels <= 4;
  if (!ok || p.data.length !== p.width * p.height * p.channels) {
    const want = `a ${p.height}×${p.width} image of ${p.channels} channels`;
    throw new ArgumentError(`${what}: ${p.data.length} bytes do not make ${want}`);
  }
}

/** The channels an image has once its alpha is dropped: 1 (gray) or 3 (colour). */
export function naturalChannels(p: Pixels): ImageChannels {
  return p.channels <= 2 ? 1 : 3;
}

/** Convert to 1 (luma) or 3 (RGB) channels, dropping alpha. */
export function toChannels(p: Pixels, channels: ImageChannels): Pixels {
  checkPixels(p, 'toChannels');
  if (p.channels === channels) return p;
  const n = p.width * p.height;
  const out = new Uint8Array(n * channels);
  const src = p.data, c = p.channels;
  for (let i = 0; i < n; i++) {
    const s = i * c;
    if (c <= 2) {
      const v = src[s];
      if (channels === 1) out[i] = v;
      else out[3 * i] = out[3 * i + 1] = out[3 * i + 2] = v;
    } else if (channels === 1) {
      out[i] = Math.round((299 * src[s] + 587 * src[s + 1] + 114 * src[s + 2]) / 1000);
    } else {
      out[3 * i] = src[s];
      out[3 * i + 1] = src[s + 1];
      out[3 * i + 2] = src[s + 2];
    }
  }
  return { width: p.width, height: p.height, channels, data: out };
}

/** Bilinear resize to height × width (half-pixel centres, edges clamped, no antialiasing). */
export function resizeBilinear(p: Pixels, height: number, width: number): Pixels {
  checkPixels(p, 'resizeBilinear');
  if (p.height === height && p.width === width) return p;
  const c = p.channels;
  const out = new Uint8Array(height * width * c);
  const sy = p.height / height, sx = p.width / width;
  const axis = (i: number, scale: number, size: number) => {
    const f = Math.min(Math.max((i + 0.5) * scale - 0.5, 0), size - 1);
    const i0 = Math.floor(f);
    return { i0, i1: Math.min(i0 + 1, size - 1), t: f - i0 };
  };
  const xs = Array.from({ length: width }, (_, x) => axis(x, sx, p.width));
  for (let y = 0; y < height; y++) {
    const { i0: y0, i1: y1, t: ty } = axis(y, sy, p.height);
    for (let x = 0; x < width; x++) {
      const { i0: x0, i1: x1, t: tx } = xs[x];
      for (let k = 0; k < c; k++) {
        const at = (yy: number, xx: number) => p.data[(yy * p.width + xx) * c + k];
        const top = at(y0, x0) + (at(y0, x1) - at(y0, x0)) * tx;
        const bottom = at(y1, x0) + (at(y1, x1) - at(y1, x0)) * tx;
        out[(y * width + x) * c + k] = Math.round(top + (bottom - top) * ty);
      }
    }
  }
  return { width, height, channels: c, data: out };
}

export interface ImageStackOptions {
  /** Channels of every sample (default: the first image's, alpha dropped). */
  channels?: ImageChannels;
  /** Resize every image to [H, W] (default: no resizing; every image must have the first one's size). */
  resize?: readonly [number, number];
  /** The [C, H, W] every image must end up with (a test set that must match its training set). */
  shape?: readonly number[];
  /** Where `shape` comes from, for messages. */
  shapeSource?: string;
}

/**
 * Collects `count` images into one byte table, [C, H, W] per sample. The first image fixes the
 * size and (unless given) the channels; every later image must have that size unless a resize
 * is given. Errors name the image's file and both sizes.
 */
export class ImageStack {
  private data: Uint8Array | null = null;
  private shape: [number, number, number] | null = null;
  private first = '';
  private readonly y: Int32Array;
  private n = 0;

  constructor(readonly count: number, readonly opts: ImageStackOptions = {}) {
    if (!Number.isSafeInteger(count) || count < 1) {
      throw new ArgumentError(`ImageStack: count must be a positive integer, got ${count}`);
    }
    const c = opts.channels;
    if (c !== undefined && c !== 1 && c !== 3) throw new ArgumentError(`channels must be 1 or 3, got ${c}`);
    this.y = new Int32Array(count);
    if (opts.shape) this.shape = [opts.shape[0], opts.shape[1], opts.shape[2]];
  }

  /** The [C, H, W] of the samples, once known. */
  get sampleShape(): readonly number[] | null {
    return this.shape;
  }

  /** Add the next image with its label; `file` names it in errors. */
  add(p: Pixels, label: number, file: string): void {
    if (this.n >= this.count) throw new ArgumentError(`ImageStack: more than the ${this.count} images announced`);
    checkPixels(p, file);
    const { resize, shapeSource } = this.opts;
    if (!this.shape) {
      const c = this.opts.channels ?? naturalChannels(p);
      this.shape = resize ? [c, resize[0], resize[1]] : [c, p.height, p.width];
      this.first = file;
    }
    const [C, H, W] = this.shape;
    let q = toChannels(p, C as ImageChannels);
    if (resize) q = resizeBilinear(q, resize[0], resize[1]);
    if (q.height !== H || q.width !== W) {
      const ref = this.opts.shape
        ? `the model's images (${shapeSource ?? 'the checkpoint'}) are`
        : `the first image (${this.first}) is`;
      const hint = `give --resize ${H}x${W} to resize every image`;
      throw new DataFormatError(file, `the image is ${p.height}×${p.width} (H×W), but ${ref} ${H}×${W}; ${hint}`);
    }
    const data = (this.data ??= new Uint8Array(this.count * C * H * W));
    const base = this.n * C * H * W;
    for (let k = 0; k < C; k++) for (let i = 0; i < H * W; i++) data[base + k * H * W + i] = q.data[i * C + k];
    this.y[this.n++] = label;
  }

  /** The dataset of the images added (all `count` of them). */
  finish(name: string, numClasses: number, classNames?: readonly string[]): Dataset {
    if (this.n !== this.count || !this.data || !this.shape) {
      throw new ArgumentError(`ImageStack: ${this.n} of ${this.count} images added`);
    }
    const bytes = { data: this.data, scale: 1 / 255, offset: 0 };
    return new Dataset({ name, sampleShape: this.shape, y: this.y, numClasses, classNames, bytes });
  }
}
