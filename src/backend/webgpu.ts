/**
 * The webgpu backend: ops lower to launches of WGSL kernels (src/kernels). Pipelines, bind
 * groups and uniform buffers are made once per prepared op; a step is one command buffer with
 * one compute pass and one submit. At most `maxInFlight` steps are queued: Dawn otherwise
 * queues without bound. Two ways to wait (see sleepBeforeWait): in browsers, a rolling window —
 * step i waits for step i − maxInFlight, so the GPU always has work while the host records the
 * next step; in Node, the whole queue is drained every maxInFlight steps after a sleep, because
 * Dawn's Node binding spins a CPU core for as long as any of its promises is pending.
 */
import { ArgumentError, GpuValidationError, LimitError } from '../errors.js';
import type { DType, ExecOpName } from '../ops/index.js';
import { Gpu, Usage } from '../gpu/device.js';
import { gpuProfile, type DeviceProfile, type ProfileOptions } from '../gpu/profile.js';
import { LOWERINGS } from '../kernels/index.js';
import type { Launch, LowerContext, Lowering } from '../kernels/spec.js';
import { measureRoofline } from '../kernels/roofline.js';
import type { DispatchTiming, Roofline, TimingMethod } from '../gpu/profiler.js';
import type { Backend, BackendProfiling, HostArray, OpCall, Prepared, Storage, View } from './types.js';
import { emptySubmitMs, launchInfo, submitTimestamped, timeAlone, type ReadyLaunch } from './webgpu_profile.js';
import { memoryTuneCache, type TuneCache } from '../gpu/tune_cache.js';
import { shapeClass } from '../kernels/tune.js';
import { Tuner } from './tune.js';

interface GpuStorage extends Storage {
  buffer: GPUBuffer;
}

interface GpuPrepared extends Prepared {
  launches: ReadyLaunch[];
  /** Submitted before: its pipelines are compiled (a software adapter compiles at first use). */
  warm?: boolean;
}

export interface WebGpuBackendOptions extends ProfileOptions {
  /** Steps allowed in flight before run() waits (backpressure). */
  maxInFlight?: number;
  /** 1: log each dispatch; 2: also print WGSL when a pipeline is created. */
  debug?: number;
  /**
   * Sleep for most of the expected GPU time before waiting on the queue (default: in Node).
   * Dawn's Node binding polls its event loop continuously while one of its promises is
   * pending, which takes a CPU core from a software adapter's own threads.
   */
  sleepBeforeWait?: boolean;
  /**
   * Tuning at compile (src/backend/tune.ts): true (the default) measures the variants of tuned
   * families per shape class and remembers the choices in the environment's cache (a file in
   * the user's cache directory in Node, IndexedDB in browsers; SLOPE_TUNE=0 in Node turns it
   * off), a TuneCache to use that one, false to use the rules alone (and choices restored from
   * a checkpoint).
   */
  tune?: boolean | TuneCache;
}

let defaultCache: () => TuneCache | null = memoryTuneCache;
/** Used by the Node and browser entry points: the tuning cache of engines that do not name one. */
export function setTuneCacheProvider(p: () => TuneCache | null): void {
  defaultCache = p;
}

const UNIFORM_ALIGN = 256;

export class WebGpuBackend implements Backend {
  readonly name = 'webgpu' as const;
  readonly limits;
  /** Submissions not yet known to be complete, and when the last wait ended. */
  private pending = 0;
  /** Rolling window (browsers): one completion promise per step in flight, oldest first. */
  private window: Promise<unknown>[] = [];
  private lastDone = 0;
  /**
   * Running estimate of the GPU time of a submission (ms) per list of steps (a program's step),
   * for sleeping before a wait: one program's estimate would mislead another's wait.
   */
  private stepMs = new WeakMap<readonly Prepared[], number>();
  /** The step lists submitted since the last wait, in order. */
  private queued: (readonly Prepared[])[] = [];
  /** Some submission since the last wait ran an op for the first time (compile time in it). */
  private cold = false;
  private sleepFirst: boolean;
  private storages = new Set<GpuStorage>();
  readonly profile: DeviceProfile;
  private maxInFlight: number;
  private debug: number;
  /** Bytes of storage buffers alive, and the most at once (for the profiler). */
  private liveBytes = 0;
  private peakBytes = 0;
  /** The profiler: the next execute() times its dispatches (armed), and what the last one did on the host. */
  private armed: { method: TimingMethod; emptyMs: number; result?: Promise<DispatchTiming[]> } | null = null;
  private lastHost = { encodeMs: 0, submitMs: 0, encodeAt: 0, submitAt: 0 };
  private rooflineP: Promise<Roofline> | null = null;

