/**
 * STUB kernel case table: one smoke case so the browser harness can be built before the shared
 * table lands; replaced wholesale by the shared test/cases/index.ts on merge.
 */
import * as slope from '../../src/index.js';
import type { Engine } from '../../src/index.js';
import { matmul as matmulRef } from '../../src/ref/matmul.js';
import { Rng } from '../util/rng.js';
import { expectClose } from '../util/close.js';
import { TOL } from '../tolerances.js';

export interface KernelCase {
  family: string;
  name: string;
  run(engine: Engine): Promise<void>;
}

async function matmulSmoke(engine: Engine, M: number, K: number, N: number): Promise<void> {
  const r = new Rng(M * 131 + K * 7 + N);
  const a = r.normal(M * K), b = r.normal(K * N);
  const g = new slope.Graph();
  const c = slope.matmul(g.input('a', [M, K]), g.input('b', [K, N]));
  const prog = await engine.compile(g, { outputs: { c } });
  await prog.run({ a, b });
  const got = await prog.read('c');
  const ref = new Float64Array(M * N);
  matmulRef(ref, a, b, { M, N, K, batch: 1, transA: false, transB: false, batchA: false, batchB: false });
  expectClose(got, ref, TOL.matmul, `matmul ${M}x${K}x${N}`);
}

export const allCases: KernelCase[] = [
  { family: 'matmul', name: 'smoke 7x13x5', run: (e) => matmulSmoke(e, 7, 13, 5) },
];
