/**
 * The fused optimizer kernels (shaders/optim.wgsl) against the float64 cpu backend, one case per
 * configuration: every optimizer with non-zero weight decay, and each variant flag on. 20 steps
 * of random gradients on parameters of awkward sizes (arena padding between them), two parameter
 * groups (the second with its own lr and no weight decay), one parameter whose gradients are
 * about the size of eps. Parameters and every state tensor are compared after every step, t = 1
 * included (each parameter on its own; each state tensor over the arena, see compareWithRef).
 *
 * The reference is the same program and optimizer on a cpu engine, whose fused updates are the
 * float64 update rules of src/ref/optim.ts; test/optim/reference.test.ts checks the cpu backend
 * against an independent host replay of those rules with the same configurations.
 */
import { Adagrad, Adam, AdamW, init, Parameter, RMSprop, SGD, type Optimizer, type ParamsArg } from '../../src/index.js';
import { TOL } from '../tolerances.js';
import { compareWithRef, harness, makeParams, randomGrads, readExact, type RefState } from '../util/optim.js';
import { check, kcase } from './common.js';
import type { KernelCase } from './types.js';

const F = 'optim';

export type Kind = 'SGD' | 'Adagrad' | 'RMSprop' | 'Adam' | 'AdamW';
export type Opts = Record<string, number | boolean | readonly [number, number]>;

export interface OptimConfig {
  name: string;
  kind: Kind;
  opts: Opts;
  /** Gradient scale of the "tiny" parameter: about the optimizer's eps. */
  tiny: number;
}

/** Every optimizer, with non-zero weight decay, and each variant flag on. */
export const CONFIGS: OptimConfig[] = [
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

/** Parameter shapes of a run: awkward sizes, so the arena pads between them. */
export const SHAPES = [[7], [3, 5], [1], [130], [9]];
/** The parameter whose gradients are about the optimizer's eps. */
export const TINY = 4;
/** Parameters of the second group (half the lr, no weight decay). */
export const GROUP1 = new Set([2, 3]);
export const STEPS = 20;

export function makeOptimizer(kind: Kind, params: ParamsArg<never> | Parameter[], opts: Opts): Optimizer {
  const C = { SGD, Adagrad, RMSprop, Adam, AdamW }[kind];
  return new (C as unknown as new (p: unknown, o: unknown) => Optimizer)(params, opts);
}

/** The options of the second group: half the lr and no weight decay. */
export function group1Options(c: OptimConfig): Opts {
  return { ...c.opts, lr: (c.opts.lr as number ?? 0.01) / 2, weightDecay: 0 };
}

/** The optimizer of a run: `params` in two groups (GROUP1 with group1Options). */
export function groupedOptimizer(c: OptimConfig, params: Parameter[]): Optimizer {
  const g1 = group1Options(c);
  return makeOptimizer(c.kind, [
    { params: params.filter((_, i) => !GROUP1.has(i)) },
    { params: params.filter((_, i) => GROUP1.has(i)), lr: g1.lr, weightDecay: 0 },
  ] as never, c.opts);
}

export const cases: KernelCase[] = CONFIGS.map((c, ci) =>
  kcase(F, `${c.name}: ${STEPS} steps match the float64 reference`, async (e, rng) => {
    const cpu = await init({ backend: 'cpu' });
    try {
      const params = makeParams(`opt${ci}`, SHAPES, rng);
      const refParams = params.map((p) => new Parameter(p.name, p.shape, Float32Array.from(p.data)));
      const opt = groupedOptimizer(c, params), refOpt = groupedOptimizer(c, refParams);
      const h = await harness(e, params, [opt]);
      const hr = await harness(cpu, refParams, [refOpt]);
      try {
        for (let s = 1; s <= STEPS; s++) {
          const grads = randomGrads(params, rng, TINY, c.tiny);
          await h.run(grads);
          await hr.run(grads);
          const sd = await refOpt.stateDict();
          check(sd.step === s, `${c.name} step ${s}: the reference optimizer is at step ${sd.step}`);
          const want: RefState = {
            t: s,
            p: await Promise.all(refParams.map((p) => readExact(cpu, p))),
            state: refParams.map((p) => sd.state[p.name] ?? {}),
          };
          await compareWithRef(e, opt, params, want, TOL.optim, `${c.name} step ${s}`, TINY);
        }
      } finally {
        h.prog.dispose();
      }
    } finally {
      cpu.dispose();
    }
  }));
