/**
 * conv2d and its backward ops against the float64 reference, on awkward shapes: odd H and W,
 * stride 2, padding (numbers and 'same' with an even kernel), dilation, groups and depthwise,
 * C and K not multiples of 4, batch 1, shapes past every tile, a kernel as large as the padded
 * input; the forward pass with a bias and each epilogue activation. Attributes and output
 * shapes come from the public builders, so the rows exercise the same option handling users do.
 * Tolerance: the matmul rows' (each output is a sum of Cg·R·S, Kg·R·S or N·OH·OW products).
 */
import * as slope from '../../src/index.js';
import type { Tensor } from '../../src/index.js';
import { TOL, type Tol } from '../tolerances.js';
import type { Rng } from '../util/rng.js';
import { checkOp, f32, fmt, kcase, numel } from './common.js';
import type { KernelCase } from './types.js';

const F = 'conv';
type Act = 'none' | 'relu' | 'leaky_relu' | 'gelu' | 'sigmoid' | 'tanh' | 'softplus';

interface Conv { x: number[]; w: number[]; o: slope.Conv2dOptions; act?: Act }

export const CONV_SHAPES: [string, Conv][] = [
  ['batch 1, C 3 → K 5, 3×3 padding 1', { x: [1, 3, 7, 6], w: [5, 3, 3, 3], o: { padding: 1 }, act: 'relu' }],
  ['stride 2, padding (1, 2), dilation (1, 2)', { x: [2, 3, 9, 8], w: [4, 3, 3, 2], o: { stride: 2, padding: [1, 2], dilation: [1, 2] } }],
  ['groups 2, stride (2, 1)', { x: [2, 6, 7, 5], w: [4, 3, 2, 3], o: { stride: [2, 1], groups: 2 }, act: 'gelu' }],
  ['depthwise, 5 channels', { x: [1, 5, 6, 7], w: [5, 1, 3, 3], o: { padding: 1, groups: 5 }, act: 'sigmoid' }],
  ["'same', 4×3 kernel, dilation 2", { x: [1, 2, 9, 7], w: [3, 2, 4, 3], o: { padding: 'same', dilation: 2 }, act: 'leaky_relu' }],
  ['1×1 kernel, stride 3', { x: [2, 5, 7, 7], w: [6, 5, 1, 1], o: { stride: 3 }, act: 'softplus' }],
  ['kernel as large as the padded input', { x: [1, 2, 3, 3], w: [3, 2, 5, 4], o: { padding: 1 }, act: 'tanh' }],
  ['N 3, C 10 → K 13, 14×14, same (past every tile)', { x: [3, 10, 14, 14], w: [13, 10, 3, 3], o: { padding: 'same' } }],
  ['K 70, 17×17 (rows past 64, long weight reduction)', { x: [2, 3, 17, 17], w: [70, 3, 2, 2], o: {} }],
];

/** The reduction length of each output, for the tolerance. */
const tolFor = (terms: number, act: Act = 'none'): Tol =>
  !['none', 'relu', 'leaky_relu'].includes(act) ? TOL.matmulEpilogue : terms >= 256 ? TOL.matmulLongK : TOL.matmul;

function nodes(c: Conv, bias: boolean) {
  const g = new slope.Graph();
  const x = g.input('x', c.x), w = g.input('w', c.w), b = bias ? g.input('b', [c.w[0]]) : null;
  const y = slope.conv2d(x, w, b, c.o) as Tensor & { attrs: Record<string, unknown> };
  const win = slope.convWindow('conv2d', c.w, c.o);
  const dy = g.input('dy', y.shape);
  const dx = slope.conv2dBackwardInput(dy, w, win, c.x[2], c.x[3]) as Tensor & { attrs: Record<string, unknown> };
  const dw = slope.conv2dBackwardWeight(x, dy, win, c.w[2], c.w[3]) as Tensor & { attrs: Record<string, unknown> };
  return { y, dx, dw };
}

async function checkConv(e: slope.Engine, r: Rng, name: string, c: Conv): Promise<void> {
  const { y, dx, dw } = nodes(c, true);
  const act = c.act ?? 'none';
  const [alpha, beta] = act === 'leaky_relu' ? [0.1, 0] : act === 'softplus' ? [2, 1] : [0, 0];
  const x = f32(c.x, r.uniform(numel(c.x))), w = f32(c.w, r.uniform(numel(c.w))), b = f32([c.w[0]], r.uniform(c.w[0]));
  const dy = f32(y.shape, r.uniform(numel(y.shape)));
  const [K, Cg, R, S] = c.w;
  const Kg = K / (c.o.groups ?? 1);
  const label = `${name}: x ${fmt(c.x)} w ${fmt(c.w)}`;
  await checkOp(e, {
    op: 'conv2d', inputs: [x, w, b], outShapes: [y.shape], attrs: { ...y.attrs, act, alpha, beta },
    tol: tolFor(Cg * R * S, act), label: `${label} forward + bias, ${act}`,
  });
  await checkOp(e, { op: 'conv2d', inputs: [x, w], outShapes: [y.shape], attrs: { ...y.attrs, bias: false }, tol: tolFor(Cg * R * S), label: `${label} forward` });
  await checkOp(e, { op: 'conv2d_backward_input', inputs: [dy, w], outShapes: [dx.shape], attrs: dx.attrs, tol: tolFor(Kg * R * S), label: `${label} dx` });
  const terms = y.shape[0] * y.shape[2] * y.shape[3];
  await checkOp(e, { op: 'conv2d_backward_weight', inputs: [x, dy], outShapes: [dw.shape], attrs: dw.attrs, tol: tolFor(terms), label: `${label} dw` });
  await checkOp(e, { op: 'conv2d_backward_bias', inputs: [dy], outShapes: [[K]], attrs: {}, tol: tolFor(terms), label: `${label} db` });
}

export const cases: KernelCase[] = [
  ...CONV_SHAPES.map(([name, c]) => kcase(F, name, (e, r) => checkConv(e, r, name, c))),
  kcase(F, 'an empty batch: no launch, and zero weight and bias gradients', async (e, r) => {
    const c: Conv = { x: [0, 3, 5, 5], w: [4, 3, 3, 3], o: { padding: 1 } };
    const { y, dw } = nodes(c, false);
    const w = f32(c.w, r.uniform(numel(c.w)));
    await checkOp(e, { op: 'conv2d', inputs: [f32(c.x, new Float32Array(0)), w], outShapes: [y.shape], attrs: y.attrs, tol: TOL.exact, label: 'N = 0 forward' });
    await checkOp(e, {
      op: 'conv2d_backward_weight', inputs: [f32(c.x, new Float32Array(0)), f32(y.shape, new Float32Array(0))], outShapes: [dw.shape],
      attrs: dw.attrs, tol: TOL.exact, label: 'N = 0 dw',
    });
  }),
];