  constructor(readonly gpu: Gpu, opts: WebGpuBackendOptions = {}) {
    const l = gpu.limits;
    this.limits = {
      maxBindingBytes: l.maxStorageBufferBindingSize,
      maxBufferBytes: l.maxBufferSize,
      offsetAlignElems: Math.max(1, l.minStorageBufferOffsetAlignment / 4),
    };
    this.profile = gpuProfile(gpu.adapterName, l.subgroupMinSize, opts);
    this.maxInFlight = opts.maxInFlight ?? 2;
    this.sleepFirst = opts.sleepBeforeWait ?? isNode();
    this.debug = opts.debug ?? 0;
    this.profiling = this.makeProfiling();
    const cache = opts.tune === false ? null : typeof opts.tune === 'object' ? opts.tune : defaultCache();
    const off = opts.tune === false || (opts.tune === undefined && cache === null);
    this.tuner = off ? null : new Tuner({
      gpu, profile: this.profile, alloc: (l, n) => this.alloc(l, n), release: (s) => this.release(s),
        write: (v, d) => this.write(v, d),
      prepareTuned: (c, t) => this.prepareWith(c, LOWERINGS[c.op.name] as Lowering<ExecOpName>,
        t) as Promise<GpuPrepared>,
    }, cache);
  }

  /** Measures variants at compile; null when tuning is off. */
  readonly tuner: Tuner | null;

  get adapter(): string {
    return this.gpu.adapterName;
  }

  async alloc(label: string, length: number, _dtype: DType = 'f32'): Promise<Storage> {
    const bytes = Math.max(1, length) * 4;
    const buffer = await this.gpu.createBuffer(label, bytes, Usage.STORAGE | Usage.COPY_SRC | Usage.COPY_DST);
    return this.track({ label, length, buffer });
  }

  private allocSync(label: string, length: number): GpuStorage {
    const bytes = Math.max(4, Math.max(1, length) * 4);
    if (bytes > this.gpu.limits.maxBufferSize) throw new LimitError(`${label}: ${bytes} bytes exceeds maxBufferSize`);
    const buffer = this.gpu.device.createBuffer({ label, size: bytes,
      usage: Usage.STORAGE | Usage.COPY_SRC | Usage.COPY_DST });
    return this.track({ label, length, buffer });
  }

  private track(s: GpuStorage): GpuStorage {
    this.storages.add(s);
    this.liveBytes += s.buffer.size;
    this.peakBytes = Math.max(this.peakBytes, this.liveBytes);
    return s;
  }

  release(s: Storage): void {
    const g = s as GpuStorage;
    if (this.storages.delete(g)) {
      this.liveBytes -= g.buffer.size;
      g.buffer.destroy();
    }
  }

  write(v: View, data: HostArray | readonly number[]): void {
    this.gpu.checkAlive();
    if (data.length !== v.length)
      throw new ArgumentError(`write ${v.label}: ${data.length} values for ${v.length} elements`);
    if (!v.length) return;
    let arr: Float32Array | Int32Array;
    if (v.dtype === 'i32') arr = data instanceof Int32Array ? data : Int32Array.from(data);
    else arr = data instanceof Float32Array ? data : Float32Array.from(data);
    this.gpu.device.queue.writeBuffer((v.storage as GpuStorage).buffer, v.offset * 4, arr.buffer, arr.byteOffset,
      arr.byteLength);
  }

  async read(v: View): Promise<HostArray> {
    if (!v.length) return v.dtype === 'i32' ? new Int32Array(0) : new Float32Array(0);
    // In Node the mapping's wait would spin a core for the whole queued work (see sleepBeforeWait):
    // the queue is drained first, sleeping for most of it.
    if (this.sleepFirst && this.pending) await this.waitIdle();
    const bytes = await this.gpu.readback((v.storage as GpuStorage).buffer, v.offset * 4, v.length * 4);
    this.throwUncaptured('reading ' + v.label);
    return v.dtype === 'i32' ? new Int32Array(bytes) : new Float32Array(bytes);
  }

