/**
 * Critical points, as in the lecture: at a point where the gradient vanishes, the Hessian H
 * tells a local minimum (all eigenvalues > 0) from a local maximum (all < 0) and a saddle point
 * (both signs); at a saddle, moving along an eigenvector u with λ < 0 lowers the loss by about
 * ½λ‖u‖²·α², which is how to escape it.
 *
 * Hessian-vector products come from differentiating the graph twice:
 * Hv = ∇_θ (∇_θ L · v), one program that also yields L and ∇L. Eigenvalues come from Lanczos
 * iterations on that product (largest/smallest few) or from the full Hessian built column by
 * column for small models.
 */
import { ArgumentError } from '../errors.js';
import type { Engine } from '../engine.js';
import { grad } from '../graph/autodiff.js';
import type { Feed, Program } from '../graph/program.js';
import { Graph, type Parameter, type Tensor } from '../graph/tensor.js';
import { add, mul } from '../graph/ops/elementwise.js';
import { sum } from '../graph/ops/reduce.js';
import { axpy, dot, norm, symmetricEigen, symmetricEigenvalues } from './linalg.js';

export type LossBuilder = (g: Graph) => Tensor;

export type CriticalPointKind = 'local minimum' | 'local maximum' | 'saddle point' | 'degenerate' | 'not critical';

export interface Classification {
  kind: CriticalPointKind;
  gradientNorm: number;
  minEigenvalue: number;
  maxEigenvalue: number;
  /** Eigenvector of the smallest eigenvalue (flat, in parameter order). */
  minEigenvector: Float64Array;
}

export interface ClassifyOptions {
  /** Gradient norm under which the point counts as critical (default 1e-3). */
  gradTol?: number;
  /** |λ| under which an eigenvalue counts as zero (default 1e-6 · max|λ|, at least 1e-8). */
  eigTol?: number;
  /** Use the full Hessian when the parameter count is at most this (default 400), else Lanczos. */
  fullUpTo?: number;
  /** Lanczos iterations (default min(n, 60)). */
  iterations?: number;
}

const vName = (i: number) => `__hvp_v${i}`;

/** Loss, gradient and Hessian-vector products of a loss over a set of parameters. */
export class HessianAnalyzer {
  readonly size: number;
  private constructor(
    private engine: Engine,
    readonly params: readonly Parameter[],
    private prog: Program,
    private feeds: Record<string, Feed>,
  ) {
    this.size = params.reduce((a, p) => a + p.size, 0);
  }

  /**
   * `build(g)` must create the loss (a scalar) in g from g.param(p) for the parameters and from
   * inputs fed by `feeds` (fixed data: the Hessian is of the loss on that data).
   */
  static async create(
    engine: Engine, params: readonly Parameter[], build: LossBuilder, feeds: Record<string, Feed> = {},
  ): Promise<HessianAnalyzer> {
    if (!params.length) throw new ArgumentError('HessianAnalyzer: params must list at least one Parameter');
    const g = new Graph();
    const loss = build(g);
    if (!loss || loss.size !== 1) {
      throw new ArgumentError(`HessianAnalyzer: the builder must return a scalar loss, got ${loss}`);
    }
    const theta = params.map((p) => g.param(p));
    const grads = grad(loss, theta);
    const vs = params.map((p, i) => g.input(vName(i), p.shape));
    let gv: Tensor | null = null;
    grads.forEach((gi, i) => {
      const term = sum(mul(gi, vs[i]));
      gv = gv ? add(gv, term) : term;
    });
    const hv = grad(gv!, theta);
    const outputs: Record<string, Tensor> = { loss };
    grads.forEach((t, i) => { outputs[`g${i}`] = t; });
    hv.forEach((t, i) => { outputs[`hv${i}`] = t; });
    const prog = await engine.compile(g, { outputs });
    return new HessianAnalyzer(engine, params, prog, feeds);
  }

