/**
 * Normalization op builders. One geometry serves BatchNorm, LayerNorm, GroupNorm and
 * InstanceNorm (src/ops/norm.ts): a flat tensor seen as (A, C, S) for statistics and as
 * (P, Q, T) for the affine weight and bias.
 *
 * Statistics are one (3, C) tensor (shift K, offset d, biased variance v; mean = K + d), so every
 * node keeps a single output. `normApply(x, normStats(x), w, b)` is training-mode normalization:
 * its backward is one fused op through the batch statistics. With statistics from elsewhere
 * (running statistics in eval mode) the general backward also returns ∂/∂stats (graph/vjp/norm).
 */
import { ArgumentError, ShapeError } from '../../errors.js';
import { OPS, checkEps, checkGeom, geomOf, sameGeom, type NormGeom } from '../../ops/index.js';
import { isNode, type Tensor, build } from '../tensor.js';

export { channelGeom, layerGeom, groupGeom, geomOf, type NormGeom } from '../../ops/index.js';

const isStatsOf = (stats: Tensor, x: Tensor, g: NormGeom) => isNode(stats,
  OPS.norm_stats) && stats.inputs[0] === x && sameGeom(stats.attrs, g);

// ---------------------------------------------------------------- statistics

/** (3, C) statistics of x over each group of the (A, C, S) view: shift, offset, biased variance. */
export function normStats(x: Tensor, g: NormGeom): Tensor {
  checkGeom('normStats', x, g);
  return build(OPS.norm_stats, [x], geomOf(g));
}

/** Row `row` of an (R, C) tensor. */
export function normRow(t: Tensor, row: number): Tensor {
  if (t.rank !== 2 || !Number.isInteger(row) || row < -1 || row >= t.shape[0])
    throw new ShapeError(`normRow: no row ${row} in ${t}`);
  return build(OPS.norm_row, [t], { row });
}

/** The mean K + d of a (3, C) statistics tensor. */
export const normMean = (stats: Tensor): Tensor => normRow(stats, -1);

/** Stack 1 to 3 vectors of length C into (R, C). */
export function normStack(rows: readonly Tensor[]): Tensor {
  if (rows.length < 1 || rows.length > 3) throw new ArgumentError(`normStack: takes 1 to 3 rows, got ${rows.length}`);
  return build(OPS.norm_stack, rows, {});
}

// ---------------------------------------------------------------- normalize and its backward

export interface NormApplyOptions {
  eps: number;
  weight?: Tensor | null;
  bias?: Tensor | null;
}

/**
 * y = (x − μ)/√(v + ε) · w[q] + b[q]. When `stats` is normStats(x) with the same geometry, the
 * backward goes through the batch statistics (training mode); otherwise stats is an input.
 */
export function normApply(x: Tensor, stats: Tensor, g: NormGeom, opts: NormApplyOptions): Tensor {
  checkGeom('normApply', x, g);
  const eps = checkEps('normApply', opts.eps);
  const w = opts.weight ?? null, b = opts.bias ?? null;
  const attrs = { ...geomOf(g), eps, weight: !!w, bias: !!b, batch: isStatsOf(stats, x, g) };
  return build(OPS.norm_apply, [x, stats, ...(w ? [w] : []), ...(b ? [b] : [])], attrs);
}

/** dx of normApply(x, normStats(x), w) through the batch statistics, one fused op. */
export function normBackward(x: Tensor, stats: Tensor, g: Tensor, geom: NormGeom, eps: number,
  w: Tensor | null = null): Tensor {
  checkGeom('normBackward', x, geom);
  const attrs = { ...geomOf(geom), eps: checkEps('normBackward', eps), weight: !!w, bias: false as const };
  return build(OPS.norm_backward, [x, stats, ...(w ? [w] : []), g], attrs);
}

/** (2, C): Σĝ and Σĝ·x̂ per statistics group (ĝ = g·w). */
export function normGroupSums(x: Tensor, stats: Tensor, g: Tensor, geom: NormGeom, eps: number,
  w: Tensor | null = null): Tensor {
  checkGeom('normGroupSums', x, geom);
  const attrs = { ...geomOf(geom), eps: checkEps('normGroupSums', eps), weight: !!w, bias: false as const };
  return build(OPS.norm_group_sums, [x, stats, ...(w ? [w] : []), g], attrs);
}

/** dw = Σ g·x̂ ('weight') or db = Σ g ('bias') per affine index q. */
export function normAffineGrad(x: Tensor, stats: Tensor, g: Tensor, geom: NormGeom, eps: number,
  which: 'weight' | 'bias'): Tensor {
  checkGeom('normAffineGrad', x, geom);
  return build(OPS.norm_affine_grad, [x, stats, g], { ...geomOf(geom), eps: checkEps('normAffineGrad', eps), which });
}

// ---------------------------------------------------------------- batch-norm state (no gradients)

/**
 * The new running mean ('mean') or unbiased running variance ('var') after this batch, PyTorch's
 * update with `momentum` (null: cumulative average over `tracked` + 1 batches); n values per channel.
 */
export function bnRunning(stats: Tensor, running: Tensor, tracked: Tensor, which: 'mean' | 'var',
  momentum: number | null, n: number): Tensor {
  if (momentum !== null && !(momentum >= 0 && momentum <= 1))
    throw new ArgumentError(`BatchNorm: momentum must be in [0, 1] or null, got ${momentum}`);
  return build(OPS.bn_running, [stats, running, tracked], { which, momentum: momentum ?? -1, n });
}

/** num_batches_tracked + 1 (int32). */
export function bnCount(tracked: Tensor): Tensor {
  return build(OPS.bn_count, [tracked], {});
}

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
export function bnRenorm(stats: Tensor, rm: Tensor, rv: Tensor, tracked: Tensor, which: 'r' | 'd', eps: number,
  lim: RenormLimits): Tensor {
  if (!(lim.rmax >= 1) || !(lim.dmax >= 0) || !(lim.warmup >= 0) || !(lim.rmaxSteps >= 0) || !(lim.dmaxSteps >= 0)) {
    throw new ArgumentError(`BatchRenorm: need rmax ≥ 1, dmax ≥ 0 and non-negative step counts, got ` +
      `${JSON.stringify(lim)}`);
  }
  return build(OPS.bn_renorm, [stats, rm, rv, tracked], {
    which, eps: checkEps('BatchRenorm', eps), rmax: lim.rmax, dmax: lim.dmax, warmup: lim.warmup,
      rmaxSteps: lim.rmaxSteps, dmaxSteps: lim.dmaxSteps,
  });
}