  async prepare(call: OpCall): Promise<Prepared> {
    return this.prepareWith(call, LOWERINGS[call.op.name] as Lowering<ExecOpName>, await this.tuned(call));
  }

  /** The tuned variant of this call's family (restored, cached or measured now), unless forced. */
  private async tuned(call: OpCall): Promise<Record<string, string> | undefined> {
    const key = shapeClass(call);
    const family = call.op.family;
    if (!key || this.profile.forced[family]) return undefined;
    const v = this.profile.tuned.get(key) ?? (await this.tuner?.choose(key, call));
    return v ? { [family]: v } : undefined;
  }

  /** Prepare a call with a given lowering (prepare() takes the op's own; tests pass others). */
  async prepareWith(call: OpCall, lower: (call: OpCall, ctx: LowerContext) => Launch[], tuned?: Record<string,
    string>): Promise<Prepared> {
    const name = call.op.name;
    for (const v of [...call.inputs, ...call.outputs]) this.gpu.checkBinding(v.label, v.length * 4);
    const scratch: GpuStorage[] = [];
    let scratchIdx = 0;
    const ctx: LowerContext = {
      limits: this.gpu.limits,
      scratch: (length, label) => {
        let s = scratch[scratchIdx];
        if (!s || s.length < length) {
          s = this.allocSync(`${name} scratch: ${label}`, length);
          scratch[scratchIdx] = s;
        }
        scratchIdx++;
        return { storage: s, offset: 0, length, dtype: 'f32', shape: [length], label };
      },
      profile: this.profile,
      tuned,
    };
    // The scope is popped however this ends: a lowering, limit or compile error thrown here must
    // not leave it open, or it would swallow every later validation error of this device.
    this.gpu.device.pushErrorScope('validation');
    let launches: Launch[];
    let uniform: GPUBuffer | undefined;
    const ready: ReadyLaunch[] = [];
    let err: GPUError | null;
    const free = () => {
      uniform?.destroy();
      for (const st of scratch) this.release(st);
    };
    try {
      launches = lower(call, ctx);
      const uniformBytes = Math.max(UNIFORM_ALIGN, launches.length * UNIFORM_ALIGN);
      uniform = this.gpu.device.createBuffer({ label: `${name} params`, size: uniformBytes,
        usage: Usage.UNIFORM | Usage.COPY_DST });
      for (let i = 0; i < launches.length; i++) {
        const l = launches[i];
        const k = l.kernel;
        if (l.buffers.length !== k.bindings.length) {
          throw new Error(`internal: ${k.name} takes ${k.bindings.length} buffers, got ${l.buffers.length}`);
        }
        this.checkAliasing(k.name, l);
        const kinds = [...k.bindings, 'uniform' as const];
        const overrides = { ...(k.overrides ?? {}), ...(l.overrides ?? {}) };
        if (this.debug >= 2) console.error(`[slope] pipeline ${k.name} ${JSON.stringify(overrides)}\n${k.source}`);
        const pipeline = await this.gpu.pipeline({ name: k.name, source: k.source, entry: k.entry, bindings: kinds,
          overrides });
        const entries: GPUBindGroupEntry[] = l.buffers.map((v, b) => ({
          binding: b,
          resource: { buffer: (v.storage as GpuStorage).buffer, offset: v.offset * 4, size: Math.max(4, v.length * 4) },
        }));
        entries.push({ binding: k.bindings.length,
          resource: { buffer: uniform, offset: i * UNIFORM_ALIGN,
            size: Math.max(16, k.params.length * 4 + ((16 - ((k.params.length * 4) % 16)) % 16)) } });
        const bindGroup = this.gpu.device.createBindGroup({ label: k.name, layout: this.gpu.layout(kinds), entries });
        const workgroups = this.fold(k.name, l.workgroups);
        ready.push({ pipeline, bindGroup, workgroups, launch: l, uniformOffset: i * UNIFORM_ALIGN,
          info: launchInfo(call, l, workgroups, overrides) });
      }
    } catch (e) {
      free();
      throw e;
    } finally {
      err = await this.gpu.device.popErrorScope();
    }
    if (err) {
      free();
      throw new GpuValidationError(`preparing ${name} (${call.outputs.map((o) => o.label).join(', ')}): ` +
        `${err.message}`);
    }
    const writeUniforms = (ls: readonly Launch[]) => {
      ls.forEach((l, i) => {
        const data = packParams(l);
        if (data.byteLength) this.gpu.device.queue.writeBuffer(uniform!, i * UNIFORM_ALIGN, data);
      });
    };
    writeUniforms(launches);
    let attrs = call.attrs as object;
    const prepared: GpuPrepared = {
      call,
      launches: ready,
      update: (a: object) => {
        attrs = { ...attrs, ...a };
        scratchIdx = 0;
        const again = lower({ ...call, attrs } as OpCall, ctx);
        if (again.length !== ready.length) throw new Error(`internal: ${name} changed its launches on update`);
        writeUniforms(again);
      },
      dispose: free,
    };
    return prepared;
  }

