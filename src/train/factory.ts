/**
 * Models, optimizers and schedules from short text specs, as the command line and the web page
 * take them: 'mlp:512,256', 'adam', 'warmup-cosine:500'. Every spec is parsed into numbers and
 * names from closed lists; anything else is an ArgumentError that lists what is accepted.
 */
import { ArgumentError, LimitError } from '../errors.js';
import { parseDecimal } from '../data/csv.js';
import type { Parameter } from '../graph/tensor.js';
import { Flatten, Linear, ReLU, Sequential, Tanh, GELU, Sigmoid } from '../nn/layers.js';
import { BatchNorm1d, LayerNorm } from '../nn/norm.js';
import { Generator } from '../nn/init.js';
import type { Module } from '../nn/module.js';
import { Adagrad, Adam, AdamW, RMSprop, SGD, type Optimizer } from '../optim/index.js';
import {
  constant, cosineAnnealingLR, exponentialLR, inverseSqrt, inverseTimeLR, multiStepLR, stepLR, warmupCosine,
    warmupLinear, ReduceLROnPlateau,
} from '../optim/schedule.js';

export const NORMS = ['none', 'batch', 'layer'] as const;
/** Hidden activations of a model spec; 'gelu' is PyTorch's nn.GELU(), 'gelu-tanh' nn.GELU(approximate='tanh'). */
export const ACTIVATIONS = ['relu', 'tanh', 'gelu', 'gelu-tanh', 'sigmoid'] as const;
export const OPTIMIZERS = ['sgd', 'momentum', 'adagrad', 'rmsprop', 'adam', 'adamw'] as const;
export type NormKind = (typeof NORMS)[number];
export type ActivationKind = (typeof ACTIVATIONS)[number];
export type OptimizerName = (typeof OPTIMIZERS)[number];

export function oneOf<T extends string>(what: string, v: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(v))
    throw new ArgumentError(`${what} must be one of ${allowed.join(', ')}; got '${v}'`);
  return v as T;
}

function positiveInts(what: string, s: string): number[] {
  const parts = s.split(',').map((p) => p.trim());
  const v = parts.map(Number);
  if (!parts.every((p) => /^\d+$/.test(p)) || v.some((n) => !Number.isSafeInteger(n) || n < 1))
    throw new ArgumentError(`${what}: expected positive integers separated by commas, got '${s}'`);
  return v;
}

export interface ModelSpec {
  /** Hidden layer widths; [] is a linear (softmax regression) model. */
  hidden: number[];
  norm: NormKind;
  activation: ActivationKind;
}

/** 'mlp:512,256' → hidden [512, 256]; 'linear' → no hidden layer. */
export function parseModel(spec: string, norm = 'none', activation = 'relu'): ModelSpec {
  const m = /^(mlp|linear)(?::(.*))?$/.exec(spec);
  if (!m || (m[1] === 'linear' && m[2] !== undefined) || (m[1] === 'mlp' && !m[2])) {
    throw new ArgumentError(`model must be 'mlp:W1,W2,…' (hidden widths, e.g. mlp:512,256) or 'linear'; got '${spec}'`);
  }
  return { hidden: m[2] ? positiveInts('model', m[2]) : [], norm: oneOf('norm', norm, NORMS),
    activation: oneOf('activation', activation, ACTIVATIONS) };
}

/** Bytes one weight tensor may take when buildModel is given no limit (2 GiB). */
export const MAX_TENSOR_BYTES = 2 ** 31;

const count = (n: number) => n.toLocaleString('en-US');

/** Every layer's weight must fit in `maxTensorBytes` (checked before anything is allocated). */
function checkSizes(spec: ModelSpec, inFeatures: number, numClasses: number, maxTensorBytes: number): void {
  for (const [what, v] of [['input features', inFeatures], ['classes', numClasses]] as const) {
    if (!Number.isSafeInteger(v) || v < 1)
      throw new ArgumentError(`buildModel: ${what} must be a positive integer, got ${v}`);
  }
  const widths = [inFeatures, ...spec.hidden, numClasses];
  for (let i = 0; i + 1 < widths.length; i++) {
    const n = widths[i] * widths[i + 1];
    if (n * 4 > maxTensorBytes) {
      throw new LimitError(`model: layer ${i + 1} (Linear ${count(widths[i])} → ${count(widths[i + 1])}) would hold ` +
        `${count(n)} weights (${count(n * 4)} bytes), ` +
        `above the ${count(maxTensorBytes)} bytes one tensor may take here; make it narrower`);
    }
  }
}

/**
 * Flatten, then per hidden width: Linear → [BatchNorm1d | LayerNorm] → activation; then a Linear
 * to the classes. PyTorch's default initializations, drawn from a generator seeded by `seed`.
 * A layer whose weight would take more than `maxTensorBytes` (give the device's binding limit)
 * is a LimitError before anything is allocated.
 */
