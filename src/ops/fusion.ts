/**
 * Fusion rules, declared beside the families they fuse and applied by one generic planner pass
 * (src/graph/plan/fuse.ts) that names no op. A rule sees the graph's nodes in a runnable order
 * and says which of them one op computes together; an assign rule turns end-of-step assigns
 * into an op that updates variables in place.
 */
import type { OpSchema } from './schema.js';

/** A graph node as the rules see it (the graph's Tensor is one). */
export interface OpNode {
  readonly id: number;
  readonly op: OpSchema<string, any>;
  readonly inputs: readonly OpNode[];
  readonly attrs: object;
  readonly shape: readonly number[];
  readonly dtype: 'f32' | 'i32';
  readonly size: number;
  readonly rank: number;
  /** The variable behind a variable leaf (compared by identity). */
  readonly ref: unknown;
}

/** The node is of op `op`: its attributes then have that op's type. */
export function isOp<T extends OpNode,
  A extends object>(t: T, op: OpSchema<string, A>): t is T & { readonly attrs: A } {
  return t.op === op;
}

export interface FuseContext<T extends OpNode> {
  /** Read by exactly one node and not a requested result: folding it away loses nothing. */
  single(t: T): boolean;
  /** The last node in the order that reads t. */
  consumerOf(t: T): T | undefined;
  /** Already computed as part of an earlier fusion. */
  absorbed(t: T): boolean;
  /** t is `target` or computed from it. */
  dependsOn(t: T, target: T): boolean;
}

/** One op computing several nodes. */
export interface Fusion<T extends OpNode> {
  /** The node whose place in the order the op takes. */
  at: T;
  op: OpSchema<string, any>;
  inputs: T[];
  attrs: object;
  /** The nodes whose values the op writes, in the op's output order. */
  outputs: T[];
  /** Every node no longer computed on its own (outputs included). */
  absorbs: T[];
}

export interface FusionRule {
  readonly name: string;
  find<T extends OpNode>(order: readonly T[], ctx: FuseContext<T>): Fusion<T>[];
}

/** An end-of-step assignment `variable ← value`, as assign rules see it. */
export interface AssignLike<T extends OpNode, V> {
  readonly variable: V;
  readonly value: T;
}

/** An op run with the assigns that updates variables in place, in place of the assigns it folds. */
export interface InPlaceUpdate<T extends OpNode, V> {
  op: OpSchema<string, any>;
  /** The one tensor of the step it reads (besides the variables themselves). */
  reads: T;
  variables: V[];
  attrs: object;
  assigns: AssignLike<T, V>[];
}

export interface VariableLike {
  readonly dtype: 'f32' | 'i32';
  readonly size: number;
}

export interface AssignRule {
  readonly name: string;
  find<T extends OpNode,
    V extends VariableLike>(assigns: readonly AssignLike<T, V>[], taken: ReadonlySet<AssignLike<T,
      V>>): InPlaceUpdate<T, V>[];
}

/** The node reads variable v directly (it is v's leaf). */
export const readsVariable = (t: OpNode,
  v: unknown): boolean => t.op.kind === 'leaf' && t.op.name === 'variable' && t.ref === v;
