/**
 * Normalization ops. One geometry serves BatchNorm, LayerNorm, GroupNorm and InstanceNorm: a
 * flat tensor is seen as (A, C, S) for statistics (group c = all a, s) and as (P, Q, T) for the
 * affine weight and bias (index q); see src/ref/norm.ts for the formulas and the layouts.
 *
 * Statistics are one (3, C) tensor (shift K, offset d, biased variance v; mean = K + d), so every
 * node keeps a single output. `normApply(x, normStats(x), w, b)` is training-mode normalization:
 * its backward is one fused op through the batch statistics. With statistics from elsewhere
 * (running statistics in eval mode) the general backward also returns ∂/∂stats. Backward ops
 * (normBackward, normGroupSums, normAffineGrad) are differentiated by building their formula in
 * IR ops on stand-ins of their inputs and calling grad() on it, which gives exact partial
 * derivatives; so Hessian-vector products run through normalized networks.
 * Convention: downstream of a statistics tensor only K + d and v matter, so the gradients of K
 * and d are equal; normStats' backward reads the offset row.
 */
import { ArgumentError, ShapeError } from '../../errors.js';
import { defineOp, Tensor, type Attrs } from '../tensor.js';
import { grad } from '../autodiff.js';
import { add, broadcastTo, div, mul, neg, scale, sqrt, sub } from './elementwise.js';
import { reshape, sum } from './reduce.js';
import { requireF32, sameShape } from './shape.js';

/** Statistics view (A, C, S) and affine view (P, Q, T) of the same flat tensor. */
export interface NormGeom {
  A: number; C: number; S: number;
  P: number; Q: number; T: number;
}

const GEOM_KEYS = ['A', 'C', 'S', 'P', 'Q', 'T'] as const;
export const geomOf = (a: Attrs): NormGeom => Object.fromEntries(GEOM_KEYS.map((k) => [k, a[k] as number])) as unknown as NormGeom;
const geomAttrs = (g: NormGeom) => ({ A: g.A, C: g.C, S: g.S, P: g.P, Q: g.Q, T: g.T });
const sameGeom = (a: Attrs, b: Attrs) => GEOM_KEYS.every((k) => a[k] === b[k]);
const prod = (s: readonly number[]) => s.reduce((a, d) => a * d, 1);

/** BatchNorm / InstanceNorm-style channels: x (N, C, *) with statistics per channel. */
export function channelGeom(shape: readonly number[]): NormGeom {
  const [N, C] = shape;
  const S = prod(shape.slice(2));
  return { A: N, C, S, P: N, Q: C, T: S };
}

/** LayerNorm over the last `k` dimensions. */
export function layerGeom(shape: readonly number[], k: number): NormGeom {
  const K = prod(shape.slice(shape.length - k));
  const M = prod(shape) / Math.max(1, K);
  return { A: 1, C: M, S: K, P: M, Q: K, T: 1 };
}

/** GroupNorm with G groups over x (N, C, *); InstanceNorm is G = C. */
export function groupGeom(shape: readonly number[], G: number): NormGeom {
  const [N, C] = shape;
  const S = prod(shape.slice(2));
  return { A: 1, C: N * G, S: (C / G) * S, P: N, Q: C, T: S };
}

function checkGeom(op: string, x: Tensor, g: NormGeom): void {
  for (const k of GEOM_KEYS) {
    if (!Number.isSafeInteger(g[k]) || g[k] < 0) throw new ShapeError(`${op}: geometry ${k} = ${g[k]} is not a non-negative integer`);
  }
  if (g.A * g.C * g.S !== x.size || g.P * g.Q * g.T !== x.size) {
    throw new ShapeError(`${op}: geometry (${g.A}, ${g.C}, ${g.S}) / (${g.P}, ${g.Q}, ${g.T}) does not cover ${x}`);
  }
}

function checkEps(op: string, eps: number): number {
  if (!(Number.isFinite(eps) && eps >= 0)) throw new ArgumentError(`${op}: eps must be a finite number ≥ 0, got ${eps}`);
  return eps;
}

