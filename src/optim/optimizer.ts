/**
 * The optimizer base: parameter groups, state on the device, and the StepHook that appends the
 * fused update to every step of each program it is compiled into.
 *
 * Device layout, per parameter chunk (see src/graph/store.ts): the optimizer state is one
 * storage of `planes × L` floats, plane k holding one state tensor (m, v, …) at the same offsets
 * as the parameters. Per program and chunk, a block table [first element, offset, group,
 * length] lists what that program updates, in blocks of at most the device profile's
 * optimBlock elements (one workgroup each). One hyperparameter table (row 0 global, row 1 + g per
 * group) is rewritten before each step with the step scalars computed here on the host, and a
 * 4-float status [clip scale, skip, flagged step, grad norm] is written on the device by the norm
 * reduction. A step is at most: one norm reduction per chunk, one finalize, one update per chunk.
 */
import { ArgumentError } from '../errors.js';
import { view, type Backend, type HostArray, type Prepared, type Storage, type View } from '../backend/types.js';
import type { HookContext, StepHook } from '../graph/program.js';
import type { ParamChunk, ParamStore } from '../graph/store.js';
import type { Parameter } from '../graph/tensor.js';
import { HYP, OPS, SUMSQ_THREADS } from '../ops/index.js';
import { commonOptions, lrSpec, resolveGroups, resolveOptions, type OptionSpec, type Options,
  type ParamsArg } from './options.js';
import { exportState, importState, type OptimizerStateDict } from './state.js';

export type { OptimizerStateDict } from './state.js';
export type Schedule = (step: number) => number;
export type ParamGroup<O> = O & { readonly params: readonly Parameter[] };
export type OptimizerKind = 'sgd' | 'adagrad' | 'rmsprop' | 'adam';

/** Per chunk: the state storage and the names of its planes, in order. */
export interface ChunkState {
  chunk: ParamChunk;
  storage: Storage;
  planes: string[];
}

interface Segment { start: number; len: number; group: number }

/** Segments cut into blocks of at most `size` elements: one workgroup each on the GPU. */
function blocks(segs: readonly Segment[], size: number): Segment[] {
  const out: Segment[] = [];
  for (const s of segs) {
    for (let k = 0; k < s.len;
      k += size) out.push({ start: s.start + k, len: Math.min(size, s.len - k), group: s.group });
  }
  return out;
}

export abstract class Optimizer<O extends object = object> implements StepHook {
  /** The parameter groups (PyTorch's param_groups): change an option here, it applies next step. */
  readonly paramGroups: ParamGroup<O>[];
  readonly clipGradNorm: number | undefined;
  readonly clipGradValue: number | undefined;
  /** When set, every step first sets each group's lr to schedule(steps taken so far). */
  schedule: Schedule | null = null;
  protected t = 0;
  /** @internal */ backend: Backend | null = null;
  /** @internal */ store: ParamStore | null = null;
  /** @internal */ readonly chunkStates = new Map<ParamChunk, ChunkState>();
  /** @internal State loaded before the parameters reached the device, by parameter name. */
  pending = new Map<string, Record<string, HostArray>>();
  /** @internal */ readonly groupOf = new Map<Parameter, number>();
  private hyper: Storage | null = null;
  private status: Storage | null = null;
  private prepared: Prepared[] = [];

  protected constructor(readonly name: string, params: ParamsArg<O>, defaults: Record<string, unknown>,
    readonly specs: readonly OptionSpec[]) {
    if (!defaults || typeof defaults !== 'object')
      throw new ArgumentError(`${name}: options must be an object, e.g. new ${name}(params, { lr: 0.01 })`);
    const common = commonOptions(name, defaults);
    this.clipGradNorm = common.clipGradNorm;
    this.clipGradValue = common.clipGradValue;
    const groups = resolveGroups(name, specs, params, defaults);
    this.paramGroups = groups.map((g) => Object.assign({ params: g.params }, g.options) as unknown as ParamGroup<O>);
    groups.forEach((g, gi) => {
      this.checkGroup(g.options as unknown as O, gi);
      for (const p of g.params) this.groupOf.set(p, gi);
    });
  }

