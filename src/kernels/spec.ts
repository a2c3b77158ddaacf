/**
 * Kernels as small typed spec objects. A spec names a WGSL entry point, its storage bindings in
 * order (inputs, then outputs) and the fields of its `Params` uniform, which is always the last
 * binding. A lowering turns an op call into launches of specs; the backend makes pipelines and
 * bind groups once and replays them. Tunables are WGSL `override` constants; nothing from a
 * user is ever spliced into shader text.
 */
import common from '../../shaders/common.wgsl';
import type { ExecOpName } from '../ops/index.js';
import type { OpCall, View } from '../backend/types.js';
import type { DeviceLimits } from '../gpu/device.js';
import type { DeviceProfile } from '../gpu/profile.js';

export type ParamType = 'u32' | 'i32' | 'f32';

export interface KernelSpec {
  /** Unique name, `family.entry`, used in errors and the pipeline cache. */
  readonly name: string;
  readonly source: string;
  readonly entry: string;
  /** Storage bindings in binding order. */
  readonly bindings: readonly ('read' | 'read_write')[];
  /** Fields of the Params uniform (binding = bindings.length), each 4 bytes, in declaration order. */
  readonly params: readonly (readonly [string, ParamType])[];
  /** Default override constants. */
  readonly overrides?: Readonly<Record<string, number>>;
}

export interface Launch {
  readonly kernel: KernelSpec;
  readonly buffers: readonly View[];
  readonly params?: Readonly<Record<string, number>>;
  readonly overrides?: Readonly<Record<string, number>>;
  /** Workgroup count: a number is a linear count folded into (x, y) by the backend. */
  readonly workgroups: number | readonly [number, number, number];
  /**
   * Bytes moved (reads + writes) and floating-point operations, for the profiler's roofline
   * fractions. Without it, the bytes are the bound views' sizes and the FLOPs are not known.
   */
  readonly cost?: { readonly bytes: number; readonly flops: number };
}

export interface LowerContext {
  readonly limits: DeviceLimits;
  /** Scratch storage owned by this op (allocated once at prepare; same buffers on every call). */
  scratch(length: number, label: string): View;
  /** The adapter policy: forced variants, the matmul variant, block sizes. */
  readonly profile: DeviceProfile;
  /** The variant measured fastest for this call's shape class, by family (src/kernels/tune.ts). */
  readonly tuned?: Readonly<Record<string, string>>;
}

/** Turns one op call into launches of kernels. */
export type Lowering<N extends ExecOpName> = (call: OpCall<N>, ctx: LowerContext) => Launch[];
/** One lowering per op a backend runs: an op missing here fails the type-check. */
export type LoweringTable = { readonly [N in ExecOpName]: Lowering<N> };

/** The variant forced for a family by the engine's options, else the one tuning chose for this call, if any. */
export function forcedVariant(ctx: LowerContext, family: string): string | undefined {
  return ctx.profile.forced[family] ?? ctx.tuned?.[family];
}

/** A spec with the family's common pieces filled in. */
export function kernel(family: string, source: string, entry: string, bindings: KernelSpec['bindings'],
  params: KernelSpec['params'], overrides?: Record<string, number>): KernelSpec {
  return { name: `${family}.${entry}`, source, entry, bindings, params, overrides };
}

/** Linear workgroup count for n items at `perGroup` items per workgroup. */
export function groups(n: number, perGroup: number): number {
  return Math.max(1, Math.ceil(n / perGroup));
}

/**
 * A family's source with shared WGSL appended: shaders/common.wgsl (helpers such as wg_reduce)
 * by default, or the given pieces. Appending keeps the family's line numbers in compile errors.
 */
export function withCommon(source: string, ...shared: string[]): string {
  return [source, ...(shared.length ? shared : [common])].join('\n');
}
