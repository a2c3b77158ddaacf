/**
 * Normalization kernels (every variant) against the float64 references, on random and
 * adversarial inputs: a large mean with a small variance, constant groups, N = 2, C = 1, odd
 * spatial sizes, groups longer than a workgroup. Outputs are NaN-poisoned before each run.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { gpuOrSkip, slope } from '../util/engine.js';
import { Rng } from '../util/rng.js';
import { expectClose } from '../util/close.js';
import { runOp } from '../util/runop.js';
import { TOL } from '../tolerances.js';
import * as ref from '../../src/ref/norm.js';

const { channelGeom, layerGeom, groupGeom } = slope;
type Geom = slope.NormGeom;

const GEOMS: { label: string; shape: number[]; geom: Geom }[] = [
  { label: 'BN [2,5] (N=2)', shape: [2, 5], geom: channelGeom([2, 5]) },
  { label: 'BN [7,1] (C=1)', shape: [7, 1], geom: channelGeom([7, 1]) },
  { label: 'BN [300,3] (M > WG)', shape: [300, 3], geom: channelGeom([300, 3]) },
  { label: 'BN [33,17]', shape: [33, 17], geom: channelGeom([33, 17]) },
  { label: 'BN [3,4,5,7] (odd spatial)', shape: [3, 4, 5, 7], geom: channelGeom([3, 4, 5, 7]) },
  { label: 'BN [1,3,4,5] (N=1, spatial)', shape: [1, 3, 4, 5], geom: channelGeom([1, 3, 4, 5]) },
  { label: 'LN [6,65]', shape: [6, 65], geom: layerGeom([6, 65], 1) },
  { label: 'LN [5,7,3] (last 2)', shape: [5, 7, 3], geom: layerGeom([5, 7, 3], 2) },
  { label: 'LN [2,1000]', shape: [2, 1000], geom: layerGeom([2, 1000], 1) },
  { label: 'GN [3,6,5] G=2', shape: [3, 6, 5], geom: groupGeom([3, 6, 5], 2) },
  { label: 'IN [2,4,3,3]', shape: [2, 4, 3, 3], geom: groupGeom([2, 4, 3, 3], 4) },
];

type Kind = 'random' | 'cancel' | 'constant';
const KINDS: Kind[] = ['random', 'cancel', 'constant'];

/** x for a geometry: N(0.5, 2²); 1000 + N(0, 0.1²) (μ/σ = 10⁴); or random with group 0 constant. */
function makeX(rng: Rng, g: Geom, kind: Kind): Float32Array {
  const n = g.A * g.C * g.S;
  if (kind === 'cancel') return Float32Array.from(rng.normal(n, 0.1), (v) => 1000 + v);
  const x = Float32Array.from(rng.normal(n, 2), (v) => v + 0.5);
  if (kind === 'constant') for (let j = 0; j < g.A * g.S; j++) x[ref.groupIndex(g, 0, j)] = 3.7;
  return x;
}

const f32 = (a: ArrayLike<number>) => Float32Array.from(a);
const norm2 = (a: ArrayLike<number>) => Math.sqrt(Array.from(a).reduce((s, v) => s + v * v, 0));

/**
 * dx = r·(ĝ − mean ĝ − x̂·mean(ĝx̂)) can cancel by construction (N = 2: x̂ = ±1 whatever x is,
 * so dx ≈ 0). When over 90% cancels, its error is measured against the size of the terms that
 * cancel, ‖r·ĝ‖, instead of ‖dx‖; the elementwise bound applies unchanged.
 */
function expectBackward(dx: ArrayLike<number>, dxr: Float64Array, x: Float32Array, stats: Float32Array, w: Float32Array | null, g: Float32Array, geom: Geom, label: string) {
  const terms = new Float64Array(x.length);
  ref.normApply(terms, g, Float64Array.from([...new Array(2 * geom.C).fill(0), ...stats.subarray(2 * geom.C)]), w, null, geom, 1e-5);
  const scale = norm2(terms);
  const cancelled = norm2(dxr) < 0.1 * scale;
  if (cancelled) {
    const diff = Float64Array.from(dxr, (v, i) => dx[i] - v);
    assert.ok(norm2(diff) / scale < TOL.normBackward.rel, `${label}: ‖Δ‖/‖r·ĝ‖ = ${norm2(diff) / scale}`);
  }
  expectClose(dx, dxr, { ...TOL.normBackward, rel: cancelled ? Infinity : TOL.normBackward.rel }, label);
}
const attrsOf = (g: Geom, extra: Record<string, unknown> = {}) => ({ ...g, eps: 1e-5, ...extra });

