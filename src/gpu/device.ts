/**
 * The device seam: the only place that touches adapters. Takes an injected `GPU` object
 * (Dawn's `create()` in Node, `navigator.gpu` in the browser), requests the limits the adapter
 * offers for buffers and bindings plus `timestamp-query` when present, and wraps allocation and
 * pipeline creation in error scopes so that failures become typed errors.
 */
import {
  DeviceLostError, GpuValidationError, LimitError, NoAdapterError, OutOfMemoryError, ShaderCompileError,
} from '../errors.js';

/** WebGPU usage flags as numbers: Node has no `GPUBufferUsage` global. */
export const Usage = {
  MAP_READ: 0x0001, MAP_WRITE: 0x0002, COPY_SRC: 0x0004, COPY_DST: 0x0008,
  INDEX: 0x0010, VERTEX: 0x0020, UNIFORM: 0x0040, STORAGE: 0x0080, INDIRECT: 0x0100, QUERY_RESOLVE: 0x0200,
} as const;
const MAP_MODE_READ = 0x0001;
const SHADER_STAGE_COMPUTE = 0x4;

export interface AdapterOptions {
  /** Passed to `requestAdapter`. */
  powerPreference?: 'low-power' | 'high-performance';
  /** Ask for the fallback (software) adapter. */
  forceFallbackAdapter?: boolean;
}

export interface DeviceLimits {
  maxStorageBufferBindingSize: number;
  maxBufferSize: number;
  maxComputeWorkgroupsPerDimension: number;
  maxComputeInvocationsPerWorkgroup: number;
  maxComputeWorkgroupSizeX: number;
  maxComputeWorkgroupStorageSize: number;
  minStorageBufferOffsetAlignment: number;
  minUniformBufferOffsetAlignment: number;
  maxStorageBuffersPerShaderStage: number;
  /** Smallest subgroup size when the device has the `subgroups` feature enabled, else 0. */
  subgroupMinSize: number;
}

const LIMIT_NAMES: (keyof DeviceLimits)[] = [
  'maxStorageBufferBindingSize', 'maxBufferSize', 'maxComputeWorkgroupsPerDimension',
  'maxComputeInvocationsPerWorkgroup', 'maxComputeWorkgroupSizeX', 'maxComputeWorkgroupStorageSize',
  'minStorageBufferOffsetAlignment', 'minUniformBufferOffsetAlignment', 'maxStorageBuffersPerShaderStage',
];

export const NO_ADAPTER_HELP =
  'slope needs a WebGPU adapter. Install a GPU driver with Vulkan, Metal or D3D12 support, or the ' +
  "software adapter: on Debian/Ubuntu run `scripts/setup` (it installs Mesa's lavapipe Vulkan driver). " +
  'In a browser, use one with WebGPU enabled (Chrome/Edge 113+, or Chromium with --enable-unsafe-webgpu).';

/** A compute shader entry point with its explicit bind group layout (no `layout: 'auto'`). */
export interface PipelineKey {
  /** Unique name used in errors and as the cache key's first part. */
  name: string;
  source: string;
  entry: string;
  /** Binding kinds in binding order (group 0). */
  bindings: readonly ('read' | 'read_write' | 'uniform')[];
  overrides?: Record<string, number>;
}

/** A wrapped GPUDevice: limits, error scopes, pipeline cache, buffers, readback. */
export class Gpu {
  readonly limits: DeviceLimits;
  readonly hasTimestamps: boolean;
  readonly adapterName: string;
  private pipelines = new Map<string, Promise<GPUComputePipeline>>();
  private layouts = new Map<string, GPUBindGroupLayout>();
  private lostError: DeviceLostError | null = null;
  private uncaptured: GPUError[] = [];
  private disposed = false;
  readonly isFallback: boolean;

  private constructor(public device: GPUDevice, info: { name: string; fallback: boolean; subgroupMinSize: number }) {
    const l = device.limits as unknown as Record<string, number>;
    const limits = {} as DeviceLimits;
    for (const k of LIMIT_NAMES) limits[k] = Number(l[k]);
    limits.subgroupMinSize = device.features.has('subgroups') ? info.subgroupMinSize : 0;
    this.limits = limits;
    this.hasTimestamps = device.features.has('timestamp-query');
    this.adapterName = info.name;
    this.isFallback = info.fallback;
    device.lost.then((i) => {
      this.lostError = new DeviceLostError(
        `GPU device lost (${i.reason}): ${i.message || 'no message'}. Create a new engine with slope.init().`,
        i.reason,
      );
    });
    device.addEventListener('uncapturederror', (ev) => {
      this.uncaptured.push((ev as GPUUncapturedErrorEvent).error);
    });
  }

