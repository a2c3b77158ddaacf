/**
 * Dropout reference: a counter-based generator (Philox4x32-10, Salmon et al., SC'11) as a pure
 * function of (seed, step, stream, element index), and PyTorch's inverted scaling. Imports
 * nothing from the project; shaders/dropout.wgsl computes the same bits.
 *
 * Bits of element i: philox4x32_10(counter, key)[i mod 4] with
 *   key     = (seed mod 2³², ⌊seed / 2³²⌋)              (seed an integer in [0, 2⁵³))
 *   counter = (⌊i / 4⌋ mod 2³², stream, step, ⌊i / 2³⁴⌋)
 * `step` is the training step and `stream` tells the dropout layers of one step apart, so every
 * mask is fresh, no mask is stored or uploaded, and a resumed run draws the same masks.
 *
 * Mask: element i is kept when (bits >> 8) ≥ t, t = round(p · 2²⁴) (an integer compare, so the
 * device and this reference agree exactly); y = x · keep · scale with scale = 1 / (1 − p), and
 * scale = 0 for p = 1 (every element dropped, as PyTorch's zeros). Backward: dx = dy · keep ·
 * scale with the same mask. Eval mode, or p = 0: identity.
 */
import type { In, Out } from './util.js';

const M0 = 0xd2511f53, M1 = 0xcd9e8d57;
const W0 = 0x9e3779b9, W1 = 0xbb67ae85;

/** High 32 bits of the 64-bit product of two u32 (exact: four 16-bit partial products). */
export function mulhi32(a: number, b: number): number {
  const aL = a & 0xffff, aH = a >>> 16, bL = b & 0xffff, bH = b >>> 16;
  const ll = aL * bL, lh = aL * bH, hl = aH * bL, hh = aH * bH;
  const mid = (ll >>> 16) + (lh & 0xffff) + (hl & 0xffff);
  return (hh + (lh >>> 16) + (hl >>> 16) + (mid >>> 16)) >>> 0;
}

/** Philox4x32 with `rounds` rounds (10 is the standard) on counter c and key k (u32 words). */
export function philox4x32(c: readonly number[], k: readonly number[], rounds = 10): [number, number, number, number] {
  let c0 = c[0] >>> 0, c1 = c[1] >>> 0, c2 = c[2] >>> 0, c3 = c[3] >>> 0;
  let k0 = k[0] >>> 0, k1 = k[1] >>> 0;
  for (let r = 0; r < rounds; r++) {
    if (r > 0) {
      k0 = (k0 + W0) >>> 0;
      k1 = (k1 + W1) >>> 0;
    }
    const hi0 = mulhi32(M0, c0), lo0 = Math.imul(M0, c0) >>> 0;
    const hi1 = mulhi32(M1, c2), lo1 = Math.imul(M1, c2) >>> 0;
    [c0, c1, c2, c3] = [(hi1 ^ c1 ^ k0) >>> 0, lo1, (hi0 ^ c3 ^ k1) >>> 0, lo0];
  }
  return [c0, c1, c2, c3];
}

export interface DropoutArgs {
  p: number;
  seed: number;
  step: number;
  /** Tells the dropout layers of one step apart (default 0). */
  stream?: number;
}

/** The key words of a seed in [0, 2⁵³). */
export function seedKey(seed: number): [number, number] {
  if (!(Number.isInteger(seed) && seed >= 0 && seed <= Number.MAX_SAFE_INTEGER)) {
    throw new Error(`dropout: seed must be an integer in [0, 2^53), got ${seed}`);
  }
  return [seed % 2 ** 32, Math.floor(seed / 2 ** 32)];
}

/** The 24-bit threshold: elements whose top 24 bits are below it are dropped. */
export function dropThreshold(p: number): number {
  if (!(p >= 0 && p <= 1)) throw new Error(`dropout: p must be in [0, 1], got ${p}`);
  return Math.round(p * 2 ** 24);
}

export const dropScale = (p: number): number => (p >= 1 ? 0 : 1 / (1 - p));

/** The random u32 of element i. */
export function dropoutBits(i: number, a: DropoutArgs): number {
  const [k0, k1] = seedKey(a.seed);
  const q = Math.floor(i / 4);
  return philox4x32([q % 2 ** 32, a.stream ?? 0, a.step, Math.floor(q / 2 ** 32)], [k0, k1])[i % 4];
}

/** mask[i] = scale if element i is kept, else 0, for i < n. */
export function dropoutMask(mask: Out, n: number, a: DropoutArgs): void {
  const t = dropThreshold(a.p), scale = dropScale(a.p);
  const [k0, k1] = seedKey(a.seed);
  for (let q = 0; q * 4 < n; q++) {
    const bits = philox4x32([q % 2 ** 32, a.stream ?? 0, a.step, Math.floor(q / 2 ** 32)], [k0, k1]);
    for (let j = 0; j < 4 && q * 4 + j < n; j++) mask[q * 4 + j] = bits[j] >>> 8 >= t ? scale : 0;
  }
}

/** y = x · mask (forward), or dx = dy · mask (backward: the same function on dy). Identity when !train. */
export function dropout(y: Out, x: In, a: DropoutArgs, train = true): void {
  const n = x.length;
  if (!train || a.p === 0) {
    for (let i = 0; i < n; i++) y[i] = x[i];
    return;
  }
  const mask = new Float64Array(n);
  dropoutMask(mask, n, a);
  for (let i = 0; i < n; i++) y[i] = x[i] * mask[i];
}