const isStatsOf = (stats: Tensor, x: Tensor, a: Attrs) => stats.op === 'norm_stats' && stats.inputs[0] === x && sameGeom(stats.attrs, a);

// ---------------------------------------------------------------- statistics

/** (3, C) statistics of x over each group of the (A, C, S) view: shift, offset, biased variance. */
export function normStats(x: Tensor, g: NormGeom): Tensor {
  checkGeom('normStats', x, g);
  return x.graph.node('norm_stats', [x], geomAttrs(g));
}

defineOp({
  name: 'norm_stats',
  infer([x], a) {
    requireF32('normStats', x);
    return { shape: [3, a.C as number], dtype: 'f32' };
  },
  vjp(out, gs) {
    const x = out.inputs[0];
    const { A, C, S } = geomOf(out.attrs);
    const M = A * S;
    const ch = (t: Tensor) => reshape(t, [1, C, 1]);
    const gd = broadcastTo(ch(normRow(gs, 1)), [A, C, S]);
    const centred = sub(reshape(x, [A, C, S]), ch(normMean(out)));
    const dx = add(scale(gd, 1 / M), mul(scale(centred, 2 / M), ch(normRow(gs, 2))));
    return [reshape(dx, x.shape)];
  },
});

/** Row `row` of an (R, C) tensor. */
export function normRow(t: Tensor, row: number): Tensor {
  if (t.rank !== 2 || !Number.isInteger(row) || row < -1 || row >= t.shape[0]) throw new ShapeError(`normRow: no row ${row} in ${t}`);
  return t.graph.node('norm_row', [t], { row });
}

/** The mean K + d of a (3, C) statistics tensor. */
export const normMean = (stats: Tensor): Tensor => normRow(stats, -1);

defineOp({
  name: 'norm_row',
  infer: ([t]) => ({ shape: [t.shape[1]], dtype: 'f32' }),
  vjp(out, g) {
    const t = out.inputs[0];
    const row = out.attrs.row as number;
    const zero = t.graph.fill([t.shape[1]], 0);
    const rows = Array.from({ length: t.shape[0] }, (_, k) => (k === row || (row === -1 && k < 2) ? g : zero));
    return [normStack(rows)];
  },
});

/** Stack 1 to 3 vectors of length C into (R, C). */
export function normStack(rows: readonly Tensor[]): Tensor {
  if (rows.length < 1 || rows.length > 3) throw new ArgumentError(`normStack: takes 1 to 3 rows, got ${rows.length}`);
  return rows[0].graph.node('norm_stack', rows);
}

defineOp({
  name: 'norm_stack',
  infer(rows) {
    requireF32('normStack', ...rows);
    for (const r of rows) if (r.rank !== 1 || r.shape[0] !== rows[0].shape[0]) throw new ShapeError(`normStack: rows must be vectors of one length, got ${r}`);
    return { shape: [rows.length, rows[0].shape[0]], dtype: 'f32' };
  },
  vjp: (out, g) => out.inputs.map((_, k) => normRow(g, k)),
});

// ---------------------------------------------------------------- normalize and its backward

export interface NormApplyOptions {
  eps: number;
  weight?: Tensor | null;
  bias?: Tensor | null;
}

function checkStats(op: string, stats: Tensor, C: number): void {
  requireF32(op, stats);
  if (!sameShape(stats.shape, [3, C])) throw new ShapeError(`${op}: statistics must be (3, ${C}), got ${stats}`);
}

function checkAffine(op: string, t: Tensor | null | undefined, Q: number, what: string): void {
  if (t && (t.rank !== 1 || t.shape[0] !== Q || t.dtype !== 'f32')) throw new ShapeError(`${op}: ${what} must be a float32 vector of ${Q}, got ${t}`);
}

/**
 * y = (x − μ)/√(v + ε) · w[q] + b[q]. When `stats` is normStats(x) with the same geometry, the
 * backward goes through the batch statistics (training mode); otherwise stats is an input.
 */