  /** One binding of a buffer read-only and another writable in one dispatch is invalid in WebGPU. */
  private checkAliasing(name: string, l: Launch): void {
    const k = l.kernel;
    for (let i = 0; i < l.buffers.length; i++) {
      for (let j = 0; j < l.buffers.length; j++) {
        if (i !== j && k.bindings[i] === 'read' && k.bindings[j] === 'read_write'
          && l.buffers[i].storage === l.buffers[j].storage) {
          throw new Error(`internal: ${name} reads ${l.buffers[i].label} and writes ${l.buffers[j].label} in the ` +
            `same buffer`);
        }
      }
    }
  }

  private fold(name: string, wg: number | readonly [number, number, number]): [number, number, number] {
    const max = this.gpu.limits.maxComputeWorkgroupsPerDimension;
    if (typeof wg !== 'number') {
      if (wg.some((d) => d > max))
        throw new LimitError(`${name}: dispatch ${wg.join('×')} exceeds ${max} workgroups per dimension`);
      return [wg[0], wg[1], wg[2]];
    }
    const n = Math.max(1, wg);
    if (n <= max) return [n, 1, 1];
    const y = Math.ceil(n / max);
    if (y > max)
      throw new LimitError(`${name}: total dispatch size ${n} workgroups exceeds the WebGPU maximum (${max}×${max})`);
    // Kernels compute the linear workgroup id as wid.x + wid.y·nwg.x and guard the tail.
    return [Math.ceil(n / y), y, 1];
  }

  async execute(steps: readonly Prepared[]): Promise<void> {
    this.gpu.checkAlive();
    this.throwUncaptured('a previous step');
    if (this.sleepFirst) {
      if (this.pending >= this.maxInFlight) await this.waitIdle();
    } else if (this.window.length >= this.maxInFlight) {
      await this.window.shift();
      this.gpu.checkAlive();
    }
    const device = this.gpu.device;
    if (this.armed) {
      await this.executeTimed(steps as GpuPrepared[]);
      return;
    }
    const t0 = performance.now();
    const enc = device.createCommandEncoder({ label: 'step' });
    const pass = enc.beginComputePass({ label: 'step' });
    for (const s of steps as GpuPrepared[]) {
      if (!s.warm) this.cold = s.warm = true;
      for (const r of s.launches) {
        if (this.debug >= 1) console.error(`[slope] dispatch ${r.launch.kernel.name} ${r.workgroups.join('×')}`);
        pass.setPipeline(r.pipeline);
        pass.setBindGroup(0, r.bindGroup);
        pass.dispatchWorkgroups(r.workgroups[0], r.workgroups[1], r.workgroups[2]);
      }
    }
    pass.end();
    const cb = enc.finish();
    const t1 = performance.now();
    device.queue.submit([cb]);
    this.lastHost = { encodeAt: t0, encodeMs: t1 - t0, submitAt: t1, submitMs: performance.now() - t1 };
    if (this.sleepFirst) {
      if (this.pending === 0) this.lastDone = performance.now();
      this.pending++;
      this.queued.push(steps);
    } else {
      this.window.push(Promise.race([device.queue.onSubmittedWorkDone(), this.gpu.device.lost]).catch(() => undefined));
    }
  }

