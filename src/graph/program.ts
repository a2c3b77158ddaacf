/**
 * Compiling and running a graph. compile() runs the planner's passes (src/graph/plan):
 *   order   — the nodes the requested results need, each after its inputs;
 *   fuse    — the ops a step runs, with the fusion rules declared beside their families
 *             (matmul epilogue, normalization, accumulators) and a runnable schedule;
 *   memory  — leaves in their persistent homes, gradients in the gradient arena, requested
 *             results in their own buffers, intermediates in slots reused by liveness;
 *   prepare — storage allocated and every op prepared once (pipelines, bind groups).
 * A step then runs as one submission, with no readback unless asked.
 */
import { ArgumentError, NonFiniteError, fmtShape } from '../errors.js';
import type { Backend, HostArray, Prepared, View } from '../backend/types.js';
import { ASSIGN_FUSIONS, FUSIONS } from '../ops/index.js';
import { Parameter, type Graph, type Tensor, type Variable } from './tensor.js';
import { describe } from './ops/elementwise.js';
import type { ParamStore } from './store.js';
import { baseOf, consumerCounts, topoOrder } from './plan/order.js';
import { fuse, inPlaceUpdates, schedule } from './plan/fuse.js';
import { gradientHomes, planMemory } from './plan/memory.js';
import { ProgramStorage, placeLeaves, placeOutputs, prepareAssigns, prepareExecs } from './plan/prepare.js';
import { profileSteps, type ProfileOptions } from '../backend/profile.js';
import type { StepProfile } from '../gpu/profiler.js';

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

export class Program {
  private prepared: Prepared[] = [];
  private assignOps: Prepared[] = [];
  private steps: Prepared[] = [];
  private outputViews = new Map<string, View>();
  private mem: ProgramStorage;
  private ran = false;
  private disposed = false;
  readonly stats = { kernels: 0, slots: 0, slotElements: 0, fused: 0 };

  private constructor(
    private backend: Backend,
    private store: ParamStore,
    readonly graph: Graph,
    private hooks: readonly StepHook[],
    private checkFiniteDefault: boolean,
  ) {
    this.mem = new ProgramStorage(backend);
  }

  static async compile(backend: Backend, store: ParamStore, graph: Graph, opts: CompileOptions,
    checkFinite: boolean): Promise<Program> {
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
      if (!t || t.graph !== this.graph)
        throw new ArgumentError(`compile: output '${name}' is not a tensor of this graph`);
    }
    for (const [p, t] of gradPairs) {
      if (!(p instanceof Parameter))
        throw new ArgumentError('compile: gradients must pair a Parameter with its gradient tensor');
      if (t.graph !== this.graph || t.shape.join() !== p.shape.join()) {
        throw new ArgumentError(`compile: gradient for '${p.name}' must be a tensor of this graph with shape ` +
          `${fmtShape(p.shape)}, got ${t}`);
      }
    }
    const fusing = opts.fuse !== false;
    // Assigns that become in-place updates run with the other assigns; the tensor each reads must
    // then live to the end of the step (it is a root).
    const updates = fusing ? inPlaceUpdates(this.graph.assigns, ASSIGN_FUSIONS) : [];
    const folded = new Set(updates.flatMap((u) => u.assigns));
    const assigns = this.graph.assigns.filter((a) => !folded.has(a));
    const roots: Tensor[] = [
      ...Object.values(outputs), ...(opts.loss ? [opts.loss] : []), ...gradPairs.map(([, t]) => t),
      ...assigns.map((a) => a.value), ...updates.map((u) => u.reads),
    ];

    // order
    const order = topoOrder(roots);
    const rootIds = new Set(roots.map((r) => r.id));
    const consumers = consumerCounts(order);

    // Parameters (contiguously, in order of first use) and variables get their homes first.
    const params = order.filter((t) => t.op.name === 'param').map((t) => t.ref as Parameter);
    await this.store.place([...params, ...gradPairs.map(([p]) => p)]);
    for (const t of order) if (t.op.name === 'variable') await this.store.variable(t.ref as Variable);
    for (const a of this.graph.assigns) await this.store.variable(a.variable);

    // fuse
    const { execs, fused } = fuse(order, rootIds, consumers, fusing ? FUSIONS : []);
    this.stats.fused += fused;
    const sorted = schedule(execs);

    // memory
    const persistent = new Set<number>(rootIds);
    for (const r of roots) persistent.add(baseOf(r).id);
    const plan = planMemory(sorted, persistent, gradientHomes(gradPairs, consumers));
    this.stats.slots = plan.slots.length;

