/**
 * Weight parametrizations of a Linear layer, as torch.nn.utils.parametrizations:
 *   weightNorm(linear):   W = g · v / ‖v‖ (norm over every dimension but `dim`)
 *   spectralNorm(linear): W = W₀ / σ, σ = uᵀ W₀ v, with one power-iteration step per training
 *                         forward (u ← normalize(W₀ v), v ← normalize(W₀ᵀ u), no gradient) and
 *                         u, v persisted as buffers (updated through graph.assign).
 * Each returns a new module that replaces the Linear; its weight is computed in the graph from
 * the new parameters with IR ops, so gradients (and second derivatives) flow as usual.
 */
import { ArgumentError } from '../errors.js';
import { Parameter, Variable, type Graph, type Tensor } from '../graph/tensor.js';
import { div, maximum, mul, sqrt, square } from '../graph/ops/elementwise.js';
import { reshape, sum } from '../graph/ops/reduce.js';
import { linear, matmul } from '../graph/ops/matmul.js';
import { detach } from '../graph/ops/elementwise.js';
import { defaultGenerator, type Generator } from './init.js';
import type { Linear } from './layers.js';
import { Module } from './module.js';

/** A Linear whose weight is computed each forward. */
export abstract class ParametrizedLinear extends Module {
  readonly bias: Parameter | null;
  readonly inFeatures: number;
  readonly outFeatures: number;
  protected readonly base: string;
  constructor(inner: Linear) {
    super();
    this.inFeatures = inner.inFeatures;
    this.outFeatures = inner.outFeatures;
    this.base = inner.weight.name.replace(/\.weight$/, '');
    this.bias = inner.bias ? this.registerParameter('bias', inner.bias) : null;
  }
  /** The effective weight (out, in) in graph g. */
  abstract weight(g: Graph): Tensor;
  forward(x: Tensor): Tensor {
    if (x.shape[x.rank - 1] !== this.inFeatures) {
      throw new ArgumentError(`${this.constructor.name}(${this.inFeatures}, ${this.outFeatures}): input ${x} has ` +
        `${x.shape[x.rank - 1]} features`);
    }
    const g = x.graph;
    return linear(x, this.weight(g), this.bias ? g.param(this.bias) : null);
  }
}

function l2(v: Float32Array, rows: number, cols: number, dim: 0 | 1 | null): Float32Array {
  const n = dim === 0 ? rows : dim === 1 ? cols : 1;
  const out = new Float64Array(n);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols;
    j++) out[dim === 0 ? i : dim === 1 ? j : 0] += v[i * cols + j] ** 2;
  return Float32Array.from(out, Math.sqrt);
}

/** W = g · v / ‖v‖; g (original0) starts at ‖W‖ and v (original1) at W, so W is unchanged. */
export class WeightNormLinear extends ParametrizedLinear {
  readonly g: Parameter;
  readonly v: Parameter;
  constructor(inner: Linear, readonly dim: 0 | 1 | null = 0) {
    super(inner);
    if (dim !== 0 && dim !== 1 && dim !== null)
      throw new ArgumentError(`weightNorm: dim must be 0, 1 or null for a Linear weight, got ${dim}`);
    const [O, I] = inner.weight.shape;
    const gShape = dim === 0 ? [O, 1] : dim === 1 ? [1, I] : [];
    const w = inner.weight.data;
    this.g = this.registerParameter('parametrizations.weight.original0',
      new Parameter(`${this.base}.parametrizations.weight.original0`, gShape, l2(w, O, I, dim)));
    this.v = this.registerParameter('parametrizations.weight.original1',
      new Parameter(`${this.base}.parametrizations.weight.original1`, [O, I], Float32Array.from(w)));
  }
  weight(gr: Graph): Tensor {
    const v = gr.param(this.v);
    const sq = square(v);
    const norm = this.dim === null ? reshape(sum(sq), [1, 1]) : sum(sq, this.dim === 0 ? 1 : 0, true);
    return mul(v, div(reshape(gr.param(this.g), norm.shape), sqrt(norm)));
  }
}

export interface SpectralNormOptions {
  /** Power-iteration steps per training forward (default 1). */
  nPowerIterations?: number;
  /** Floor of the norm when normalizing u and v (default 1e-12). */
  eps?: number;
  /** Generator for the random start of u and v (default: the one seeded by manualSeed). */
  generator?: Generator;
}

