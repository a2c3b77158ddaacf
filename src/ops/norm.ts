/**
 * Normalization ops. One geometry serves BatchNorm, LayerNorm, GroupNorm and InstanceNorm: a
 * flat tensor is seen as (A, C, S) for statistics (group c = all a, s) and as (P, Q, T) for the
 * affine weight and bias (index q); src/ref/norm.ts has the formulas and the layouts.
 * Statistics are one (3, C) tensor (shift K, offset d, biased variance v; mean = K + d).
 * Inputs of the normalize and backward ops: x, stats, then the optional weight and bias (flags
 * `weight`, `bias`), then the rest (the gradient g).
 */
import { ArgumentError, ShapeError } from '../errors.js';
import { defineOp, out, requireF32, sameShape, type NoAttrs, type TensorMeta } from './schema.js';
import { isOp, type Fusion, type FusionRule, type OpNode } from './fusion.js';

/** Statistics view (A, C, S) and affine view (P, Q, T) of the same flat tensor. */
export interface NormGeom {
  A: number; C: number; S: number;
  P: number; Q: number; T: number;
}
export interface NormApplyAttrs extends NormGeom {
  eps: number; weight: boolean; bias: boolean;
  /** The statistics are normStats(x) of the same geometry (training mode). */
  batch: boolean;
}
export interface NormGradAttrs extends NormGeom { eps: number; weight: boolean; bias: false }
export interface NormAffineGradAttrs extends NormGeom { eps: number; which: 'weight' | 'bias' }
export interface NormBackwardAffineAttrs extends NormGradAttrs { dw: boolean; db: boolean }
export interface NormAffineGradsAttrs extends NormGeom { eps: number }
export interface NormRowAttrs { row: number }

export const GEOM_KEYS = ['A', 'C', 'S', 'P', 'Q', 'T'] as const;
export const geomOf = (a: NormGeom): NormGeom => ({ A: a.A, C: a.C, S: a.S, P: a.P, Q: a.Q, T: a.T });
export const sameGeom = (a: NormGeom, b: NormGeom): boolean => GEOM_KEYS.every((k) => a[k] === b[k]);
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

export function checkGeom(op: string, x: TensorMeta, g: NormGeom): void {
  for (const k of GEOM_KEYS) {
    if (!Number.isSafeInteger(g[k]) || g[k] < 0)
      throw new ShapeError(`${op}: geometry ${k} = ${g[k]} is not a non-negative integer`);
  }
  if (g.A * g.C * g.S !== x.size || g.P * g.Q * g.T !== x.size) {
    throw new ShapeError(`${op}: geometry (${g.A}, ${g.C}, ${g.S}) / (${g.P}, ${g.Q}, ${g.T}) does not cover ${x}`);
  }
}

export function checkEps(op: string, eps: number): number {
  if (!(Number.isFinite(eps) && eps >= 0))
    throw new ArgumentError(`${op}: eps must be a finite number ≥ 0, got ${eps}`);
  return eps;
}

export function checkStats(op: string, stats: TensorMeta, C: number): void {
  requireF32(op, stats);
  if (!sameShape(stats.shape, [3, C])) throw new ShapeError(`${op}: statistics must be (3, ${C}), got ${stats}`);
}

function checkAffine(op: string, t: TensorMeta | undefined, Q: number, what: string): void {
  if (t && (t.rank !== 1 || t.shape[0] !== Q || t.dtype !== 'f32'))
    throw new ShapeError(`${op}: ${what} must be a float32 vector of ${Q}, got ${t}`);
}

function inferGradOp(op: string, inputs: readonly TensorMeta[], a: NormGeom & { weight: boolean }): void {
  const x = inputs[0];
  const g = inputs[inputs.length - 1];
  requireF32(op, x, g);
  checkStats(op, inputs[1], a.C);
  if (!sameShape(x.shape, g.shape)) throw new ShapeError(`${op}: x ${x} and gradient ${g} differ in shape`);
  if (a.weight) checkAffine(op, inputs[2], a.Q, 'weight');
}

/** inputs [x]: (3, C) statistics over each group of the (A, C, S) view. */
export const normStats = defineOp({
  name: 'norm_stats', kind: 'kernel', family: 'norm',
  infer([x], a: NormGeom) {
    requireF32('normStats', x);
    return out([3, a.C]);
  },
});

/** inputs [t (R, C)]: row `row` (−1: rows 0 + 1, the mean K + d of statistics). */
export const normRow = defineOp({
  name: 'norm_row', kind: 'kernel', family: 'norm',
  infer: ([t], _a: NormRowAttrs) => out([t.shape[1]]),
});

