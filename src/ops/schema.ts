/**
 * The op schema: what an op is, independent of how it is differentiated or run. Each op is an
 * object with a name, a kind, typed attributes and a shape rule. The graph, the backends and
 * the planner hold the op objects; three exhaustive typed maps (the vector-Jacobian products in
 * graph/, the GPU lowerings in kernels/, the float64 implementations in the cpu backend) are
 * keyed by the op names, so an op missing from one of them fails the type-check.
 *
 * Kinds:
 *   leaf    — inputs, parameters, variables, constants: storage, no computation
 *   planner — handled by the planner itself: reshape (a view), fill (a constant made at compile)
 *   kernel  — graph ops a backend runs; each has a backward rule
 *   fused   — made only by the planner's fusion rules from kernel ops (several outputs, no
 *             backward: graphs are differentiated before they are planned)
 *   step    — run by step hooks (the optimizers' fused updates), never a graph node
 * This layer imports nothing from the project but errors.
 */
import { ShapeError, fmtShape } from '../errors.js';

export type DType = 'f32' | 'i32';
export type Shape = readonly number[];
export type OpKind = 'leaf' | 'planner' | 'kernel' | 'fused' | 'step';

/** What a shape rule sees of an input. */
export interface TensorMeta {
  readonly shape: Shape;
  readonly dtype: DType;
  readonly size: number;
  readonly rank: number;
  /** A readable description for messages, e.g. `matmul#12 [64,10]`. */
  toString(): string;
}

/** One output of an op: its shape and dtype. */
export interface OutMeta {
  shape: number[];
  dtype: DType;
}

export interface OpSchema<N extends string = string, A extends object = object, K extends OpKind = OpKind> {
  readonly name: N;
  readonly kind: K;
  /** The kernel family (the name of its shaders/, ref/, kernels/ and test files). */
  readonly family: string;
  /**
   * Output shapes and dtypes from the inputs and attributes, one per output (graph ops have
   * one). Throws a ShapeError naming the op and the shapes. Step ops write into the storage
   * they are given and have none.
   */
  readonly infer: ((inputs: readonly TensorMeta[], attrs: A) => OutMeta[]) | null;
  /** The output aliases the first input's storage (reshape). */
  readonly view?: boolean;
  /** Phantom: the attribute type, for the typed maps (never set). */
  readonly _attrs?: A;
}

/** Declare an op; the attribute type comes from the shape rule's annotated parameter or `A`. */
export function defineOp<const N extends string, A extends object,
  const K extends OpKind>(def: OpSchema<N, A, K>): OpSchema<N, A, K> {
  return Object.freeze({ ...def });
}

/** An op with no attributes. */
export type NoAttrs = Record<string, never>;

// ---------------------------------------------------------------- shape helpers

export function sizeOf(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** NumPy/PyTorch broadcasting of two shapes (right-aligned); throws naming the op. */
export function broadcastShapes(op: string, a: Shape, b: Shape): number[] {
  const r = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < r; i++) {
    const da = a[a.length - r + i] ?? 1;
    const db = b[b.length - r + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new ShapeError(`${op}: shapes ${fmtShape(a)} and ${fmtShape(b)} cannot be broadcast together (dimension ` +
        `${i}: ${da} vs ${db})`);
    }
    out.push(da === 1 ? db : da);
  }
  return out;
}

export function requireF32(op: string, ...ts: TensorMeta[]): void {
  for (const t of ts) {
    if (t.dtype !== 'f32') throw new ShapeError(`${op}: expected a float32 tensor, got ${t.dtype} for ${t}`);
  }
}

/** Every input has the first one's shape (and is float32); the output has it too. */
export function sameAsFirst(op: string) {
  return (inputs: readonly TensorMeta[]): OutMeta[] => {
    requireF32(op, ...inputs);
    for (const t of inputs) {
      if (!sameShape(t.shape, inputs[0].shape)) throw new ShapeError(`${op}: ${inputs[0]} and ${t} differ in shape`);
    }
    return [{ shape: [...inputs[0].shape], dtype: 'f32' }];
  };
}

/** One output of shape and dtype. */
export const out = (shape: Shape, dtype: DType = 'f32'): OutMeta[] => [{ shape: [...shape], dtype }];

/** Rows × last axis of a shape (softmax and friends). */
export function rowsOf(shape: Shape): { rows: number; C: number } {
  const C = shape[shape.length - 1] ?? 1;
  return { rows: C ? sizeOf(shape) / C : 0, C };
}
