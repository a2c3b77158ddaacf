/**
 * Normalization layers with PyTorch's semantics and defaults: BatchNorm1d/2d, BatchRenorm1d/2d,
 * LayerNorm, GroupNorm, InstanceNorm1d/2d. Graphs are static: build the training graph in
 * train() mode (batch statistics; running statistics updated through graph.assign at the end of
 * each step) and the evaluation graph after eval() (running statistics).
 */
import { ArgumentError, ShapeError, fmtShape } from '../errors.js';
import { Parameter, Variable, type Tensor } from '../graph/tensor.js';
import { add, mul } from '../graph/ops/elementwise.js';
import { reshape } from '../graph/ops/reduce.js';
import {
  bnCount, bnRenorm, bnRunning, channelGeom, groupGeom, layerGeom, normApply, normStack, normStats,
  type NormGeom, type RenormLimits,
} from '../graph/ops/norm.js';
import { Module } from './module.js';

let counter = 0;
const uniqueName = (kind: string, name?: string) => name ?? `${kind}${counter++}`;

function positiveInt(op: string, what: string, v: number): number {
  if (!Number.isSafeInteger(v) || v < 1) throw new ArgumentError(`${op}: ${what} must be a positive integer, got ${v}`);
  return v;
}

function checkEps(op: string, eps: number): number {
  if (!(Number.isFinite(eps) && eps >= 0))
    throw new ArgumentError(`${op}: eps must be a finite number ≥ 0, got ${eps}`);
  return eps;
}

export interface BatchNormOptions {
  /** Added to the variance (default 1e-5). */
  eps?: number;
  /** Running-statistics factor (default 0.1); null = cumulative moving average. */
  momentum?: number | null;
  /** Learnable γ (init 1) and β (init 0) (default true). */
  affine?: boolean;
  /** Keep running mean/variance and use them in eval mode (default true). */
  trackRunningStats?: boolean;
  /** Name prefix for parameters and buffers (default 'batchnorm<n>'). */
  name?: string;
}

/** BatchNorm over (N, C, *): statistics per channel over all other dimensions. */
export abstract class BatchNormBase extends Module {
  readonly weight: Parameter | null;
  readonly bias: Parameter | null;
  readonly runningMean: Variable | null;
  readonly runningVar: Variable | null;
  readonly numBatchesTracked: Variable | null;
  readonly eps: number;
  readonly momentum: number | null;

  constructor(readonly numFeatures: number, opts: BatchNormOptions, protected kind: string,
    private ranks: readonly number[]) {
    super();
    positiveInt(kind, 'numFeatures', numFeatures);
    this.eps = checkEps(kind, opts.eps ?? 1e-5);
    this.momentum = opts.momentum === undefined ? 0.1 : opts.momentum;
    if (this.momentum !== null && !(this.momentum >= 0 && this.momentum <= 1)) {
      throw new ArgumentError(`${kind}: momentum must be in [0, 1] or null (cumulative average), got ${this.momentum}`);
    }
    const n = uniqueName(kind.toLowerCase(), opts.name);
    const C = numFeatures;
    const affine = opts.affine ?? true;
    this.weight = affine ? this.registerParameter('weight', new Parameter(`${n}.weight`, [C], 1)) : null;
    this.bias = affine ? this.registerParameter('bias', new Parameter(`${n}.bias`, [C], 0)) : null;
    const track = opts.trackRunningStats ?? true;
    this.runningMean = track ? this.registerBuffer('running_mean',
      new Variable(`${n}.running_mean`, [C], 'f32', 0)) : null;
    this.runningVar = track ? this.registerBuffer('running_var',
      new Variable(`${n}.running_var`, [C], 'f32', 1)) : null;
    this.numBatchesTracked = track ? this.registerBuffer('num_batches_tracked',
      new Variable(`${n}.num_batches_tracked`, [], 'i32', 0)) : null;
  }

  forward(x: Tensor): Tensor {
    if (!this.ranks.includes(x.rank))
      throw new ShapeError(`${this.kind}: expected ${this.ranks.join('D or ')}D input (got ${x.rank}D input ${x})`);
    if (x.shape[1] !== this.numFeatures) {
      throw new ShapeError(`${this.kind}(${this.numFeatures}): input ${x} has ${x.shape[1]} channels (dimension 1), ` +
        `expected ${this.numFeatures}`);
    }
    const geom = channelGeom(x.shape);
    const g = x.graph;
    const w = this.weight ? g.param(this.weight) : null;
    const b = this.bias ? g.param(this.bias) : null;
    if (!this.training && this.runningMean && this.runningVar) {
      const stats = normStack([g.variable(this.runningMean), g.fill([this.numFeatures], 0),
        g.variable(this.runningVar)]);
      return normApply(x, stats, geom, { eps: this.eps, weight: w, bias: b });
    }
    if (this.training && geom.A * geom.S === 1) {
      throw new ArgumentError(`Expected more than 1 value per channel when training, got input size ` +
        `${fmtShape(x.shape)} (${this.kind}); use a batch of 2 or more, or call eval()`);
    }
    const stats = normStats(x, geom);
    const affine = this.training ? this.trainingAffine(x, stats, w, b) : { w, b };
    if (this.training) this.updateRunning(x, stats, geom);
    return normApply(x, stats, geom, { eps: this.eps, weight: affine.w, bias: affine.b });
  }

