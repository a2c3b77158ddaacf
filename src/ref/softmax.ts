/**
 * Row-wise over the last axis, rows of length C:
 *   softmax(x)ᵢ = exp(xᵢ − m) / Σⱼ exp(xⱼ − m), m = max x
 *   log_softmax(x)ᵢ = xᵢ − m − log Σⱼ exp(xⱼ − m)
 *   softmax backward: dxᵢ = yᵢ (gᵢ − Σⱼ gⱼ yⱼ)
 *   log_softmax backward: dxᵢ = gᵢ − exp(yᵢ) Σⱼ gⱼ
 */
import type { In, Out } from './util.js';

function rowMax(x: In, o: number, C: number): number {
  let m = -Infinity;
  for (let c = 0; c < C; c++) m = Math.max(m, x[o + c]);
  return m;
}

export function softmax(out: Out, x: In, rows: number, C: number): void {
  for (let r = 0; r < rows; r++) {
    const o = r * C;
    const m = rowMax(x, o, C);
    let s = 0;
    for (let c = 0; c < C; c++) s += Math.exp(x[o + c] - m);
    for (let c = 0; c < C; c++) out[o + c] = Math.exp(x[o + c] - m) / s;
  }
}

export function logSoftmax(out: Out, x: In, rows: number, C: number): void {
  for (let r = 0; r < rows; r++) {
    const o = r * C;
    const m = rowMax(x, o, C);
    let s = 0;
    for (let c = 0; c < C; c++) s += Math.exp(x[o + c] - m);
    const lse = m + Math.log(s);
    for (let c = 0; c < C; c++) out[o + c] = x[o + c] - lse;
  }
}

export function softmaxBackward(out: Out, y: In, g: In, rows: number, C: number): void {
  for (let r = 0; r < rows; r++) {
    const o = r * C;
    let d = 0;
    for (let c = 0; c < C; c++) d += g[o + c] * y[o + c];
    for (let c = 0; c < C; c++) out[o + c] = y[o + c] * (g[o + c] - d);
  }
}

export function logSoftmaxBackward(out: Out, y: In, g: In, rows: number, C: number): void {
  for (let r = 0; r < rows; r++) {
    const o = r * C;
    let s = 0;
    for (let c = 0; c < C; c++) s += g[o + c];
    for (let c = 0; c < C; c++) out[o + c] = g[o + c] - Math.exp(y[o + c]) * s;
  }
}