/** inputs: 1 to 3 vectors of length C, stacked into (R, C). */
export const normStack = defineOp({
  name: 'norm_stack', kind: 'kernel', family: 'norm',
  infer(rows, _a: NoAttrs) {
    requireF32('normStack', ...rows);
    for (const r of rows) if (r.rank !== 1 || r.shape[0] !== rows[0].shape[0])
      throw new ShapeError(`normStack: rows must be vectors of one length, got ${r}`);
    return out([rows.length, rows[0].shape[0]]);
  },
});

/** y = (x − μ)/√(v + ε) · w[q] + b[q]: inputs [x, stats, weight?, bias?]. */
export const normApply = defineOp({
  name: 'norm_apply', kind: 'kernel', family: 'norm',
  infer(inputs, a: NormApplyAttrs) {
    const [x, stats] = inputs;
    requireF32('normApply', x);
    checkStats('normApply', stats, a.C);
    const n = 2 + Number(a.weight) + Number(a.bias);
    if (inputs.length !== n) throw new ShapeError(`normApply: expected ${n} inputs, got ${inputs.length}`);
    if (a.weight) checkAffine('normApply', inputs[2], a.Q, 'weight');
    if (a.bias) checkAffine('normApply', inputs[n - 1], a.Q, 'bias');
    return out(x.shape);
  },
});

/** dx through the batch statistics: inputs [x, stats, weight?, g]. */
export const normBackward = defineOp({
  name: 'norm_backward', kind: 'kernel', family: 'norm',
  infer(inputs, a: NormGradAttrs) {
    inferGradOp('normBackward', inputs, a);
    return out(inputs[0].shape);
  },
});

/** (2, C): Σĝ and Σĝ·x̂ per statistics group (ĝ = g·w): inputs [x, stats, weight?, g]. */
export const normGroupSums = defineOp({
  name: 'norm_group_sums', kind: 'kernel', family: 'norm',
  infer(inputs, a: NormGradAttrs) {
    inferGradOp('normGroupSums', inputs, a);
    return out([2, a.C]);
  },
});

/** dw = Σ g·x̂ ('weight') or db = Σ g ('bias') per affine index q: inputs [x, stats, g]. */
export const normAffineGrad = defineOp({
  name: 'norm_affine_grad', kind: 'kernel', family: 'norm',
  infer(inputs, a: NormAffineGradAttrs) {
    inferGradOp('normAffineGrad', inputs, { ...a, weight: false });
    if (a.which !== 'weight' && a.which !== 'bias')
      throw new ArgumentError(`normAffineGrad: which must be 'weight' or 'bias'`);
    return out([a.Q]);
  },
});

/** normStats + normApply: inputs [x, weight?, bias?]; outputs [y, stats]. */
export const normForward = defineOp({
  name: 'norm_forward', kind: 'fused', family: 'norm',
  infer: ([x], a: NormApplyAttrs) => [...out(x.shape), ...out([3, a.C])],
});

/** BatchNorm's norm_backward with its dγ and/or dβ: inputs as norm_backward; outputs [dx, dw?, db?]. */
export const normBackwardAffine = defineOp({
  name: 'norm_backward_affine', kind: 'fused', family: 'norm',
  infer: ([x], a: NormBackwardAffineAttrs) => [...out(x.shape), ...(a.dw ? out([a.Q]) : []),
    ...(a.db ? out([a.Q]) : [])],
});

/** dγ and dβ from one pass: inputs [x, stats, g]; outputs [dw, db]. */
export const normAffineGrads = defineOp({
  name: 'norm_affine_grads', kind: 'fused', family: 'norm',
  infer: (_i, a: NormAffineGradsAttrs) => [...out([a.Q]), ...out([a.Q])],
});

export const NORM_OPS = {
  norm_stats: normStats, norm_row: normRow, norm_stack: normStack, norm_apply: normApply, norm_backward: normBackward,
  norm_group_sums: normGroupSums, norm_affine_grad: normAffineGrad,
  norm_forward: normForward, norm_backward_affine: normBackwardAffine, norm_affine_grads: normAffineGrads,
};

// ---------------------------------------------------------------- fusion rules

/**
 * normApply(x, normStats(x)) — training-mode BatchNorm, LayerNorm, GroupNorm, InstanceNorm —
 * as one norm_forward writing y and the statistics (the backward and the running averages
 * still read them). Left alone when the weight or bias depends on the statistics (batch
 * renorm's r and d): the fused op could not run before them, nor they before it.
 */
