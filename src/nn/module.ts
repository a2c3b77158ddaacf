/**
 * Modules, as in PyTorch: a layer owns Parameters (trainable) and Variables (buffers such as
 * running statistics), has sub-modules, and a training flag switched by train()/eval().
 * Graphs are static, so `forward(x)` builds nodes in x's graph; build one graph for training
 * and another for evaluation (batch norm differs between the two).
 */
import { ArgumentError } from '../errors.js';
import { Parameter, Variable, type Tensor } from '../graph/tensor.js';

export abstract class Module {
  /** Training mode (true after construction, as in PyTorch). */
  training = true;
  private _children: [string, Module][] = [];
  private _params: [string, Parameter][] = [];
  private _buffers: [string, Variable][] = [];
  /** The module's name in its parent (set by the parent); used to name parameters. */
  prefix = '';

  /** Build this module's computation in x's graph. */
  abstract forward(x: Tensor): Tensor;

  /** Same as forward (PyTorch's module(x)). */
  call(x: Tensor): Tensor {
    return this.forward(x);
  }

  protected registerParameter(name: string, p: Parameter): Parameter {
    this._params.push([name, p]);
    return p;
  }

  protected registerBuffer(name: string, v: Variable): Variable {
    this._buffers.push([name, v]);
    return v;
  }

  protected registerModule<M extends Module>(name: string, m: M): M {
    if (!(m instanceof Module)) throw new ArgumentError(`registerModule('${name}'): not a Module`);
    this._children.push([name, m]);
    return m;
  }

  /** Sub-modules with their names. */
  namedChildren(): [string, Module][] {
    return [...this._children];
  }

  /** All parameters with dotted names (e.g. '0.weight'), depth first, as PyTorch orders them. */
  namedParameters(prefix = ''): [string, Parameter][] {
    const out: [string, Parameter][] = this._params.map(([n, p]) => [prefix + n, p]);
    for (const [n, c] of this._children) out.push(...c.namedParameters(`${prefix}${n}.`));
    return out;
  }

  parameters(): Parameter[] {
    return this.namedParameters().map(([, p]) => p);
  }

  /** All buffers (running statistics and the like) with dotted names. */
  namedBuffers(prefix = ''): [string, Variable][] {
    const out: [string, Variable][] = this._buffers.map(([n, b]) => [prefix + n, b]);
    for (const [n, c] of this._children) out.push(...c.namedBuffers(`${prefix}${n}.`));
    return out;
  }

  buffers(): Variable[] {
    return this.namedBuffers().map(([, b]) => b);
  }

  /** Set training mode on this module and every sub-module. */
  train(mode = true): this {
    this.training = mode;
    for (const [, c] of this._children) c.train(mode);
    return this;
  }

  /** Evaluation mode (PyTorch's eval()). */
  eval(): this {
    return this.train(false);
  }
}