export function buildModel(spec: ModelSpec, inFeatures: number, numClasses: number, seed = 0,
  maxTensorBytes = MAX_TENSOR_BYTES): Sequential {
  checkSizes(spec, inFeatures, numClasses, maxTensorBytes);
  const gen = new Generator((seed ^ 0x9e3779b9) >>> 0);
  const layers: Module[] = [new Flatten()];
  let width = inFeatures;
  const act = () => {
    switch (spec.activation) {
      case 'relu': return new ReLU();
      case 'tanh': return new Tanh();
      case 'gelu': return new GELU();
      case 'gelu-tanh': return new GELU({ approximate: 'tanh' });
      case 'sigmoid': return new Sigmoid();
    }
  };
  spec.hidden.forEach((h) => {
    layers.push(new Linear(width, h, { generator: gen }));
    if (spec.norm === 'batch') layers.push(new BatchNorm1d(h));
    if (spec.norm === 'layer') layers.push(new LayerNorm(h));
    layers.push(act());
    width = h;
  });
  layers.push(new Linear(width, numClasses, { generator: gen }));
  return new Sequential(...layers);
}

export interface OptimizerSpec {
  name: OptimizerName;
  lr?: number;
  momentum?: number;
  weightDecay?: number;
  clipGradNorm?: number;
}

/** Default learning rates: PyTorch's where it has one, 0.1 for plain SGD, 0.01 for SGD with momentum. */
export const DEFAULT_LR: Record<OptimizerName,
  number> = { sgd: 0.1, momentum: 0.01, adagrad: 0.01, rmsprop: 0.01, adam: 1e-3, adamw: 1e-3 };

/** An optimizer over `params`; 'momentum' is SGD with momentum 0.9 unless given. */
export function makeOptimizer(o: OptimizerSpec, params: Parameter[]): Optimizer<object> {
  const lr = o.lr ?? DEFAULT_LR[o.name];
  const common = { lr, ...(o.weightDecay !== undefined ? { weightDecay: o.weightDecay } : {}),
    ...(o.clipGradNorm !== undefined ? { clipGradNorm: o.clipGradNorm } : {}) };
  switch (o.name) {
    case 'sgd': return new SGD(params, { ...common, momentum: o.momentum ?? 0 });
    case 'momentum': return new SGD(params, { ...common, momentum: o.momentum ?? 0.9 });
    case 'adagrad': return new Adagrad(params, common);
    case 'rmsprop': return new RMSprop(params, { ...common, momentum: o.momentum ?? 0 });
    case 'adam': return new Adam(params, common);
    case 'adamw': return new AdamW(params, common);
  }
}

export interface ScheduleContext {
  lr: number;
  stepsPerEpoch: number;
  totalSteps: number;
}

export type ScheduleChoice = { schedule: ((step: number) => number) | null; plateau: ReduceLROnPlateau | null };

/**
 * Schedule specs (steps count updates; NAME:ARGS):
 *   constant · cosine (to 0 over the run) · warmup-cosine:W · warmup-linear:W · inverse-sqrt:W ·
 *   step:S[,GAMMA] (every S epochs) · multistep:E1/E2/…[,GAMMA] (at these epochs) · exp:GAMMA
 *   (per epoch) · inverse-time:K (lr/(1 + K·epoch)) · plateau[:PATIENCE[,FACTOR]] (on the test loss).
 */
export function makeSchedule(spec: string, c: ScheduleContext, opt: Optimizer<object>): ScheduleChoice {
  const [name, arg = ''] = spec.split(':', 2);
  const args = arg ? arg.split(',') : [];
  const num = (i: number, d?: number) => {
    if (args[i] === undefined || args[i] === '') {
      if (d === undefined) throw new ArgumentError(`schedule '${spec}': argument ${i + 1} is required`);
      return d;
    }
    const v = parseDecimal(args[i]);
    if (!Number.isFinite(v) || v < 0)
      throw new ArgumentError(`schedule '${spec}': '${args[i]}' is not a non-negative number (written in decimal)`);
    return v;
  };
  const E = c.stepsPerEpoch;
  const perEpoch = (f: (epoch: number) => number) => (t: number) => f(Math.floor(t / E));
  const s = (f: (t: number) => number): ScheduleChoice => ({ schedule: f, plateau: null });
  switch (name) {
    case 'constant': return s(constant(c.lr));
    case 'cosine': return s(cosineAnnealingLR(c.lr, Math.max(1, c.totalSteps)));
    case 'warmup-cosine': return s(warmupCosine(c.lr, num(0), Math.max(1, c.totalSteps)));
    case 'warmup-linear': return s(warmupLinear(c.lr, num(0), Math.max(1, c.totalSteps)));
    case 'inverse-sqrt': return s(inverseSqrt(c.lr, Math.max(1, num(0))));
    case 'step': return s(perEpoch(stepLR(c.lr, Math.max(1, num(0)), num(1, 0.1))));
    case 'multistep': return s(perEpoch(multiStepLR(c.lr, (args[0] ?? '').split('/').map(parseDecimal), num(1, 0.1))));
    case 'exp': return s(perEpoch(exponentialLR(c.lr, num(0))));
    case 'inverse-time': return s(perEpoch(inverseTimeLR(c.lr, num(0))));
    case 'plateau': return { schedule: null,
      plateau: new ReduceLROnPlateau(opt, { patience: num(0, 2), factor: num(1, 0.1) }) };
    default:
      throw new ArgumentError(`schedule must be one of constant, cosine, warmup-cosine:W, warmup-linear:W, ` +
        `inverse-sqrt:W, step:S[,G], multistep:E1/E2[,G], exp:G, inverse-time:K, plateau[:P[,F]]; got '${spec}'`);
  }
}
