/**
 * 2-D pooling references (float64), written from the math with PyTorch's conventions. Imports
 * nothing from the project. x (N, C, H, W) → y (N, C, OH, OW); every (n, c) plane is pooled
 * alone, so the functions loop over P = N·C planes.
 *
 * Windows. Output (oh, ow) covers rows oh·strideH − padH + i·dilH (i < kH), likewise columns;
 * positions outside the input are padding.
 *   OH = ⌊(H + 2·padH − dilH·(kH − 1) − 1 + (ceil ? strideH − 1 : 0)) / strideH⌋ + 1, and with
 *   ceil_mode the last window must start inside the input or its left padding:
 *   if (OH − 1)·strideH ≥ H + padH then OH −= 1.                     (PyTorch pooling_output_shape)
 *   padding must be at most half the kernel (⌊k / 2⌋, dilation aside), as PyTorch requires.
 *
 * max_pool2d: y = the largest element of the window, padding excluded. Ties go to the first
 *   element in row-major order; a NaN wins over any number and a later NaN over an earlier one
 *   (PyTorch's `val > max || isnan(val)` scan, starting from −∞ at the window's first element).
 *   Backward: dx[argmax] += dy, the argmax found by the same scan; its adjoint (select) reads
 *   h[argmax] per window.
 * avg_pool2d: y = Σ window / divisor, the window clipped to the input; the divisor counts the
 *   window clipped to the padded input (H + padH rows) when count_include_pad (PyTorch's
 *   default), else only the input elements. A window with no input elements gives 0.
 *   Backward: dx[i] = Σ over windows covering i of dy / divisor.
 * adaptive_avg_pool2d: output oh averages rows ⌊oh·H/OH⌋ … ⌈(oh+1)·H/OH⌉ − 1, likewise columns.
 */
import type { In, Out } from './util.js';

export interface Pool2dGeom {
  N: number; C: number; H: number; W: number;
  kH: number; kW: number;
  strideH: number; strideW: number;
  padH: number; padW: number;
  dilH: number; dilW: number;
  OH: number; OW: number;
}

export type Pair = number | readonly [number, number];

export interface Pool2dOptions {
  kernel: Pair;
  /** Default: the kernel size (PyTorch's stride=None). */
  stride?: Pair;
  padding?: Pair;
  /** max_pool2d only. */
  dilation?: Pair;
  ceilMode?: boolean;
}

const pair = (v: Pair): [number, number] => (typeof v === 'number' ? [v, v] : [v[0], v[1]]);
const fmt = (s: readonly number[]) => `[${s.join(', ')}]`;

/** PyTorch's pooling output size along one axis. */
export function poolOutSize(size: number, k: number, stride: number, pad: number, dil: number, ceil: boolean): number {
  const num = size + 2 * pad - dil * (k - 1) - 1 + (ceil ? stride - 1 : 0);
  let out = Math.floor(num / stride) + 1;
  if (ceil && (out - 1) * stride >= size + pad) out--;
  return out;
}

/** Geometry of a max or average pooling of x (N, C, H, W), checked as PyTorch checks it. */
export function pool2dGeom(kind: 'max' | 'avg', xShape: readonly number[], o: Pool2dOptions): Pool2dGeom {
  if (xShape.length !== 4) throw new Error(`${kind}_pool2d: x must be (N, C, H, W), got ${fmt(xShape)}`);
  const [N, C, H, W] = xShape;
  const [kH, kW] = pair(o.kernel);
  const [strideH, strideW] = pair(o.stride ?? o.kernel);
  const [padH, padW] = pair(o.padding ?? 0);
  const [dilH, dilW] = pair(o.dilation ?? 1);
  if (kind === 'avg' && (dilH !== 1 || dilW !== 1)) throw new Error('avg_pool2d: no dilation (as in PyTorch)');
  if (!(kH >= 1 && kW >= 1 && strideH >= 1 && strideW >= 1 && dilH >= 1 && dilW >= 1)) {
    throw new Error(`${kind}_pool2d: kernel, stride and dilation must be ≥ 1, got kernel ${kH},${kW} stride ` +
      `${strideH},${strideW} ` +
      `dilation ${dilH},${dilW}`);
  }
  const effH = Math.floor(kH / 2), effW = Math.floor(kW / 2); // PyTorch: pad ≤ kernel / 2, dilation aside
  if (padH < 0 || padW < 0 || padH > effH || padW > effW) {
    throw new Error(`${kind}_pool2d: padding ${padH},${padW} must be at most half the kernel ${kH}×${kW} ` +
      `(${effH},${effW})`);
  }
  const ceil = !!o.ceilMode;
  const OH = poolOutSize(H, kH, strideH, padH, dilH, ceil);
  const OW = poolOutSize(W, kW, strideW, padW, dilW, ceil);
  if (OH < 1 || OW < 1) {
    throw new Error(`${kind}_pool2d: kernel ${kH}×${kW} is larger than the padded input of x ${fmt(xShape)} ` +
      `(output ${OH}×${OW})`);
  }
  return { N, C, H, W, kH, kW, strideH, strideW, padH, padW, dilH, dilW, OH, OW };
}

