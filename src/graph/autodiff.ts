/**
 * Reverse-mode autodiff on the IR. `grad(y, xs)` appends the backward graph to y's graph and
 * returns ∂y/∂x for each x as ordinary nodes, so a gradient can be differentiated again
 * (Hessian-vector products: grad(sum(grad(L, θ)·v), θ)). The backward rules are the table in
 * graph/vjp. The traversal is iterative: graphs of any depth.
 */
import { ArgumentError, ShapeError } from '../errors.js';
import type { DiffOpName } from '../ops/index.js';
import type { Node, Tensor } from './tensor.js';
import { add } from './ops/elementwise.js';
import { sameShape } from './ops/shape.js';
import { VJPS, type Vjp } from './vjp/index.js';

export interface GradOptions {
  /** ∂(seed·y): required when y is not a scalar. Defaults to 1 for a scalar y. */
  seed?: Tensor;
}

/**
 * The nodes y depends on, each after its inputs, and for each whether it lies on a path from
 * one of `targets` to y (only those need gradients).
 */
function onPaths(y: Tensor, targets: ReadonlySet<number>): { order: Tensor[]; needs: Map<number, boolean> } {
  const needs = new Map<number, boolean>();
  const order: Tensor[] = [];
  const stack: [Tensor, number][] = [[y, 0]];
  needs.set(y.id, false);
  while (stack.length) {
    const top = stack[stack.length - 1];
    const [t, i] = top;
    if (i < t.inputs.length) {
      top[1]++;
      const c = t.inputs[i];
      if (!needs.has(c.id)) {
        needs.set(c.id, false);
        stack.push([c, 0]);
      }
      continue;
    }
    stack.pop();
    needs.set(t.id, targets.has(t.id) || t.inputs.some((c) => needs.get(c.id)));
    order.push(t);
  }
  return { order, needs };
}

/** Gradients of `y` w.r.t. each of `xs`; an x that y does not depend on gets zeros. */
export function grad(y: Tensor, xs: readonly Tensor[], opts: GradOptions = {}): Tensor[] {
  const g = y.graph;
  for (const x of xs) {
    if (x.graph !== g) throw new ArgumentError(`grad: ${x} belongs to another graph than ${y}`);
    if (x.dtype !== 'f32') throw new ArgumentError(`grad: cannot differentiate w.r.t. int32 tensor ${x}`);
  }
  let seed = opts.seed;
  if (!seed) {
    if (y.size !== 1) throw new ShapeError(`grad: ${y} is not a scalar; pass a seed of the same shape`);
    seed = g.fill(y.shape, 1);
  } else if (!sameShape(seed.shape, y.shape)) {
    throw new ShapeError(`grad: seed ${seed} must have the shape of ${y}`);
  }

  const { order, needs } = onPaths(y, new Set(xs.map((x) => x.id)));
  const grads = new Map<number, Tensor>();
  grads.set(y.id, seed);
  for (let i = order.length - 1; i >= 0; i--) {
    const t = order[i];
    const gt = grads.get(t.id);
    if (!gt || !t.inputs.length || !needs.get(t.id)) continue;
    if (t.op.kind !== 'kernel' && t.op.kind !== 'planner')
      throw new ArgumentError(`grad: op '${t.op.name}' has no backward rule (${t})`);
    const vjp = VJPS[t.op.name as DiffOpName] as Vjp<object>;
    const gin = vjp(t as Node<object>, gt);
    t.inputs.forEach((inp, k) => {
      const gi = gin[k];
      if (!gi || !needs.get(inp.id) || inp.dtype !== 'f32') return;
      if (!sameShape(gi.shape, inp.shape)) {
        throw new Error(`internal: backward of ${t} gave ${gi} for input ${inp}`);
      }
      const prev = grads.get(inp.id);
      grads.set(inp.id, prev ? add(prev, gi) : gi);
    });
  }
  return xs.map((x) => grads.get(x.id) ?? g.fill(x.shape, 0));
}