export function normApply(x: Tensor, stats: Tensor, g: NormGeom, opts: NormApplyOptions): Tensor {
  checkGeom('normApply', x, g);
  const eps = checkEps('normApply', opts.eps);
  const w = opts.weight ?? null, b = opts.bias ?? null;
  const attrs = { ...geomAttrs(g), eps, weight: !!w, bias: !!b, batch: false };
  attrs.batch = isStatsOf(stats, x, attrs);
  return x.graph.node('norm_apply', [x, stats, ...(w ? [w] : []), ...(b ? [b] : [])], attrs);
}

/** Inputs of a normalization node: x, stats, then the optional weight and bias. */
function parts(t: Tensor) {
  const [x, stats, ...rest] = t.inputs;
  const w = t.attrs.weight ? rest.shift()! : null;
  const b = t.attrs.bias ? rest.shift()! : null;
  return { x, stats, w, b, rest };
}

defineOp({
  name: 'norm_apply',
  infer(inputs, a) {
    const [x, stats] = inputs;
    requireF32('normApply', x);
    checkStats('normApply', stats, a.C as number);
    const n = 2 + Number(a.weight) + Number(a.bias);
    if (inputs.length !== n) throw new ShapeError(`normApply: expected ${n} inputs, got ${inputs.length}`);
    if (a.weight) checkAffine('normApply', inputs[2], a.Q as number, 'weight');
    if (a.bias) checkAffine('normApply', inputs[n - 1], a.Q as number, 'bias');
    return { shape: [...x.shape], dtype: 'f32' };
  },
  vjp(out, g) {
    const { x, stats, w, b } = parts(out);
    const geom = geomOf(out.attrs);
    const eps = out.attrs.eps as number;
    const dw = w ? normAffineGrad(x, stats, g, geom, eps, 'weight') : null;
    const db = b ? normAffineGrad(x, stats, g, geom, eps, 'bias') : null;
    const tail = [...(w ? [dw] : []), ...(b ? [db] : [])];
    if (out.attrs.batch) return [normBackward(x, stats, g, geom, eps, w), null, ...tail];
    // Statistics as an input: dx = g·w/√(v+ε); ∂μ = −Σĝ/√(v+ε); ∂v = −½ Σĝx̂ /(v+ε).
    const v = normRow(stats, 2);
    const zero = x.graph.fill(v.shape, 0);
    const dx = normApply(g, normStack([zero, zero, v]), geom, { eps, weight: w });
    const sums = normGroupSums(x, stats, g, geom, eps, w);
    const r = div(x.graph.fill(v.shape, 1), sqrt(scale(v, 1, eps)));
    const gmu = neg(mul(r, normRow(sums, 0)));
    const gv = scale(mul(mul(r, r), normRow(sums, 1)), -0.5);
    return [dx, normStack([gmu, gmu, gv]), ...tail];
  },
});

/** dx of normApply(x, normStats(x), w) through the batch statistics, one fused op. */
export function normBackward(x: Tensor, stats: Tensor, g: Tensor, geom: NormGeom, eps: number, w: Tensor | null = null): Tensor {
  checkGeom('normBackward', x, geom);
  return x.graph.node('norm_backward', [x, stats, ...(w ? [w] : []), g], { ...geomAttrs(geom), eps: checkEps('normBackward', eps), weight: !!w, bias: false });
}

/** (2, C): Σĝ and Σĝ·x̂ per statistics group (ĝ = g·w). */
export function normGroupSums(x: Tensor, stats: Tensor, g: Tensor, geom: NormGeom, eps: number, w: Tensor | null = null): Tensor {
  checkGeom('normGroupSums', x, geom);
  return x.graph.node('norm_group_sums', [x, stats, ...(w ? [w] : []), g], { ...geomAttrs(geom), eps: checkEps('normGroupSums', eps), weight: !!w, bias: false });
}

/** dw = Σ g·x̂ ('weight') or db = Σ g ('bias') per affine index q. */
export function normAffineGrad(x: Tensor, stats: Tensor, g: Tensor, geom: NormGeom, eps: number, which: 'weight' | 'bias'): Tensor {
  checkGeom('normAffineGrad', x, geom);
  return x.graph.node('norm_affine_grad', [x, stats, g], { ...geomAttrs(geom), eps: checkEps('normAffineGrad', eps), which });
}