  /** The backend op that applies this optimizer's update. */
  protected abstract readonly kind: OptimizerKind;
  /** Every state tensor this optimizer may keep, in the order of the kernel's planes a, b, c. */
  protected abstract readonly slots: readonly string[];
  /** The state tensors a parameter of a group with these options keeps. */
  abstract stateKeys(o: O): string[];
  /** Hyperparameter-table fields (besides lr, weight decay, eps) for a group at step t. */
  protected abstract row(o: O, t: number): Partial<Record<keyof typeof HYP, number>>;
  /** Checks across options of one group (e.g. Nesterov needs momentum). */
  protected checkGroup(_o: O, _gi: number): void {}
  /** The value a state tensor starts from. */
  initialValue(_key: string, _o: O): number {
    return 0;
  }

  /** Every group's learning rate (reads the first group's). Never recompiles anything. */
  get lr(): number {
    return (this.paramGroups[0] as unknown as Options).lr as number;
  }
  set lr(v: number) {
    lrSpec(undefined).check(v, this.name);
    for (const g of this.paramGroups) (g as unknown as Options).lr = v;
  }

  /** Steps submitted so far (PyTorch's state['step']); after a skipped non-finite step, see resetNonFinite(). */
  get stepCount(): number {
    return this.t;
  }

  /**
   * The update ops of the program prepared last (a program reads them right after prepare()).
   * Programs that share an optimizer must therefore be compiled one after another, not
   * concurrently.
   */
  get ops(): readonly Prepared[] {
    return this.prepared;
  }

  /** @internal The options of group gi, as the kernels see them. */
  groupOptions(gi: number): O {
    return this.paramGroups[gi];
  }

  async prepare(ctx: HookContext): Promise<void> {
    if (this.backend && this.backend !== ctx.backend) {
      throw new ArgumentError(`${this.name}: this optimizer already runs on another engine; create one optimizer per ` +
        `engine`);
    }
    this.backend = ctx.backend;
    this.store = ctx.store;
    if (!this.hyper) {
      this.hyper = await ctx.backend.alloc(`${this.name} hyperparameters`, HYP.ROW * (this.paramGroups.length + 1));
      this.status = await ctx.backend.alloc(`${this.name} status`, 4);
      this.resetStatus();
      this.writeHyper();
    }
    const byChunk = new Map<ParamChunk, Set<Parameter>>();
    for (const p of ctx.params) {
      if (!this.groupOf.has(p) || !p.size) continue;
      const c = ctx.store.chunkOf(p);
      (byChunk.get(c) ?? byChunk.set(c, new Set()).get(c)!).add(p);
    }
    const plans = [];
    const norm = ctx.loss !== null || this.clipGradNorm !== undefined;
    let parts = 0;
    for (const [chunk, ps] of byChunk) {
      const st = await this.chunkState(chunk);
      const segs = blocks(this.segments(chunk, ps), ctx.backend.profile.optimBlock);
      const total = segs.reduce((a, s) => a + s.len, 0);
      const table = new Int32Array(segs.length * 4);
      let cum = 0;
      segs.forEach((s, k) => { table.set([cum, s.start, s.group, s.len], 4 * k); cum += s.len; });
      const seg = await ctx.backend.alloc(`${this.name} segments[${chunk.id}]`, table.length, 'i32');
      const segView = view(seg, 0, [table.length], 'i32', `${this.name} segments[${chunk.id}]`);
      ctx.backend.write(segView, table);
      // One partial sum per thread of the norm reduction, its workgroups striding over the blocks.
      const p = norm ? Math.min(ctx.backend.profile.sumsqGroups, Math.max(1, segs.length)) * SUMSQ_THREADS : 0;
      plans.push({ chunk, st, segView, nseg: segs.length, total, base: parts, parts: p });
      parts += p;
    }
    const ops: Prepared[] = [];
    if (norm && plans.length) ops.push(...(await this.prepareNorm(ctx, plans, parts)));
    for (const pl of plans) {
      const L = pl.chunk.length;
      const planeOf = (k: number) => Math.max(0, pl.st.planes.indexOf(this.slots[k] ?? ''));
      const stateView = view(pl.st.storage, 0, [Math.max(4, pl.st.planes.length * L)], 'f32',
        `${this.name} state[${pl.chunk.id}]`);
      ops.push(await ctx.backend.prepare({
        op: OPS[`optim.${this.kind}`],
        inputs: [ctx.store.chunkView(pl.chunk, 'grads'), pl.segView, this.hyperView(), this.statusView()],
        outputs: [ctx.store.chunkView(pl.chunk, 'params'), stateView],
        attrs: { total: pl.total, nseg: pl.nseg, L, pa: planeOf(0), pb: planeOf(1), pc: planeOf(2) },
      }));
    }
    this.prepared = ops;
  }