const normForwardRule: FusionRule = {
  name: 'normalization forward',
  find(order, ctx) {
    const found: Fusion<(typeof order)[number]>[] = [];
    const taken = new Set<number>();
    for (const t of order) {
      if (!isOp(t, normApply) || !t.attrs.batch) continue;
      const stats = t.inputs[1] as typeof t;
      if (taken.has(stats.id) || ctx.absorbed(stats) || t.inputs.slice(2).some((a) => ctx.dependsOn(a as typeof t,
        stats))) continue;
      taken.add(stats.id);
      found.push({
        at: t, op: normForward, inputs: [t.inputs[0], ...t.inputs.slice(2)] as (typeof t)[], attrs: t.attrs,
        outputs: [t, stats], absorbs: [t, stats],
      });
    }
    return found;
  },
};

/** The norm_affine_grad nodes on the same x, statistics and gradient, by key. */
function affineGradsByInputs<T extends OpNode>(order: readonly T[]): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const t of order) {
    if (!isOp(t, normAffineGrad)) continue;
    const k = t.inputs.slice(0, 3).map((i) => i.id).join();
    m.set(k, [...(m.get(k) ?? []), t]);
  }
  return m;
}

/** The not yet fused dγ and dβ ops on (x, stats, g) with geometry and eps of `a`. */
function pickAffine<T extends OpNode>(byKey: Map<string, T[]>, key: string, a: NormGeom & { eps: number },
  done: (t: T) => boolean): (T | undefined)[] {
  const cands = (byKey.get(key) ?? []).filter((u) => {
    const ua = u.attrs as NormAffineGradAttrs;
    return !done(u) && sameGeom(ua, a) && ua.eps === a.eps;
  });
  return (['weight', 'bias'] as const).map((w) => cands.find((u) => (u.attrs as NormAffineGradAttrs).which === w));
}

/**
 * BatchNorm's dx, dγ, dβ in one op: where a norm_backward's statistics groups are its affine
 * indices ((A, C, S) = (P, Q, T)), the per-channel sums it computes are dβ and dγ.
 */
const normBackwardAffineRule: FusionRule = {
  name: 'BatchNorm backward with affine gradients',
  find(order, ctx) {
    const byKey = affineGradsByInputs(order);
    const found: Fusion<(typeof order)[number]>[] = [];
    const taken = new Set<number>();
    for (const t of order) {
      if (!isOp(t, normBackward)) continue;
      const a = t.attrs;
      if (a.A !== a.P || a.C !== a.Q || a.S !== a.T) continue;
      const key = [t.inputs[0], t.inputs[1], t.inputs[t.inputs.length - 1]].map((i) => i.id).join();
      const picked = pickAffine(byKey, key, a,
        (u) => taken.has(u.id) || ctx.absorbed(u)).filter((u): u is typeof t => !!u);
      if (!picked.length) continue;
      for (const u of picked) taken.add(u.id);
      const which = (w: string) => picked.some((u: OpNode) => (u.attrs as NormAffineGradAttrs).which === w);
      found.push({
        at: t, op: normBackwardAffine, inputs: [...t.inputs] as (typeof t)[],
          attrs: { ...a, dw: which('weight'), db: which('bias') },
        outputs: [t, ...picked], absorbs: [t, ...picked],
      });
    }
    return found;
  },
};

/** LayerNorm's and GroupNorm's dγ and dβ on the same inputs in one pass. */
const normAffinePairRule: FusionRule = {
  name: 'normalization affine gradients',
  find(order, ctx) {
    const byKey = affineGradsByInputs(order);
    const found: Fusion<(typeof order)[number]>[] = [];
    const taken = new Set<number>();
    const done = (u: OpNode) => taken.has(u.id) || ctx.absorbed(u as (typeof order)[number]);
    for (const t of order) {
      if (!isOp(t, normAffineGrad) || t.attrs.which !== 'weight' || done(t)) continue;
      const [, db] = pickAffine(byKey, t.inputs.slice(0, 3).map((i) => i.id).join(), t.attrs, done);
      if (!db) continue;
      taken.add(t.id).add(db.id);
      const { which: _w, ...attrs } = t.attrs;
      found.push({ at: t, op: normAffineGrads, inputs: [...t.inputs] as (typeof t)[], attrs, outputs: [t, db],
        absorbs: [t, db] });
    }
    return found;
  },
};

export const NORM_FUSIONS: readonly FusionRule[] = [normForwardRule, normBackwardAffineRule, normAffinePairRule];
