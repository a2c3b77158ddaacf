/**
 * Normalization kernels (statistics, statistics + normalize in one dispatch, normalize, backward,
 * group sums, affine gradients) against the float64 reference, under each variant ('naive': one
 * thread per group, 'lanes': a few threads per group, 'wg': one workgroup per group), on random
 * and adversarial inputs: a large mean with a small variance, constant groups, N = 2, C = 1, odd
 * spatial sizes, groups longer than a workgroup and longer than the elements a workgroup keeps in
 * registers. Outputs are NaN-poisoned before each run.
 */
import { channelGeom, groupGeom, layerGeom, type NormGeom } from '../../src/index.js';
import { elementwiseOnly, TOL } from '../tolerances.js';
import { expectClose } from '../util/close.js';
import { runOp, type OpInput } from '../util/runop.js';
import type { Rng } from '../util/rng.js';
import { check, f32, kcase, reference } from './common.js';
import type { KernelCase } from './types.js';

const F = 'norm';

const GEOMS: { label: string; shape: number[]; geom: NormGeom }[] = [
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
/** Statistics and the fused forward also get a group longer than a workgroup keeps in registers (8 per thread). */
const STATS_GEOMS = [...GEOMS, { label: 'LN [1,2500] (M > 8·WG)', shape: [1, 2500], geom: layerGeom([1, 2500], 1) }];

type Kind = 'random' | 'cancel' | 'constant';
const KINDS: Kind[] = ['random', 'cancel', 'constant'];
const EPS = 1e-5;

/** Flat index of the j-th element of group c (groups are (A, C, S) with C the statistic axis). */
function groupIndex(g: NormGeom, c: number, j: number): number {
  const a = Math.floor(j / g.S);
  return (a * g.C + c) * g.S + (j - a * g.S);
}

/** x for a geometry: N(0.5, 2²); 1000 + N(0, 0.1²) (μ/σ = 10⁴); or random with group 0 constant. */
function makeX(rng: Rng, g: NormGeom, kind: Kind): Float32Array {
  const n = g.A * g.C * g.S;
  if (kind === 'cancel') return Float32Array.from(rng.normal(n, 0.1), (v) => 1000 + v);
  const x = Float32Array.from(rng.normal(n, 2), (v) => v + 0.5);
  if (kind === 'constant') for (let j = 0; j < g.A * g.S; j++) x[groupIndex(g, 0, j)] = 3.7;
  return x;
}

const norm2 = (a: ArrayLike<number>) => Math.sqrt(Array.from(a).reduce((s, v) => s + v * v, 0));
const attrsOf = (g: NormGeom, extra: Record<string, unknown> = {}) => ({ ...g, eps: EPS, weight: false, bias: false, batch: false, ...extra });
const flat = (d: Float32Array | Float64Array): OpInput => ({ data: d, shape: [d.length] });

/**
 * dx = r·(ĝ − mean ĝ − x̂·mean(ĝx̂)) can cancel by construction (N = 2: x̂ = ±1 whatever x is,
 * so dx ≈ 0). When over 90% cancels, its error is measured against the size of the terms that
 * cancel, ‖r·ĝ‖ (the reference normalize of g with zero shift), instead of ‖dx‖; the elementwise
 * bound applies unchanged.
 */
async function expectBackward(dx: ArrayLike<number>, dxr: ArrayLike<number>, shape: number[], stats: Float32Array, w: Float32Array | null, g: Float32Array, geom: NormGeom, label: string) {
  const zeroShift = Float32Array.from(stats, (v, i) => (i < 2 * geom.C ? 0 : v));
  const ins = [f32(shape, g), f32([3, geom.C], zeroShift), ...(w ? [flat(w)] : [])];
  const [terms] = await reference('norm_apply', ins, [shape], attrsOf(geom, { weight: !!w, bias: false }));
  const scale = norm2(terms);
  const cancelled = norm2(dxr) < 0.1 * scale;
  if (cancelled) {
    const diff = Float64Array.from(dxr, (v, i) => dx[i] - v);
    check(norm2(diff) / scale < TOL.normBackward.rel, `${label}: ‖Δ‖/‖r·ĝ‖ = ${norm2(diff) / scale}`);
  }
  expectClose(dx, dxr, { ...TOL.normBackward, rel: cancelled ? Infinity : TOL.normBackward.rel }, label);
}

/** The float64 statistics of x, rounded to float32 (what a program feeds the later kernels). */
async function refStats(x: Float32Array, shape: number[], geom: NormGeom): Promise<Float32Array> {
  const [st] = await reference('norm_stats', [f32(shape, x)], [[3, geom.C]], attrsOf(geom));
  return Float32Array.from(st);
}

/** GPU statistics against float64: mean error in units of σ, variance relative; a constant group's variance exactly 0. */
function expectStats(got: ArrayLike<number>, want: ArrayLike<number>, C: number, kind: Kind, label: string): void {
  const meanErr = new Float64Array(C), varGot = new Float64Array(C), varWant = new Float64Array(C);
  for (let c = 0; c < C; c++) {
    const sd = Math.sqrt(want[2 * C + c]) || 1;
    meanErr[c] = (got[c] + got[C + c] - (want[c] + want[C + c])) / sd;
    varGot[c] = got[2 * C + c];
    varWant[c] = want[2 * C + c];
  }
  expectClose(meanErr, new Float64Array(C), elementwiseOnly(TOL.normStats), `${label} ${kind}: mean error / σ`);
  expectClose(varGot, varWant, TOL.normStats, `${label} ${kind}: variance`);
  if (kind === 'constant') check(varGot[0] === 0, `${label}: a constant group has variance exactly 0 (got ${varGot[0]})`);
}

export const cases: KernelCase[] = [
  kcase(F, 'norm_stats: mean within 1e-5·σ and variance within 1e-5 relative', async (e, rng) => {
    for (const { label, shape, geom } of STATS_GEOMS) {
      for (const kind of KINDS) {
        const x = makeX(rng, geom, kind);
        const [got] = await runOp(e, 'norm_stats', [f32(shape, x)], [[3, geom.C]], attrsOf(geom));
        const [want] = await reference('norm_stats', [f32(shape, x)], [[3, geom.C]], attrsOf(geom));
        expectStats(got, want, geom.C, kind, label);
      }
    }
  }),

  kcase(F, 'norm_forward: y and the statistics from one dispatch match float64 (with and without affine)', async (e, rng) => {
    for (const { label, shape, geom } of STATS_GEOMS) {
      for (const kind of KINDS) {
        const x = makeX(rng, geom, kind);
        for (const affine of [true, false]) {
          const ins = [f32(shape, x), ...(affine ? [flat(rng.uniform(geom.Q, 0.5, 1.5)), flat(rng.normal(geom.Q))] : [])];
          const attrs = attrsOf(geom, { weight: affine, bias: affine, batch: true });
          const [y, st] = await runOp(e, 'norm_forward', ins, [shape, [3, geom.C]], attrs);
          const [yr, str] = await reference('norm_forward', ins, [shape, [3, geom.C]], attrs);
          expectStats(st, str, geom.C, kind, `${label} affine=${affine}`);
          expectClose(y, yr, TOL.normApply, `${label} ${kind} affine=${affine}: y`);
        }
      }
    }
    // Empty groups (N = 0): statistics 0, nothing to normalize.
    const [y, st] = await runOp(e, 'norm_forward', [f32([0, 3], new Float32Array(0))], [[0, 3], [3, 3]], attrsOf(channelGeom([0, 3]), { batch: true }));
    check(y.length === 0 && Array.from(st).every((v) => v === 0), `N = 0: statistics ${Array.from(st)}`);
  }),

  kcase(F, 'norm_apply, norm_backward, norm_group_sums, norm_affine_grad(s)', async (e, rng) => {
    for (const { label, shape, geom } of GEOMS) {
      for (const kind of KINDS) {
        const x = makeX(rng, geom, kind);
        const n = x.length;
        const stats = await refStats(x, shape, geom);
        const w = rng.uniform(geom.Q, 0.5, 1.5), b = rng.normal(geom.Q), g = rng.normal(n);
        const L = `${label} ${kind}`;
        const ins = (...more: Float32Array[]) => [f32(shape, x), f32([3, geom.C], stats), ...more.map(flat)];
        const both = async (op: string, inputs: OpInput[], out: number[], attrs: Record<string, unknown>) =>
          [(await runOp(e, op, inputs, [out], attrs))[0], (await reference(op, inputs, [out], attrs))[0]];
        for (const affine of [true, false]) {
          const [y, yr] = await both('norm_apply', affine ? ins(w, b) : ins(), shape, attrsOf(geom, { weight: affine, bias: affine }));
          expectClose(y, yr, TOL.normApply, `${L} apply affine=${affine}`);
          const [dx, dxr] = await both('norm_backward', affine ? ins(w, g) : ins(g), shape, attrsOf(geom, { weight: affine }));
          await expectBackward(dx, dxr, shape, stats, affine ? w : null, g, geom, `${L} backward affine=${affine}`);
          const [sums, sr] = await both('norm_group_sums', affine ? ins(w, g) : ins(g), [2, geom.C], attrsOf(geom, { weight: affine }));
          expectClose(sums, sr, TOL.normBackward, `${L} group sums affine=${affine}`);
        }
        for (const which of ['weight', 'bias'] as const) {
          const [d, dr] = await both('norm_affine_grad', ins(g), [geom.Q], attrsOf(geom, { which }));
          expectClose(d, dr, TOL.normAffineGrad, `${L} affine grad ${which}`);
        }
        // Both from one pass (the planner's norm_affine_grads).
        const pair = await runOp(e, 'norm_affine_grads', ins(g), [[geom.Q], [geom.Q]], attrsOf(geom));
        const pairRef = await reference('norm_affine_grads', ins(g), [[geom.Q], [geom.Q]], attrsOf(geom));
        expectClose(pair[0], pairRef[0], TOL.normAffineGrad, `${L} affine grads (one pass): dγ`);
        expectClose(pair[1], pairRef[1], TOL.normAffineGrad, `${L} affine grads (one pass): dβ`);
      }
    }
  }),

  kcase(F, 'norm_backward_affine (BatchNorm): dx, dγ, dβ from one dispatch match float64', async (e, rng) => {
    for (const { label, shape, geom } of GEOMS.filter(({ geom: g }) => g.A === g.P && g.C === g.Q && g.S === g.T)) {
      for (const kind of KINDS) {
        const x = makeX(rng, geom, kind);
        const stats = await refStats(x, shape, geom);
        const w = rng.uniform(geom.Q, 0.5, 1.5), g = rng.normal(x.length);
        for (const [weight, dw, db] of [[true, true, true], [false, true, true], [true, true, false], [true, false, true]]) {
          const ins = [f32(shape, x), f32([3, geom.C], stats), ...(weight ? [flat(w)] : []), f32(shape, g)];
          const outs = [shape, ...(dw ? [[geom.C]] : []), ...(db ? [[geom.C]] : [])];
          const attrs = attrsOf(geom, { weight, dw, db });
          const got = await runOp(e, 'norm_backward_affine', ins, outs, attrs);
          const want = await reference('norm_backward_affine', ins, outs, attrs);
          const L = `${label} ${kind} weight=${weight} dw=${dw} db=${db}`;
          await expectBackward(got[0], want[0], shape, stats, weight ? w : null, g, geom, `${L}: dx`);
          for (let k = 1; k < outs.length; k++) expectClose(got[k], want[k], TOL.normAffineGrad, `${L}: ${k === 1 && dw ? 'dγ' : 'dβ'}`);
        }
      }
    }
  }),

  kcase(F, 'statistics then normalize on the GPU: x̂ within 1e-5 of float64, even at μ/σ = 10⁴', async (e, rng) => {
    for (const { label, shape, geom } of GEOMS) {
      for (const kind of KINDS) {
        const x = makeX(rng, geom, kind);
        const [stats] = await runOp(e, 'norm_stats', [f32(shape, x)], [[3, geom.C]], attrsOf(geom));
        const [y] = await runOp(e, 'norm_apply', [f32(shape, x), f32([3, geom.C], Float32Array.from(stats))], [shape], attrsOf(geom));
        // The reference normalizes with its float64 statistics, unrounded.
        const [st] = await reference('norm_stats', [f32(shape, x)], [[3, geom.C]], attrsOf(geom));
        const [yr] = await reference('norm_apply', [f32(shape, x), { data: Float64Array.from(st), shape: [3, geom.C] }], [shape], attrsOf(geom));
        expectClose(y, yr, TOL.normApply, `${label} ${kind}: x̂`);
      }
    }
  }),

  kcase(F, 'statistics, backward and the fused forward are bit-identical on repeated runs', async (e, rng) => {
    const shape = [300, 3, 5];
    const geom = channelGeom(shape);
    const x = makeX(rng, geom, 'cancel');
    const g = rng.normal(x.length);
    const runs: Float32Array[][] = [];
    for (let k = 0; k < 3; k++) {
      const [s] = await runOp(e, 'norm_stats', [f32(shape, x)], [[3, 3]], attrsOf(geom));
      const [dx] = await runOp(e, 'norm_backward', [f32(shape, x), f32([3, 3], Float32Array.from(s)), f32(shape, g)], [shape], attrsOf(geom));
      const [y, s2] = await runOp(e, 'norm_forward', [f32(shape, x)], [shape, [3, 3]], attrsOf(geom, { batch: true }));
      runs.push([Float32Array.from(s), Float32Array.from(dx), Float32Array.from(y), Float32Array.from(s2)]);
    }
    const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));
    for (const [k, r] of runs.entries()) {
      for (const [j, what] of ['stats', 'dx', 'fused y', 'fused stats'].entries()) {
        const a = bits(r[j]), b = bits(runs[0][j]);
        const i = a.findIndex((v, m) => v !== b[m]);
        check(i < 0, `run ${k}: ${what} bits differ from run 0 at [${i}] (${r[j][i]} vs ${runs[0][j][i]})`);
      }
    }
  }),
];
