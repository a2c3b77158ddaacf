/**
 * Compiling and running a graph. The planner orders the needed nodes, fuses matmul + bias +
 * activation chains and the normalization patterns (an exec may then write several tensors),
 * and gives every tensor storage: leaves their persistent homes,
 * parameter gradients their place in the gradient arena, requested outputs their own buffers,
 * and intermediates a slot from a pool reused by liveness. The executor prepares every op once
 * (pipelines, bind groups) and runs a step as one submission, with no readback unless asked.
 */
import { ArgumentError, NonFiniteError, fmtShape } from '../errors.js';
import type { Backend, HostArray, Prepared, Storage, View } from '../backend/types.js';
import { view } from '../backend/types.js';
import { LEAF_OPS, constData, opDef, Parameter, Variable, type Assign, type Attrs, type Graph, type Tensor } from './tensor.js';
import type { ParamStore } from './store.js';

/** Extra work appended to every step after the graph (optimizer updates, metric bookkeeping). */
export interface StepHook {
  /** Called once when the program is compiled. */
  prepare(ctx: HookContext): Promise<void>;
  /** Called before each step is submitted: update scalars (learning rate, bias corrections). */
  beforeStep?(): void;
  /** The prepared ops to run after the graph each step. */
  readonly ops: readonly Prepared[];
}

export interface HookContext {
  readonly backend: Backend;
  readonly store: ParamStore;
  /** The parameters whose gradients this program computes, in arena order per chunk. */
  readonly params: readonly Parameter[];
  /** The storage of a tensor of this program. */
  tensorView(t: Tensor): View;
  /** The loss named in CompileOptions.loss, if any (an optimizer skips a step whose loss is not finite). */
  readonly loss: View | null;
}

export interface CompileOptions {
  /** Tensors readable after each run, by name. */
  outputs?: Record<string, Tensor>;
  /** Parameter gradients to keep in the gradient arena (pairs, or a Map). */
  gradients?: ReadonlyMap<Parameter, Tensor> | readonly (readonly [Parameter, Tensor])[];
  /** Work appended after the graph, in order (e.g. an optimizer step). */
  hooks?: readonly StepHook[];
  /**
   * Fuse (default true): matmul + bias + activation; batch statistics + normalize
   * (normApply(x, normStats(x))); BatchNorm's dx, dγ, dβ, or another normalization's dγ, dβ;
   * BatchNorm's running-statistics assigns into one in-place update; and accumulator assigns
   * (v ← v + t) into an in-place add. One kernel each.
   */
  fuse?: boolean;
  /** The training loss (scalar): hooks may guard on it (skip the update when it is not finite). */
  loss?: Tensor;
}

export interface RunOptions {
  /** Scan float inputs for NaN/Inf on the host before upload (default: the engine's setting). */
  checkFinite?: boolean;
}

export type Feed = Float32Array | Int32Array | Float64Array | readonly number[];

interface Exec {
  out: Tensor;
  op: string;
  inputs: Tensor[];
  attrs: Attrs;
  /** Further tensors the op writes (a fused op's side outputs), after `out`. */
  extra?: Tensor[];
}

const outsOf = (e: Exec): Tensor[] => [e.out, ...(e.extra ?? [])];

/** Ops the planner handles itself (no kernel). */
const PLANNER_OPS = new Set(['reshape', 'fill', ...LEAF_OPS]);
const FUSABLE_ACTS = new Set(['relu', 'leaky_relu', 'gelu', 'sigmoid', 'tanh']);

export class Program {
  private prepared: Prepared[] = [];
  private steps: Prepared[] = [];
  private inputViews = new Map<string, { view: View; tensor: Tensor }>();
  private outputViews = new Map<string, View>();
  private storageOf = new Map<number, View>();
  private owned: Storage[] = [];
  private ran = false;
  readonly stats = { kernels: 0, slots: 0, slotElements: 0, fused: 0 };

  private constructor(
    private backend: Backend,
    private store: ParamStore,
    readonly graph: Graph,
    private hooks: readonly StepHook[],
    private checkFiniteDefault: boolean,
  ) {}

