/**
 * The IR: a graph of nodes with static shapes. Every node has one output tensor; a `Tensor` is
 * that node. Leaves are inputs (fed each run), parameters (trainable, persistent), variables
 * (persistent, not trainable: running statistics, metric accumulators) and constants.
 * What an op is (its attributes and shape rule) is declared in src/ops; its backward rule in
 * graph/vjp; how a backend runs it in kernels/ and the cpu backend.
 */
import { ArgumentError, ShapeError, fmtShape } from '../errors.js';
import { OPS, sizeOf, type AnyOp, type DType, type OpSchema, type Shape } from '../ops/index.js';

export { sizeOf, type DType, type Shape };

/** A node whose attributes are of type A (the node of an op declared with A). */
export type Node<A extends object> = Tensor & { readonly attrs: A };

export function checkShape(shape: Shape, what: string): number[] {
  if (!Array.isArray(shape)) throw new ShapeError(`${what}: shape must be an array of integers, got ${String(shape)}`);
  for (const d of shape) {
    if (!Number.isSafeInteger(d) || d < 0) {
      throw new ShapeError(`${what}: shape ${fmtShape(shape)} has a dimension that is not a non-negative integer ` +
        `(${d})`);
    }
  }
  if (sizeOf(shape) > Number.MAX_SAFE_INTEGER / 8)
    throw new ShapeError(`${what}: shape ${fmtShape(shape)} is too large`);
  return [...shape];
}

/** 'f32' or 'i32', or an ArgumentError naming what was given. */
export function checkDType(dtype: unknown, what: string): DType {
  if (dtype !== 'f32' && dtype !== 'i32')
    throw new ArgumentError(`${what}: dtype must be 'f32' or 'i32', got ${JSON.stringify(dtype)}`);
  return dtype;
}

let nextTensorId = 1;

/** A node of the graph and the tensor it produces. */
export class Tensor {
  readonly id = nextTensorId++;
  readonly size: number;
  constructor(
    readonly graph: Graph,
    readonly op: AnyOp,
    readonly inputs: readonly Tensor[],
    readonly shape: readonly number[],
    readonly dtype: DType,
    readonly attrs: object = {},
    /** The persistent object behind a param/variable leaf, or the input's name. */
    readonly ref: Parameter | Variable | string | null = null,
  ) {
    this.size = sizeOf(shape);
  }
  get rank(): number {
    return this.shape.length;
  }
  /** A readable description for messages: `matmul#12 [64,10]`. */
  toString(): string {
    const name = typeof this.ref === 'string' ? `'${this.ref}'` : this.ref ? `'${this.ref.name}'` : `#${this.id}`;
    return `${this.op.name}${name} ${fmtShape(this.shape)}`;
  }
}

export type InitFn = (shape: readonly number[]) => Float32Array;

/** A trainable tensor that lives on the device across steps (PyTorch's nn.Parameter). */
export class Parameter {
  readonly shape: number[];
  readonly size: number;
  /** Host copy of the initial values; the engine owns the live values once compiled. */
  data: Float32Array;
  constructor(readonly name: string, shape: Shape, init: Float32Array | InitFn | number = 0) {
    this.shape = checkShape(shape, `Parameter '${name}'`);
    this.size = sizeOf(this.shape);
    if (typeof init === 'function') this.data = init(this.shape);
    else if (typeof init === 'number') this.data = new Float32Array(this.size).fill(init);
    else this.data = init;
    if (this.data.length !== this.size) {
      throw new ArgumentError(`Parameter '${name}': initial data has ${this.data.length} values, shape ` +
        `${fmtShape(this.shape)} needs ${this.size}`);
    }
  }
}

/** A persistent, non-trainable tensor (running statistics, metric accumulators). */
export class Variable {
  readonly shape: number[];
  readonly size: number;
  data: Float32Array | Int32Array;
  constructor(readonly name: string, shape: Shape, readonly dtype: DType = 'f32',
    init: number | Float32Array | Int32Array = 0) {
    checkDType(dtype, `Variable '${name}'`);
    this.shape = checkShape(shape, `Variable '${name}'`);
    this.size = sizeOf(this.shape);
    if (typeof init === 'number') this.data = dtype === 'f32'
      ? new Float32Array(this.size).fill(init) : new Int32Array(this.size).fill(init);
    else this.data = init;
    if (this.data.length !== this.size)
      throw new ArgumentError(`Variable '${name}': initial data has ${this.data.length} values, needs ${this.size}`);
  }
}

/** An assignment performed at the end of a step: `variable ← value`. */
export interface Assign {
  variable: Variable;
  value: Tensor;
}

/** Where graph nodes are created. A graph may be compiled many times. */
export class Graph {
  readonly nodes: Tensor[] = [];
  readonly assigns: Assign[] = [];
  private inputsByName = new Map<string, Tensor>();
  private leaves = new Map<Parameter | Variable, Tensor>();
  /** Label-range constraints recorded by ops on i32 inputs: name → number of classes. */
  readonly labelRanges = new Map<string, number>();

