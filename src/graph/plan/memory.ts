/**
 * The memory pass: where every tensor a step computes lives, decided without a backend.
 * Parameter gradients are written straight into the gradient arena where that is safe;
 * requested results (roots) get storage of their own; every other intermediate takes a slot
 * from a pool, reused once its last reader has run (liveness), best fit by size.
 */
import type { Tensor } from '../tensor.js';
import { outsOf, type Exec } from './fuse.js';
import { baseOf } from './order.js';

export interface MemoryPlan<P> {
  /** Length in elements of each slot of the pool. */
  slots: number[];
  /** Tensor id → slot index. */
  slotOf: Map<number, number>;
  /** Tensor id → the parameter whose gradient storage it is written into. */
  pinned: Map<number, P>;
}

/**
 * Which tensor may be written directly into each parameter's gradient storage: the gradient's
 * base (through views), when the planner computes it with a kernel, it has the gradient's size,
 * and nothing else reads it (otherwise ops writing other gradients would read from the
 * gradient buffer they write). The first pair wins.
 */
export function gradientHomes<P>(pairs: readonly (readonly [P, Tensor])[], consumers: ReadonlyMap<number,
  number>): Map<number, P> {
  const gradOf = new Map<number, P>();
  for (const [p, t] of pairs) {
    const b = baseOf(t);
    const sole = b === t || (consumers.get(b.id) ?? 0) <= 1;
    if (!gradOf.has(b.id) && b.op.kind !== 'leaf' && b.op.kind !== 'planner' && b.size === t.size
      && sole) gradOf.set(b.id, p);
  }
  return gradOf;
}

/**
 * Assign storage to the outputs of `execs` (in run order). `persistent`: ids that keep storage
 * of their own (never pooled); `gradOf`: gradient homes (see gradientHomes). An exec that
 * reads a pinned gradient does not write its own output into the gradient arena.
 */
export function planMemory<P>(execs: readonly Exec[], persistent: ReadonlySet<number>, gradOf: ReadonlyMap<number,
  P>): MemoryPlan<P> {
  // Last use of each base storage, counting uses through views.
  const lastUse = new Map<number, number>();
  execs.forEach((e, k) => { for (const i of e.inputs) lastUse.set(baseOf(i).id, k); });
  interface Slot { id: number; length: number }
  const slots: Slot[] = [];
  const free: Slot[] = [];
  const slotOf = new Map<number, number>();
  const pinned = new Map<number, P>();
  const releaseAt = new Map<number, Slot[]>();
  execs.forEach((e, k) => {
    const unused: Slot[] = [];
    const readsGrad = e.inputs.some((i) => pinned.has(baseOf(i).id));
    for (const out of outsOf(e)) {
      const p = gradOf.get(out.id);
      if (p !== undefined && !readsGrad) {
        pinned.set(out.id, p);
        continue;
      }
      if (persistent.has(out.id)) continue;
      const need = Math.max(1, out.size);
      let best = -1;
      for (let j = 0; j < free.length; j++) {
        if (best < 0 || Math.abs(free[j].length - need) < Math.abs(free[best].length - need)) best = j;
      }
      const slot = best >= 0 ? free.splice(best, 1)[0] : { id: slots.length, length: 0 };
      if (best < 0) slots.push(slot);
      slot.length = Math.max(slot.length, need);
      slotOf.set(out.id, slot.id);
      const last = lastUse.get(out.id);
      if (last === undefined) unused.push(slot); // an unused result: free once this op's outputs are placed
      else (releaseAt.get(last) ?? releaseAt.set(last, []).get(last)!).push(slot);
    }
    free.push(...unused);
    for (const s of releaseAt.get(k) ?? []) free.push(s);
  });
  return { slots: slots.map((s) => s.length), slotOf, pinned };
}
