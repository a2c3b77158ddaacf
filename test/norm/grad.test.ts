/**
 * Backward rules of the normalization ops (float64 references on the cpu backend, through
 * grad()) against central finite differences, first and second order.
 */
import { test } from 'uvu';
import { cpu, slope } from '../util/engine.js';
import { Rng } from '../util/rng.js';
import { f64, gradcheck, hvpcheck, project } from './util.js';

const { Graph, normApply, normStats, normStack, normMean, normRow, channelGeom, layerGeom, groupGeom } = slope;
type Geom = slope.NormGeom;

interface Case { name: string; shape: number[]; geom: (s: number[]) => Geom; affine: boolean; scale?: number; mean?: number }
const CASES: Case[] = [
  { name: 'BatchNorm [N,C]', shape: [5, 3], geom: channelGeom, affine: true },
  { name: 'BatchNorm N=2', shape: [2, 4], geom: channelGeom, affine: true },
  { name: 'BatchNorm [N,C,H,W] odd spatial', shape: [3, 2, 3, 5], geom: channelGeom, affine: true },
  { name: 'BatchNorm C=1, large mean', shape: [4, 1, 3], geom: channelGeom, affine: true, mean: 100, scale: 0.5 },
  { name: 'LayerNorm last 2 dims', shape: [4, 3, 5], geom: (s) => layerGeom(s, 2), affine: true },
  { name: 'LayerNorm no affine', shape: [3, 7], geom: (s) => layerGeom(s, 1), affine: false },
  { name: 'GroupNorm G=3', shape: [2, 6, 3], geom: (s) => groupGeom(s, 3), affine: true },
  { name: 'InstanceNorm', shape: [2, 3, 7], geom: (s) => groupGeom(s, 3), affine: false },
];

for (const c of CASES) {
  test(`${c.name}: training-mode gradients (x, weight, bias) match finite differences`, async () => {
    const e = await cpu();
    try {
      const rng = new Rng(c.shape.reduce((a, d) => a * 7 + d, 3));
      const g = new Graph();
      const x = g.input('x', c.shape);
      const geom = c.geom(c.shape);
      const w = c.affine ? g.input('w', [geom.Q]) : null;
      const b = c.affine ? g.input('b', [geom.Q]) : null;
      const y = normApply(x, normStats(x, geom), geom, { eps: 1e-5, weight: w, bias: b });
      const size = c.shape.reduce((a, d) => a * d, 1);
      const wrt: Record<string, { tensor: slope.Tensor; data: Float64Array }> = {
        x: { tensor: x, data: f64(rng.normal(size, c.scale ?? 1)).map((v) => v + (c.mean ?? 0)) },
      };
      if (w && b) {
        wrt.w = { tensor: w, data: f64(rng.uniform(geom.Q, 0.5, 1.5)) };
        wrt.b = { tensor: b, data: f64(rng.normal(geom.Q)) };
      }
      await gradcheck(e, project(y, rng), wrt, c.name);
      await hvpcheck(e, project(y, rng), x, 'x', wrt.x.data, w && b ? { w: wrt.w.data, b: wrt.b.data } : {}, c.name);
    } finally {
      e.dispose();
    }
  });
}

test('statistics as an input (eval mode): gradients w.r.t. x, mean, var, weight, bias', async () => {
  const e = await cpu();
  try {
    const rng = new Rng(11);
    const shape = [3, 4, 5];
    const geom = channelGeom(shape);
    const g = new Graph();
    const x = g.input('x', shape), m = g.input('m', [4]), v = g.input('v', [4]), w = g.input('w', [4]), b = g.input('b', [4]);
    const y = normApply(x, normStack([m, g.fill([4], 0), v]), geom, { eps: 1e-3, weight: w, bias: b });
    const loss = project(y, rng);
    await gradcheck(e, loss, {
      x: { tensor: x, data: f64(rng.normal(60)) },
      m: { tensor: m, data: f64(rng.normal(4)) },
      v: { tensor: v, data: f64(rng.uniform(4, 0.5, 2)) },
      w: { tensor: w, data: f64(rng.normal(4)) },
      b: { tensor: b, data: f64(rng.normal(4)) },
    }, 'eval-mode normalize');
  } finally {
    e.dispose();
  }
});

test('statistics themselves: gradients of mean and variance w.r.t. x, and second order', async () => {
  const e = await cpu();
  try {
    const rng = new Rng(12);
    const shape = [2, 3, 4];
    for (const geom of [channelGeom(shape), layerGeom(shape, 1), groupGeom(shape, 3)]) {
      const g = new Graph();
      const x = g.input('x', shape);
      const s = normStats(x, geom);
      const loss = slope.add(project(normMean(s), rng), project(slope.square(normRow(s, 2)), rng));
      const data = f64(rng.normal(24)).map((v) => v * 3 + 10);
      await gradcheck(e, loss, { x: { tensor: x, data } }, `stats (${geom.A},${geom.C},${geom.S})`);
      await hvpcheck(e, loss, x, 'x', data, {}, `stats (${geom.A},${geom.C},${geom.S})`);
    }
  } finally {
    e.dispose();
  }
});

test('second order through the general (stats-as-input) backward', async () => {
  const e = await cpu();
  try {
    const rng = new Rng(13);
    const shape = [4, 3];
    const geom = channelGeom(shape);
    const g = new Graph();
    const x = g.input('x', shape);
    const m = g.constant(rng.normal(3), [3]), v = g.constant(rng.uniform(3, 0.5, 2), [3]), w = g.constant(rng.normal(3), [3]);
    const y = normApply(x, normStack([m, g.fill([3], 0), v]), geom, { eps: 1e-5, weight: w });
    // A non-quadratic objective so the Hessian is not zero: Σ tanh(y) ⊙ R.
    await hvpcheck(e, project(slope.tanh(y), rng), x, 'x', f64(rng.normal(12)), {}, 'eval-mode normalize');
  } finally {
    e.dispose();
  }
});

test.run();
