/**
 * 2-D convolution references (float64), written from the math, PyTorch semantics (NCHW,
 * cross-correlation, no kernel flip). Imports nothing from the project.
 *
 *   x (N, C, H, W), w (K, C/G, R, S), bias (K), y (N, K, OH, OW); G groups, Cg = C/G, Kg = K/G.
 *   y[n, k, oh, ow] = bias[k] + Σ_{c < Cg, r < R, s < S} w[k, c, r, s] · x[n, g·Cg + c, ih, iw]
 *     with g = ⌊k / Kg⌋, ih = oh·strideH − padH + r·dilH, iw = ow·strideW − padW + s·dilW,
 *     and x = 0 outside [0, H) × [0, W) (zero padding).
 *   OH = ⌊(H + padH + padBottom − dilH·(R − 1) − 1) / strideH⌋ + 1, likewise OW.
 *
 * padH and padW are the top and left padding. The bottom and right padding only change the
 * output size, so the geometry carries OH and OW and any read past the input is zero: that
 * covers PyTorch's numeric padding (the same on both sides) and padding='same', which for an
 * even total dil·(k − 1) puts the extra row and column at the bottom and right.
 *
 * Backward, for a cotangent dy (N, K, OH, OW):
 *   dx[n, c', ih, iw] = Σ over (k in c's group, r, s, oh, ow) with ih = oh·strideH − padH + r·dilH
 *                       (and likewise iw) of w[k, c, r, s] · dy[n, k, oh, ow]
 *   dw[k, c, r, s]    = Σ_{n, oh, ow} dy[n, k, oh, ow] · x[n, g·Cg + c, ih, iw]
 *   dbias[k]          = Σ_{n, oh, ow} dy[n, k, oh, ow]
 */
import type { In, Out } from './util.js';

export interface Conv2dGeom {
  N: number; C: number; H: number; W: number;
  /** Output channels, kernel height and width. */
  K: number; R: number; S: number;
  groups: number;
  strideH: number; strideW: number;
  /** Top and left padding. */
  padH: number; padW: number;
  dilH: number; dilW: number;
  OH: number; OW: number;
}

export type Pair = number | readonly [number, number];

export interface Conv2dOptions {
  stride?: Pair;
  /** A number or pair (both sides), 'valid' (0) or 'same' (stride 1 only, as in PyTorch). */
  padding?: Pair | 'valid' | 'same';
  dilation?: Pair;
  groups?: number;
}

export const pair = (v: Pair): [number, number] => (typeof v === 'number' ? [v, v] : [v[0], v[1]]);

/** PyTorch's output size of a convolution along one axis (padding on each side given apart). */
export function convOutSize(
  size: number, k: number, stride: number, padBefore: number, padAfter: number, dil: number,
): number {
  return Math.floor((size + padBefore + padAfter - dil * (k - 1) - 1) / stride) + 1;
}

/**
 * The geometry of conv2d(x, w) for x (N, C, H, W) and w (K, C/groups, R, S), checked as PyTorch
 * checks it (plain Errors: the op layer turns them into its own errors with the layer's name).
 */
export function conv2dGeom(xShape: readonly number[], wShape: readonly number[], o: Conv2dOptions = {}): Conv2dGeom {
  if (xShape.length !== 4 || wShape.length !== 4) {
    throw new Error(`conv2d: x must be (N, C, H, W) and w (K, C/groups, R, S), got x ${fmt(xShape)} and w ` +
      `${fmt(wShape)}`);
  }
  const [N, C, H, W] = xShape;
  const [K, Cg, R, S] = wShape;
  const groups = o.groups ?? 1;
  const [strideH, strideW] = pair(o.stride ?? 1);
  const [dilH, dilW] = pair(o.dilation ?? 1);
  if (!(Number.isInteger(groups) && groups >= 1)) {
    throw new Error(`conv2d: groups must be a positive integer, got ${groups}`);
  }
  if (C % groups || K % groups) {
    throw new Error(`conv2d: in channels ${C} and out channels ${K} must be divisible by groups ${groups}`);
  }
  if (Cg !== C / groups) {
    throw new Error(`conv2d: w ${fmt(wShape)} expects ${Cg * groups} input channels (${Cg} per group × ` +
      `${groups} groups), x ${fmt(xShape)} has ${C}`);
  }
  if (!(strideH >= 1 && strideW >= 1 && dilH >= 1 && dilW >= 1)) {
    throw new Error(`conv2d: stride and dilation must be ≥ 1, got stride ${strideH},${strideW} dilation ` +
      `${dilH},${dilW}`);
  }
  let pads: [number, number, number, number];
  const p = o.padding ?? 0;
  if (p === 'valid') pads = [0, 0, 0, 0];
  else if (p === 'same') {
    if (strideH !== 1 || strideW !== 1) {
      throw new Error(`conv2d: padding='same' needs stride 1, got stride ${strideH},${strideW}`);
    }
    const th = dilH * (R - 1), tw = dilW * (S - 1);
    pads = [th >> 1, th - (th >> 1), tw >> 1, tw - (tw >> 1)];
  } else {
    const [ph, pw] = pair(p);
    if (!(ph >= 0 && pw >= 0)) throw new Error(`conv2d: padding must be ≥ 0, got ${ph},${pw}`);
    pads = [ph, ph, pw, pw];
  }
  const OH = convOutSize(H, R, strideH, pads[0], pads[1], dilH);
  const OW = convOutSize(W, S, strideW, pads[2], pads[3], dilW);
  if (OH < 1 || OW < 1) {
    const ph = H + pads[0] + pads[1], pw = W + pads[2] + pads[3];
    throw new Error(`conv2d: kernel ${R}×${S} (dilation ${dilH},${dilW}) is larger than the padded input ` +
      `${ph}×${pw} of x ${fmt(xShape)}`);
  }
  return { N, C, H, W, K, R, S, groups, strideH, strideW, padH: pads[0], padW: pads[2], dilH, dilW, OH, OW };
}

