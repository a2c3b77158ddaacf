/**
 * Run one backend op directly on an engine, with outputs poisoned with NaN first so that an
 * unwritten element fails the comparison. Browser-safe: imports only the public API's types.
 */
import type { DType, Engine, HostArray, View } from '../../src/index.js';

export interface OpInput {
  data: Float32Array | Int32Array | Float64Array;
  shape: readonly number[];
  /** Defaults to 'i32' for Int32Array data, else 'f32'. */
  dtype?: DType;
}

const size = (s: readonly number[]) => s.reduce((a, d) => a * d, 1);

export async function runOp(
  engine: Engine, op: string, inputs: OpInput[], outShapes: (readonly number[])[], attrs: Record<string, unknown> = {},
  outDtypes: DType[] = [],
): Promise<HostArray[]> {
  const b = engine.backend;
  const mk = async (label: string, shape: readonly number[], dtype: DType): Promise<View> => {
    const length = size(shape);
    const storage = await b.alloc(label, Math.max(1, length), dtype);
    return { storage, offset: 0, length, dtype, shape: [...shape], label };
  };
  const views: View[] = [];
  try {
    const ins: View[] = [];
    for (let i = 0; i < inputs.length; i++) {
      const inp = inputs[i];
      const v = await mk(`in${i}`, inp.shape, inp.dtype ?? (inp.data instanceof Int32Array ? 'i32' : 'f32'));
      views.push(v);
      b.write(v, inp.data);
      ins.push(v);
    }
    const outs: View[] = [];
    for (let i = 0; i < outShapes.length; i++) {
      const v = await mk(`out${i}`, outShapes[i], outDtypes[i] ?? 'f32');
      views.push(v);
      b.write(v, v.dtype === 'f32' ? new Float32Array(v.length).fill(NaN) : new Int32Array(v.length).fill(-0x7eadbeef));
      outs.push(v);
    }
    const p = await b.prepare({ op, inputs: ins, outputs: outs, attrs: attrs as never });
    await b.execute([p]);
    const res: HostArray[] = [];
    for (const o of outs) res.push(await b.read(o));
    return res;
  } finally {
    for (const v of views) b.release(v.storage);
  }
}
