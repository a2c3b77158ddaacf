/**
 * Run one backend op directly on an engine, inside canaries (as the WebGPU conformance tests
 * guard their buffers): every input and output is a view at a 256-byte offset into a larger
 * buffer, with 256 bytes of slack after it. Input slack holds NaN (int32: a huge value), so an out-of-bounds
 * read shows up as a NaN or wrong output; outputs are poisoned with NaN, so an unwritten element
 * fails the comparison; and after the run the output slack must be unchanged, so an
 * out-of-bounds write fails here. Browser-safe: imports only the public API's types.
 */
import type { DType, Engine, HostArray, View } from '../../src/index.js';
import { opByName } from '../../src/ops/index.js';

export interface OpInput {
  data: Float32Array | Int32Array | Float64Array;
  shape: readonly number[];
  /** Defaults to 'i32' for Int32Array data, else 'f32'. */
  dtype?: DType;
}

const size = (s: readonly number[]) => s.reduce((a, d) => a * d, 1);

/** Slack on each side of every view, in elements: 256 bytes, the storage offset alignment. */
export const CANARY = 64;
const SENTINEL_I32 = -0x7eadbeef;

function filled(dtype: DType, n: number): Float32Array | Int32Array {
  return dtype === 'f32' ? new Float32Array(n).fill(NaN) : new Int32Array(n).fill(SENTINEL_I32);
}

/**
 * `outInit`: initial contents of outputs, for ops that update their outputs in place (e.g.
 * bn_update); an output without one starts NaN-poisoned.
 */
export async function runOp(
  engine: Engine, op: string, inputs: OpInput[], outShapes: (readonly number[])[], attrs: Record<string, unknown> = {},
  outDtypes: DType[] = [], outInit: (Float32Array | Int32Array | undefined)[] = [],
): Promise<HostArray[]> {
  const b = engine.backend;
  const schema = opByName(op);
  if (!schema || schema.kind === 'leaf' || schema.kind === 'planner') throw new Error(`runOp: no backend op named '${op}'`);
  const storages: View['storage'][] = [];
  /** A view of `shape` at offset CANARY in storage with CANARY elements of slack after it, all slack set. */
  const mk = async (label: string, shape: readonly number[], dtype: DType): Promise<{ v: View; whole: View }> => {
    const length = size(shape);
    const total = length + 2 * CANARY;
    const storage = await b.alloc(label, total, dtype);
    storages.push(storage);
    const whole: View = { storage, offset: 0, length: total, dtype, shape: [total], label: `${label} with canaries` };
    b.write(whole, filled(dtype, total));
    return { v: { storage, offset: CANARY, length, dtype, shape: [...shape], label }, whole };
  };
  try {
    const ins: View[] = [];
    for (let i = 0; i < inputs.length; i++) {
      const inp = inputs[i];
      const { v } = await mk(`in${i}`, inp.shape, inp.dtype ?? (inp.data instanceof Int32Array ? 'i32' : 'f32'));
      b.write(v, inp.data);
      ins.push(v);
    }
    const outs: { v: View; whole: View }[] = [];
    for (let i = 0; i < outShapes.length; i++) {
      const o = await mk(`out${i}`, outShapes[i], outDtypes[i] ?? 'f32');
      if (outInit[i]) b.write(o.v, outInit[i]!);
      outs.push(o);
    }
    const p = await b.prepare({ op: schema, inputs: ins, outputs: outs.map((o) => o.v), attrs: attrs as never } as never);
    await b.execute([p]);
    const res: HostArray[] = [];
    for (const { v, whole } of outs) {
      const all = await b.read(whole);
      for (let j = 0; j < all.length; j++) {
        if (j >= CANARY && j < CANARY + v.length) continue;
        const kept = v.dtype === 'f32' ? Number.isNaN(all[j]) : all[j] === SENTINEL_I32;
        if (!kept) {
          const where = j < CANARY ? `${CANARY - j} elements before` : `${j - CANARY - v.length + 1} elements after`;
          throw new Error(`${op}: wrote ${all[j]} outside its output ${v.label} ${JSON.stringify(v.shape)} (${where} it)`);
        }
      }
      res.push(all.slice(CANARY, CANARY + v.length) as HostArray);
    }
    return res;
  } finally {
    for (const s of storages) b.release(s);
  }
}
