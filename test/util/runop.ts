/**
 * Run one backend op directly on an engine, with outputs poisoned with NaN first so that an
 * unwritten element fails the comparison.
 */
import type { Engine, HostArray, View } from '../../src/node.js';
import type { DType } from '../../src/graph/tensor.js';

export interface OpInput {
  data: Float32Array | Int32Array;
  shape: readonly number[];
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
  const ins: View[] = [];
  for (let i = 0; i < inputs.length; i++) {
    const inp = inputs[i];
    const v = await mk(`in${i}`, inp.shape, inp.data instanceof Int32Array ? 'i32' : 'f32');
    b.write(v, inp.data);
    ins.push(v);
  }
  const outs: View[] = [];
  for (let i = 0; i < outShapes.length; i++) {
    const v = await mk(`out${i}`, outShapes[i], outDtypes[i] ?? 'f32');
    if (v.dtype === 'f32') b.write(v, new Float32Array(v.length).fill(NaN));
    outs.push(v);
  }
  const p = await b.prepare({ op, inputs: ins, outputs: outs, attrs: attrs as never });
  await b.execute([p]);
  const res: HostArray[] = [];
  for (const o of outs) res.push(await b.read(o));
  for (const v of [...ins, ...outs]) b.release(v.storage);
  return res;
}
