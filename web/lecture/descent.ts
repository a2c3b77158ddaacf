/**
 * A point θ = (w₁, w₂) on a surface, as one Parameter of shape [2], with the programs the pages
 * run on it: an optimizer step (the loss, its gradient by grad(), the library's optimizer as the
 * program's hook) and, on request, a HessianAnalyzer (grad of grad) over the same parameter.
 */
import { slope } from './common.js';

const { Graph, Parameter, grad, mul, sum } = slope;
type Tensor = slope.Tensor;
export type LossFn = (w1: Tensor, w2: Tensor) => Tensor;

let uid = 0;

/** w₁ and w₂ of θ as scalars: Σ θ ⊙ (1, 0) and Σ θ ⊙ (0, 1). */
export function coords(theta: Tensor): [Tensor, Tensor] {
  const g = theta.graph;
  return [sum(mul(theta, g.constant([1, 0]))), sum(mul(theta, g.constant([0, 1])))];
}

export interface StepResult {
  /** The loss at θ before the update. */
  loss: number;
  /** θ after the update. */
  w: [number, number];
}

export class Descent {
  private constructor(
    readonly engine: slope.Engine, readonly theta: slope.Parameter, readonly optimizer: slope.Optimizer, private prog: slope.Program,
    private initial: slope.OptimizerStateDict,
  ) {}

  /** `make` builds the optimizer over θ (e.g. p => new SGD([p], { lr })). */
  static async create(engine: slope.Engine, loss: LossFn, make: (p: slope.Parameter) => slope.Optimizer, theta?: slope.Parameter): Promise<Descent> {
    const P = theta ?? new Parameter(`θ${uid++}`, [2], new Float32Array(2));
    const g = new Graph();
    const t = g.param(P);
    const l = loss(...coords(t));
    const [gt] = grad(l, [t]);
    const opt = make(P);
    const prog = await engine.compile(g, { outputs: { loss: l }, loss: l, gradients: [[P, gt]], hooks: [opt] });
    return new Descent(engine, P, opt, prog, await opt.stateDict());
  }

  /** Start again from w: θ = w, the optimizer's state and step count as they were before its first step. */
  async reset(w: readonly number[]): Promise<void> {
    this.moveTo(w);
    await this.optimizer.loadStateDict(this.initial);
  }

  /** The optimizer's state tensors for θ (e.g. { sum: [s₁, s₂] } for Adagrad). */
  async state(): Promise<Record<string, ArrayLike<number>>> {
    const sd = await this.optimizer.stateDict();
    return sd.state[this.theta.name] ?? {};
  }

  /** Put θ at w (the optimizer's state stays as it is: see reset()). */
  moveTo(w: readonly number[]): void {
    this.engine.write(this.theta, Float32Array.from(w));
  }

  async position(): Promise<[number, number]> {
    const a = await this.engine.read(this.theta);
    return [a[0], a[1]];
  }

  /** One update: returns the loss where it started and θ after it. */
  async step(): Promise<StepResult> {
    await this.prog.run();
    const loss = await this.prog.item('loss');
    return { loss, w: await this.position() };
  }

  /** The loss at θ, without an update. */
  async loss(): Promise<number> {
    await this.prog.runGraphOnly();
    return this.prog.item('loss');
  }

  /** A Hessian analyzer of the same loss over the same θ. */
  analyzer(loss: LossFn): Promise<slope.HessianAnalyzer> {
    return slope.HessianAnalyzer.create(this.engine, [this.theta], (g) => loss(...coords(g.param(this.theta))));
  }

  dispose(): void {
    this.prog.dispose();
  }
}