  /** The affine terms used in training (batch renorm folds r and d into them). */
  protected trainingAffine(_x: Tensor, _stats: Tensor, w: Tensor | null, b: Tensor | null): { w: Tensor | null;
    b: Tensor | null } {
    return { w, b };
  }

  private updateRunning(x: Tensor, stats: Tensor, geom: NormGeom): void {
    if (!this.runningMean || !this.runningVar || !this.numBatchesTracked) return;
    const g = x.graph;
    if (g.assigns.some((a) => a.variable === this.runningMean)) {
      throw new ArgumentError(`${this.kind} '${this.runningMean.name}' is applied twice in one training graph; its ` +
        `running statistics would be updated twice`);
    }
    const t = g.variable(this.numBatchesTracked);
    const n = geom.A * geom.S;
    g.assign(this.runningMean, bnRunning(stats, g.variable(this.runningMean), t, 'mean', this.momentum, n));
    g.assign(this.runningVar, bnRunning(stats, g.variable(this.runningVar), t, 'var', this.momentum, n));
    g.assign(this.numBatchesTracked, bnCount(t));
  }
}

/** PyTorch's nn.BatchNorm1d: input (N, C) or (N, C, L). */
export class BatchNorm1d extends BatchNormBase {
  constructor(numFeatures: number, opts: BatchNormOptions = {}) { super(numFeatures, opts, 'BatchNorm1d', [2, 3]); }
}

/** PyTorch's nn.BatchNorm2d: input (N, C, H, W). */
export class BatchNorm2d extends BatchNormBase {
  constructor(numFeatures: number, opts: BatchNormOptions = {}) { super(numFeatures, opts, 'BatchNorm2d', [4]); }
}

export interface BatchRenormOptions extends BatchNormOptions, Partial<RenormLimits> {}

/**
 * Batch renormalization (Ioffe 2017): training output x̂·r + d (then γ, β) with
 * r = clip(σ_B/σ, 1/rmax, rmax), d = clip((μ_B − μ)/σ, −dmax, dmax) from the running statistics,
 * r and d held constant for the gradient. rmax/dmax follow the paper's schedule by default:
 * 1 and 0 for 5000 steps, then linear ramps to 3 (over 40k steps) and 5 (over 25k steps).
 */
abstract class BatchRenormBase extends BatchNormBase {
  readonly limits: RenormLimits;
  constructor(numFeatures: number, opts: BatchRenormOptions, kind: string, ranks: readonly number[]) {
    if (opts.trackRunningStats === false)
      throw new ArgumentError(`${kind}: batch renormalization needs running statistics (trackRunningStats: true)`);
    super(numFeatures, opts, kind, ranks);
    this.limits = {
      rmax: opts.rmax ?? 3, dmax: opts.dmax ?? 5, warmup: opts.warmup ?? 5000, rmaxSteps: opts.rmaxSteps ?? 40000,
        dmaxSteps: opts.dmaxSteps ?? 25000,
    };
  }
  protected override trainingAffine(x: Tensor, stats: Tensor, w: Tensor | null, b: Tensor | null) {
    const g = x.graph;
    const rm = g.variable(this.runningMean!), rv = g.variable(this.runningVar!),
      t = g.variable(this.numBatchesTracked!);
    const r = bnRenorm(stats, rm, rv, t, 'r', this.eps, this.limits);
    const d = bnRenorm(stats, rm, rv, t, 'd', this.eps, this.limits);
    const wd = w ? mul(w, d) : d;
    return { w: w ? mul(w, r) : r, b: b ? add(b, wd) : wd };
  }
}

export class BatchRenorm1d extends BatchRenormBase {
  constructor(numFeatures: number, opts: BatchRenormOptions = {}) { super(numFeatures, opts, 'BatchRenorm1d', [2, 3]); }
}

export class BatchRenorm2d extends BatchRenormBase {
  constructor(numFeatures: number, opts: BatchRenormOptions = {}) { super(numFeatures, opts, 'BatchRenorm2d', [4]); }
}

export interface LayerNormOptions {
  eps?: number;
  /** Learnable weight (init 1) and bias (init 0) of normalizedShape (default true). */
  elementwiseAffine?: boolean;
  /** With elementwiseAffine, also learn the bias (default true). */
  bias?: boolean;
  name?: string;
}

