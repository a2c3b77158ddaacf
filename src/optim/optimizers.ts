/**
 * SGD (momentum, dampening, Nesterov), Adagrad, RMSprop, Adam and AdamW with torch.optim's
 * options, defaults and update rules (see src/ref/optim.ts for the formulas). Each one fills its
 * row of the hyperparameter table: p1/p2 its two coefficients, f1/f2 its flags, d0…d4 the step
 * scalars the kernel would otherwise recompute per element (bias corrections, decayed lr).
 */
import { ArgumentError } from '../errors.js';
import { HYP } from '../ops/index.js';
import {
  betasSpec, epsSpec, flagSpec, lrSpec, momentumSpec, range, weightDecaySpec,
  type CommonOptions, type OptionSpec, type ParamsArg,
} from './options.js';
import { Optimizer, type OptimizerKind } from './optimizer.js';

type Row = Partial<Record<keyof typeof HYP, number>>;
const bit = (b: boolean) => (b ? 1 : 0);

export interface SGDGroupOptions { lr: number; momentum: number; dampening: number; weightDecay: number;
  nesterov: boolean }
export type SGDOptions = Partial<SGDGroupOptions> & CommonOptions;

const SGD_SPECS: OptionSpec[] = [
  lrSpec(1e-3), momentumSpec(0), range('dampening', 'Invalid dampening value', 0, 1)(0), weightDecaySpec(0),
    flagSpec('nesterov', false),
];

/** Stochastic gradient descent, optionally with momentum (PyTorch's form) and Nesterov. */
export class SGD extends Optimizer<SGDGroupOptions> {
  protected readonly kind: OptimizerKind = 'sgd';
  protected readonly slots = ['momentum_buffer'];
  constructor(params: ParamsArg<SGDGroupOptions>, opts: SGDOptions = {}) {
    super('SGD', params, opts as unknown as Record<string, unknown>, SGD_SPECS);
  }
  protected override checkGroup(o: SGDGroupOptions, gi: number): void {
    if (o.nesterov && (o.momentum <= 0 || o.dampening !== 0)) {
      throw new ArgumentError(`Nesterov momentum requires a momentum and zero dampening (SGD parameter group ${gi}: ` +
        `momentum ${o.momentum}, dampening ${o.dampening})`);
    }
  }
  stateKeys(o: SGDGroupOptions): string[] {
    return o.momentum !== 0 ? ['momentum_buffer'] : [];
  }
  protected row(o: SGDGroupOptions, t: number): Row {
    // The first step starts the buffer from g itself (no dampening), as PyTorch does.
    return { p1: o.momentum, p2: o.dampening, f1: bit(o.nesterov), d0: t === 1 ? 1 : 1 - o.dampening };
  }
}

export interface AdagradGroupOptions { lr: number; lrDecay: number; weightDecay: number;
  initialAccumulatorValue: number; eps: number }
export type AdagradOptions = Partial<AdagradGroupOptions> & CommonOptions;

const ADAGRAD_SPECS: OptionSpec[] = [
  lrSpec(0.01), range('lrDecay', 'Invalid lrDecay value', 0)(0), weightDecaySpec(0),
  range('initialAccumulatorValue', 'Invalid initialAccumulatorValue value', 0)(0), epsSpec(1e-10),
];

/** Adagrad: per-element steps divided by the root of the summed squared gradients. */
export class Adagrad extends Optimizer<AdagradGroupOptions> {
  protected readonly kind: OptimizerKind = 'adagrad';
  protected readonly slots = ['sum'];
  constructor(params: ParamsArg<AdagradGroupOptions>, opts: AdagradOptions = {}) {
    super('Adagrad', params, opts as unknown as Record<string, unknown>, ADAGRAD_SPECS);
  }
  stateKeys(): string[] {
    return ['sum'];
  }
  override initialValue(_k: string, o: AdagradGroupOptions): number {
    return o.initialAccumulatorValue;
  }
  protected row(o: AdagradGroupOptions, t: number): Row {
    return { p1: o.lrDecay, p2: o.initialAccumulatorValue, d0: o.lr / (1 + (t - 1) * o.lrDecay) };
  }
}

