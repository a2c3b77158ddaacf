/**
 * The engine: one backend (webgpu or cpu), the parameters and variables living on it, and the
 * programs compiled for it. `init()` is the entry point.
 */
import { ArgumentError } from './errors.js';
import { Gpu, type AdapterOptions } from './gpu/device.js';
import type { Backend } from './backend/types.js';
import { CpuBackend } from './backend/cpu.js';
import { WebGpuBackend, type WebGpuBackendOptions } from './backend/webgpu.js';
import { checkMatmulVariant } from './kernels/matmul.js';
import { ParamStore } from './graph/store.js';
import { Program, type CompileOptions } from './graph/program.js';
import type { Graph, Parameter, Variable } from './graph/tensor.js';

export interface InitOptions extends AdapterOptions, WebGpuBackendOptions {
  /** 'webgpu' (default) or 'cpu' (the float64 reference interpreter). */
  backend?: 'webgpu' | 'cpu';
  /** A GPU object to use instead of the environment's (navigator.gpu, or Dawn in Node). */
  gpu?: GPU;
  /** Scan float inputs for NaN/Inf before each upload (default false). */
  checkFinite?: boolean;
}

type GpuProvider = () => GPU | undefined | Promise<GPU | undefined>;
let provider: GpuProvider = () => (globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu;
let releaser: () => void = () => {};

/** Used by the Node and browser entry points to say where the GPU object comes from. */
export function setGpuProvider(p: GpuProvider, release: () => void = () => {}): void {
  provider = p;
  releaser = release;
}

let liveEngines = 0;

export class Engine {
  readonly store: ParamStore;
  private programs = new Set<Program>();
  private disposed = false;

  constructor(readonly backend: Backend, private checkFinite = false) {
    this.store = new ParamStore(backend);
    liveEngines++;
  }

  /** 'webgpu' or 'cpu'. */
  get kind(): 'webgpu' | 'cpu' {
    return this.backend.name;
  }

  /** Adapter description. */
  get adapter(): string {
    return this.backend.adapter;
  }

  /** Compile a graph into a program: pipelines and bind groups are created here, once. */
  async compile(graph: Graph, opts: CompileOptions = {}): Promise<Program> {
    this.check();
    const p = await Program.compile(this.backend, this.store, graph, opts, this.checkFinite);
    this.programs.add(p);
    return p;
  }

  /** Current values of a parameter or variable (a readback). */
  async read(p: Parameter | Variable): Promise<Float32Array | Int32Array> {
    this.check();
    return this.store.read(p);
  }

  /** Overwrite a parameter or variable. */
  write(p: Parameter | Variable, data: Float32Array | Float64Array | Int32Array | readonly number[]): void {
    this.check();
    this.store.write(p, data);
  }

  /** Wait for all submitted work. */
  sync(): Promise<void> {
    return this.backend.sync();
  }

  /** Release every buffer and the device. Idempotent. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const p of this.programs) p.dispose();
    this.programs.clear();
    this.backend.dispose();
    if (--liveEngines === 0) releaser();
  }

  private check(): void {
    if (this.disposed) throw new ArgumentError('this engine was disposed; create a new one with slope.init()');
  }
}

/** Create an engine on WebGPU (Dawn in Node, navigator.gpu in browsers) or on the cpu reference. */
export async function init(opts: InitOptions = {}): Promise<Engine> {
  const kind = opts.backend ?? 'webgpu';
  if (kind === 'cpu') return new Engine(new CpuBackend(), opts.checkFinite);
  if (kind !== 'webgpu') throw new ArgumentError(`init: backend must be 'webgpu' or 'cpu', got '${String(kind)}'`);
  if (opts.matmulVariant !== undefined) checkMatmulVariant(opts.matmulVariant);
  const gpuObj = opts.gpu ?? (await provider());
  const gpu = await Gpu.create(gpuObj, opts);
  return new Engine(new WebGpuBackend(gpu, opts), opts.checkFinite);
}