  private split(v: ArrayLike<number>): Record<string, Float64Array> {
    if (v.length !== this.size) {
      throw new ArgumentError(`vector has ${v.length} entries; the parameters have ${this.size}`);
    }
    const out: Record<string, Float64Array> = {};
    let o = 0;
    this.params.forEach((p, i) => {
      out[vName(i)] = Float64Array.from({ length: p.size }, (_, k) => v[o + k]); // f64 keeps the cpu backend exact
      o += p.size;
    });
    return out;
  }

  private async gather(prefix: 'g' | 'hv'): Promise<Float64Array> {
    const out = new Float64Array(this.size);
    let o = 0;
    for (let i = 0; i < this.params.length; i++) {
      const a = await this.prog.read(`${prefix}${i}`);
      out.set(a, o);
      o += a.length;
    }
    return out;
  }

  /** Loss, flat gradient and H·v at the current parameters. */
  async evaluate(v?: ArrayLike<number>): Promise<{ loss: number; gradient: Float64Array; hv: Float64Array }> {
    await this.prog.run({ ...this.feeds, ...this.split(v ?? new Float64Array(this.size)) });
    return { loss: await this.prog.item('loss'), gradient: await this.gather('g'), hv: await this.gather('hv') };
  }

  /** H·v. */
  async hvp(v: ArrayLike<number>): Promise<Float64Array> {
    return (await this.evaluate(v)).hv;
  }

  async loss(): Promise<number> {
    return (await this.evaluate()).loss;
  }

  async gradientNorm(): Promise<number> {
    return norm((await this.evaluate()).gradient);
  }

  /** The full Hessian (n HVPs; symmetrised), for small models. */
  async fullHessian(): Promise<Float64Array> {
    const n = this.size;
    if (n > 4096) {
      throw new ArgumentError(
        `fullHessian: ${n} parameters is too many for a dense Hessian; use eigenvalues() (Lanczos)`);
    }
    const H = new Float64Array(n * n);
    const e = new Float64Array(n);
    for (let j = 0; j < n; j++) {
      e.fill(0);
      e[j] = 1;
      const col = await this.hvp(e);
      for (let i = 0; i < n; i++) H[i * n + j] = col[i];
    }
    for (let i = 0; i < n; i++) {
      for (let j = i + 1; j < n; j++) {
        const m = 0.5 * (H[i * n + j] + H[j * n + i]);
        H[i * n + j] = m;
        H[j * n + i] = m;
      }
    }
    return H;
  }