  static async compile(backend: Backend, store: ParamStore, graph: Graph, opts: CompileOptions, checkFinite: boolean): Promise<Program> {
    const p = new Program(backend, store, graph, opts.hooks ?? [], checkFinite);
    try {
      await p.build(opts);
    } catch (e) {
      p.dispose();
      throw e;
    }
    return p;
  }

  private async build(opts: CompileOptions): Promise<void> {
    const outputs = opts.outputs ?? {};
    const gradPairs = opts.gradients instanceof Map ? [...opts.gradients.entries()] : [...(opts.gradients ?? [])];
    for (const [name, t] of Object.entries(outputs)) {
      if (!t || t.graph !== this.graph) throw new ArgumentError(`compile: output '${name}' is not a tensor of this graph`);
    }
    for (const [p, t] of gradPairs) {
      if (!(p instanceof Parameter)) throw new ArgumentError('compile: gradients must pair a Parameter with its gradient tensor');
      if (t.graph !== this.graph || t.shape.join() !== p.shape.join()) {
        throw new ArgumentError(`compile: gradient for '${p.name}' must be a tensor of this graph with shape ${fmtShape(p.shape)}, got ${t}`);
      }
    }
    // Assigns that become in-place updates run with the other assigns; the tensor each reads must
    // then live to the end of the step (it is a root).
    const inPlace = opts.fuse === false ? [] : inPlaceUpdates(this.graph.assigns);
    const folded = new Set(inPlace.flatMap((u) => u.assigns));
    const assigns = this.graph.assigns.filter((a) => !folded.has(a));
    const roots: Tensor[] = [
      ...Object.values(outputs), ...(opts.loss ? [opts.loss] : []), ...gradPairs.map(([, t]) => t),
      ...assigns.map((a) => a.value), ...inPlace.map((u) => u.reads),
    ];

    // 1. Topological order of what the roots need.
    const order = topoOrder(roots);

    // 2. Place parameters (contiguously, in order of first use) and variables.
    const params = order.filter((t) => t.op === 'param').map((t) => t.ref as Parameter);
    await this.store.place([...params, ...gradPairs.map(([p]) => p)]);
    for (const t of order) if (t.op === 'variable') await this.store.variable(t.ref as Variable);
    for (const a of this.graph.assigns) await this.store.variable(a.variable);

    // 3. Consumers, then fusion of matmul → add(bias) → activation, in a runnable order.
    const rootIds = new Set(roots.map((r) => r.id));
    const consumers = new Map<number, number>();
    for (const t of order) for (const i of t.inputs) consumers.set(i.id, (consumers.get(i.id) ?? 0) + 1);
    const { execs, fused } = fuseExecs(order, rootIds, consumers, opts.fuse !== false);
    this.stats.fused += fused;
    const sorted = schedule(execs);

    // 4. Storage. Views alias their base; leaves use their persistent homes.
    const gradOf = new Map<number, Parameter>();
    // A gradient that is a view (a reshape) pins its base when nothing else reads the base:
    // otherwise ops writing other gradients would read from the gradient buffer they write.
    for (const [p, t] of gradPairs) {
      const b = baseOf(t);
      const sole = b === t || (consumers.get(b.id) ?? 0) <= 1;
      if (!gradOf.has(b.id) && !PLANNER_OPS.has(b.op) && b.size === t.size && sole) gradOf.set(b.id, p);
    }
    const gradViews = new Map<Parameter, View>();
    for (const [p] of gradPairs) gradViews.set(p, await this.store.gradView(p));
    const pinned = new Set<number>();

    for (const t of order) {
      if (t.op === 'param') this.storageOf.set(t.id, this.store.view(t.ref as Parameter));
      else if (t.op === 'variable') this.storageOf.set(t.id, await this.store.variable(t.ref as Variable));
      else if (t.op === 'input') {
        const s = await this.own(`input '${t.ref}'`, t.size, t.dtype);
        const v = view(s, 0, t.shape, t.dtype, `input '${t.ref}'`);
        this.storageOf.set(t.id, v);
        this.inputViews.set(t.ref as string, { view: v, tensor: t });
      } else if (t.op === 'const' || t.op === 'fill') {
        const s = await this.own(`constant ${t}`, t.size, t.dtype);
        const v = view(s, 0, t.shape, t.dtype, `constant ${t}`);
        const data = t.op === 'const' ? constData(t)! : new (t.dtype === 'i32' ? Int32Array : Float32Array)(t.size).fill(t.attrs.value as number);
        if (t.size) this.backend.write(v, data);
        this.storageOf.set(t.id, v);
      }
    }

    // Last use of each base storage, counting uses through views.
    const lastUse = new Map<number, number>();
    sorted.forEach((e, k) => { for (const i of e.inputs) lastUse.set(baseOf(i).id, k); });
    const persistent = new Set<number>([...rootIds].map((id) => id));
    for (const r of roots) persistent.add(baseOf(r).id);

    // Slot pool: sizes are planned first, then allocated.
    interface Slot { id: number; length: number; dtype: 'f32' | 'i32'; storage?: Storage }
    const slots: Slot[] = [];
    const free: Slot[] = [];
    const slotOf = new Map<number, Slot>();
    const releaseAt = new Map<number, Slot[]>();
    sorted.forEach((e, k) => {
      const unused: Slot[] = [];
      const readsGrad = e.inputs.some((i) => pinned.has(baseOf(i).id));
      for (const out of outsOf(e)) {
        const p = gradOf.get(out.id);
        if (p && !readsGrad) {
          pinned.add(out.id);
          const gv = gradViews.get(p)!;
          this.storageOf.set(out.id, view(gv.storage, gv.offset, out.shape, out.dtype, gv.label));
          continue;
        }
        if (persistent.has(out.id)) continue; // outputs keep their own storage (allocated below, never reused)
        const need = Math.max(1, out.size);
        let best = -1;
        for (let j = 0; j < free.length; j++) {
          if (best < 0 || Math.abs(free[j].length - need) < Math.abs(free[best].length - need)) best = j;
        }
        const slot = best >= 0 ? free.splice(best, 1)[0] : { id: slots.length, length: 0, dtype: 'f32' as const };
        if (best < 0) slots.push(slot);
        slot.length = Math.max(slot.length, need);
        slotOf.set(out.id, slot);
        const last = lastUse.get(out.id);
        if (last === undefined) unused.push(slot); // an unused result: free once this op's outputs are placed
        else (releaseAt.get(last) ?? releaseAt.set(last, []).get(last)!).push(slot);
      }
      free.push(...unused);
      for (const s of releaseAt.get(k) ?? []) free.push(s);
    });
    this.stats.slots = slots.length;
    for (const s of slots) {
      s.storage = await this.own(`workspace slot ${s.id}`, s.length, 'f32');
      this.stats.slotElements += s.length;
    }
    for (const out of sorted.flatMap(outsOf)) {
      if (this.storageOf.has(out.id)) continue;
      const slot = slotOf.get(out.id);
      if (slot) this.storageOf.set(out.id, view(slot.storage!, 0, out.shape, out.dtype, String(out)));
      else this.storageOf.set(out.id, view(await this.own(`output ${out}`, Math.max(1, out.size), out.dtype), 0, out.shape, out.dtype, String(out)));
    }

    // 5. Prepare every op once.
    for (const e of sorted) {
      const call = {
        op: e.op,
        inputs: e.inputs.map((i) => this.viewOf(i)),
        outputs: outsOf(e).map((o) => this.storageOf.get(o.id)!),
        attrs: e.attrs,
      };
      this.prepared.push(await this.backend.prepare(call));
    }
    for (const [p, t] of gradPairs) {
      if (!pinned.has(baseOf(t).id) || gradOf.get(baseOf(t).id) !== p) {
        const gv = gradViews.get(p)!;
        this.prepared.push(await this.backend.prepare({ op: 'copy', inputs: [this.viewOf(t)], outputs: [gv], attrs: {} }));
      }
    }
    const ctx: HookContext = {
      backend: this.backend,
      store: this.store,
      params: [...gradViews.keys()],
      tensorView: (t) => this.viewOf(t),
      loss: opts.loss ? this.viewOf(opts.loss) : null,
    };
    for (const h of this.hooks) await h.prepare(ctx);
    const assignOps: Prepared[] = [];
    for (const a of assigns) {
      const dst = await this.store.variable(a.variable);
      assignOps.push(await this.backend.prepare({ op: 'copy', inputs: [this.viewOf(a.value)], outputs: [dst], attrs: {} }));
    }
    for (const u of inPlace) {
      const outs = await Promise.all(u.variables.map((v) => this.store.variable(v)));
      assignOps.push(await this.backend.prepare({ op: u.op, inputs: [this.viewOf(u.reads)], outputs: outs, attrs: u.attrs }));
    }
    this.stats.kernels = this.prepared.length;
    for (const [name, t] of Object.entries(outputs)) this.outputViews.set(name, this.viewOf(t));
    this.assignOps = assignOps;
    this.steps = [...this.prepared, ...this.hooks.flatMap((h) => h.ops), ...assignOps];
  }