/** W = W₀ / σ with σ from the persisted power-iteration vectors u (out) and v (in). */
export class SpectralNormLinear extends ParametrizedLinear {
  readonly original: Parameter;
  readonly u: Variable;
  readonly v: Variable;
  readonly nPowerIterations: number;
  readonly eps: number;
  constructor(inner: Linear, opts: SpectralNormOptions = {}) {
    super(inner);
    this.nPowerIterations = opts.nPowerIterations ?? 1;
    this.eps = opts.eps ?? 1e-12;
    if (!Number.isSafeInteger(this.nPowerIterations) || this.nPowerIterations < 1) {
      throw new ArgumentError(`spectralNorm: nPowerIterations must be a positive integer, got ` +
        `${this.nPowerIterations}`);
    }
    if (!(this.eps > 0)) throw new ArgumentError(`spectralNorm: eps must be positive, got ${this.eps}`);
    const [O, I] = inner.weight.shape;
    this.original = this.registerParameter('parametrizations.weight.original',
      new Parameter(`${this.base}.parametrizations.weight.original`, [O, I], Float32Array.from(inner.weight.data)));
    const [u, v] = initPowerVectors(inner.weight.data, O, I, this.eps, opts.generator ?? defaultGenerator);
    this.u = this.registerBuffer('parametrizations.weight._u',
      new Variable(`${this.base}.parametrizations.weight._u`, [O], 'f32', u));
    this.v = this.registerBuffer('parametrizations.weight._v',
      new Variable(`${this.base}.parametrizations.weight._v`, [I], 'f32', v));
  }
  weight(g: Graph): Tensor {
    const W = g.param(this.original);
    let u = g.variable(this.u), v = g.variable(this.v);
    if (this.training) {
      if (g.assigns.some((a) => a.variable === this.u))
        throw new ArgumentError(`spectralNorm '${this.base}' is applied twice in one training graph`);
      for (let k = 0; k < this.nPowerIterations; k++) {
        u = normalize(matvec(W, v, false), this.eps);
        v = normalize(matvec(W, u, true), this.eps);
      }
      u = detach(u);
      v = detach(v);
      g.assign(this.u, u);
      g.assign(this.v, v);
    }
    const sigma = sum(mul(u, matvec(W, v, false)));
    return div(W, sigma);
  }
}

function matvec(W: Tensor, x: Tensor, transpose: boolean): Tensor {
  const y = matmul(W, reshape(x, [x.shape[0], 1]), { transA: transpose });
  return reshape(y, [y.shape[0]]);
}

function normalize(x: Tensor, eps: number): Tensor {
  return div(x, maximum(sqrt(sum(square(x))), x.graph.fill([], eps)));
}

/** PyTorch's start: u, v normalized Gaussian vectors, then 15 power iterations (float64). */
function initPowerVectors(w: Float32Array, O: number, I: number, eps: number, gen: Generator): [Float32Array,
  Float32Array] {
  const norm = (a: Float64Array) => {
    const n = Math.max(Math.sqrt(a.reduce((s, x) => s + x * x, 0)), eps);
    return a.map((x) => x / n);
  };
  let u = norm(Float64Array.from({ length: O }, () => gen.normal()));
  let v = norm(Float64Array.from({ length: I }, () => gen.normal()));
  for (let k = 0; k < 15; k++) {
    const Wv = new Float64Array(O);
    for (let i = 0; i < O; i++) for (let j = 0; j < I; j++) Wv[i] += w[i * I + j] * v[j];
    u = norm(Wv);
    const Wtu = new Float64Array(I);
    for (let i = 0; i < O; i++) for (let j = 0; j < I; j++) Wtu[j] += w[i * I + j] * u[i];
    v = norm(Wtu);
  }
  return [Float32Array.from(u), Float32Array.from(v)];
}

/** torch.nn.utils.parametrizations.weight_norm for a Linear (dim 0: one g per output row). */
export function weightNorm(layer: Linear, opts: { dim?: 0 | 1 | null } = {}): WeightNormLinear {
  return new WeightNormLinear(layer, opts.dim === undefined ? 0 : opts.dim);
}

/** torch.nn.utils.parametrizations.spectral_norm for a Linear. */
export function spectralNorm(layer: Linear, opts: SpectralNormOptions = {}): SpectralNormLinear {
  return new SpectralNormLinear(layer, opts);
}
