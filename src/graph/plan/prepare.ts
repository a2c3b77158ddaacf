/**
 * The prepare pass: turns a plan into storage and prepared ops on a backend. Leaves get their
 * persistent homes (parameters and variables in the store, inputs and constants their own
 * buffers), pooled tensors their slot, gradients their place in the gradient arena; then every
 * exec is prepared once (pipelines, bind groups), followed by copies for gradients that could
 * not be written in place.
 */
import { OPS } from '../../ops/index.js';
import { view, type Backend, type Prepared, type Storage, type View } from '../../backend/types.js';
import { fmtShape } from '../../errors.js';
import { constData, type Parameter, type Tensor, type Variable } from '../tensor.js';
import type { ParamStore } from '../store.js';
import { outsOf, type Exec, type Update } from './fuse.js';
import type { MemoryPlan } from './memory.js';
import { baseOf } from './order.js';

/** Storage of a compiled program: every tensor's view, and the buffers it owns. */
export class ProgramStorage {
  readonly owned: Storage[] = [];
  readonly inputs = new Map<string, { view: View; tensor: Tensor }>();
  private views = new Map<number, View>();

  constructor(private backend: Backend) {}

  async own(label: string, length: number, dtype: 'f32' | 'i32'): Promise<Storage> {
    const s = await this.backend.alloc(label, Math.max(1, length), dtype);
    this.owned.push(s);
    return s;
  }

  set(t: Tensor, v: View): void {
    this.views.set(t.id, v);
  }

  has(t: Tensor): boolean {
    return this.views.has(t.id);
  }

  /** The storage view of a tensor (views resolve to their base, reshaped). */
  viewOf(t: Tensor): View {
    const v = this.views.get(t.id);
    if (v) return v;
    if (t.op.view) {
      const b = this.viewOf(t.inputs[0]);
      const r = view(b.storage, b.offset, t.shape, t.dtype, `${b.label}→${fmtShape(t.shape)}`);
      this.views.set(t.id, r);
      return r;
    }
    throw new Error(`internal: no storage for ${t}`);
  }

  release(): void {
    for (const s of this.owned) this.backend.release(s);
    this.owned.length = 0;
  }
}

/** Homes of the leaves: parameters and variables from the store; inputs and constants owned. */
export async function placeLeaves(order: readonly Tensor[], store: ParamStore, mem: ProgramStorage,
  backend: Backend): Promise<void> {
  for (const t of order) {
    if (t.op === OPS.param) mem.set(t, store.view(t.ref as Parameter));
    else if (t.op === OPS.variable) mem.set(t, await store.variable(t.ref as Variable));
    else if (t.op === OPS.input) {
      const s = await mem.own(`input '${t.ref}'`, t.size, t.dtype);
      const v = view(s, 0, t.shape, t.dtype, `input '${t.ref}'`);
      mem.set(t, v);
      mem.inputs.set(t.ref as string, { view: v, tensor: t });
    } else if (t.op === OPS.const || t.op === OPS.fill) {
      const s = await mem.own(`constant ${t}`, t.size, t.dtype);
      const v = view(s, 0, t.shape, t.dtype, `constant ${t}`);
      const data = t.op === OPS.const ? constData(t)! : new (t.dtype === 'i32'
        ? Int32Array : Float32Array)(t.size).fill((t.attrs as { value: number }).value);
      if (t.size) backend.write(v, data);
      mem.set(t, v);
    }
  }
}

/** Storage for every exec output: gradient views, pool slots, or buffers of their own. */
export async function placeOutputs<P extends Parameter>(
  execs: readonly Exec[], plan: MemoryPlan<P>, gradViews: ReadonlyMap<P, View>, mem: ProgramStorage,
): Promise<{ slotElements: number }> {
  const outs = execs.flatMap(outsOf);
  for (const out of outs) {
    const p = plan.pinned.get(out.id);
    if (p === undefined) continue;
    const gv = gradViews.get(p)!;
    mem.set(out, view(gv.storage, gv.offset, out.shape, out.dtype, gv.label));
  }
  const slotStorage: Storage[] = [];
  for (let i = 0; i < plan.slots.length;
    i++) slotStorage.push(await mem.own(`workspace slot ${i}`, plan.slots[i], 'f32'));
  for (const out of outs) {
    if (mem.has(out)) continue;
    const slot = plan.slotOf.get(out.id);
    const storage = slot !== undefined ? slotStorage[slot] : await mem.own(`output ${out}`, Math.max(1, out.size),
      out.dtype);
    mem.set(out, view(storage, 0, out.shape, out.dtype, String(out)));
  }
  return { slotElements: plan.slots.reduce((a, n) => a + n, 0) };
}

/** Prepare every exec, then copies for gradients not written in place. */
export async function prepareExecs<P extends Parameter>(
  backend: Backend, execs: readonly Exec[], mem: ProgramStorage,
  gradPairs: readonly (readonly [P, Tensor])[], plan: MemoryPlan<P>, gradViews: ReadonlyMap<P, View>,
): Promise<Prepared[]> {
  const prepared: Prepared[] = [];
  for (const e of execs) {
    if (e.op.kind !== 'kernel' && e.op.kind !== 'fused')
      throw new Error(`internal: ${e.op.name} is not run by a backend`);
    const call = { op: e.op, inputs: e.inputs.map((i) => mem.viewOf(i)), outputs: outsOf(e).map((o) => mem.viewOf(o)),
      attrs: e.attrs };
    prepared.push(await backend.prepare(call as Parameters<Backend['prepare']>[0]));
  }
  for (const [p, t] of gradPairs) {
    if (plan.pinned.get(baseOf(t).id) !== p) {
      prepared.push(await backend.prepare({ op: OPS.copy, inputs: [mem.viewOf(t)], outputs: [gradViews.get(p)!],
        attrs: {} }));
    }
  }
  return prepared;
}

/** The assign phase: copies for plain assigns, then the in-place updates. */
export async function prepareAssigns(
  backend: Backend, store: ParamStore, mem: ProgramStorage,
  assigns: readonly { variable: Variable; value: Tensor }[], updates: readonly Update[],
): Promise<Prepared[]> {
  const ops: Prepared[] = [];
  for (const a of assigns) {
    const dst = await store.variable(a.variable);
    ops.push(await backend.prepare({ op: OPS.copy, inputs: [mem.viewOf(a.value)], outputs: [dst], attrs: {} }));
  }
  for (const u of updates) {
    const outs = await Promise.all(u.variables.map((v) => store.variable(v)));
    const call = { op: u.op, inputs: [mem.viewOf(u.reads)], outputs: outs, attrs: u.attrs };
    ops.push(await backend.prepare(call as Parameters<Backend['prepare']>[0]));
  }
  return ops;
}