  private assignOps: Prepared[] = [];

  private async own(label: string, length: number, dtype: 'f32' | 'i32'): Promise<Storage> {
    const s = await this.backend.alloc(label, Math.max(1, length), dtype);
    this.owned.push(s);
    return s;
  }

  /** The storage view of a tensor (views resolve to their base, reshaped). */
  private viewOf(t: Tensor): View {
    const v = this.storageOf.get(t.id);
    if (v) return v;
    if (opDef(t.op).view) {
      const b = this.viewOf(t.inputs[0]);
      const r = view(b.storage, b.offset, t.shape, t.dtype, `${b.label}→${fmtShape(t.shape)}`);
      this.storageOf.set(t.id, r);
      return r;
    }
    throw new Error(`internal: no storage for ${t}`);
  }

  /** The names and shapes this program expects to be fed. */
  get inputs(): { name: string; shape: readonly number[]; dtype: string }[] {
    return [...this.inputViews].map(([name, { tensor }]) => ({ name, shape: tensor.shape, dtype: tensor.dtype }));
  }

  /**
   * Run one step: upload the feeds, then submit the graph, the hooks and the assigns as one
   * submission. Nothing is read back.
   */
  async run(feeds: Record<string, Feed> = {}, opts: RunOptions = {}): Promise<void> {
    const checkFinite = opts.checkFinite ?? this.checkFiniteDefault;
    for (const name of Object.keys(feeds)) {
      if (!this.inputViews.has(name)) {
        const known = [...this.inputViews.keys()].join(', ') || 'none';
        throw new ArgumentError(`run: unknown input '${name}' (this program's inputs: ${known})`);
      }
    }
    const uploads: [View, Feed][] = [];
    for (const [name, { view: v, tensor }] of this.inputViews) {
      const data = feeds[name];
      if (data === undefined) throw new ArgumentError(`run: input '${name}' ${fmtShape(tensor.shape)} was not fed`);
      validateFeed(name, tensor, data, this.graph.labelRanges.get(name), checkFinite);
      uploads.push([v, data]);
    }
    for (const [v, d] of uploads) this.backend.write(v, d as HostArray);
    for (const h of this.hooks) h.beforeStep?.();
    await this.backend.execute(this.steps);
    this.ran = true;
  }