  private async prepareNorm(ctx: HookContext,
    plans: { chunk: ParamChunk; segView: View; nseg: number; total: number; base: number; parts: number }[],
      parts: number): Promise<Prepared[]> {
    const b = ctx.backend;
    const partials = view(await b.alloc(`${this.name} norm partials`, parts), 0, [parts], 'f32',
      `${this.name} norm partials`);
    const ops: Prepared[] = [];
    for (const pl of plans) {
      ops.push(await b.prepare({
        op: OPS['optim.sumsq'],
        inputs: [ctx.store.chunkView(pl.chunk, 'grads'), pl.segView, this.hyperView()],
        outputs: [partials],
        attrs: { total: pl.total, nseg: pl.nseg, base: pl.base, parts: pl.parts },
      }));
    }
    const loss = ctx.loss ? view(ctx.loss.storage, ctx.loss.offset, [1], 'f32', ctx.loss.label) : this.hyperView();
    ops.push(await b.prepare({
      op: OPS['optim.finalize'], inputs: [partials, loss, this.hyperView()], outputs: [this.statusView()],
      attrs: { total: parts, hasLoss: ctx.loss ? 1 : 0 },
    }));
    return ops;
  }

  beforeStep(): void {
    if (!this.hyper) return;
    if (this.schedule) {
      const lr = this.schedule(this.t);
      if (!(Number.isFinite(lr) && lr >= 0))
        throw new ArgumentError(`${this.name}: the schedule gave learning rate ${lr} at step ${this.t}; a schedule ` +
          `must return a finite number ≥ 0`);
      this.lr = lr;
    }
    this.validate();
    this.t++;
    this.writeHyper();
  }

  /** Re-check every group's options (they may have been changed through paramGroups). */
  private validate(): void {
    this.paramGroups.forEach((g, gi) => {
      const o = resolveOptions(this.name, this.specs, {}, g as unknown as Record<string, unknown>,
        ` in parameter group ${gi}`);
      this.checkGroup(o as unknown as O, gi);
      this.checkPlanes(g, gi);
    });
  }

  /** @internal A group's state must fit the planes allocated when the program was compiled. */
  checkPlanes(o: O, gi: number): void {
    for (const st of this.chunkStates.values()) {
      for (const k of this.stateKeys(o)) {
        if (!st.planes.includes(k)) {
          throw new ArgumentError(`${this.name}: parameter group ${gi} now needs state '${k}', which was not ` +
            `allocated when the program was compiled; set the option that needs it (e.g. momentum, amsgrad, ` +
              `centered) before compiling`);
        }
      }
    }
  }

  private writeHyper(): void {
    const G = this.paramGroups.length;
    const rows = new Float64Array(HYP.ROW * (G + 1));
    rows[HYP.t] = this.t;
    if (this.clipGradValue !== undefined) { rows[HYP.clipValueOn] = 1; rows[HYP.clipValue] = this.clipGradValue; }
    if (this.clipGradNorm !== undefined) { rows[HYP.clipNormOn] = 1; rows[HYP.maxNorm] = this.clipGradNorm; }
    this.paramGroups.forEach((g, gi) => {
      const o = g as unknown as Options;
      const at = HYP.ROW * (gi + 1);
      rows[at + HYP.lr] = o.lr as number;
      rows[at + HYP.wd] = (o.weightDecay as number) ?? 0;
      rows[at + HYP.eps] = (o.eps as number) ?? 0;
      for (const [k, v] of Object.entries(this.row(g, Math.max(1, this.t)))) rows[at + HYP[k as keyof typeof HYP]] = v;
    });
    this.backend!.write(this.hyperView(), rows);
  }

