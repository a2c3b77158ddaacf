/**
 * conv.wgsl dispatched directly (test/kernels/direct.ts) against the float64 references of
 * src/ref/conv.ts, every variant × every direction (forward with bias and activation, backward
 * to input, to weight, and the bias gradient) on awkward shapes: odd H and W, stride 2, padding,
 * dilation, groups and depthwise, 'same' with an even kernel, C and K not multiples of 4, batch 1,
 * and shapes past every tile size. Runs before the op layer registers conv; it will become
 * case-table rows then. VARIANT=sg (etc.) runs one variant only.
 */
import type { Engine } from '../../src/index.js';
import type { Activation } from '../../src/ops/index.js';
import { nodeGpu } from '../../src/gpu/node.js';
import * as cv from '../../src/ref/conv.js';
import { CONV_VARIANTS, conv2dBiasGradLaunch, conv2dLaunch, convVariantSupported, type ConvVariant } from '../../src/kernels/conv.js';
import * as ew from '../../src/ref/elementwise.js';
import { expectClose } from '../util/close.js';
import { engineSuite, lacks } from '../util/suite.js';
import { Rng } from '../util/rng.js';
import { TOL } from '../tolerances.js';
import { Direct } from './direct.js';

interface Case { name: string; x: number[]; w: number[]; o: cv.Conv2dOptions; act?: Activation }

const CASES: Case[] = [
  { name: 'batch 1, C 3 → K 5, 3×3 padding 1, relu', x: [1, 3, 7, 6], w: [5, 3, 3, 3], o: { padding: 1 }, act: 'relu' },
  { name: 'stride 2, padding (1, 2), dilation (1, 2)', x: [2, 3, 9, 8], w: [4, 3, 3, 2], o: { stride: 2, padding: [1, 2], dilation: [1, 2] } },
  { name: 'groups 2, stride (2, 1), gelu', x: [2, 6, 7, 5], w: [4, 3, 2, 3], o: { stride: [2, 1], groups: 2 }, act: 'gelu' },
  { name: 'depthwise, 5 channels, padding 1', x: [1, 5, 6, 7], w: [5, 1, 3, 3], o: { padding: 1, groups: 5 } },
  { name: "'same', 4×3 kernel, dilation 2", x: [1, 2, 9, 7], w: [3, 2, 4, 3], o: { padding: 'same', dilation: 2 }, act: 'leaky_relu' },
  { name: '1×1 kernel, stride 3, softplus (β 2, threshold 1)', x: [2, 5, 7, 7], w: [6, 5, 1, 1], o: { stride: 3 }, act: 'softplus' },
  { name: 'stride 2 with padding 2 on a 3×3 kernel', x: [1, 3, 8, 9], w: [7, 3, 3, 3], o: { stride: 2, padding: 2 } },
  // Past the tiles: 588 columns (> 8·64 and 4·64·2), 13 rows (> 8), 90 = 10·9 reduction.
  { name: 'N 3, C 10 → K 13, 14×14, same (past every tile)', x: [3, 10, 14, 14], w: [13, 10, 3, 3], o: { padding: 'same' }, act: 'tanh' },
  // 70 rows (> 64) and a long backward-weight reduction (2·17·17 = 578).
  { name: 'K 70, 17×17, stride 1 (rows past 64)', x: [2, 3, 17, 17], w: [70, 3, 2, 2], o: {} },
];

const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
const tolFor = (act?: string, reduce = 0) =>
  act && act !== 'none' && act !== 'relu' && act !== 'leaky_relu' ? TOL.matmulEpilogue : reduce >= 256 ? TOL.matmulLongK : TOL.matmul;

for (const variant of CONV_VARIANTS.filter((v) => !process.env.VARIANT || v === process.env.VARIANT)) {
  const s = engineSuite(`conv direct [${variant}]`, 'webgpu', () => ({ gpu: nodeGpu(['enable-dawn-features=disable_robustness']) }),
    lacks((p) => (convVariantSupported(variant, p.limits) ? null
      : `conv [${variant}] needs subgroups of at least 8 lanes (the adapter has ${p.limits.subgroupMinSize || 'none'})`)));
  for (const c of CASES) s(c.name, (engine) => check(engine, variant, c));
  s.run();
}

async function check(engine: Engine, variant: ConvVariant, c: Case): Promise<void> {
  const r = new Rng(size(c.x) + size(c.w));
  const g = cv.conv2dGeom(c.x, c.w, c.o);
  const x = r.uniform(size(c.x)), w = r.uniform(size(c.w)), b = r.uniform(g.K);
  const ny = g.N * g.K * g.OH * g.OW;
  const dy = r.uniform(ny);
  const label = `${variant} ${c.name}`;
  // References in float64.
  const yRef = new Float64Array(ny), dxRef = new Float64Array(x.length), dwRef = new Float64Array(w.length), dbRef = new Float64Array(g.K);
  cv.conv2d(yRef, x, w, b, g);
  const [alpha, beta] = c.act === 'softplus' ? [2, 1] : [0.1, 0];
  if (c.act) for (let i = 0; i < ny; i++) yRef[i] = ew.unaryValue(c.act, yRef[i], alpha, beta);
  cv.conv2dBackwardInput(dxRef, dy, w, g);
  cv.conv2dBackwardWeight(dwRef, dy, x, g);
  cv.conv2dBackwardBias(dbRef, dy, g);
  const d = new Direct(engine);
  try {
    const [xv, wv, bv, dyv] = [await d.buffer('x', x), await d.buffer('w', w), await d.buffer('bias', b), await d.buffer('dy', dy)];
    const [yv, dxv, dwv, dbv] = [await d.buffer('y', ny), await d.buffer('dx', x.length), await d.buffer('dw', w.length), await d.buffer('db', g.K)];
    await d.run([
      conv2dLaunch('forward', g, xv, wv, yv, { variant, bias: bv, act: c.act, alpha, beta }),
      conv2dLaunch('input', g, dyv, wv, dxv, { variant }),
      conv2dLaunch('weight', g, xv, dyv, dwv, { variant }),
      conv2dBiasGradLaunch(g, dyv, dbv),
    ]);
    const Cg = g.C / g.groups, Kg = g.K / g.groups;
    expectClose(await d.read(yv), yRef, tolFor(c.act, Cg * g.R * g.S), `${label}: y`);
    expectClose(await d.read(dxv), dxRef, tolFor(undefined, Kg * g.R * g.S), `${label}: dx`);
    expectClose(await d.read(dwv), dwRef, tolFor(undefined, g.N * g.OH * g.OW), `${label}: dw`);
    expectClose(await d.read(dbv), dbRef, tolFor(undefined, g.N * g.OH * g.OW), `${label}: db`);
  } finally {
    d.free();
  }
}