    // prepare
    const gradViews = new Map<Parameter, View>();
    for (const [p] of gradPairs) gradViews.set(p, await this.store.gradView(p));
    await placeLeaves(order, this.store, this.mem, this.backend);
    this.stats.slotElements = (await placeOutputs(sorted, plan, gradViews, this.mem)).slotElements;
    this.prepared = await prepareExecs(this.backend, sorted, this.mem, gradPairs, plan, gradViews);
    const ctx: HookContext = {
      backend: this.backend,
      store: this.store,
      params: [...gradViews.keys()],
      tensorView: (t) => this.mem.viewOf(t),
      loss: opts.loss ? this.mem.viewOf(opts.loss) : null,
    };
    for (const h of this.hooks) await h.prepare(ctx);
    this.assignOps = await prepareAssigns(this.backend, this.store, this.mem, assigns, updates);
    this.stats.kernels = this.prepared.length;
    for (const [name, t] of Object.entries(outputs)) this.outputViews.set(name, this.mem.viewOf(t));
    this.steps = [...this.prepared, ...this.hooks.flatMap((h) => h.ops), ...this.assignOps];
  }

  /** The names and shapes this program expects to be fed. */
  get inputs(): { name: string; shape: readonly number[]; dtype: string }[] {
    return [...this.mem.inputs].map(([name, { tensor }]) => ({ name, shape: tensor.shape, dtype: tensor.dtype }));
  }

  /**
   * Run one step: upload the feeds, then submit the graph, the hooks and the assigns as one
   * submission. Nothing is read back.
   */
  async run(feeds: Record<string, Feed> = {}, opts: RunOptions = {}): Promise<void> {
    if (this.disposed)
      throw new ArgumentError('run: this program was disposed (engine.dispose() or program.dispose()); compile the ' +
        'graph again');
    const checkFinite = opts.checkFinite ?? this.checkFiniteDefault;
    for (const name of Object.keys(feeds)) {
      if (!this.mem.inputs.has(name)) {
        const known = [...this.mem.inputs.keys()].join(', ') || 'none';
        throw new ArgumentError(`run: unknown input '${name}' (this program's inputs: ${known})`);
      }
    }
    const uploads: [View, Feed][] = [];
    for (const [name, { view: v, tensor }] of this.mem.inputs) {
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

  /**
   * Profile this program's step (webgpu): `steps` real steps with these feeds (hooks run,
   * parameters update), each dispatch timed; see StepProfile for the table, JSON and trace.
   */
  async profile(feeds: Record<string, Feed> = {}, opts: ProfileOptions = {}): Promise<StepProfile> {
    return profileSteps(this.backend, () => this.run(feeds), this.stats.slotElements * 4, opts);
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
    if (!v)
      throw new ArgumentError(`read: no output named '${name}' (outputs: ` +
        `${[...this.outputViews.keys()].join(', ') || 'none'})`);
    if (this.disposed) throw new ArgumentError(`read('${name}'): this program was disposed`);
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
    return this.prepared.map((p) => p.call.op.name);
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
    this.mem.release();
    this.prepared = [];
    this.assignOps = [];
    this.steps = [];
    this.disposed = true;
  }
}

function validateFeed(name: string, t: Tensor, data: Feed, classes: number | undefined, checkFinite: boolean): void {
  if (!(data instanceof Float32Array || data instanceof Int32Array || data instanceof Float64Array
    || Array.isArray(data))) {
    throw new ArgumentError(`input '${name}': expected a Float32Array, Int32Array or number[], got ` +
      `${Object.prototype.toString.call(data)}`);
  }
  if (data.length !== t.size) {
    throw new ArgumentError(`input '${name}': got ${data.length} values, shape ${fmtShape(t.shape)} needs ${t.size}`);
  }
  if (Array.isArray(data)) {
    const bad = data.findIndex((v) => typeof v !== 'number');
    if (bad >= 0) throw new ArgumentError(`input '${name}': element ${bad} is ${describe(data[bad])}, not a number`);
  }
  if (t.dtype === 'i32') {
    if (data instanceof Float32Array || data instanceof Float64Array || Array.isArray(data)) {
      for (let i = 0; i < data.length; i++) {
        if (!Number.isInteger(data[i]))
          throw new ArgumentError(`input '${name}' is int32 but element ${i} is ${data[i]}`);
      }
    }
    if (classes !== undefined) {
      for (let i = 0; i < data.length; i++) {
        const v = data[i];
        if (v < 0 || v >= classes) {
          throw new ArgumentError(`input '${name}': target ${v} at index ${i} is out of bounds for ${classes} ` +
            `classes (expected 0 ≤ label < ${classes})`);
        }
      }
    }
  } else if (checkFinite) {
    for (let i = 0; i < data.length; i++) {
      if (!Number.isFinite(data[i])) throw new NonFiniteError(`input '${name}' contains ${data[i]} at index ${i}`);
    }
  }
}
