/**
 * Helpers shared by the case tables: run an op on the engine under test (outputs NaN-poisoned)
 * and on the float64 cpu reference with the same float32 inputs, then compare.
 */
import { init, type DType, type Engine } from '../../src/index.js';
import { runOp, type OpInput } from '../util/runop.js';
import { expectClose } from '../util/close.js';
import { Rng } from '../util/rng.js';
import type { Tol } from '../tolerances.js';
import type { KernelCase } from './types.js';

export interface OpCheck {
  op: string;
  inputs: OpInput[];
  outShapes: (readonly number[])[];
  attrs?: Record<string, unknown>;
  outDtypes?: DType[];
  /** Initial output contents, for ops that update in place (see runOp). */
  outInit?: (Float32Array | Int32Array | undefined)[];
  tol: Tol;
  label: string;
}

/** The float64 reference: the same op on a cpu engine. */
export async function reference(
  op: string, inputs: OpInput[], outShapes: (readonly number[])[], attrs: Record<string, unknown> = {}, outDtypes: DType[] = [],
  outInit: (Float32Array | Int32Array | undefined)[] = [],
) {
  const cpu = await init({ backend: 'cpu' });
  try {
    return await runOp(cpu, op, inputs, outShapes, attrs, outDtypes, outInit);
  } finally {
    cpu.dispose();
  }
}

/** Run `c` on the engine and on the reference; every output must be within `c.tol`. */
export async function checkOp(engine: Engine, c: OpCheck): Promise<ArrayLike<number>[]> {
  const got = await runOp(engine, c.op, c.inputs, c.outShapes, c.attrs, c.outDtypes, c.outInit);
  const want = await reference(c.op, c.inputs, c.outShapes, c.attrs, c.outDtypes, c.outInit);
  got.forEach((g, i) => expectClose(g, want[i], c.tol, `${c.label}${got.length > 1 ? ` output ${i}` : ''}`));
  return got;
}

/** A seed from a case name, so that every case draws its own reproducible inputs. */
export function seedOf(name: string): number {
  let h = 2166136261;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 16777619);
  return h >>> 0;
}

/** A case whose body gets a generator seeded from its name. */
export function kcase(family: string, name: string, body: (engine: Engine, rng: Rng) => Promise<void>): KernelCase {
  return { family, name, run: (engine) => body(engine, new Rng(seedOf(`${family}/${name}`))) };
}

export const f32 = (shape: readonly number[], data: Float32Array): OpInput => ({ data, shape });
export const i32 = (shape: readonly number[], data: Int32Array): OpInput => ({ data, shape });
export const numel = (s: readonly number[]) => s.reduce((a, d) => a * d, 1);
export const fmt = (s: readonly number[]) => `[${s.join(',')}]`;

/** The awkward lengths every elementwise kernel sees. */
export const SIZES = [1, 7, 63, 65, 257] as const;

/** Throw with `message` unless `cond` holds (cases run without a test framework in the browser). */
export function check(cond: unknown, message: string): asserts cond {
  if (!cond) throw new Error(message);
}