  /** Run only the graph part (no hooks, no assigns): e.g. evaluation with a training graph. */
  async runGraphOnly(feeds: Record<string, Feed> = {}, opts: RunOptions = {}): Promise<void> {
    const saved = this.steps;
    this.steps = this.prepared;
    try {
      await this.run(feeds, opts);
    } finally {
      this.steps = saved;
    }
  }

  /** Read an output of the last run. f32 outputs come back as Float32Array (Float64Array on cpu). */
  async read(name: string): Promise<HostArray> {
    const v = this.outputViews.get(name);
    if (!v) throw new ArgumentError(`read: no output named '${name}' (outputs: ${[...this.outputViews.keys()].join(', ') || 'none'})`);
    if (!this.ran) throw new ArgumentError(`read('${name}'): the program has not run yet`);
    return this.backend.read(v);
  }

  /** Read a scalar output as a number. */
  async item(name: string): Promise<number> {
    const a = await this.read(name);
    return a[0];
  }

  /** The ops a step runs, in order (after fusion; hooks and assigns not included). */
  get ops(): string[] {
    return this.prepared.map((p) => p.call.op);
  }

  get outputNames(): string[] {
    return [...this.outputViews.keys()];
  }

  /** The view of an output (for hooks and tests). */
  outputView(name: string): View | undefined {
    return this.outputViews.get(name);
  }

