/**
 * Models, optimizers and schedules from short text specs, as the command line and the web page
 * take them: 'mlp:512,256', 'cnn:32,64', 'adam', 'warmup-cosine:500'. Every spec is parsed into numbers and
 * names from closed lists; anything else is an ArgumentError that lists what is accepted.
 */
import { ArgumentError, LimitError } from '../errors.js';
import { parseDecimal } from '../data/csv.js';
import type { Parameter } from '../graph/tensor.js';
import { Flatten, Linear, ReLU, Sequential, Tanh, GELU, Sigmoid, Unflatten } from '../nn/layers.js';
import { BatchNorm1d, BatchNorm2d, GroupNorm, LayerNorm } from '../nn/norm.js';
import { AdaptiveAvgPool2d, Conv2d, Dropout, MaxPool2d } from '../nn/conv.js';
import { Generator } from '../nn/init.js';
import type { Module } from '../nn/module.js';
import { Adagrad, Adam, AdamW, RMSprop, SGD, type Optimizer } from '../optim/index.js';
import {
  constant, cosineAnnealingLR, exponentialLR, inverseSqrt, inverseTimeLR, multiStepLR, stepLR, warmupCosine,
    warmupLinear, ReduceLROnPlateau,
} from '../optim/schedule.js';

export const NORMS = ['none', 'batch', 'layer', 'group'] as const;
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
  /** 'mlp' (the default) or 'cnn'. */
  kind?: 'mlp' | 'cnn';
  /** Hidden Linear widths ([] is a linear model); a cnn's after its conv blocks ('/W1,…'). */
  hidden: number[];
  /** A cnn's conv block widths. */
  conv?: number[];
  /** A cnn ends with global average pooling instead of a flatten. */
  gap?: boolean;
  norm: NormKind;
  /** Groups of GroupNorm (norm 'group'). */
  groups?: number;
  activation: ActivationKind;
  /** Dropout probability before each Linear (0: none). */
  dropout?: number;
}

export const MODEL_USAGE = "model must be 'mlp:W1,W2,…' (hidden widths, e.g. mlp:512,256), 'linear', or " +
  "'cnn:C1,C2,…[,gap][/H1,…]' (conv widths, then hidden widths, e.g. cnn:32,64 or cnn:32,64,gap/128)";

/**
 * 'mlp:512,256' → hidden [512, 256]; 'linear' → no hidden layer; 'cnn:32,64,gap/128' → conv
 * blocks of 32 and 64 channels, global average pooling, a hidden Linear of 128. Norms: none,
 * batch, layer; and for a cnn group[:G] (GroupNorm with G groups, default 8).
 */
