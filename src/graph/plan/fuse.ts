/**
 * The fuse pass: the ops a step runs. Every kernel node becomes an exec, except where a fusion
 * rule (declared beside its family in src/ops) computes several nodes in one op; then the
 * execs are scheduled so that each runs after the producers of its inputs. Assign rules turn
 * end-of-step assigns into in-place updates. This pass names no op.
 */
import type { AnyOp, AssignRule, FusionRule, InPlaceUpdate } from '../../ops/index.js';
import type { Assign, Tensor, Variable } from '../tensor.js';
import { baseOf, dependsOn } from './order.js';

/** One op of a step: the node it computes (`out`) and, for a fused op, the further nodes it writes. */
export interface Exec {
  out: Tensor;
  op: AnyOp;
  inputs: Tensor[];
  attrs: object;
  extra?: Tensor[];
}

export const outsOf = (e: Exec): Tensor[] => [e.out, ...(e.extra ?? [])];

/**
 * The execs of `order` with `rules` applied in turn (each sees what earlier rules absorbed).
 * `consumers` counts reads per node; `roots` are the requested results, never folded away.
 */
export function fuse(
  order: readonly Tensor[], roots: ReadonlySet<number>, consumers: ReadonlyMap<number, number>,
    rules: readonly FusionRule[],
): { execs: Exec[]; fused: number } {
  const consumerOf = new Map<number, Tensor>();
  for (const t of order) for (const i of t.inputs) consumerOf.set(i.id, t);
  const absorbed = new Set<number>();
  const at = new Map<number, Exec>();
  const ctx = {
    single: (t: Tensor) => (consumers.get(t.id) ?? 0) === 1 && !roots.has(t.id),
    consumerOf: (t: Tensor) => consumerOf.get(t.id),
    absorbed: (t: Tensor) => absorbed.has(t.id),
    dependsOn,
  };
  for (const rule of rules) {
    for (const f of rule.find(order, ctx)) {
      for (const t of f.absorbs) absorbed.add(t.id);
      const [out, ...extra] = f.outputs;
      at.set(f.at.id, { out, op: f.op as AnyOp, inputs: f.inputs, attrs: f.attrs, ...(extra.length ? { extra } : {}) });
    }
  }
  const execs: Exec[] = [];
  for (const t of order) {
    const fusedHere = at.get(t.id);
    if (fusedHere) execs.push(fusedHere);
    else if (!absorbed.has(t.id) && t.op.kind === 'kernel') execs.push({ out: t, op: t.op, inputs: [...t.inputs],
      attrs: t.attrs });
  }
  return { execs, fused: at.size };
}

/** A fused op's inputs must be ready before it runs: each exec after its inputs' producers. */
export function schedule(execs: readonly Exec[]): Exec[] {
  const sorted: Exec[] = [];
  const placed = new Set<number>();
  const producer = new Map<number, Exec>();
  for (const e of execs) for (const o of outsOf(e)) producer.set(o.id, e);
  const place = (root: Exec) => {
    // Iterative depth-first placement: inputs' producers first.
    const stack: [Exec, number][] = [[root, 0]];
    if (placed.has(root.out.id)) return;
    placed.add(root.out.id);
    while (stack.length) {
      const top = stack[stack.length - 1];
      const [e, i] = top;
      if (i < e.inputs.length) {
        top[1]++;
        const pe = producer.get(baseOf(e.inputs[i]).id);
        if (pe && !placed.has(pe.out.id)) {
          placed.add(pe.out.id);
          stack.push([pe, 0]);
        }
      } else {
        stack.pop();
        sorted.push(e);
      }
    }
  };
  for (const e of execs) place(e);
  return sorted;
}

export type Update = InPlaceUpdate<Tensor, Variable>;

/**
 * Assigns folded into in-place updates run after every read of the old values. A variable read
 * directly could already have been updated in place by an earlier update of the assign phase:
 * such an assign stays a computed value and a copy.
 */
export function inPlaceUpdates(assigns: readonly Assign[], rules: readonly AssignRule[]): Update[] {
  const out: Update[] = [];
  const taken = new Set<Assign>();
  for (const rule of rules) {
    for (const u of rule.find<Tensor, Variable>(assigns, taken)) {
      out.push(u);
      for (const a of u.assigns) taken.add(a as Assign);
    }
  }
  return out.filter((u) => !(baseOf(u.reads).op.kind === 'leaf' && baseOf(u.reads).op.name === 'variable'));
}
