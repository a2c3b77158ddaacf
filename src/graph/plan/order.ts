/** The order pass: what a set of roots needs, each node after its inputs, and who reads what. */
import type { Tensor } from '../tensor.js';

/** The tensors the roots depend on, each after its inputs (iterative depth-first search). */
export function topoOrder(roots: readonly Tensor[]): Tensor[] {
  const order: Tensor[] = [];
  const seen = new Set<number>();
  for (const r of roots) {
    if (seen.has(r.id)) continue;
    const st: [Tensor, number][] = [[r, 0]];
    while (st.length) {
      const top = st[st.length - 1];
      const [t, i] = top;
      if (i === 0 && seen.has(t.id)) { st.pop(); continue; }
      if (i === 0) seen.add(t.id);
      if (i < t.inputs.length) {
        top[1]++;
        const c = t.inputs[i];
        if (!seen.has(c.id)) st.push([c, 0]);
      } else {
        st.pop();
        order.push(t);
      }
    }
  }
  return order;
}

/** How many times each node is read by the nodes of `order` (an input read twice counts twice). */
export function consumerCounts(order: readonly Tensor[]): Map<number, number> {
  const consumers = new Map<number, number>();
  for (const t of order) for (const i of t.inputs) consumers.set(i.id, (consumers.get(i.id) ?? 0) + 1);
  return consumers;
}

/** The tensor whose storage a view chain aliases. */
export function baseOf(t: Tensor): Tensor {
  let b = t;
  while (b.op.view) b = b.inputs[0];
  return b;
}

/** Whether `t` is `target` or computed from it. */
export function dependsOn(t: Tensor, target: Tensor): boolean {
  const seen = new Set<number>();
  const stack = [t];
  while (stack.length) {
    const u = stack.pop()!;
    if (u === target) return true;
    if (seen.has(u.id)) continue;
    seen.add(u.id);
    stack.push(...u.inputs);
  }
  return false;
}