export function parseModel(spec: string, norm = 'none', activation = 'relu', dropout = 0): ModelSpec {
  if (!(typeof dropout === 'number' && dropout >= 0 && dropout < 1))
    throw new ArgumentError(`dropout must be a probability in [0, 1), got ${dropout}`);
  const act = oneOf('activation', activation, ACTIVATIONS);
  const [normName, groupArg] = norm.split(':', 2);
  const n = oneOf('norm', normName, NORMS);
  const c = /^cnn:([^/]*?)(,gap)?(?:\/(.*))?$/.exec(spec);
  if (c) {
    if (groupArg !== undefined && n !== 'group')
      throw new ArgumentError(`norm '${norm}': only group takes a number (group:G)`);
    const groups = n === 'group' ? (groupArg === undefined ? 8 : positiveInts('norm group:G', groupArg)[0]) : undefined;
    if (groupArg !== undefined && groupArg.includes(','))
      throw new ArgumentError(`norm '${norm}': group:G takes one number`);
    return {
      kind: 'cnn', conv: positiveInts('model cnn',
        c[1]), gap: !!c[2], hidden: c[3] === undefined ? [] : positiveInts('model cnn hidden', c[3]),
      norm: n, ...(groups ? { groups } : {}), activation: act, dropout,
    };
  }
  const m = /^(mlp|linear)(?::(.*))?$/.exec(spec);
  if (!m || (m[1] === 'linear' && m[2] !== undefined) || (m[1] === 'mlp' && !m[2]))
    throw new ArgumentError(`${MODEL_USAGE}; got '${spec}'`);
  if (n === 'group' || groupArg !== undefined) {
    throw new ArgumentError(`norm '${norm}' is for cnn: models (GroupNorm over channels); ` +
      'an mlp takes none, batch or layer');
  }
  return { hidden: m[2] ? positiveInts('model', m[2]) : [], norm: n, activation: act, ...(dropout ? { dropout } : {}) };
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
 * An mlp: Flatten, then per hidden width: [Dropout →] Linear → [BatchNorm1d | LayerNorm] →
 * activation; then [Dropout →] a Linear to the classes (dropout before each Linear but the first).
 * A cnn (samples [C, H, W], or [H, W] as one channel, unflattened first): per conv width a 3×3
 * 'same' Conv2d → [BatchNorm2d | GroupNorm(G) | GroupNorm(1)] → activation → 2×2 MaxPool2d; then
 * global average pooling or a flatten; then the hidden Linears and the classifier, each after a
 * Dropout when given. PyTorch's default initializations, drawn from a generator seeded by `seed`.
 * `input` is the sample shape (or, for an mlp, the feature count). A layer whose weight would
 * take more than `maxTensorBytes` (give the device's binding limit) is a LimitError before
 * anything is allocated.
 */
export function buildModel(spec: ModelSpec, input: number | readonly number[], numClasses: number, seed = 0,
  maxTensorBytes = MAX_TENSOR_BYTES): Sequential {
  const shape = typeof input === 'number' ? [input] : [...input];
  const inFeatures = shape.reduce((a, d) => a * d, 1);
  const gen = new Generator((seed ^ 0x9e3779b9) >>> 0);
  const act = (): Module => {
    switch (spec.activation) {
      case 'relu': return new ReLU();
      case 'tanh': return new Tanh();
      case 'gelu': return new GELU();
      case 'gelu-tanh': return new GELU({ approximate: 'tanh' });
      case 'sigmoid': return new Sigmoid();
    }
  };
  const layers: Module[] = [];
  let width = inFeatures;
  if (spec.kind === 'cnn') width = convBlocks(spec, shape, layers, act, gen);
  else layers.push(new Flatten());
  checkSizes(spec, width, numClasses, maxTensorBytes);
  let linears = 0;
  const dropout = () => {
    if (spec.dropout && (spec.kind === 'cnn' || linears > 0)) layers.push(new Dropout(spec.dropout));
    linears++;
  };
  spec.hidden.forEach((h) => {
    dropout();
    layers.push(new Linear(width, h, { generator: gen }));
    if (spec.kind !== 'cnn' && spec.norm === 'batch') layers.push(new BatchNorm1d(h));
    if (spec.kind !== 'cnn' && spec.norm === 'layer') layers.push(new LayerNorm(h));
    layers.push(act());
    width = h;
  });
  dropout();
  layers.push(new Linear(width, numClasses, { generator: gen }));
  return new Sequential(...layers);
}

/** A cnn's conv blocks appended to `layers`; returns the features they hand to the Linears. */
function convBlocks(spec: ModelSpec, shape: number[], layers: Module[], act: () => Module, gen: Generator): number {
  if (shape.length !== 2 && shape.length !== 3) {
    throw new ArgumentError('model cnn: samples must be images, [H, W] or [C, H, W]; ' +
      `this dataset's are [${shape.join(', ')}]`);
  }
  let [C, H, W] = shape.length === 2 ? [1, shape[0], shape[1]] : shape;
  if (shape.length === 2) layers.push(new Unflatten(1, [1, H]));
  for (const w of spec.conv ?? []) {
    if (H < 2 || W < 2) {
      throw new ArgumentError(`model cnn: ${(spec.conv ?? []).length} conv blocks halve the ` +
        `${shape.slice(-2).join('×')} images below 1×1; use fewer`);
    }
    layers.push(new Conv2d(C, w, 3, { padding: 'same', generator: gen }));
    if (spec.norm === 'batch') layers.push(new BatchNorm2d(w));
    if (spec.norm === 'group' || spec.norm === 'layer') {
      const G = spec.norm === 'layer' ? 1 : spec.groups ?? 8;
      if (w % G) {
        throw new ArgumentError(`norm group:${G}: ${w} channels of conv width ${w} are not divisible into ` +
          `${G} groups`);
      }
      layers.push(new GroupNorm(G, w));
    }
    layers.push(act(), new MaxPool2d(2));
    [C, H, W] = [w, H >> 1, W >> 1];
  }
  if (spec.gap) layers.push(new AdaptiveAvgPool2d(1));
  layers.push(new Flatten());
  return spec.gap ? C : C * H * W;
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