for (const variant of ['naive', 'wg'] as const) {
  test(`norm_stats (${variant}): mean within 1e-5·σ and variance within 1e-5 relative`, async () => {
    const e = await gpuOrSkip({ variants: { norm: variant } });
    if (!e) return;
    try {
      const rng = new Rng(1);
      for (const { label, shape, geom } of GEOMS) {
        for (const kind of KINDS) {
          const x = makeX(rng, geom, kind);
          const [got] = await runOp(e, 'norm_stats', [{ data: x, shape }], [[3, geom.C]], attrsOf(geom));
          const want = new Float64Array(3 * geom.C);
          ref.normStats(want, x, geom);
          const C = geom.C;
          const meanErr = new Float64Array(C), varGot = new Float64Array(C), varWant = new Float64Array(C);
          for (let c = 0; c < C; c++) {
            const sd = Math.sqrt(want[2 * C + c]) || 1;
            meanErr[c] = (got[c] + got[C + c] - (want[c] + want[C + c])) / sd;
            varGot[c] = got[2 * C + c];
            varWant[c] = want[2 * C + c];
          }
          const tol = TOL.normStats;
          expectClose(meanErr, new Float64Array(C), { rel: Infinity, atol: tol.atol, rtol: 0 }, `${variant} ${label} ${kind}: mean error / σ`);
          expectClose(varGot, varWant, tol, `${variant} ${label} ${kind}: variance`);
          if (kind === 'constant') assert.is(varGot[0], 0, `${label}: a constant group has variance exactly 0`);
        }
      }
    } finally {
      e.dispose();
    }
  });

  test(`norm_apply, norm_backward, norm_group_sums, norm_affine_grad (${variant}) against the references`, async () => {
    const e = await gpuOrSkip({ variants: { norm: variant } });
    if (!e) return;
    try {
      const rng = new Rng(2);
      for (const { label, shape, geom } of GEOMS) {
        for (const kind of KINDS) {
          const x = makeX(rng, geom, kind);
          const n = x.length;
          const st64 = new Float64Array(3 * geom.C);
          ref.normStats(st64, x, geom);
          const stats = f32(st64);
          const w = f32(rng.uniform(geom.Q, 0.5, 1.5)), b = rng.normal(geom.Q), g = rng.normal(n);
          const L = `${variant} ${label} ${kind}`;
          const ins = (...more: Float32Array[]) => [{ data: x, shape }, { data: stats, shape: [3, geom.C] }, ...more.map((d) => ({ data: d, shape: [d.length] }))];
          for (const affine of [true, false]) {
            const [y] = await runOp(e, 'norm_apply', affine ? ins(w, b) : ins(), [shape], attrsOf(geom, { weight: affine, bias: affine }));
            const yr = new Float64Array(n);
            ref.normApply(yr, x, stats, affine ? w : null, affine ? b : null, geom, 1e-5);
            expectClose(y, yr, TOL.normApply, `${L} apply affine=${affine}`);
            const [dx] = await runOp(e, 'norm_backward', affine ? ins(w, g) : ins(g), [shape], attrsOf(geom, { weight: affine }));
            const dxr = new Float64Array(n);
            ref.normBackward(dxr, x, stats, affine ? w : null, g, geom, 1e-5);
            expectBackward(dx, dxr, x, stats, affine ? w : null, g, geom, `${L} backward affine=${affine}`);
            const [sums] = await runOp(e, 'norm_group_sums', affine ? ins(w, g) : ins(g), [[2, geom.C]], attrsOf(geom, { weight: affine }));
            const sr = new Float64Array(2 * geom.C);
            ref.normGroupSums(sr, x, stats, affine ? w : null, g, geom, 1e-5);
            expectClose(sums, sr, TOL.normBackward, `${L} group sums affine=${affine}`);
          }
          for (const which of ['weight', 'bias'] as const) {
            const [d] = await runOp(e, 'norm_affine_grad', ins(g), [[geom.Q]], attrsOf(geom, { which }));
            const dr = new Float64Array(geom.Q);
            ref.normAffineGrad(dr, x, stats, g, geom, 1e-5, which);
            expectClose(d, dr, TOL.normAffineGrad, `${L} affine grad ${which}`);
          }
        }
      }
    } finally {
      e.dispose();
    }
  });
}

test('statistics then normalize on the GPU: relative error < 1e-5 against float64, even at μ/σ = 10⁴', async () => {
  const e = await gpuOrSkip();
  if (!e) return;
  try {
    const rng = new Rng(3);
    for (const { label, shape, geom } of GEOMS) {
      for (const kind of KINDS) {
        const x = makeX(rng, geom, kind);
        const [stats] = await runOp(e, 'norm_stats', [{ data: x, shape }], [[3, geom.C]], attrsOf(geom));
        const [y] = await runOp(e, 'norm_apply', [{ data: x, shape }, { data: f32(stats), shape: [3, geom.C] }], [shape], attrsOf(geom));
        const st = new Float64Array(3 * geom.C), yr = new Float64Array(x.length);
        ref.normStats(st, x, geom);
        ref.normApply(yr, x, st, null, null, geom, 1e-5);
        expectClose(y, yr, TOL.normApply, `${label} ${kind}: x̂`);
      }
    }
  } finally {
    e.dispose();
  }
});

test('statistics and backward are bit-identical on repeated runs', async () => {
  for (const variant of ['naive', 'wg'] as const) {
    const e = await gpuOrSkip({ variants: { norm: variant } });
    if (!e) return;
    try {
      const rng = new Rng(4);
      const shape = [300, 3, 5];
      const geom = channelGeom(shape);
      const x = makeX(rng, geom, 'cancel');
      const g = rng.normal(x.length);
      const runs: Float32Array[][] = [];
      for (let k = 0; k < 3; k++) {
        const [s] = await runOp(e, 'norm_stats', [{ data: x, shape }], [[3, 3]], attrsOf(geom));
        const [dx] = await runOp(e, 'norm_backward', [{ data: x, shape }, { data: f32(s), shape: [3, 3] }, { data: g, shape }], [shape], attrsOf(geom));
        runs.push([f32(s), f32(dx)]);
      }
      for (const r of runs.slice(1)) {
        assert.equal([...new Uint32Array(r[0].buffer)], [...new Uint32Array(runs[0][0].buffer)], `${variant}: stats bits differ`);
        assert.equal([...new Uint32Array(r[1].buffer)], [...new Uint32Array(runs[0][1].buffer)], `${variant}: dx bits differ`);
      }
    } finally {
      e.dispose();
    }
  }
});

test.run();