/** PyTorch's nn.LayerNorm: statistics over the last len(normalizedShape) dimensions. */
export class LayerNorm extends Module {
  readonly normalizedShape: number[];
  readonly weight: Parameter | null;
  readonly bias: Parameter | null;
  readonly eps: number;
  constructor(normalizedShape: number | readonly number[], opts: LayerNormOptions = {}) {
    super();
    this.normalizedShape = typeof normalizedShape === 'number' ? [normalizedShape] : [...normalizedShape];
    if (!this.normalizedShape.length) throw new ArgumentError('LayerNorm: normalizedShape must not be empty');
    this.normalizedShape.forEach((d) => positiveInt('LayerNorm', 'normalizedShape', d));
    this.eps = checkEps('LayerNorm', opts.eps ?? 1e-5);
    const n = uniqueName('layernorm', opts.name);
    const affine = opts.elementwiseAffine ?? true;
    this.weight = affine ? this.registerParameter('weight',
      new Parameter(`${n}.weight`, this.normalizedShape, 1)) : null;
    this.bias = affine && opts.bias !== false ? this.registerParameter('bias',
      new Parameter(`${n}.bias`, this.normalizedShape, 0)) : null;
  }
  forward(x: Tensor): Tensor {
    const k = this.normalizedShape.length;
    const tail = x.shape.slice(x.rank - k);
    if (x.rank < k || tail.some((d, i) => d !== this.normalizedShape[i])) {
      throw new ShapeError(`LayerNorm: input ${x} does not end with normalizedShape ${fmtShape(this.normalizedShape)}`);
    }
    const geom = layerGeom(x.shape, k);
    const g = x.graph;
    const flat = (p: Parameter | null) => (p ? reshape(g.param(p), [geom.Q]) : null);
    return normApply(x, normStats(x, geom), geom, { eps: this.eps, weight: flat(this.weight), bias: flat(this.bias) });
  }
}

export interface GroupNormOptions {
  eps?: number;
  /** Learnable per-channel weight and bias (default true). */
  affine?: boolean;
  name?: string;
}

/** PyTorch's nn.GroupNorm: x (N, C, *), statistics per sample over each group of C/G channels. */
export class GroupNorm extends Module {
  readonly weight: Parameter | null;
  readonly bias: Parameter | null;
  readonly eps: number;
  constructor(readonly numGroups: number, readonly numChannels: number, opts: GroupNormOptions = {},
    protected kind = 'GroupNorm') {
    super();
    positiveInt(kind, 'numGroups', numGroups);
    positiveInt(kind, 'numChannels', numChannels);
    if (numChannels % numGroups)
      throw new ArgumentError(`${kind}: numChannels (${numChannels}) must be divisible by numGroups (${numGroups})`);
    this.eps = checkEps(kind, opts.eps ?? 1e-5);
    const n = uniqueName(kind.toLowerCase(), opts.name);
    const affine = opts.affine ?? true;
    this.weight = affine ? this.registerParameter('weight', new Parameter(`${n}.weight`, [numChannels], 1)) : null;
    this.bias = affine ? this.registerParameter('bias', new Parameter(`${n}.bias`, [numChannels], 0)) : null;
  }
  forward(x: Tensor): Tensor {
    if (x.rank < 2 || x.shape[1] !== this.numChannels) {
      throw new ShapeError(`${this.kind}: expected input (N, ${this.numChannels}, *), got ${x}`);
    }
    const geom = groupGeom(x.shape, this.numGroups);
    const g = x.graph;
    return normApply(x, normStats(x, geom), geom, {
      eps: this.eps, weight: this.weight ? g.param(this.weight) : null, bias: this.bias ? g.param(this.bias) : null,
    });
  }
}

export interface InstanceNormOptions {
  eps?: number;
  /** Learnable per-channel weight and bias (default false, as PyTorch). */
  affine?: boolean;
  /** Running statistics are not supported (PyTorch's default is false too). */
  trackRunningStats?: boolean;
  name?: string;
}

/** InstanceNorm: statistics per sample and channel over the spatial dimensions (GroupNorm, G = C). */
abstract class InstanceNormBase extends GroupNorm {
  constructor(numFeatures: number, opts: InstanceNormOptions, kind: string, private rank: number) {
    if (opts.trackRunningStats)
      throw new ArgumentError(`${kind}: trackRunningStats is not supported; instance statistics are used in train ` +
        `and eval mode`);
    super(numFeatures, numFeatures, { eps: opts.eps, affine: opts.affine ?? false, name: opts.name }, kind);
  }
  override forward(x: Tensor): Tensor {
    if (x.rank !== this.rank)
      throw new ShapeError(`${this.kind}: expected ${this.rank}D input (got ${x.rank}D input ${x})`);
    return super.forward(x);
  }
}

/** PyTorch's nn.InstanceNorm1d: input (N, C, L). */
export class InstanceNorm1d extends InstanceNormBase {
  constructor(numFeatures: number, opts: InstanceNormOptions = {}) { super(numFeatures, opts, 'InstanceNorm1d', 3); }
}

/** PyTorch's nn.InstanceNorm2d: input (N, C, H, W). */
export class InstanceNorm2d extends InstanceNormBase {
  constructor(numFeatures: number, opts: InstanceNormOptions = {}) { super(numFeatures, opts, 'InstanceNorm2d', 4); }
}