function inferGradOp(op: string, inputs: readonly Tensor[], a: Attrs): void {
  const x = inputs[0];
  const g = inputs[inputs.length - 1];
  requireF32(op, x, g);
  checkStats(op, inputs[1], a.C as number);
  if (!sameShape(x.shape, g.shape)) throw new ShapeError(`${op}: x ${x} and gradient ${g} differ in shape`);
  if (a.weight) checkAffine(op, inputs[2], a.Q as number, 'weight');
}

// A second derivative of a backward op: its formula rebuilt in IR ops on stand-ins of the
// inputs (views, no copies), differentiated with grad(); partial derivatives are exact because
// nothing upstream of the stand-ins is reached.
const standIn = (t: Tensor) => reshape(reshape(t, [1, ...t.shape]), t.shape);

function viaComposite(out: Tensor, h: Tensor, build: (ins: Tensor[]) => Tensor, skip: readonly number[] = []): (Tensor | null)[] {
  const ins = out.inputs.map(standIn);
  const wrt = ins.filter((_, i) => !skip.includes(i));
  const gs = grad(build(ins), wrt, { seed: h });
  let k = 0;
  return ins.map((_, i) => (skip.includes(i) ? null : gs[k++]));
}

/** x̂ and 1/√(v+ε) in the (A, C, S) view, and ĝ = g·w, built from IR ops. */
function composite(ins: Tensor[], a: Attrs) {
  const { A, C, S, P, Q, T } = geomOf(a);
  const [x, stats] = ins;
  const w = a.weight ? ins[2] : null;
  const g = ins[ins.length - 1];
  const ch = (t: Tensor) => reshape(t, [1, C, 1]);
  const v = ch(normRow(stats, 2));
  const r = div(x.graph.fill([1, C, 1], 1), sqrt(scale(v, 1, a.eps as number)));
  const xh = mul(sub(reshape(x, [A, C, S]), ch(normMean(stats))), r);
  const gh = w ? reshape(mul(reshape(g, [P, Q, T]), reshape(w, [1, Q, 1])), [A, C, S]) : reshape(g, [A, C, S]);
  const groupSum = (t: Tensor) => sum(sum(t, 2, true), 0, true);
  return { xh, r, gh, groupSum, M: A * S, C, P, Q, T, g };
}

defineOp({
  name: 'norm_backward',
  infer(inputs, a) {
    inferGradOp('normBackward', inputs, a);
    return { shape: [...inputs[0].shape], dtype: 'f32' };
  },
  vjp: (out, h) => viaComposite(out, h, (ins) => {
    const { xh, r, gh, groupSum, M } = composite(ins, out.attrs);
    const dx = mul(r, sub(sub(gh, scale(groupSum(gh), 1 / M)), mul(xh, scale(groupSum(mul(gh, xh)), 1 / M))));
    return reshape(dx, ins[0].shape);
  }),
});

defineOp({
  name: 'norm_group_sums',
  infer(inputs, a) {
    inferGradOp('normGroupSums', inputs, a);
    return { shape: [2, a.C as number], dtype: 'f32' };
  },
  vjp: (out, h) => viaComposite(out, h, (ins) => {
    const { xh, gh, groupSum, C } = composite(ins, out.attrs);
    return normStack([reshape(groupSum(gh), [C]), reshape(groupSum(mul(gh, xh)), [C])]);
  }),
});

defineOp({
  name: 'norm_affine_grad',
  infer(inputs, a) {
    inferGradOp('normAffineGrad', inputs, { ...a, weight: false });
    if (a.which !== 'weight' && a.which !== 'bias') throw new ArgumentError(`normAffineGrad: which must be 'weight' or 'bias'`);
    return { shape: [a.Q as number], dtype: 'f32' };
  },
  vjp: (out, h) => viaComposite(out, h, (ins) => {
    const { xh, P, Q, T, g } = composite(ins, { ...out.attrs, weight: false });
    const t = out.attrs.which === 'bias' ? reshape(g, [P, Q, T]) : reshape(mul(reshape(g, [...xh.shape]), xh), [P, Q, T]);
    return reshape(sum(sum(t, 2, true), 0, true), [Q]);
  }, out.attrs.which === 'bias' ? [0, 1] : []),
});

