/**
 * The cpu backend: interprets ops with the float64 references. Storage is Float64Array, so a
 * whole graph runs in double precision (finite differences, second-order checks).
 */
import { ArgumentError } from '../errors.js';
import type { AttrsOf, ExecOpName } from '../ops/index.js';
import { cpuProfile } from '../gpu/profile.js';
import type { Backend, HostArray, OpCall, Prepared, Storage, View } from './types.js';
import { CPU_OPS } from './cpu_ops.js';
import { CPU_NORM } from './cpu_norm.js';
import { CPU_OPTIM } from './cpu_optim.js';
import { CPU_TRAIN } from './cpu_train.js';
import { CPU_CONV } from './cpu_conv.js';

export interface CpuStorage extends Storage {
  data: Float64Array;
}

/** Arrays handed to an op implementation: subarrays over f64 storage, shapes, attrs. */
export interface CpuArgs<A extends object = object> {
  ins: Float64Array[];
  outs: Float64Array[];
  inShapes: (readonly number[])[];
  outShapes: (readonly number[])[];
  inDtypes: string[];
  attrs: A;
}

/** One float64 implementation per op a backend runs: an op missing here fails the type-check. */
export type CpuTable = { readonly [N in ExecOpName]: (a: CpuArgs<AttrsOf<N>>) => void };

const IMPLS = { ...CPU_OPS, ...CPU_NORM, ...CPU_OPTIM, ...CPU_TRAIN, ...CPU_CONV } satisfies CpuTable;

function arr(v: View): Float64Array {
  return (v.storage as CpuStorage).data.subarray(v.offset, v.offset + v.length);
}

export class CpuBackend implements Backend {
  readonly name = 'cpu' as const;
  readonly adapter = 'cpu (float64 reference interpreter)';
  readonly limits = { maxBindingBytes: 2 ** 31, maxBufferBytes: 2 ** 33, offsetAlignElems: 1 };
  readonly profile = cpuProfile();
  private disposed = false;

  async alloc(label: string, length: number): Promise<Storage> {
    const s: CpuStorage = { label, length, data: new Float64Array(length) };
    return s;
  }
  release(s: Storage): void {
    (s as CpuStorage).data = new Float64Array(0);
  }
  write(v: View, data: HostArray | readonly number[]): void {
    const a = arr(v);
    for (let i = 0; i < v.length; i++) a[i] = data[i];
  }
  async read(v: View): Promise<HostArray> {
    const a = arr(v);
    return v.dtype === 'i32' ? Int32Array.from(a) : Float64Array.from(a);
  }
  async prepare(call: OpCall): Promise<Prepared> {
    const impl = IMPLS[call.op.name] as (a: CpuArgs) => void;
    let attrs = call.attrs as object;
    const run = () => impl({
      ins: call.inputs.map(arr),
      outs: call.outputs.map(arr),
      inShapes: call.inputs.map((v) => v.shape),
      outShapes: call.outputs.map((v) => v.shape),
      inDtypes: call.inputs.map((v) => v.dtype),
      attrs,
    });
    return {
      call,
      update(a: object) { attrs = { ...attrs, ...a }; },
      run,
    } as Prepared & { run(): void };
  }
  async execute(steps: readonly Prepared[]): Promise<void> {
    if (this.disposed) throw new ArgumentError('cpu backend: used after dispose()');
    for (const s of steps) (s as Prepared & { run(): void }).run();
  }
  async sync(): Promise<void> {}
  dispose(): void {
    this.disposed = true;
  }
}
