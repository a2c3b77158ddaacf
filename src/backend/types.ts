/**
 * The narrow interface the graph runs on. A backend allocates storage, moves data, and runs
 * ops (the op objects of src/ops): `prepare` is called once per op of a compiled program
 * (pipelines, bind groups, uniform buffers are made there), `execute` runs a list of prepared
 * ops as one submission. Two backends implement it: `webgpu` (WGSL kernels) and `cpu` (the
 * float64 references); each has one typed implementation per op, checked exhaustive by type.
 */
import type { AttrsOf, DType, ExecOpName, OPS } from '../ops/index.js';
import type { DeviceProfile } from '../gpu/profile.js';
import type { DispatchTiming, Roofline, TimingMethod } from '../gpu/profiler.js';

/** Backend-owned memory. */
export interface Storage {
  readonly label: string;
  /** Size in elements (4 bytes each on the GPU). */
  readonly length: number;
}

/** A typed window into a storage: elements [offset, offset + length). */
export interface View {
  readonly storage: Storage;
  readonly offset: number;
  readonly length: number;
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly label: string;
}

/** One op invocation with concrete storage. Inputs first, then outputs (ref-function order). */
export interface OpCall<N extends ExecOpName = ExecOpName> {
  readonly op: (typeof OPS)[N];
  readonly inputs: readonly View[];
  readonly outputs: readonly View[];
  readonly attrs: AttrsOf<N>;
}

/** An op made ready to run; `update` changes its scalar attributes (e.g. a step hook's learning rate). */
export interface Prepared {
  readonly call: OpCall;
  update(attrs: object): void;
  /** Free what preparing allocated (parameter buffers, scratch); the op must not run again. */
  dispose?(): void;
}

export type HostArray = Float32Array | Float64Array | Int32Array;

export interface BackendLimits {
  /** Largest tensor one kernel can bind, in bytes. */
  maxBindingBytes: number;
  /** Largest single allocation, in bytes. */
  maxBufferBytes: number;
  /** Offsets of views that kernels bind must be multiples of this many elements. */
  offsetAlignElems: number;
}

export interface Backend {
  readonly name: 'webgpu' | 'cpu';
  /** Human-readable adapter description. */
  readonly adapter: string;
  readonly limits: BackendLimits;
  /** The adapter policy kernels and optimizers follow (variants, block sizes). */
  readonly profile: DeviceProfile;
  alloc(label: string, length: number, dtype?: DType): Promise<Storage>;
  release(s: Storage): void;
  /** Write host data into a view (queued before the next execute). */
  write(v: View, data: HostArray | readonly number[]): void;
  /** Read a view back (after all queued work). f32 views come back as Float32Array (GPU) or Float64Array (cpu). */
  read(v: View): Promise<HostArray>;
  prepare(call: OpCall): Promise<Prepared>;
  /** Run prepared ops in order as one submission (one command buffer on the GPU). */
  execute(steps: readonly Prepared[]): Promise<void>;
  /** Wait for all submitted work. */
  sync(): Promise<void>;
  dispose(): void;
  /** What the profiler needs (Program.profile); backends without it cannot be profiled. */
  readonly profiling?: BackendProfiling;
}

/** A backend's side of the profiler (src/backend/profile.ts drives it). */
export interface BackendProfiling {
  readonly hasTimestamps: boolean;
  /** The next execute() times each of its dispatches by this method. */
  arm(method: TimingMethod): Promise<void>;
  /** The timings of the armed execute (after it). */
  take(): Promise<DispatchTiming[]>;
  /** When the last execute encoded and submitted, and for how long (performance.now() ms). */
  host(): { encodeAt: number; encodeMs: number; submitAt: number; submitMs: number };
  /** This adapter's measured roofline (measured once). */
  roofline(): Promise<Roofline>;
  memory(): { peakBufferBytes: number; liveBufferBytes: number };
}

export function view(storage: Storage, offset: number, shape: readonly number[], dtype: DType, label: string): View {
  let length = 1;
  for (const d of shape) length *= d;
  return { storage, offset, length, dtype, shape: [...shape], label };
}
