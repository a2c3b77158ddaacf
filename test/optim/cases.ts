/** Optimizer configurations under test and their float64 reference steps. */
import { slope } from '../util/engine.js';
import * as ref from '../../src/ref/optim.js';

type Parameter = slope.Parameter;
export type Kind = 'SGD' | 'Adagrad' | 'RMSprop' | 'Adam' | 'AdamW';
export type Opts = Record<string, number | boolean | readonly [number, number]>;

export interface Case {
  name: string;
  kind: Kind;
  opts: Opts;
  /** Gradient scale of the "tiny" parameter: about the optimizer's eps. */
  tiny: number;
}

/** Every optimizer, with non-zero weight decay, and each variant flag on. */
export const CASES: Case[] = [
  { name: 'SGD', kind: 'SGD', opts: { lr: 0.1, weightDecay: 0.01 }, tiny: 1e-8 },
  { name: 'SGD momentum+dampening', kind: 'SGD', opts: { lr: 0.05, momentum: 0.9, dampening: 0.1, weightDecay: 0.01 }, tiny: 1e-8 },
  { name: 'SGD nesterov', kind: 'SGD', opts: { lr: 0.05, momentum: 0.9, nesterov: true, weightDecay: 0.02 }, tiny: 1e-8 },
  { name: 'Adagrad', kind: 'Adagrad', opts: { lr: 0.1, lrDecay: 0.01, initialAccumulatorValue: 0.1, weightDecay: 0.01 }, tiny: 1e-10 },
  { name: 'Adagrad eps', kind: 'Adagrad', opts: { lr: 0.1, eps: 1e-10, weightDecay: 0 }, tiny: 1e-10 },
  { name: 'RMSprop', kind: 'RMSprop', opts: { lr: 0.01, alpha: 0.9, weightDecay: 0.01 }, tiny: 1e-8 },
  { name: 'RMSprop momentum+centered', kind: 'RMSprop', opts: { lr: 0.01, momentum: 0.9, centered: true, weightDecay: 0.01 }, tiny: 1e-8 },
  { name: 'Adam', kind: 'Adam', opts: { lr: 0.01, weightDecay: 0.01 }, tiny: 1e-8 },
  { name: 'Adam amsgrad', kind: 'Adam', opts: { lr: 0.01, betas: [0.8, 0.99], weightDecay: 0.01, amsgrad: true }, tiny: 1e-8 },
  { name: 'AdamW', kind: 'AdamW', opts: { lr: 0.01, weightDecay: 0.1 }, tiny: 1e-8 },
  { name: 'AdamW amsgrad', kind: 'AdamW', opts: { lr: 0.01, weightDecay: 0.1, amsgrad: true }, tiny: 1e-8 },
];

/** The full option set of a group, with torch.optim's defaults. */
export function withDefaults(kind: Kind, o: Opts): Opts {
  const d: Record<Kind, Opts> = {
    SGD: { momentum: 0, dampening: 0, weightDecay: 0, nesterov: false },
    Adagrad: { lr: 0.01, lrDecay: 0, weightDecay: 0, initialAccumulatorValue: 0, eps: 1e-10 },
    RMSprop: { lr: 0.01, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0, centered: false },
    Adam: { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false },
    AdamW: { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 1e-2, amsgrad: false },
  };
  return { ...d[kind], ...o };
}

export function makeOptimizer(kind: Kind, params: slope.ParamsArg<never> | Parameter[], opts: Opts): slope.Optimizer {
  const C = { SGD: slope.SGD, Adagrad: slope.Adagrad, RMSprop: slope.RMSprop, Adam: slope.Adam, AdamW: slope.AdamW }[kind];
  return new (C as unknown as new (p: unknown, o: unknown) => slope.Optimizer)(params, opts);
}

export interface RefSpec {
  step: (p: Float64Array, s: Record<string, Float64Array>, g: Float64Array, t: number) => void;
  keys: string[];
  init: number;
}

/** The reference update of one parameter in a group with options `o` (defaults filled in). */
export function refFor(kind: Kind, opts: Opts): RefSpec {
  // The full option set is every reference's options at once (each step reads its own fields).
  const o = withDefaults(kind, opts) as unknown as ref.SgdRef & ref.AdagradRef & ref.RmspropRef & ref.AdamRef & { initialAccumulatorValue: number };
  switch (kind) {
    case 'SGD':
      return { step: (p, s, g, t) => ref.sgdStep(p, s, g, o, t), keys: o.momentum !== 0 ? ['momentum_buffer'] : [], init: 0 };
    case 'Adagrad':
      return { step: (p, s, g, t) => ref.adagradStep(p, s as never, g, o, t), keys: ['sum'], init: o.initialAccumulatorValue };
    case 'RMSprop':
      return {
        step: (p, s, g, t) => ref.rmspropStep(p, s as never, g, o, t),
        keys: ['square_avg', ...((o.momentum as number) > 0 ? ['momentum_buffer'] : []), ...(o.centered ? ['grad_avg'] : [])],
        init: 0,
      };
    default: {
      const f = kind === 'Adam' ? ref.adamStep : ref.adamwStep;
      return { step: (p, s, g, t) => f(p, s as never, g, o, t), keys: ['exp_avg', 'exp_avg_sq', ...(o.amsgrad ? ['max_exp_avg_sq'] : [])], init: 0 };
    }
  }
}
