/**
 * 2-D pooling (NCHW, PyTorch semantics) and its backward ops; src/ref/pool.ts has the formulas.
 * x (N, C, H, W) → y (N, C, OH, OW), each plane alone.
 *   max_pool2d            window maximum (ties: the first; NaN wins)
 *   max_pool2d_backward   dx from [x, dy]: each window's dy to its argmax (recomputed from x)
 *   max_pool2d_select     y from [x, h]: h at each window's argmax of x (the backward's adjoint,
 *                         for second derivatives)
 *   avg_pool2d / _backward, adaptive_avg_pool2d / _backward   linear, each the other's adjoint
 */
import { ShapeError, fmtShape } from '../errors.js';
import { defineOp, out, requireF32, sameShape, type Shape, type TensorMeta } from './schema.js';

export interface PoolWindow {
  kH: number; kW: number;
  strideH: number; strideW: number;
  padH: number; padW: number;
  /** max_pool2d only; 1 for average pooling. */
  dilH: number; dilW: number;
  ceilMode: boolean;
}
export interface AvgPoolAttrs extends PoolWindow { countIncludePad: boolean }
/** The input's size, which the output's does not imply. */
export interface AvgPoolGradAttrs extends AvgPoolAttrs { H: number; W: number }
export interface AdaptiveAttrs { OH: number; OW: number }
export interface AdaptiveGradAttrs extends AdaptiveAttrs { H: number; W: number }

/** Field names as src/ref/pool.ts's Pool2dGeom. */
export interface PoolGeom {
  N: number; C: number; H: number; W: number;
  kH: number; kW: number; strideH: number; strideW: number; padH: number; padW: number; dilH: number; dilW: number;
  OH: number; OW: number;
}

export const POOL_KEYS = ['kH', 'kW', 'strideH', 'strideW', 'padH', 'padW', 'dilH', 'dilW', 'ceilMode'] as const;
export const poolWindowOf = (a: PoolWindow): PoolWindow => Object.fromEntries(POOL_KEYS.map((k) => [k,
  a[k]])) as unknown as PoolWindow;

/** PyTorch's pooling output size along one axis (ceil_mode's last window starts inside the input or its left padding).
 * */
export function poolOut(size: number, k: number, stride: number, pad: number, dil: number, ceil: boolean): number {
  let o = Math.floor((size + 2 * pad - dil * (k - 1) - 1 + (ceil ? stride - 1 : 0)) / stride) + 1;
  if (ceil && (o - 1) * stride >= size + pad) o--;
  return o;
}

/** The geometry of pooling x (N, C, H, W), or a ShapeError naming the op and the shapes. */
export function poolGeom(op: string, x: Shape, a: PoolWindow): PoolGeom {
  const fail = (why: string): never => {
    throw new ShapeError(`${op}: ${why} (x ${fmtShape(x)})`);
  };
  if (x.length !== 4) fail('x must be (N, C, H, W)');
  for (const k of POOL_KEYS) {
    if (k === 'ceilMode') continue;
    const min = k.startsWith('pad') ? 0 : 1;
    if (!Number.isInteger(a[k]) || a[k] < min) fail(`${k} must be an integer ≥ ${min}, got ${a[k]}`);
  }
  if (a.padH > a.kH >> 1
    || a.padW > a.kW >> 1) fail(`padding ${a.padH},${a.padW} must be at most half the kernel ${a.kH}×${a.kW}`);
  const [N, C, H, W] = x;
  const OH = poolOut(H, a.kH, a.strideH, a.padH, a.dilH, a.ceilMode);
  const OW = poolOut(W, a.kW, a.strideW, a.padW, a.dilW, a.ceilMode);
  if (OH < 1 || OW < 1) fail(`the kernel ${a.kH}×${a.kW} is larger than the padded input: output ${OH}×${OW}`);
  const { kH, kW, strideH, strideW, padH, padW, dilH, dilW } = a;
  return { N, C, H, W, kH, kW, strideH, strideW, padH, padW, dilH, dilW, OH, OW };
}

function x4(op: string, ...ts: TensorMeta[]): void {
  requireF32(op, ...ts);
  for (const t of ts) if (t.rank !== 4) throw new ShapeError(`${op}: expected (N, C, H, W), got ${t}`);
}

