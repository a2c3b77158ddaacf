/** Optimizer configurations under test and their float64 reference steps. */
import * as ref from '../../src/ref/optim.js';
import type { Kind, Opts } from '../cases/optim.js';

/** The configurations under test (shared with the GPU case table, test/cases/optim.ts). */
export { CONFIGS as CASES, makeOptimizer, type Kind, type OptimConfig as Case, type Opts } from '../cases/optim.js';

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