  private hyperView(): View {
    return view(this.hyper!, 0, [this.hyper!.length], 'f32', `${this.name} hyperparameters`);
  }
  private statusView(): View {
    return view(this.status!, 0, [4], 'f32', `${this.name} status`);
  }
  private resetStatus(): void {
    if (this.status) this.backend!.write(this.statusView(), [1, 0, 0, 0]);
  }

  /** The parameters of `ps` in arena order, contiguous ones of one group merged. */
  private segments(chunk: ParamChunk, ps: Set<Parameter>): Segment[] {
    const out: Segment[] = [];
    for (const e of chunk.entries) {
      if (!ps.has(e.param)) continue;
      const group = this.groupOf.get(e.param)!;
      const last = out[out.length - 1];
      if (last && last.start + last.len === e.offset && last.group === group) last.len += e.param.size;
      else out.push({ start: e.offset, len: e.param.size, group });
    }
    return out;
  }

  /** The state of a chunk, created (and filled with initial or loaded values) on first use. */
  private async chunkState(chunk: ParamChunk): Promise<ChunkState> {
    let st = this.chunkStates.get(chunk);
    if (st) return st;
    const used = new Set(this.paramGroups.flatMap((g) => this.stateKeys(g)));
    const planes = this.slots.filter((k) => used.has(k));
    const storage = await this.backend!.alloc(`${this.name} state[${chunk.id}]`,
      Math.max(4, planes.length * chunk.length));
    st = { chunk, storage, planes };
    this.chunkStates.set(chunk, st);
    this.fillChunk(st, this.pending);
    for (const e of chunk.entries) this.pending.delete(e.param.name);
    return st;
  }

  /** @internal Write a chunk's whole state: values from `from` by parameter name, else initial values. */
  fillChunk(st: ChunkState, from: ReadonlyMap<string, Record<string, ArrayLike<number>>>): void {
    const L = st.chunk.length;
    if (!st.planes.length) return;
    const data = new Float64Array(st.planes.length * L);
    for (const e of st.chunk.entries) {
      const gi = this.groupOf.get(e.param);
      if (gi === undefined) continue;
      const rec = from.get(e.param.name);
      st.planes.forEach((k, pi) => {
        const src = rec?.[k];
        if (src) data.set(src, pi * L + e.offset);
        else data.fill(this.initialValue(k, this.paramGroups[gi]), pi * L + e.offset, pi * L + e.offset + e.param.size);
      });
    }
    this.backend!.write(view(st.storage, 0, [data.length], 'f32', st.storage.label), data);
  }

  /** The step whose loss or gradient norm was not finite (updates are skipped from there on), or null. */
  async nonFiniteStep(): Promise<number | null> {
    if (!this.status) return null;
    const s = await this.backend!.read(this.statusView());
    return s[2] !== 0 ? s[2] : null;
  }

  /** The global gradient norm of the last step, when it was computed (clipGradNorm or a loss guard). */
  async lastGradNorm(): Promise<number | null> {
    if (!this.status) return null;
    return (await this.backend!.read(this.statusView()))[3];
  }

  /** Resume updates after a non-finite step: the step count goes back to the updates applied. */
  async resetNonFinite(): Promise<number | null> {
    const k = await this.nonFiniteStep();
    if (k !== null) this.t = k - 1;
    this.resetStatus();
    return k;
  }

  /** Step count, group options and every state tensor, by parameter name (exact copies). */
  async stateDict(): Promise<OptimizerStateDict> {
    const k = await this.nonFiniteStep();
    return exportState(this, k !== null ? k - 1 : this.t);
  }

  /** Restore a stateDict(): validates everything first (names, groups, shapes), then loads all of it. */
  async loadStateDict(sd: OptimizerStateDict): Promise<void> {
    const step = importState(this, sd);
    this.t = step;
    this.resetStatus();
  }

  /** @internal */
  validateLoaded(o: Record<string, unknown>, gi: number): O {
    const r = resolveOptions(this.name, this.specs, {}, o, ` in loaded parameter group ${gi}`) as unknown as O;
    this.checkGroup(r, gi);
    return r;
  }
}
