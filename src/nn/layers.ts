/** Linear, activation modules, Flatten, Unflatten and Sequential. */
import { ArgumentError } from '../errors.js';
import { Parameter, type Tensor } from '../graph/tensor.js';
import { linear } from '../graph/ops/matmul.js';
import { geluKind, unary, unaryAttrs, type UnaryKind, type UnaryParams } from '../graph/ops/elementwise.js';
import { reshape } from '../graph/ops/reduce.js';
import { defaultGenerator, linearInit, type Generator } from './init.js';
import { Module } from './module.js';

export interface LinearOptions {
  bias?: boolean;
  /** Generator for the initial values (default: the one seeded by manualSeed). */
  generator?: Generator;
  /** Name prefix for the parameters (default 'linear<n>'). */
  name?: string;
}

let linearCount = 0;

/** y = x·Wᵀ + b with W (out, in), PyTorch's initialisation. */
export class Linear extends Module {
  readonly weight: Parameter;
  readonly bias: Parameter | null;
  constructor(readonly inFeatures: number, readonly outFeatures: number, opts: LinearOptions = {}) {
    super();
    for (const [k, v] of [['inFeatures', inFeatures], ['outFeatures', outFeatures]] as const) {
      if (!Number.isSafeInteger(v) || v < 1)
        throw new ArgumentError(`Linear: ${k} must be a positive integer, got ${v}`);
    }
    const gen = opts.generator ?? defaultGenerator;
    const name = opts.name ?? `linear${linearCount++}`;
    this.weight = this.registerParameter('weight',
      new Parameter(`${name}.weight`, [outFeatures, inFeatures],
        linearInit(inFeatures, outFeatures * inFeatures, gen)));
    this.bias = opts.bias === false ? null : this.registerParameter('bias',
      new Parameter(`${name}.bias`, [outFeatures], linearInit(inFeatures, outFeatures, gen)));
  }
  forward(x: Tensor): Tensor {
    if (x.shape[x.rank - 1] !== this.inFeatures) {
      throw new ArgumentError(`Linear(${this.inFeatures}, ${this.outFeatures}): input ${x} has ` +
        `${x.shape[x.rank - 1]} features, expected ${this.inFeatures}`);
    }
    const g = x.graph;
    return linear(x, g.param(this.weight), this.bias ? g.param(this.bias) : null);
  }
}

/** An elementwise activation as a module (a function of the activation table with its parameters). */
export class Activation extends Module {
  constructor(readonly kind: UnaryKind, readonly params: UnaryParams = {}) {
    super();
    unaryAttrs(kind, params); // checks the kind and the parameters now, not when the graph is built
  }
  forward(x: Tensor): Tensor {
    return unary(this.kind, x, this.params);
  }
}

export class ReLU extends Activation { constructor() { super('relu'); } }
export class Tanh extends Activation { constructor() { super('tanh'); } }
export class Sigmoid extends Activation { constructor() { super('sigmoid'); } }
/** torch.nn.GELU: x·Φ(x) by default; { approximate: 'tanh' } for the tanh approximation. */
export class GELU extends Activation {
  readonly approximate: 'none' | 'tanh';
  constructor(opts: { approximate?: 'none' | 'tanh' } = {}) {
    super(geluKind(opts.approximate));
    this.approximate = opts.approximate ?? 'none';
  }
}
export class LeakyReLU extends Activation {
  constructor(readonly negativeSlope = 0.01) { super('leaky_relu', { alpha: negativeSlope }); }
}
/** torch.nn.Softplus: (1/β)·log(1 + exp(β·x)), and x itself where β·x > threshold. */
export class Softplus extends Activation {
  constructor(readonly beta = 1, readonly threshold = 20) { super('softplus', { beta, threshold }); }
}

/** (N, ...) → (N, prod(...)). */
export class Flatten extends Module {
  forward(x: Tensor): Tensor {
    return reshape(x, [x.shape[0], x.size / Math.max(1, x.shape[0])]);
  }
}

/** torch.nn.Unflatten(dim, sizes): dimension `dim` (≥ 1) of the input becomes `sizes`. */
export class Unflatten extends Module {
  constructor(readonly dim: number, readonly sizes: readonly number[]) {
    super();
    if (!Number.isInteger(dim) || dim < 1) throw new ArgumentError(`Unflatten: dim must be an integer ≥ 1, got ${dim}`);
    if (!sizes.length || !sizes.every((d) => Number.isSafeInteger(d) && d > 0))
      throw new ArgumentError(`Unflatten: sizes must be positive integers, got ${JSON.stringify(sizes)}`);
  }
  forward(x: Tensor): Tensor {
    const n = this.sizes.reduce((a, d) => a * d, 1);
    if (this.dim >= x.rank || x.shape[this.dim] !== n) {
      throw new ArgumentError(`Unflatten(${this.dim}, [${this.sizes.join(', ')}]): input ${x} has no dimension ` +
        `${this.dim} of ${n}`);
    }
    return reshape(x, [...x.shape.slice(0, this.dim), ...this.sizes, ...x.shape.slice(this.dim + 1)]);
  }
}

/** Modules applied in order; parameters are named '0.weight', '1.bias', … as in PyTorch. */
export class Sequential extends Module {
  readonly layers: Module[];
  constructor(...layers: Module[]) {
    super();
    this.layers = layers;
    layers.forEach((m, i) => this.registerModule(String(i), m));
  }
  forward(x: Tensor): Tensor {
    let h = x;
    for (const m of this.layers) h = m.forward(h);
    return h;
  }
}