  /** Create a node (used by op builders). Shape inference runs here: errors surface at build time. */
  node<A extends object>(op: OpSchema<string, A, 'kernel' | 'planner'>, inputs: readonly Tensor[], attrs: A): Tensor {
    inputs.forEach((t, i) => {
      if (!(t instanceof Tensor))
        throw new ArgumentError(`${op.name}: input ${i} is ${t === null || t === undefined ? t : `a ${typeof t}`}, ` +
          `not a Tensor`);
      if (t.graph !== this) throw new ArgumentError(`${op.name}: input ${t} belongs to another graph`);
    });
    const [{ shape, dtype }] = op.infer!(inputs, attrs);
    const t = new Tensor(this, op as AnyOp, inputs, shape, dtype, attrs);
    this.nodes.push(t);
    return t;
  }

  /** A tensor fed at each run under `name`. */
  input(name: string, shape: Shape, dtype: DType = 'f32'): Tensor {
    if (typeof name !== 'string' || !name) throw new ArgumentError('input: name must be a non-empty string');
    checkDType(dtype, `input '${name}'`);
    if (this.inputsByName.has(name)) throw new ArgumentError(`input '${name}' is already defined in this graph`);
    const t = new Tensor(this, OPS.input, [], checkShape(shape, `input '${name}'`), dtype, {}, name);
    this.nodes.push(t);
    this.inputsByName.set(name, t);
    return t;
  }

  /** The graph's tensor for a parameter (one node per parameter). */
  param(p: Parameter): Tensor {
    let t = this.leaves.get(p);
    if (!t) {
      t = new Tensor(this, OPS.param, [], p.shape, 'f32', {}, p);
      this.nodes.push(t);
      this.leaves.set(p, t);
    }
    return t;
  }

  /** The graph's tensor for a variable; reads see the value from before this step's assigns. */
  variable(v: Variable): Tensor {
    let t = this.leaves.get(v);
    if (!t) {
      t = new Tensor(this, OPS.variable, [], v.shape, v.dtype, {}, v);
      this.nodes.push(t);
      this.leaves.set(v, t);
    }
    return t;
  }

  /** A constant filled with `value` (computed once at compile). */
  fill(shape: Shape, value: number, dtype: DType = 'f32'): Tensor {
    if (!Number.isFinite(value)) throw new ArgumentError(`fill: value must be finite, got ${value}`);
    return this.node(OPS.fill, [], { shape: checkShape(shape, 'fill'), value, dtype });
  }

  /** A constant holding `data` (uploaded once at compile). */
  constant(data: Float32Array | Int32Array | number[], shape?: Shape): Tensor {
    const arr = Array.isArray(data) ? Float32Array.from(data) : data;
    const sh = checkShape(shape ?? [arr.length], 'constant');
    if (sizeOf(sh) !== arr.length)
      throw new ShapeError(`constant: ${arr.length} values do not fill shape ${fmtShape(sh)}`);
    const t = new Tensor(this, OPS.const, [], sh, arr instanceof Int32Array ? 'i32' : 'f32', {}, null);
    (t as { data?: Float32Array | Int32Array }).data = arr;
    this.nodes.push(t);
    return t;
  }

  /** At the end of each step, store `value` into `variable` (after every read of it). */
  assign(variable: Variable, value: Tensor): void {
    if (value.graph !== this) throw new ArgumentError(`assign '${variable.name}': value belongs to another graph`);
    if (value.shape.join() !== variable.shape.join() || value.dtype !== variable.dtype) {
      throw new ShapeError(`assign '${variable.name}': value ${value} does not match variable ` +
        `${fmtShape(variable.shape)} ${variable.dtype}`);
    }
    this.variable(variable);
    this.assigns.push({ variable, value });
  }

  getInput(name: string): Tensor | undefined {
    return this.inputsByName.get(name);
  }
  get inputs(): Tensor[] {
    return [...this.inputsByName.values()];
  }
}

export function constData(t: Tensor): Float32Array | Int32Array | undefined {
  return (t as { data?: Float32Array | Int32Array }).data;
}

/** A tensor argument of a builder, or an ArgumentError naming the builder and the argument. */
export function tensorArg(op: string, name: string, v: unknown): Tensor {
  if (v instanceof Tensor) return v;
  const what = v === null
    || v === undefined ? String(v) : typeof v === 'object'
      ? `a ${(v as object).constructor?.name ?? 'object'}` : `a ${typeof v}`;
  throw new ArgumentError(`${op}: ${name} is ${what}, not a Tensor`);
}

/** A node of `op` on its inputs' graph: each input checked to be a Tensor of one graph. */
export function build<A extends object>(op: OpSchema<string, A, 'kernel' | 'planner'>, inputs: readonly unknown[],
  attrs: A): Tensor {
  const ts = inputs.map((t, i) => tensorArg(op.name, `input ${i}`, t));
  if (!ts.length) throw new Error(`internal: ${op.name} has no inputs to take a graph from`);
  return ts[0].graph.node(op, ts, attrs);
}

/** The node is one of the graph's leaves (input, parameter, variable, constant). */
export const isLeaf = (t: Tensor): boolean => t.op.kind === 'leaf';

/** The node is of op `op`: its attributes then have that op's type. */
export function isNode<A extends object>(t: Tensor, op: OpSchema<string, A>): t is Node<A> {
  return t.op === op;
}