  /**
   * Extreme eigenvalues by Lanczos with full reorthogonalisation: returns Ritz values
   * ascending and their vectors. `iterations` bounds the Krylov dimension.
   */
  async lanczos(iterations = 40, seed = 1): Promise<{ values: Float64Array; vectors: Float64Array[] }> {
    const n = this.size;
    const m = Math.min(n, Math.max(1, iterations));
    const Q: Float64Array[] = [];
    let s = seed >>> 0 || 1;
    const rand = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296) - 0.5;
    let q: Float64Array = Float64Array.from({ length: n }, rand);
    q = scaleTo(q, 1 / norm(q));
    const alpha: number[] = [];
    const beta: number[] = [];
    for (let k = 0; k < m; k++) {
      Q.push(q);
      const w = await this.hvp(q);
      const a = dot(w, q);
      alpha.push(a);
      for (const qi of Q) axpy(w, -dot(w, qi), qi); // full reorthogonalisation (twice is enough)
      for (const qi of Q) axpy(w, -dot(w, qi), qi);
      const b = norm(w);
      if (k === m - 1 || b < 1e-10) break;
      beta.push(b);
      q = scaleTo(w, 1 / b);
    }
    const k = alpha.length;
    const T = new Float64Array(k * k);
    for (let i = 0; i < k; i++) {
      T[i * k + i] = alpha[i];
      if (i + 1 < k) {
        T[i * k + i + 1] = beta[i];
        T[(i + 1) * k + i] = beta[i];
      }
    }
    const { values, vectors: small } = symmetricEigen(T, k);
    const vectors = small.map((y) => {
      const v = new Float64Array(n);
      for (let i = 0; i < k; i++) axpy(v, y[i], Q[i]);
      return scaleTo(v, 1 / (norm(v) || 1));
    });
    return { values, vectors };
  }

  /**
   * Every eigenvalue of the Hessian, ascending: the full Hessian (n products) reduced by
   * Householder tridiagonalization and QL — O(n³), seconds for a few thousand parameters, where
   * the Jacobi solver of eigen() takes minutes at a thousand.
   */
  async spectrum(): Promise<Float64Array> {
    return symmetricEigenvalues(await this.fullHessian(), this.size);
  }

  /** All eigenvalues (full Hessian) for n ≤ fullUpTo, else the Lanczos Ritz values. */
  async eigen(opts: ClassifyOptions = {}): Promise<{ values: Float64Array; vectors: Float64Array[] }> {
    if (this.size <= (opts.fullUpTo ?? 400)) return symmetricEigen(await this.fullHessian(), this.size);
    return this.lanczos(opts.iterations ?? Math.min(this.size, 60));
  }

  /** Is the current point a local minimum, a local maximum, a saddle point, or not critical? */
  async classify(opts: ClassifyOptions = {}): Promise<Classification> {
    const gradientNorm = await this.gradientNorm();
    const { values, vectors } = await this.eigen(opts);
    const lo = values[0], hi = values[values.length - 1];
    const scale = Math.max(Math.abs(lo), Math.abs(hi));
    const tol = opts.eigTol ?? Math.max(1e-8, 1e-6 * scale);
    let kind: CriticalPointKind;
    if (gradientNorm > (opts.gradTol ?? 1e-3)) kind = 'not critical';
    else if (lo < -tol && hi > tol) kind = 'saddle point';
    else if (lo > tol) kind = 'local minimum';
    else if (hi < -tol) kind = 'local maximum';
    else kind = 'degenerate';
    return { kind, gradientNorm, minEigenvalue: lo, maxEigenvalue: hi, minEigenvector: vectors[0] };
  }

  /** Current parameters as one flat vector. */
  async flatParams(): Promise<Float64Array> {
    const out = new Float64Array(this.size);
    let o = 0;
    for (const p of this.params) {
      out.set(await this.engine.backend.read(this.engine.store.view(p)), o); // full precision on the cpu backend
      o += p.size;
    }
    return out;
  }

  /** Overwrite the parameters from a flat vector. */
  setFlatParams(v: ArrayLike<number>): void {
    let o = 0;
    for (const p of this.params) {
      this.engine.write(p, Float64Array.from({ length: p.size }, (_, k) => v[o + k]));
      o += p.size;
    }
  }

  /**
   * Escape a saddle point: step along the eigenvector of the most negative eigenvalue, in the
   * direction (±) that lowers the loss. Returns the loss before and after and the step taken;
   * throws if the smallest eigenvalue is not negative (a minimum cannot be escaped this way).
   */
  async escapeSaddle(
    stepSize = 0.1, opts: ClassifyOptions = {},
  ): Promise<{ before: number; after: number; eigenvalue: number; direction: Float64Array }> {
    const { values, vectors } = await this.eigen(opts);
    const lam = values[0];
    if (!(lam < 0)) {
      throw new ArgumentError(
        `escapeSaddle: the smallest Hessian eigenvalue is ${lam}; there is no direction of negative curvature`);
    }
    const u = vectors[0];
    const theta = await this.flatParams();
    const before = await this.loss();
    let best = { loss: Infinity, dir: u };
    for (const sgn of [1, -1]) {
      const t = Float64Array.from(theta);
      axpy(t, sgn * stepSize, u);
      this.setFlatParams(t);
      const l = await this.loss();
      if (l < best.loss) best = { loss: l, dir: scaleTo(Float64Array.from(u), sgn) };
    }
    const t = Float64Array.from(theta);
    axpy(t, stepSize, best.dir);
    this.setFlatParams(t);
    return { before, after: best.loss, eigenvalue: lam, direction: best.dir };
  }
}

function scaleTo<T extends Float64Array>(v: T, s: number): T {
  for (let i = 0; i < v.length; i++) v[i] *= s;
  return v;
}