  /** Get an adapter and a device with the adapter's buffer and binding limits. */
  static async create(gpu: GPU | undefined | null, opts: AdapterOptions = {}): Promise<Gpu> {
    if (!gpu) throw new NoAdapterError(`WebGPU is not available here (no GPU object). ${NO_ADAPTER_HELP}`);
    let adapter: GPUAdapter | null = null;
    try {
      adapter = await gpu.requestAdapter({
        powerPreference: opts.powerPreference,
        forceFallbackAdapter: opts.forceFallbackAdapter,
      });
    } catch (e) {
      throw new NoAdapterError(`requestAdapter failed: ${(e as Error).message}. ${NO_ADAPTER_HELP}`);
    }
    if (!adapter) throw new NoAdapterError(`No WebGPU adapter was found. ${NO_ADAPTER_HELP}`);
    const al = adapter.limits as unknown as Record<string, number>;
    const requiredLimits: Record<string, number> = {};
    for (const k of LIMIT_NAMES) {
      if (k.startsWith('min')) continue; // alignments: keep the defaults (larger is always valid)
      requiredLimits[k] = al[k];
    }
    const requiredFeatures: GPUFeatureName[] = [];
    if (adapter.features.has('timestamp-query')) requiredFeatures.push('timestamp-query');
    if (adapter.features.has('subgroups')) requiredFeatures.push('subgroups' as GPUFeatureName);
    let device: GPUDevice;
    try {
      device = await adapter.requestDevice({ requiredLimits, requiredFeatures });
    } catch (e) {
      // E.g. an adapter already used for a device ("consumed"), or limits it cannot grant.
      throw new NoAdapterError(`the WebGPU adapter refused to create a device: ${(e as Error).message}. ` +
        `${NO_ADAPTER_HELP}`);
    }
    const info = adapter.info as GPUAdapterInfo | undefined;
    const name = [info?.vendor, info?.architecture, info?.device, info?.description]
      .filter((s) => s && String(s).length).join(' ') || 'unknown adapter';
    const fallback = Boolean((info as unknown as { isFallbackAdapter?: boolean })?.isFallbackAdapter);
    const subgroupMinSize = Number((info as unknown as { subgroupMinSize?: number })?.subgroupMinSize ?? 0);
    return new Gpu(device, { name, fallback, subgroupMinSize });
  }

  /** Throws the pending device-lost error, if the device was lost. */
  checkAlive(): void {
    if (this.lostError) throw this.lostError;
    if (this.disposed) throw new DeviceLostError('This engine was disposed; create a new one with slope.init().',
      'destroyed');
  }

  /** Errors that no scope caught since the last call (e.g. from a submit). */
  takeUncapturedErrors(): GPUError[] {
    const e = this.uncaptured;
    this.uncaptured = [];
    return e;
  }

  /**
   * Create a buffer. Sizes are checked against the device limits here, synchronously; an
   * allocation failure reported later by the out-of-memory scope becomes an OutOfMemoryError.
   */
  async createBuffer(label: string, bytes: number, usage: number): Promise<GPUBuffer> {
    this.checkAlive();
    const size = Math.max(4, Math.ceil(bytes / 4) * 4);
    if (size > this.limits.maxBufferSize) {
      throw new OutOfMemoryError(
        `${label}: ${fmtBytes(size)} exceeds this device's maxBufferSize of ${fmtBytes(this.limits.maxBufferSize)}. ` +
        'Use a smaller batch or model (batches run as micro-batches when they exceed binding limits).',
        label, size,
      );
    }
    this.device.pushErrorScope('out-of-memory');
    this.device.pushErrorScope('validation');
    const buf = this.device.createBuffer({ label, size, usage });
    const verr = await this.device.popErrorScope();
    const oom = await this.device.popErrorScope();
    if (oom) {
      buf.destroy();
      throw new OutOfMemoryError(`Out of GPU memory allocating ${label} (${fmtBytes(size)}): ${oom.message}`, label,
        size);
    }
    if (verr) {
      buf.destroy();
      throw new GpuValidationError(`Allocating ${label} (${fmtBytes(size)}) failed: ${verr.message}`);
    }
    return buf;
  }

  /** Checks a binding size against maxStorageBufferBindingSize with a message naming the tensor. */
  checkBinding(label: string, bytes: number): void {
    if (bytes > this.limits.maxStorageBufferBindingSize) {
      throw new LimitError(
        `${label}: ${fmtBytes(bytes)} is above this device's maxStorageBufferBindingSize ` +
        `(${fmtBytes(this.limits.maxStorageBufferBindingSize)}). Use a smaller batch: the trainer splits large ` +
        'batches into micro-batches with gradient accumulation.',
      );
    }
  }

  layout(bindings: readonly ('read' | 'read_write' | 'uniform')[]): GPUBindGroupLayout {
    const key = bindings.join(',');
    let l = this.layouts.get(key);
    if (!l) {
      l = this.device.createBindGroupLayout({
        label: `layout(${key})`,
        entries: bindings.map((kind, binding) => ({
          binding,
          visibility: SHADER_STAGE_COMPUTE,
          buffer: { type: kind === 'uniform' ? 'uniform' : kind === 'read' ? 'read-only-storage' : 'storage' },
        })),
      });
      this.layouts.set(key, l);
    }
    return l;
  }