/** Index within the (H, W) plane of the maximum of window (oh, ow) of plane `base`; −1 if it has no element. */
export function maxArg(x: In, base: number, g: Pool2dGeom, oh: number, ow: number): number {
  let best = -Infinity, arg = -1;
  for (let i = 0; i < g.kH; i++) {
    const ih = oh * g.strideH - g.padH + i * g.dilH;
    if (ih < 0 || ih >= g.H) continue;
    for (let j = 0; j < g.kW; j++) {
      const iw = ow * g.strideW - g.padW + j * g.dilW;
      if (iw < 0 || iw >= g.W) continue;
      const v = x[base + ih * g.W + iw];
      if (arg < 0) arg = ih * g.W + iw; // PyTorch starts from −∞ at the window's first element
      if (v > best || Number.isNaN(v)) {
        best = v;
        arg = ih * g.W + iw;
      }
    }
  }
  return arg;
}

/**
 * y (N, C, OH, OW) = max over each window; `indices` (optional) gets the argmax within the plane
 * (PyTorch's return_indices).
 */
export function maxPool2d(y: Out, x: In, g: Pool2dGeom, indices?: Out): void {
  const HW = g.H * g.W, O = g.OH * g.OW;
  for (let pl = 0; pl < g.N * g.C; pl++) {
    for (let oh = 0; oh < g.OH; oh++) {
      for (let ow = 0; ow < g.OW; ow++) {
        const a = maxArg(x, pl * HW, g, oh, ow);
        const o = pl * O + oh * g.OW + ow;
        y[o] = a < 0 ? -Infinity : x[pl * HW + a];
        if (indices) indices[o] = a;
      }
    }
  }
}

/** dx (N, C, H, W): each window's dy goes to its argmax (recomputed from x). */
export function maxPool2dBackward(dx: Out, dy: In, x: In, g: Pool2dGeom): void {
  const HW = g.H * g.W, O = g.OH * g.OW;
  for (let i = 0; i < g.N * g.C * HW; i++) dx[i] = 0;
  for (let pl = 0; pl < g.N * g.C; pl++) {
    for (let oh = 0; oh < g.OH; oh++) {
      for (let ow = 0; ow < g.OW; ow++) {
        const a = maxArg(x, pl * HW, g, oh, ow);
        if (a >= 0) dx[pl * HW + a] += dy[pl * O + oh * g.OW + ow];
      }
    }
  }
}

/**
 * y (N, C, OH, OW) = h at each window's argmax of x, h shaped like x: the adjoint of the
 * backward map dy → dx (for second derivatives through max pooling).
 */
export function maxPool2dSelect(y: Out, h: In, x: In, g: Pool2dGeom): void {
  const HW = g.H * g.W, O = g.OH * g.OW;
  for (let pl = 0; pl < g.N * g.C; pl++) {
    for (let oh = 0; oh < g.OH; oh++) {
      for (let ow = 0; ow < g.OW; ow++) {
        const a = maxArg(x, pl * HW, g, oh, ow);
        y[pl * O + oh * g.OW + ow] = a < 0 ? 0 : h[pl * HW + a];
      }
    }
  }
}

/** The clipped window [h0, h1) × [w0, w1) of output (oh, ow) and its divisor. */
export interface AvgWindow { h0: number; h1: number; w0: number; w1: number; div: number }

export function avgWindow(g: Pool2dGeom, oh: number, ow: number, countIncludePad: boolean): AvgWindow {
  let h0 = oh * g.strideH - g.padH, w0 = ow * g.strideW - g.padW;
  let h1 = Math.min(h0 + g.kH, g.H + g.padH), w1 = Math.min(w0 + g.kW, g.W + g.padW);
  const padded = (h1 - h0) * (w1 - w0);
  h0 = Math.max(h0, 0); w0 = Math.max(w0, 0);
  h1 = Math.min(h1, g.H); w1 = Math.min(w1, g.W);
  return { h0, h1, w0, w1, div: countIncludePad ? padded : (h1 - h0) * (w1 - w0) };
}