  /**
   * Wait until every submission is complete (the backpressure point): first sleep for ~80% of
   * the work still expected to be queued, then await the queue, and update the estimate.
   */
  private async waitIdle(): Promise<void> {
    if (this.window.length) {
      const all = this.window;
      this.window = [];
      await Promise.all(all);
      this.gpu.checkAlive();
    }
    if (!this.pending) return;
    const n = this.pending;
    const queued = this.queued;
    this.queued = [];
    const known = queued.map((q) => this.stepMs.get(q) ?? 0);
    const expected = known.reduce((a, b) => a + b, 0);
    if (this.sleepFirst && known.every((ms) => ms > 1)) {
      const left = expected - (performance.now() - this.lastDone);
      if (left > 2) await new Promise((r) => setTimeout(r, Math.floor(left * 0.8)));
    }
    await Promise.race([this.gpu.device.queue.onSubmittedWorkDone(), this.gpu.device.lost.then(() => undefined)]);
    this.gpu.checkAlive();
    const now = performance.now();
    const per = (now - this.lastDone) / n;
    // The estimate must not learn from outliers that would make every later wait oversleep: a
    // first run (pipeline compilation) is left out, and a faster measurement is taken at once
    // (the time measured includes this wait's own sleep, so an estimate that only blended down
    // would feed on itself).
    // Learnt only from waits on one program's steps.
    const one = queued.length && queued.every((q) => q === queued[0]) ? queued[0] : null;
    const est = one && this.stepMs.get(one);
    if (!this.cold && one) this.stepMs.set(one, !est || per < est ? per : 0.7 * est + 0.3 * per);
    this.cold = false;
    this.pending = 0;
    this.lastDone = now;
  }

  /** The armed profiler's execute: every dispatch timed on its own (see webgpu_profile.ts). */
  private async executeTimed(steps: GpuPrepared[]): Promise<void> {
    const armed = this.armed!;
    this.armed = null;
    await this.waitIdle();
    const launches = steps.flatMap((s) => s.launches);
    for (const s of steps) s.warm = true;
    const t0 = performance.now();
    armed.result = armed.method === 'timestamp' ? submitTimestamped(this.gpu, launches) : timeAlone(this.gpu, launches,
      armed.emptyMs);
    this.lastHost = { encodeAt: t0, encodeMs: 0, submitAt: t0, submitMs: 0 };
    await armed.result;
    this.profiled = armed;
  }

  private profiled: { result?: Promise<DispatchTiming[]> } | null = null;

  /** What Program.profile needs from this backend (src/backend/profile.ts). */
  readonly profiling: BackendProfiling;

  private makeProfiling(): BackendProfiling {
    return {
    hasTimestamps: this.gpu.hasTimestamps,
    arm: async (method) => {
      if (method === 'timestamp' && !this.gpu.hasTimestamps)
        throw new ArgumentError("profile: this adapter has no 'timestamp-query'; use method 'alone'");
      this.armed = { method, emptyMs: method === 'alone' ? await emptySubmitMs(this.gpu) : 0 };
    },
    take: async () => {
      const p = this.profiled;
      this.profiled = null;
      if (!p?.result) throw new Error('internal: no profiled step to take');
      const r = await p.result;
      this.throwUncaptured('a profiled step');
      return r;
    },
    host: () => this.lastHost,
    roofline: () => (this.rooflineP ??= measureRoofline(this.gpu)),
    memory: () => ({ peakBufferBytes: this.peakBytes, liveBufferBytes: this.liveBytes }),
    };
  }

  private throwUncaptured(when: string): void {
    const errs = this.gpu.takeUncapturedErrors();
    if (errs.length)
      throw new GpuValidationError(`WebGPU reported an error during ${when}: ${errs.map((e) => e.message).join('; ')}`);
  }

  async sync(): Promise<void> {
    await this.waitIdle();
    await this.gpu.sync();
    this.throwUncaptured('the last steps');
  }

  dispose(): void {
    for (const s of this.storages) s.buffer.destroy();
    this.storages.clear();
    this.liveBytes = 0;
    this.gpu.destroy();
  }
}

function isNode(): boolean {
  const p = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof p?.versions?.node === 'string';
}

function packParams(l: Launch): ArrayBuffer {
  const fields = l.kernel.params;
  const buf = new ArrayBuffer(Math.ceil((fields.length * 4) / 16) * 16);
  const dv = new DataView(buf);
  fields.forEach(([name, type], i) => {
    const v = l.params?.[name];
    if (v === undefined) throw new Error(`internal: ${l.kernel.name} param ${name} missing`);
    if (type === 'f32') dv.setFloat32(i * 4, v, true);
    else if (type === 'i32') dv.setInt32(i * 4, v, true);
    else {
      if (!(v >= 0 && v <= 0xffffffff && Number.isInteger(v)))
        throw new LimitError(`${l.kernel.name}: ${name} = ${v} does not fit a u32`);
      dv.setUint32(i * 4, v, true);
    }
  });
  return buf;
}
