/**
 * The device profile: every choice slope makes per adapter, in one object an engine owns and
 * passes down to the kernels' lowerings and the optimizers. Two engines on two adapters hold
 * different profiles; nothing is chosen by module-level state.
 *
 * The defaults are rules from measurements: software adapters (lavapipe, SwiftShader, WARP) run
 * a workgroup's invocations as loops on a CPU core, so they want more work per invocation and
 * fewer, longer workgroups than GPUs do. A measured choice (tuneMatmul) replaces a rule.
 */
import { ArgumentError } from '../errors.js';

export interface DeviceProfile {
  /** The adapter's description. */
  readonly adapter: string;
  /** The adapter runs invocations as loops on CPU cores. */
  readonly software: boolean;
  /** Variants forced per kernel family by the engine's options (tests, benches), e.g. { matmul: 'naive' }. */
  readonly forced: Readonly<Record<string, string>>;
  /** The matmul variant used when none is forced: the adapter's rule, or a measured choice. */
  matmul: string;
  /** Elements per thread of the elementwise kernels (variant x1 or x8). */
  readonly elementwisePerThread: 1 | 8;
  /** Most elements one workgroup of an optimizer update covers (one row of its block table). */
  readonly optimBlock: number;
  /** Most workgroups of the optimizer's gradient-norm reduction. */
  readonly sumsqGroups: number;
  /**
   * Normalization statistics and forward: 'one' thread per group (software adapters, except a
   * few long groups) or enough 'lanes' that each keeps at most 8 elements in registers (GPUs).
   */
  readonly normLanes: 'one' | 'lanes';
  /**
   * Variants chosen by measuring (src/kernels/tune.ts), by `family:shape class`, e.g.
   * 'matmul:64x784x512/nt' → 'sg'. Filled at compile from the tuning cache or by timing the
   * candidates; restored from a checkpoint so that a resumed run uses the same kernels.
   */
  readonly tuned: Map<string, string>;
}

export interface ProfileOptions {
  /** Force a kernel variant per family, e.g. { matmul: 'naive' } (tests and benches). */
  variants?: Record<string, string>;
  /** The matmul variant to use (PyTorch-like engine option); replaces the adapter's rule. */
  matmulVariant?: string;
  /**
   * Tuned choices to start from, by shape class (a checkpoint's `kernels`): a resumed run uses
   * the kernels its first part used, so that it continues bit for bit.
   */
  tuned?: Readonly<Record<string, string>>;
}

/** Software adapters: they run invocations as loops on the CPU. */
export function isSoftwareAdapter(adapter: string): boolean {
  return /llvmpipe|lavapipe|swiftshader|software|warp/i.test(adapter);
}

/**
 * The matmul variant for an adapter when nothing was measured: subgroup shuffles on software
 * adapters that have them; on SwiftShader (no subgroups), 4×4 register blocks (bench/peers:
 * 1.7× broadcast rows at 512³); broadcast rows on other software adapters (lavapipe without
 * subgroups: 1.8× register blocks); workgroup tiles on GPUs.
 */
export function matmulRule(adapter: string, subgroupMinSize: number): string {
  if (!isSoftwareAdapter(adapter)) return 'tiled';
  if (subgroupMinSize >= 8) return 'sg';
  return /swiftshader/i.test(adapter) ? 'reg' : 'bcast';
}

/** The profile of a WebGPU adapter. */
export function gpuProfile(adapter: string, subgroupMinSize: number, opts: ProfileOptions = {}): DeviceProfile {
  const software = isSoftwareAdapter(adapter);
  if (opts.matmulVariant !== undefined && typeof opts.matmulVariant !== 'string') {
    throw new ArgumentError(`init: matmulVariant must be a variant name, got ${String(opts.matmulVariant)}`);
  }
  return {
    adapter,
    software,
    forced: { ...(opts.variants ?? {}) },
    matmul: opts.matmulVariant ?? matmulRule(adapter, subgroupMinSize),
    // x8 was ≈2× faster on lavapipe for 4M-element unary ops; GPUs keep one element per thread.
    elementwisePerThread: software ? 8 : 1,
    // Fewer, longer workgroups were faster than 2048 on lavapipe, by about 1.2×; 1024 on GPUs
    // (four vec4s per thread, enough workgroups to fill the device).
    optimBlock: software ? 8192 : 1024,
    // Two or so cores against 16k threads.
    sumsqGroups: software ? 64 : 256,
    normLanes: software ? 'one' : 'lanes',
    tuned: new Map(Object.entries(opts.tuned ?? {}).filter(([, v]) => typeof v === 'string')),
  };
}

/** The profile of the float64 cpu interpreter: it has no variants; block sizes as on a GPU. */
export function cpuProfile(): DeviceProfile {
  return gpuProfile('cpu (float64 reference interpreter)', 0);
}