/** y (N, C, OH, OW) = mean of each window (see the header for the divisor). */
export function avgPool2d(y: Out, x: In, g: Pool2dGeom, countIncludePad = true): void {
  const HW = g.H * g.W, O = g.OH * g.OW;
  for (let pl = 0; pl < g.N * g.C; pl++) {
    for (let oh = 0; oh < g.OH; oh++) {
      for (let ow = 0; ow < g.OW; ow++) {
        const { h0, h1, w0, w1, div } = avgWindow(g, oh, ow, countIncludePad);
        let acc = 0;
        for (let ih = h0; ih < h1; ih++) for (let iw = w0; iw < w1; iw++) acc += x[pl * HW + ih * g.W + iw];
        y[pl * O + oh * g.OW + ow] = h0 < h1 && w0 < w1 ? acc / div : 0;
      }
    }
  }
}

/** dx (N, C, H, W) = Σ over the windows covering each element of dy / divisor. */
export function avgPool2dBackward(dx: Out, dy: In, g: Pool2dGeom, countIncludePad = true): void {
  const HW = g.H * g.W, O = g.OH * g.OW;
  for (let i = 0; i < g.N * g.C * HW; i++) dx[i] = 0;
  for (let pl = 0; pl < g.N * g.C; pl++) {
    for (let oh = 0; oh < g.OH; oh++) {
      for (let ow = 0; ow < g.OW; ow++) {
        const { h0, h1, w0, w1, div } = avgWindow(g, oh, ow, countIncludePad);
        const v = dy[pl * O + oh * g.OW + ow] / div;
        for (let ih = h0; ih < h1; ih++) for (let iw = w0; iw < w1; iw++) dx[pl * HW + ih * g.W + iw] += v;
      }
    }
  }
}

export interface AdaptiveGeom { N: number; C: number; H: number; W: number; OH: number; OW: number }

/** PyTorch's adaptive window along one axis: [⌊o·I/O⌋, ⌈(o+1)·I/O⌉). */
export function adaptiveRange(o: number, inSize: number, outSize: number): [number, number] {
  return [Math.floor((o * inSize) / outSize), Math.ceil(((o + 1) * inSize) / outSize)];
}

export function adaptiveGeom(xShape: readonly number[], out: Pair): AdaptiveGeom {
  if (xShape.length !== 4) throw new Error(`adaptive_avg_pool2d: x must be (N, C, H, W), got ${fmt(xShape)}`);
  const [OH, OW] = pair(out);
  if (!(OH >= 1 && OW >= 1)) throw new Error(`adaptive_avg_pool2d: output size must be ≥ 1, got ${OH}×${OW}`);
  if (xShape[2] < 1 || xShape[3] < 1) throw new Error(`adaptive_avg_pool2d: empty input ${fmt(xShape)}`);
  return { N: xShape[0], C: xShape[1], H: xShape[2], W: xShape[3], OH, OW };
}

/** y (N, C, OH, OW) = mean of each adaptive window of x (N, C, H, W). */
export function adaptiveAvgPool2d(y: Out, x: In, g: AdaptiveGeom): void {
  const HW = g.H * g.W, O = g.OH * g.OW;
  for (let pl = 0; pl < g.N * g.C; pl++) {
    for (let oh = 0; oh < g.OH; oh++) {
      const [h0, h1] = adaptiveRange(oh, g.H, g.OH);
      for (let ow = 0; ow < g.OW; ow++) {
        const [w0, w1] = adaptiveRange(ow, g.W, g.OW);
        let acc = 0;
        for (let ih = h0; ih < h1; ih++) for (let iw = w0; iw < w1; iw++) acc += x[pl * HW + ih * g.W + iw];
        y[pl * O + oh * g.OW + ow] = acc / ((h1 - h0) * (w1 - w0));
      }
    }
  }
}

/** dx (N, C, H, W) = Σ over the adaptive windows covering each element of dy / window size. */
export function adaptiveAvgPool2dBackward(dx: Out, dy: In, g: AdaptiveGeom): void {
  const HW = g.H * g.W, O = g.OH * g.OW;
  for (let i = 0; i < g.N * g.C * HW; i++) dx[i] = 0;
  for (let pl = 0; pl < g.N * g.C; pl++) {
    for (let oh = 0; oh < g.OH; oh++) {
      const [h0, h1] = adaptiveRange(oh, g.H, g.OH);
      for (let ow = 0; ow < g.OW; ow++) {
        const [w0, w1] = adaptiveRange(ow, g.W, g.OW);
        const v = dy[pl * O + oh * g.OW + ow] / ((h1 - h0) * (w1 - w0));
        for (let ih = h0; ih < h1; ih++) for (let iw = w0; iw < w1; iw++) dx[pl * HW + ih * g.W + iw] += v;
      }
    }
  }
}
