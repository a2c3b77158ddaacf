/**
 * Reverse-mode autodiff on the IR. `grad(y, xs)` appends the backward graph to y's graph and
 * returns ∂y/∂x for each x as ordinary nodes, so a gradient can be differentiated again
 * (Hessian-vector products: grad(sum(grad(L, θ)·v), θ)).
 */
import { ArgumentError, ShapeError } from '../errors.js';
import { opDef, type Tensor } from './tensor.js';
import { add } from './ops/elementwise.js';
import { sameShape } from './ops/shape.js';

export interface GradOptions {
  /** ∂(seed·y): required when y is not a scalar. Defaults to 1 for a scalar y. */
  seed?: Tensor;
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

  // Nodes on a path from some x to y: only those need gradients.
  const targets = new Set(xs.map((x) => x.id));
  const needs = new Map<number, boolean>();
  const order: Tensor[] = [];
  const visit = (t: Tensor): boolean => {
    const known = needs.get(t.id);
    if (known !== undefined) return known;
    needs.set(t.id, false); // provisional; graphs are acyclic
    let n = targets.has(t.id);
    for (const i of t.inputs) if (visit(i)) n = true;
    needs.set(t.id, n);
    order.push(t);
    return n;
  };
  visit(y);

  const grads = new Map<number, Tensor>();
  grads.set(y.id, seed);
  for (let i = order.length - 1; i >= 0; i--) {
    const t = order[i];
    const gt = grads.get(t.id);
    if (!gt || !t.inputs.length || !needs.get(t.id)) continue;
    const def = opDef(t.op);
    if (!def.vjp) throw new ArgumentError(`grad: op '${t.op}' has no backward rule (${t})`);
    const gin = def.vjp(t, gt);
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