  /**
   * A compute pipeline, created once per (name, entry, overrides) and shared while in flight.
   * A compile error throws ShaderCompileError with line:col and the offending source lines;
   * the broken pipeline is not cached.
   */
  pipeline(key: PipelineKey): Promise<GPUComputePipeline> {
    const ov = key.overrides ?? {};
    for (const [k, v] of Object.entries(ov)) {
      if (!Number.isFinite(v))
        throw new GpuValidationError(`${key.name}: override ${k} must be a finite number, got ${v}`);
    }
    const cacheKey = `${key.name}|${key.entry}|${JSON.stringify(Object.entries(ov).sort())}|${key.bindings.join(',')}`;
    let p = this.pipelines.get(cacheKey);
    if (!p) {
      p = this.compile(key, ov);
      this.pipelines.set(cacheKey, p);
      p.catch(() => this.pipelines.delete(cacheKey));
    }
    return p;
  }

  private async compile(key: PipelineKey, overrides: Record<string, number>): Promise<GPUComputePipeline> {
    this.checkAlive();
    const { device } = this;
    device.pushErrorScope('validation');
    const module = device.createShaderModule({ label: key.name, code: key.source });
    const info = await module.getCompilationInfo();
    const scopeErr = await device.popErrorScope();
    const errs = info.messages.filter((m) => m.type === 'error');
    if (errs.length || scopeErr) {
      const lines = key.source.split('\n');
      const messages = errs.map((m) => {
        const src = lines[m.lineNum - 1] ?? '';
        return `${key.name}:${m.lineNum}:${m.linePos}: ${m.message}\n    ${src}\n    ` +
          `${' '.repeat(Math.max(0, m.linePos - 1))}^`;
      });
      if (!messages.length && scopeErr) messages.push(scopeErr.message);
      throw new ShaderCompileError(`WGSL compile error in ${key.name} (${key.entry}):\n${messages.join('\n')}`,
        key.name, messages);
    }
    const layout = device.createPipelineLayout({ label: key.name, bindGroupLayouts: [this.layout(key.bindings)] });
    try {
      return await device.createComputePipelineAsync({
        label: `${key.name}:${key.entry}`,
        layout,
        compute: { module, entryPoint: key.entry, constants: overrides },
      });
    } catch (e) {
      throw new ShaderCompileError(`Creating pipeline ${key.name} (${key.entry}) failed: ${(e as Error).message}`,
        key.name, [
        (e as Error).message,
      ]);
    }
  }

  /** Idle staging buffers for small readbacks, reused (powers of two from 256 bytes to 1 MiB). */
  private staging: GPUBuffer[] = [];

  /** Copy `bytes` from `src` at `offset` into a mapped staging buffer and return its contents. */
  async readback(src: GPUBuffer, offset: number, bytes: number): Promise<ArrayBuffer> {
    this.checkAlive();
    const size = Math.max(4, Math.ceil(bytes / 4) * 4);
    const i = this.staging.findIndex((b) => b.size >= size);
    const staging = i >= 0 ? this.staging.splice(i, 1)[0]
      : this.device.createBuffer({ label: 'readback',
        size: size <= 1 << 20 ? Math.max(256, 2 ** Math.ceil(Math.log2(size))) : size,
          usage: Usage.MAP_READ | Usage.COPY_DST });
    const enc = this.device.createCommandEncoder({ label: 'readback' });
    enc.copyBufferToBuffer(src, offset, staging, 0, size);
    this.device.queue.submit([enc.finish()]);
    try {
      await staging.mapAsync(MAP_MODE_READ, 0, size);
    } catch (e) {
      staging.destroy();
      this.checkAlive();
      throw new DeviceLostError(`Reading back from the GPU failed: ${(e as Error).message}`, 'unknown');
    }
    const out = staging.getMappedRange(0, size).slice(0, bytes);
    staging.unmap();
    // Keep a few small ones (a log interval's metrics, a loss); large readbacks are rare.
    if (staging.size <= 1 << 20 && this.staging.length < 8) this.staging.push(staging);
    else staging.destroy();
    return out;
  }

  /** Resolves when all submitted work is done; rejects with DeviceLostError if the device was lost. */
  async sync(): Promise<void> {
    this.checkAlive();
    await Promise.race([
      this.device.queue.onSubmittedWorkDone(),
      this.device.lost.then(() => undefined),
    ]);
    this.checkAlive();
  }

  /** Release the device. Idempotent; afterwards a Node process can exit. */
  destroy(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const b of this.staging) b.destroy();
    this.staging = [];
    this.pipelines.clear();
    this.layouts.clear();
    this.device.destroy();
  }
}

export function fmtBytes(n: number): string {
  if (n >= 1 << 30) return `${(n / (1 << 30)).toFixed(2)} GiB`;
  if (n >= 1 << 20) return `${(n / (1 << 20)).toFixed(1)} MiB`;
  if (n >= 1 << 10) return `${(n / (1 << 10)).toFixed(1)} KiB`;
  return `${n} B`;
}