// ---------------------------------------------------------------- batch-norm state (no gradients)

/**
 * The new running mean ('mean') or unbiased running variance ('var') after this batch, PyTorch's
 * update with `momentum` (null: cumulative average over `tracked` + 1 batches); n values per channel.
 */
export function bnRunning(stats: Tensor, running: Tensor, tracked: Tensor, which: 'mean' | 'var', momentum: number | null, n: number): Tensor {
  if (momentum !== null && !(momentum >= 0 && momentum <= 1)) throw new ArgumentError(`BatchNorm: momentum must be in [0, 1] or null, got ${momentum}`);
  return stats.graph.node('bn_running', [stats, running, tracked], { which, momentum: momentum ?? -1, n });
}

function inferState(op: string, inputs: readonly Tensor[]): number {
  const [stats, ...rest] = inputs;
  const C = stats.shape[1];
  checkStats(op, stats, C);
  const tracked = rest[rest.length - 1];
  if (tracked.dtype !== 'i32' || tracked.size !== 1) throw new ShapeError(`${op}: num_batches_tracked must be an int32 scalar, got ${tracked}`);
  for (const r of rest.slice(0, -1)) if (!sameShape(r.shape, [C])) throw new ShapeError(`${op}: running statistics must be [${C}], got ${r}`);
  return C;
}

defineOp({
  name: 'bn_running',
  infer: (inputs) => ({ shape: [inferState('bnRunning', inputs)], dtype: 'f32' }),
  vjp: () => [null, null, null],
});

/** num_batches_tracked + 1 (int32). */
export function bnCount(tracked: Tensor): Tensor {
  return tracked.graph.node('bn_count', [tracked]);
}

defineOp({
  name: 'bn_count',
  infer([t]) {
    if (t.dtype !== 'i32' || t.size !== 1) throw new ShapeError(`bnCount: expected an int32 scalar, got ${t}`);
    return { shape: [...t.shape], dtype: 'i32' };
  },
  vjp: () => [null],
});

export interface RenormLimits {
  /** Final rmax (≥ 1) and dmax (≥ 0). */
  rmax: number;
  dmax: number;
  /** Steps with rmax = 1, dmax = 0 (plain batch norm), then linear ramps of these lengths. */
  warmup: number;
  rmaxSteps: number;
  dmaxSteps: number;
}

/** Batch renormalization's r ('r') or d ('d') per channel: constants for autodiff (no gradient). */
export function bnRenorm(stats: Tensor, rm: Tensor, rv: Tensor, tracked: Tensor, which: 'r' | 'd', eps: number, lim: RenormLimits): Tensor {
  if (!(lim.rmax >= 1) || !(lim.dmax >= 0) || !(lim.warmup >= 0) || !(lim.rmaxSteps >= 0) || !(lim.dmaxSteps >= 0)) {
    throw new ArgumentError(`BatchRenorm: need rmax ≥ 1, dmax ≥ 0 and non-negative step counts, got ${JSON.stringify(lim)}`);
  }
  return stats.graph.node('bn_renorm', [stats, rm, rv, tracked], {
    which, eps: checkEps('BatchRenorm', eps), rmax: lim.rmax, dmax: lim.dmax, warmup: lim.warmup, rmaxSteps: lim.rmaxSteps, dmaxSteps: lim.dmaxSteps,
  });
}

defineOp({
  name: 'bn_renorm',
  infer: (inputs) => ({ shape: [inferState('bnRenorm', inputs)], dtype: 'f32' }),
  vjp: () => [null, null, null, null],
});

/** PyTorch's x.detach(): the same values, no gradient (a copy). */
export function detach(x: Tensor): Tensor {
  return x.graph.node('detach', [x]);
}

defineOp({
  name: 'detach',
  infer: ([x]) => ({ shape: [...x.shape], dtype: x.dtype }),
  vjp: () => [null],
});