/** dy must be the pooled shape of x. */
function checkGrad(op: string, dy: TensorMeta, want: Shape): void {
  if (!sameShape(dy.shape, want)) throw new ShapeError(`${op}: dy ${dy} must have the output shape ${fmtShape(want)}`);
}

export const maxPool2d = defineOp({
  name: 'max_pool2d', kind: 'kernel', family: 'pool',
  infer([x], at: PoolWindow) {
    x4('max_pool2d', x);
    const g = poolGeom('max_pool2d', x.shape, at);
    return out([g.N, g.C, g.OH, g.OW]);
  },
});

export const maxPool2dBackward = defineOp({
  name: 'max_pool2d_backward', kind: 'kernel', family: 'pool',
  infer([x, dy], at: PoolWindow) {
    x4('max_pool2d backward', x, dy);
    const g = poolGeom('max_pool2d backward', x.shape, at);
    checkGrad('max_pool2d backward', dy, [g.N, g.C, g.OH, g.OW]);
    return out(x.shape);
  },
});
export const maxPool2dSelect = defineOp({
  name: 'max_pool2d_select', kind: 'kernel', family: 'pool',
  infer([x, h], at: PoolWindow) {
    x4('max_pool2d select', x, h);
    const g = poolGeom('max_pool2d select', x.shape, at);
    if (!sameShape(h.shape, x.shape)) throw new ShapeError(`max_pool2d select: h ${h} must have the shape of x ${x}`);
    return out([g.N, g.C, g.OH, g.OW]);
  },
});

export const avgPool2d = defineOp({
  name: 'avg_pool2d', kind: 'kernel', family: 'pool',
  infer([x], at: AvgPoolAttrs) {
    x4('avg_pool2d', x);
    if (at.dilH !== 1 || at.dilW !== 1) throw new ShapeError('avg_pool2d: no dilation (as in PyTorch)');
    const g = poolGeom('avg_pool2d', x.shape, at);
    return out([g.N, g.C, g.OH, g.OW]);
  },
});
export const avgPool2dBackward = defineOp({
  name: 'avg_pool2d_backward', kind: 'kernel', family: 'pool',
  infer([dy], at: AvgPoolGradAttrs) {
    x4('avg_pool2d backward', dy);
    const x = [dy.shape[0], dy.shape[1], at.H, at.W];
    const g = poolGeom('avg_pool2d backward', x, at);
    checkGrad('avg_pool2d backward', dy, [g.N, g.C, g.OH, g.OW]);
    return out(x);
  },
});

function adaptiveSize(op: string, a: AdaptiveAttrs): void {
  if (!(Number.isInteger(a.OH) && Number.isInteger(a.OW) && a.OH >= 1 && a.OW >= 1)) {
    throw new ShapeError(`${op}: the output size must be positive integers, got ${a.OH}×${a.OW}`);
  }
}

export const adaptiveAvgPool2d = defineOp({
  name: 'adaptive_avg_pool2d', kind: 'kernel', family: 'pool',
  infer([x], at: AdaptiveAttrs) {
    x4('adaptive_avg_pool2d', x);
    adaptiveSize('adaptive_avg_pool2d', at);
    if (x.shape[2] < 1 || x.shape[3] < 1) throw new ShapeError(`adaptive_avg_pool2d: empty input ${x}`);
    return out([x.shape[0], x.shape[1], at.OH, at.OW]);
  },
});
export const adaptiveAvgPool2dBackward = defineOp({
  name: 'adaptive_avg_pool2d_backward', kind: 'kernel', family: 'pool',
  infer([dy], at: AdaptiveGradAttrs) {
    x4('adaptive_avg_pool2d backward', dy);
    adaptiveSize('adaptive_avg_pool2d backward', at);
    checkGrad('adaptive_avg_pool2d backward', dy, [dy.shape[0], dy.shape[1], at.OH, at.OW]);
    return out([dy.shape[0], dy.shape[1], at.H, at.W]);
  },
});

export const POOL_OPS = {
  max_pool2d: maxPool2d, max_pool2d_backward: maxPool2dBackward, max_pool2d_select: maxPool2dSelect,
  avg_pool2d: avgPool2d, avg_pool2d_backward: avgPool2dBackward,
  adaptive_avg_pool2d: adaptiveAvgPool2d, adaptive_avg_pool2d_backward: adaptiveAvgPool2dBackward,
};