  /** Free this program's buffers and prepared ops (hooks free their own). */
  dispose(): void {
    for (const p of [...this.prepared, ...this.assignOps]) p.dispose?.();
    for (const s of this.owned) this.backend.release(s);
    this.owned = [];
    this.prepared = [];
    this.assignOps = [];
    this.steps = [];
  }
}

/** The tensors the roots depend on, each after its inputs (iterative depth-first search). */
function topoOrder(roots: readonly Tensor[]): Tensor[] {
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

/**
 * The ops to run: every non-planner node, with matmul → add(bias row) [→ activation] chains whose
 * intermediate results nothing else reads folded into one matmul with a bias and activation epilogue,
 * normStats(x) → normApply(x, stats) pairs folded into one norm_forward writing y and the
 * statistics (which the backward and the running averages still read), a BatchNorm's dx, dγ,
 * dβ folded into one norm_backward_affine, and other normalizations' dγ, dβ into one
 * norm_affine_grads. A pair is left alone when
 * the weight or bias depends on the statistics (batch renorm's r and d): the fused kernel could not
 * run before them, nor they before it.
 */
function fuseExecs(order: readonly Tensor[], rootIds: ReadonlySet<number>, consumers: ReadonlyMap<number, number>, fuse: boolean): { execs: Exec[]; fused: number } {
  const single = (t: Tensor) => (consumers.get(t.id) ?? 0) === 1 && !rootIds.has(t.id);
  const absorbed = new Set<number>();
  const execs: Exec[] = [];
  let fused = 0;
  const consumerOf = new Map<number, Tensor>();
  for (const t of order) for (const i of t.inputs) consumerOf.set(i.id, t);
  const statsOf = new Map<number, Tensor>();
  for (const t of order) {
    if (!fuse || t.op !== 'norm_apply' || !t.attrs.batch) continue;
    const stats = t.inputs[1];
    if (absorbed.has(stats.id) || t.inputs.slice(2).some((a) => dependsOn(a, stats))) continue;
    absorbed.add(stats.id);
    statsOf.set(t.id, stats);
  }
  const grads = fuse ? normGradFusions(order, absorbed) : { bn: new Map<number, Tensor[]>(), pairs: new Map<number, Tensor>() };
  for (const t of order) {
    if (absorbed.has(t.id) || PLANNER_OPS.has(t.op)) continue;
    const ag = grads.bn.get(t.id);
    if (ag) {
      const which = (w: string) => ag.some((u) => u.attrs.which === w);
      execs.push({ out: t, op: 'norm_backward_affine', inputs: [...t.inputs], attrs: { ...t.attrs, dw: which('weight'), db: which('bias') }, extra: ag });
      fused++;
      continue;
    }
    const db = grads.pairs.get(t.id);
    if (db) {
      execs.push({ out: t, op: 'norm_affine_grads', inputs: [...t.inputs], attrs: { ...t.attrs, which: 'both' }, extra: [db] });
      fused++;
      continue;
    }
    const stats = statsOf.get(t.id);
    if (stats) {
      execs.push({ out: t, op: 'norm_forward', inputs: [t.inputs[0], ...t.inputs.slice(2)], attrs: t.attrs, extra: [stats] });
      fused++;
      continue;
    }
    if (fuse && t.op === 'matmul' && !t.attrs.bias && single(t)) {
      const add = consumerOf.get(t.id)!;
      const other = add.op === 'binary' && add.attrs.kind === 'add' ? (add.inputs[0] === t ? add.inputs[1] : add.inputs[1] === t ? add.inputs[0] : null) : null;
      const N = t.shape[t.rank - 1];
      if (other && other !== t && other.rank === 1 && other.shape[0] === N && add.shape.join() === t.shape.join()) {
        let outT = add;
        let act = 'none';
        let alpha = 0;
        const next = single(add) ? consumerOf.get(add.id) : undefined;
        if (next && next.op === 'unary' && FUSABLE_ACTS.has(next.attrs.kind as string)) {
          outT = next;
          act = next.attrs.kind as string;
          alpha = (next.attrs.alpha as number) ?? 0;
          absorbed.add(add.id);
        }
        absorbed.add(t.id);
        absorbed.add(outT.id);
        execs.push({ out: outT, op: 'matmul', inputs: [t.inputs[0], t.inputs[1], other], attrs: { ...t.attrs, bias: true, act, alpha } });
        fused++;
        continue;
      }
    }
    execs.push({ out: t, op: t.op, inputs: [...t.inputs], attrs: t.attrs });
  }
  return { execs, fused };
}

/** A fused node's inputs must be ready before it runs: each exec after its inputs' producers. */
function schedule(execs: readonly Exec[]): Exec[] {
  const sorted: Exec[] = [];
  const placed = new Set<number>();
  const producer = new Map<number, Exec>();
  for (const e of execs) for (const o of outsOf(e)) producer.set(o.id, e);
  const place = (e: Exec) => {
    if (placed.has(e.out.id)) return;
    placed.add(e.out.id);
    for (const i of e.inputs) {
      const pe = producer.get(baseOf(i).id);
      if (pe) place(pe);
    }
    sorted.push(e);
  };
  for (const e of execs) place(e);
  return sorted;
}

/**
 * Normalization gradients computed together. BatchNorm's backward (`bn`): where a norm_backward's
 * statistics groups are its affine indices ((A, C, S) = (P, Q, T)), the norm_affine_grad ops on
 * the same x, statistics and gradient need exactly the per-channel sums it computes; per such
 * norm_backward, its dγ and/or dβ ops (weight first). Otherwise (`pairs`, LayerNorm, GroupNorm):
 * a dγ op and a dβ op on the same inputs, one pass for both; per dγ op, its dβ op. Every op
 * returned is marked absorbed.
 */
function normGradFusions(order: readonly Tensor[], absorbed: Set<number>): { bn: Map<number, Tensor[]>; pairs: Map<number, Tensor> } {
  const key = (x: Tensor, stats: Tensor, g: Tensor) => `${x.id},${stats.id},${g.id}`;
  const affine = new Map<string, Tensor[]>();
  for (const t of order) {
    if (t.op !== 'norm_affine_grad') continue;
    const k = key(t.inputs[0], t.inputs[1], t.inputs[2]);
    affine.set(k, [...(affine.get(k) ?? []), t]);
  }
  const GEOM = ['A', 'C', 'S', 'P', 'Q', 'T', 'eps'];
  const pick = (k: string, a: Attrs) => {
    const cands = (affine.get(k) ?? []).filter((u) => !absorbed.has(u.id) && GEOM.every((f) => u.attrs[f] === a[f]));
    return ['weight', 'bias'].map((w) => cands.find((u) => u.attrs.which === w));
  };
  const bn = new Map<number, Tensor[]>();
  for (const t of order) {
    const a = t.attrs;
    if (t.op !== 'norm_backward' || a.A !== a.P || a.C !== a.Q || a.S !== a.T) continue;
    const picked = pick(key(t.inputs[0], t.inputs[1], t.inputs[t.inputs.length - 1]), a).filter((u): u is Tensor => !!u);
    if (!picked.length) continue;
    for (const u of picked) absorbed.add(u.id);
    bn.set(t.id, picked);
  }
  const pairs = new Map<number, Tensor>();
  for (const t of order) {
    if (t.op !== 'norm_affine_grad' || t.attrs.which !== 'weight' || absorbed.has(t.id)) continue;
    const [, db] = pick(key(t.inputs[0], t.inputs[1], t.inputs[2]), t.attrs);
    if (!db) continue;
    absorbed.add(db.id);
    pairs.set(t.id, db);
  }
  return { bn, pairs };
}

/** An op run with the assigns that updates variables in place, in place of the assigns it folds. */
interface InPlaceUpdate {
  op: string;
  /** The one tensor of the step it reads (besides the variables themselves). */
  reads: Tensor;
  variables: Variable[];
  attrs: Attrs;
  assigns: Assign[];
}

/**
 * Assigns that read the variable they replace, folded into in-place updates run after every read
 * of the old values:
 *  - BatchNorm's state, as BatchNormBase.updateRunning writes it: running_mean ←
 *    bn_running(stats, running_mean, t, 'mean'), running_var ← bn_running(stats, running_var, t,
 *    'var'), t ← bn_count(t) become one bn_update (three ops and three copies before);
 *  - accumulators v ← add(v, t) become add_into (an add and a copy before).
 */
function inPlaceUpdates(assigns: readonly Assign[]): InPlaceUpdate[] {
  const reads = (t: Tensor, v: Variable) => t.op === 'variable' && t.ref === v;
  const out: InPlaceUpdate[] = [];
  for (const am of assigns) {
    const m = am.value;
    if (m.op !== 'bn_running' || m.attrs.which !== 'mean' || !reads(m.inputs[1], am.variable) || m.inputs[2].op !== 'variable') continue;
    const [stats, , tracked] = m.inputs;
    const count = tracked.ref as Variable;
    const av = assigns.find(({ variable, value: v }) => v.op === 'bn_running' && v.attrs.which === 'var' && v.inputs[0] === stats
      && reads(v.inputs[1], variable) && reads(v.inputs[2], count) && v.attrs.momentum === m.attrs.momentum && v.attrs.n === m.attrs.n);
    const ac = assigns.find(({ variable, value: v }) => variable === count && v.op === 'bn_count' && reads(v.inputs[0], count));
    if (!av || !ac) continue;
    out.push({
      op: 'bn_update', reads: stats, variables: [am.variable, av.variable, count],
      attrs: { momentum: m.attrs.momentum, n: m.attrs.n }, assigns: [am, av, ac],
    });
  }
  const taken = new Set(out.flatMap((u) => u.assigns));
  for (const a of assigns) {
    const t = taken.has(a) ? null : accumulated(a);
    if (t) out.push({ op: 'add_into', reads: t, variables: [a.variable], attrs: {}, assigns: [a] });
  }
  // A variable read directly could already have been updated in place by an earlier update of
  // the assign phase; such an assign stays a computed value and a copy.
  return out.filter((u) => baseOf(u.reads).op !== 'variable');
}

/** For an accumulator assign v ← add(v, t) (float32, same shapes), the t it adds; else null. */
function accumulated(a: Assign): Tensor | null {
  const v = a.value;
  if (v.op !== 'binary' || v.attrs.kind !== 'add' || a.variable.dtype !== 'f32') return null;
  const reads = (t: Tensor) => t.op === 'variable' && t.ref === a.variable;
  const [x, y] = v.inputs;
  const t = reads(x) && !reads(y) ? y : reads(y) && !reads(x) ? x : null;
  return t && t.dtype === 'f32' && t.size === a.variable.size && v.size === t.size ? t : null;
}

/** Whether `t` is `target` or computed from it. */
function dependsOn(t: Tensor, target: Tensor): boolean {
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

/** The tensor whose storage a view chain aliases. */
function baseOf(t: Tensor): Tensor {
  let b = t;
  while (opDef(b.op).view) b = b.inputs[0];
  return b;
}

function validateFeed(name: string, t: Tensor, data: Feed, classes: number | undefined, checkFinite: boolean): void {
  if (!(data instanceof Float32Array || data instanceof Int32Array || data instanceof Float64Array || Array.isArray(data))) {
    throw new ArgumentError(`input '${name}': expected a Float32Array, Int32Array or number[], got ${Object.prototype.toString.call(data)}`);
  }
  if (data.length !== t.size) {
    throw new ArgumentError(`input '${name}': got ${data.length} values, shape ${fmtShape(t.shape)} needs ${t.size}`);
  }
  if (t.dtype === 'i32') {
    if (data instanceof Float32Array || data instanceof Float64Array || Array.isArray(data)) {
      for (let i = 0; i < data.length; i++) {
        if (!Number.isInteger(data[i])) throw new ArgumentError(`input '${name}' is int32 but element ${i} is ${data[i]}`);
      }
    }
    if (classes !== undefined) {
      for (let i = 0; i < data.length; i++) {
        const v = data[i];
        if (v < 0 || v >= classes) {
          throw new ArgumentError(`input '${name}': target ${v} at index ${i} is out of bounds for ${classes} classes (expected 0 ≤ label < ${classes})`);
        }
      }
    }
  } else if (checkFinite) {
    for (let i = 0; i < data.length; i++) {
      if (!Number.isFinite(data[i])) throw new NonFiniteError(`input '${name}' contains ${data[i]} at index ${i}`);
    }
  }
}