const fmt = (s: readonly number[]) => `[${s.join(', ')}]`;

/** Input row and column read by output (oh, ow) at kernel tap (r, s) (may lie in the padding). */
const inRow = (g: Conv2dGeom, oh: number, r: number) => oh * g.strideH - g.padH + r * g.dilH;
const inCol = (g: Conv2dGeom, ow: number, s: number) => ow * g.strideW - g.padW + s * g.dilW;

/** y (N, K, OH, OW) = conv2d(x (N, C, H, W), w (K, C/G, R, S)) + bias (K). */
export function conv2d(y: Out, x: In, w: In, bias: In | null, g: Conv2dGeom): void {
  const Cg = g.C / g.groups, Kg = g.K / g.groups;
  for (let n = 0; n < g.N; n++) {
    for (let k = 0; k < g.K; k++) {
      const c0 = Math.floor(k / Kg) * Cg;
      for (let oh = 0; oh < g.OH; oh++) {
        for (let ow = 0; ow < g.OW; ow++) {
          let acc = bias ? bias[k] : 0;
          for (let c = 0; c < Cg; c++) {
            for (let r = 0; r < g.R; r++) {
              const ih = inRow(g, oh, r);
              if (ih < 0 || ih >= g.H) continue;
              for (let s = 0; s < g.S; s++) {
                const iw = inCol(g, ow, s);
                if (iw < 0 || iw >= g.W) continue;
                acc += w[((k * Cg + c) * g.R + r) * g.S + s] * x[((n * g.C + c0 + c) * g.H + ih) * g.W + iw];
              }
            }
          }
          y[((n * g.K + k) * g.OH + oh) * g.OW + ow] = acc;
        }
      }
    }
  }
}

/**
 * dx (N, C, H, W) from dy (N, K, OH, OW) and w: each input element gathers the taps that read
 * it (ih = oh·strideH − padH + r·dilH solved for oh), so the sum has a fixed order.
 */
export function conv2dBackwardInput(dx: Out, dy: In, w: In, g: Conv2dGeom): void {
  const Cg = g.C / g.groups, Kg = g.K / g.groups;
  for (let n = 0; n < g.N; n++) {
    for (let ci = 0; ci < g.C; ci++) {
      const grp = Math.floor(ci / Cg), c = ci - grp * Cg;
      for (let ih = 0; ih < g.H; ih++) {
        for (let iw = 0; iw < g.W; iw++) {
          let acc = 0;
          for (let kk = 0; kk < Kg; kk++) {
            const k = grp * Kg + kk;
            for (let r = 0; r < g.R; r++) {
              const th = ih + g.padH - r * g.dilH;
              if (th < 0 || th % g.strideH) continue;
              const oh = th / g.strideH;
              if (oh >= g.OH) continue;
              for (let s = 0; s < g.S; s++) {
                const tw = iw + g.padW - s * g.dilW;
                if (tw < 0 || tw % g.strideW) continue;
                const ow = tw / g.strideW;
                if (ow >= g.OW) continue;
                acc += w[((k * Cg + c) * g.R + r) * g.S + s] * dy[((n * g.K + k) * g.OH + oh) * g.OW + ow];
              }
            }
          }
          dx[((n * g.C + ci) * g.H + ih) * g.W + iw] = acc;
        }
      }
    }
  }
}

/** dw (K, C/G, R, S) from dy (N, K, OH, OW) and x (N, C, H, W). */
export function conv2dBackwardWeight(dw: Out, dy: In, x: In, g: Conv2dGeom): void {
  const Cg = g.C / g.groups, Kg = g.K / g.groups;
  for (let k = 0; k < g.K; k++) {
    const c0 = Math.floor(k / Kg) * Cg;
    for (let c = 0; c < Cg; c++) {
      for (let r = 0; r < g.R; r++) {
        for (let s = 0; s < g.S; s++) {
          let acc = 0;
          for (let n = 0; n < g.N; n++) {
            for (let oh = 0; oh < g.OH; oh++) {
              const ih = inRow(g, oh, r);
              if (ih < 0 || ih >= g.H) continue;
              for (let ow = 0; ow < g.OW; ow++) {
                const iw = inCol(g, ow, s);
                if (iw < 0 || iw >= g.W) continue;
                acc += dy[((n * g.K + k) * g.OH + oh) * g.OW + ow] * x[((n * g.C + c0 + c) * g.H + ih) * g.W + iw];
              }
            }
          }
          dw[((k * Cg + c) * g.R + r) * g.S + s] = acc;
        }
      }
    }
  }
}

/** dbias (K) = Σ over n, oh, ow of dy (N, K, OH, OW). */
export function conv2dBackwardBias(db: Out, dy: In, g: Conv2dGeom): void {
  const P = g.OH * g.OW;
  for (let k = 0; k < g.K; k++) {
    let acc = 0;
    for (let n = 0; n < g.N; n++) for (let i = 0; i < P; i++) acc += dy[(n * g.K + k) * P + i];
    db[k] = acc;
  }
}

/** Multiply-adds of one forward pass (each backward pass does the same number). */
export function conv2dFlops(g: Conv2dGeom): number {
  return 2 * g.N * g.K * g.OH * g.OW * (g.C / g.groups) * g.R * g.S;
}
