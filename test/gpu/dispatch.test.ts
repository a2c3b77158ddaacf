/**
 * Dispatch folding: launches of more than 65,535 workgroups are folded into (x, y) by the host
 * and unfolded by the kernels (linear id = wid.x + wid.y · nwg.x); every element must be right.
 */
import { test } from 'uvu';
import type { slope } from '../util/engine.js';
import { gpu, gpuTest } from '../util/suite.js';
import { Rng } from '../util/rng.js';
import { expectClose } from '../util/close.js';
import { runOp } from '../util/runop.js';
import { reference } from '../cases/common.js';
import { TOL } from '../tolerances.js';
import type { WebGpuBackend } from '../../src/backend/webgpu.js';
import * as ew from '../../src/ref/elementwise.js';

let engine: slope.Engine | null = null;
// One element per thread: with x8 no tensor within the binding limit needs more than 65,535 groups.
const x1Engine = async () => (engine ??= await gpu({ variants: { elementwise: 'x1' } }));
test.after(() => engine?.dispose());
let t0 = 0;
test.before.each(() => { t0 = performance.now(); });
test.after.each((ctx) => { if (process.env.CASE_TIMES) console.log(`  ${ctx.__test__}: ${(performance.now() - t0).toFixed(0)} ms`); });

const maxDim = (e: slope.Engine) => (e.backend as WebGpuBackend).gpu.limits.maxComputeWorkgroupsPerDimension;

gpuTest('elementwise over more than 65535·256 elements (unary, int32 copy)', async () => {
  const e = await x1Engine();
  const r = new Rng(1);
  const n = maxDim(e) * 256 + 1000; // folded into two rows of workgroups
  const x = r.uniform(n, -2, 2);
  const [got] = await runOp(e, 'unary', [{ data: x, shape: [n] }], [[n]], { kind: 'leaky_relu', alpha: 0.25, beta: 0 });
  // The references called directly: the cpu backend's copies would dominate at this size.
  const want = new Float64Array(n);
  ew.unary(want, x, 'leaky_relu', 0.25);
  expectClose(got, want, TOL.elementwise, `leaky_relu n=${n}`);
  // Every element distinct: an int32 copy of 0, 1, 2, … shows any misplaced or unwritten index.
  const idx = new Int32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  const [copied] = await runOp(e, 'copy', [{ data: idx, shape: [n] }], [[n]], {}, ['i32']);
  let bad = -1;
  for (let i = 0; i < n && bad < 0; i++) if (copied[i] !== i) bad = i;
  if (bad >= 0) throw new Error(`copy of ${n} int32: element ${bad} is ${copied[bad]}`);
});

gpuTest('one workgroup per row with more than 65535 rows (softmax)', async () => {
  // One of the row kernels: they share the fold; each row is a 256-thread workgroup with
  // barriers, which a software adapter runs slowly, so one kernel stands for the family.
  const forced = await gpu({ variants: { softmax: 'wg' } });
  try {
    const r = new Rng(2);
    const rows = maxDim(forced) + 100, C = 3;
    const x = r.normal(rows * C);
    const check = async (op: string, inputs: { data: Float32Array | Int32Array; shape: number[] }[], out: number[], attrs: Record<string, unknown>, tol = TOL.softmax) => {
      const [got] = await runOp(forced, op, inputs, [out], attrs);
      const [want] = await reference(op, inputs, [out], attrs);
      expectClose(got, want, tol, `${op} rows=${rows}`);
    };
    await check('softmax', [{ data: x, shape: [rows, C] }], [rows, C], {});
  } finally {
    forced.dispose();
  }
});

gpuTest('naive matmul with more than 65535·64 outputs', async () => {
  const e = await gpu({ variants: { matmul: 'naive' } });
  try {
    const r = new Rng(3);
    const M = 2100, N = 2050, K = 2; // 4.3M outputs > 65535·64
    const ins = [{ data: r.uniform(M * K), shape: [M, K] }, { data: r.uniform(K * N), shape: [K, N] }];
    const attrs = { transA: false, transB: false, bias: false, act: 'none', alpha: 0, beta: 0 };
    const [got] = await runOp(e, 'matmul', ins, [[M, N]], attrs);
    const [want] = await reference('matmul', ins, [[M, N]], attrs);
    expectClose(got, want, TOL.matmul, `matmul ${M}×${K}×${N}`);
  } finally {
    e.dispose();
  }
});

test.run();