export interface RMSpropGroupOptions { lr: number; alpha: number; eps: number; weightDecay: number; momentum: number;
  centered: boolean }
export type RMSpropOptions = Partial<RMSpropGroupOptions> & CommonOptions;

const RMSPROP_SPECS: OptionSpec[] = [
  lrSpec(0.01), range('alpha', 'Invalid alpha value', 0, 1)(0.99), epsSpec(1e-8), weightDecaySpec(0), momentumSpec(0),
    flagSpec('centered', false),
];

/** RMSprop: steps divided by the root of a moving average of squared gradients. */
export class RMSprop extends Optimizer<RMSpropGroupOptions> {
  protected readonly kind: OptimizerKind = 'rmsprop';
  protected readonly slots = ['square_avg', 'momentum_buffer', 'grad_avg'];
  constructor(params: ParamsArg<RMSpropGroupOptions>, opts: RMSpropOptions = {}) {
    super('RMSprop', params, opts as unknown as Record<string, unknown>, RMSPROP_SPECS);
  }
  stateKeys(o: RMSpropGroupOptions): string[] {
    return ['square_avg', ...(o.momentum > 0 ? ['momentum_buffer'] : []), ...(o.centered ? ['grad_avg'] : [])];
  }
  protected row(o: RMSpropGroupOptions): Row {
    return { p1: o.alpha, p2: o.momentum, f1: bit(o.centered), d0: 1 - o.alpha };
  }
}

export interface AdamGroupOptions { lr: number; betas: readonly [number, number]; eps: number; weightDecay: number;
  amsgrad: boolean }
export type AdamOptions = Partial<AdamGroupOptions> & CommonOptions;

const adamSpecs = (wd: number): OptionSpec[] => [lrSpec(1e-3), betasSpec([0.9, 0.999]), epsSpec(1e-8),
  weightDecaySpec(wd), flagSpec('amsgrad', false)];

/** Adam (with L2 weight decay folded into the gradient) and, with `decoupled`, AdamW. */
export class Adam extends Optimizer<AdamGroupOptions> {
  protected readonly kind: OptimizerKind = 'adam';
  protected readonly slots = ['exp_avg', 'exp_avg_sq', 'max_exp_avg_sq'];
  protected readonly decoupled: boolean = false;
  constructor(params: ParamsArg<AdamGroupOptions>, opts: AdamOptions = {}, name = 'Adam', weightDecay = 0) {
    super(name, params, opts as unknown as Record<string, unknown>, adamSpecs(weightDecay));
  }
  stateKeys(o: AdamGroupOptions): string[] {
    return o.amsgrad ? ['exp_avg', 'exp_avg_sq', 'max_exp_avg_sq'] : ['exp_avg', 'exp_avg_sq'];
  }
  protected row(o: AdamGroupOptions, t: number): Row {
    const [b1, b2] = o.betas;
    const bc1 = 1 - b1 ** t;
    const bc2 = 1 - b2 ** t;
    return {
      p1: b1, p2: b2, f1: bit(o.amsgrad), f2: bit(this.decoupled),
      d0: o.lr / bc1, d1: 1 / Math.sqrt(bc2), d2: 1 - o.lr * o.weightDecay, d3: 1 - b1, d4: 1 - b2,
    };
  }
}

/** AdamW: Adam with decoupled weight decay, θ ← θ(1 − γλ) before the Adam step. */
export class AdamW extends Adam {
  protected override readonly decoupled: boolean = true;
  constructor(params: ParamsArg<AdamGroupOptions>, opts: AdamOptions = {}) {
    super(params, opts, 'AdamW', 1e-2);
  }
}
