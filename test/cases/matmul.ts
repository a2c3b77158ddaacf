/**
 * Matmul against the float64 reference: awkward shapes, every transpose combination, batches
 * (both batched, one operand shared), tile boundaries, K = 0, and the fused bias + activation
 * epilogue. Tolerance: 1e-5 norm-wise, 1e-4 when K ≥ 256.
 */
import { TOL } from '../tolerances.js';
import type { Rng } from '../util/rng.js';
import { checkOp, f32, kcase } from './common.js';
import type { KernelCase } from './types.js';
import type { Engine } from '../../src/index.js';
import { EPILOGUE_ACTS, actParams, type Activation } from '../../src/ops/index.js';

const F = 'matmul';
const TRANS = [[false, false], [true, false], [false, true], [true, true]] as const;

interface Mm { M: number; K: number; N: number; tA?: boolean; tB?: boolean; batchA?: number; batchB?: number; act?: Activation; bias?: boolean }

async function checkMatmul(e: Engine, r: Rng, c: Mm): Promise<void> {
  const { M, K, N } = c;
  const tA = !!c.tA, tB = !!c.tB;
  const aShape = [...(c.batchA ? [c.batchA] : []), ...(tA ? [K, M] : [M, K])];
  const bShape = [...(c.batchB ? [c.batchB] : []), ...(tB ? [N, K] : [K, N])];
  const batch = c.batchA ?? c.batchB;
  const out = batch ? [batch, M, N] : [M, N];
  const inputs = [f32(aShape, r.uniform((c.batchA ?? 1) * M * K)), f32(bShape, r.uniform((c.batchB ?? 1) * K * N))];
  if (c.bias) inputs.push(f32([N], r.uniform(N)));
  const act = c.act ?? 'none';
  const p = act === 'leaky_relu' ? { alpha: 0.1, beta: 0 } : act === 'softplus' ? { alpha: 2, beta: 1 } : actParams(act);
  const attrs = { transA: tA, transB: tB, bias: !!c.bias, act, ...p };
  const label = `matmul ${M}×${K}×${N}${tA ? ' Aᵀ' : ''}${tB ? ' Bᵀ' : ''}${batch ? ` batch ${c.batchA ?? '·'}/${c.batchB ?? '·'}` : ''}${c.bias ? ` +bias ${act}` : ''}`;
  const tol = act === 'none' || act === 'relu' || act === 'leaky_relu' ? (K >= 256 ? TOL.matmulLongK : TOL.matmul) : TOL.matmulEpilogue;
  await checkOp(e, { op: 'matmul', inputs, outShapes: [out], attrs, tol, label });
}

const SHAPES: [number, number, number][] = [[1, 1, 1], [7, 13, 5], [64, 99, 45], [257, 129, 65], [33, 300, 17]];
/** Sizes just below, at and above the tiles of every variant (32, 64, 8·64 and 4·64 columns). */
const BOUNDARIES: [number, number, number][] = [[31, 8, 255], [33, 9, 257], [65, 17, 513], [8, 33, 520], [63, 64, 65], [2, 7, 1]];

export const cases: KernelCase[] = [
  ...SHAPES.map(([M, K, N]) => kcase(F, `${M}×${K}×${N}, every transpose combination`, async (e, r) => {
    for (const [tA, tB] of TRANS) await checkMatmul(e, r, { M, K, N, tA, tB });
  })),
  kcase(F, 'tile boundaries', async (e, r) => {
    for (const [M, K, N] of BOUNDARIES) {
      await checkMatmul(e, r, { M, K, N });
      await checkMatmul(e, r, { M, K, N, tA: M % 2 === 1, tB: true });
    }
  }),
  kcase(F, 'long K (16×1024×24, 5×4099×7)', async (e, r) => {
    await checkMatmul(e, r, { M: 16, K: 1024, N: 24 });
    await checkMatmul(e, r, { M: 16, K: 1024, N: 24, tA: true, tB: true });
    // K beyond 4096, not a multiple of 4 (the register kernel's unrolled steps plus a remainder).
    await checkMatmul(e, r, { M: 5, K: 4099, N: 7 });
    await checkMatmul(e, r, { M: 5, K: 4099, N: 7, tA: true });
  }),
  kcase(F, 'batched: both operands, A only, B only', async (e, r) => {
    for (const [tA, tB] of TRANS) {
      await checkMatmul(e, r, { M: 7, K: 13, N: 5, tA, tB, batchA: 3, batchB: 3 });
      await checkMatmul(e, r, { M: 9, K: 6, N: 65, tA, tB, batchA: 2 });
      await checkMatmul(e, r, { M: 33, K: 5, N: 4, tA, tB, batchB: 4 });
    }
  }),
  kcase(F, 'fused bias and activation epilogue', async (e, r) => {
    for (const act of EPILOGUE_ACTS) {
      await checkMatmul(e, r, { M: 37, K: 50, N: 70, tB: true, bias: true, act });
    }
    await checkMatmul(e, r, { M: 5, K: 3, N: 9, tA: true, bias: true, act: 'relu', batchA: 2 });
  }),
  kcase(F, 'K = 0 gives zeros (plus bias)', async (e, r) => {
    await checkMatmul(e, r, { M: 3, K: 0, N: 4 });
    await checkMatmul(e, r, { M: 3, K: 0, N: 4, tB: true, bias: true, act: 'none' });
  }),
];
