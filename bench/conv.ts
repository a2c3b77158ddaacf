/**
 * Conv2d GFLOP/s, forward and both backward passes, for every conv variant, against slope's
 * matmul (same variant) on a matrix product of the same M×K×N in the same run: the implicit
 * GEMM's cost over a plain GEMM is what its patch gathers add. Default layer: the second conv of
 * `cnn:32,64` on 28×28 images (32 → 64 channels, 3×3 'same', 14×14, batch 128). Each variant is
 * checked against the float64 reference at batch 2 before timing. Writes bench/out/conv.json.
 *
 *   node dist/bench/conv.js [--batch 128] [--layer 32,64,14] [--variants sg,bcast] [--runs 5]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import * as slope from '../src/node.js';
import { view, type View } from '../src/backend/types.js';
import type { WebGpuBackend } from '../src/backend/webgpu.js';
import { CONV_VARIANTS, conv2dLaunch, convGemmDims, convVariantSupported, type ConvDirection, type ConvVariant } from '../src/kernels/conv.js';
import { MATMUL_LOWERINGS } from '../src/kernels/matmul.js';
import { OPS } from '../src/ops/index.js';
import * as cv from '../src/ref/conv.js';
import { clockKind, median, timeSteps } from './lib/timing.js';
import { readyLaunches, type ReadyLaunches } from './lib/launch.js';

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};

function rand(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    a[i] = s / 2 ** 32 - 0.5;
  }
  return a;
}

const DIRS: ConvDirection[] = ['forward', 'input', 'weight'];

async function buffer(e: slope.Engine, label: string, shape: number[], data?: Float32Array): Promise<View> {
  const n = shape.reduce((a, b) => a * b, 1);
  const v = view(await e.backend.alloc(label, n), 0, shape, 'f32', label);
  e.backend.write(v, data ?? rand(n, n + label.length));
  return v;
}

/** The conv's operands for one direction: (in0, in1, out) as conv2dLaunch takes them. */
async function convOperands(e: slope.Engine, g: cv.Conv2dGeom, dir: ConvDirection): Promise<[View, View, View]> {
  const xs = [g.N, g.C, g.H, g.W], ws = [g.K, g.C / g.groups, g.R, g.S], ys = [g.N, g.K, g.OH, g.OW];
  if (dir === 'forward') return [await buffer(e, 'x', xs), await buffer(e, 'w', ws), await buffer(e, 'y', ys)];
  if (dir === 'input') return [await buffer(e, 'dy', ys), await buffer(e, 'w', ws), await buffer(e, 'dx', xs)];
  return [await buffer(e, 'x', xs), await buffer(e, 'dy', ys), await buffer(e, 'dw', ws)];
}

/** Largest norm-wise error of a variant against the float64 reference at a small batch. */
async function check(e: slope.Engine, layer: number[], v: ConvVariant, dir: ConvDirection): Promise<number> {
  const [C, K, H] = layer;
  const g = cv.conv2dGeom([2, C, H, H], [K, C, 3, 3], { padding: 'same' });
  const [a, b, out] = await convOperands(e, g, dir);
  const ready = await readyLaunches(e, [conv2dLaunch(dir, g, a, b, out, { variant: v })]);
  await e.backend.execute([ready]);
  const got = await e.backend.read(out);
  const [ha, hb] = [await e.backend.read(a), await e.backend.read(b)];
  const want = new Float64Array(got.length);
  if (dir === 'forward') cv.conv2d(want, ha, hb, null, g);
  else if (dir === 'input') cv.conv2dBackwardInput(want, ha, hb, g);
  else cv.conv2dBackwardWeight(want, hb, ha, g);
  ready.dispose();
  for (const x of [a, b, out]) e.backend.release(x.storage);
  let num = 0, den = 0;
  for (let i = 0; i < want.length; i++) { num += (got[i] - want[i]) ** 2; den += want[i] ** 2; }
  return Math.sqrt(num / den);
}

interface Timed { ready: ReadyLaunches; reps: number; times: number[]; release: () => void }

async function timed(e: slope.Engine, ready: ReadyLaunches, views: View[]): Promise<Timed> {
  const once = await timeSteps(e, [ready], 1); // includes the first run's compile
  const again = await timeSteps(e, [ready], 1);
  const reps = Math.max(1, Math.min(50, Math.round(0.3 / Math.max(again, 1e-4))));
  void once;
  return { ready, reps, times: [], release: () => { ready.dispose(); for (const v of views) e.backend.release(v.storage); } };
}

async function main(): Promise<void> {
  const batch = Number(arg('batch') ?? 128);
  const layer = (arg('layer') ?? '32,64,14').split(',').map(Number);
  const runs = Number(arg('runs') ?? 5);
  const e = await slope.init();
  const limits = (e.backend as WebGpuBackend).gpu.limits;
  const variants = ((arg('variants')?.split(',') ?? CONV_VARIANTS) as ConvVariant[]).filter((v) => convVariantSupported(v, limits));
  const [C, K, H] = layer;
  const g = cv.conv2dGeom([batch, C, H, H], [K, C, 3, 3], { padding: 'same' });
  const flops = cv.conv2dFlops(g);
  console.log(`adapter: ${e.adapter}; clock: ${clockKind(e)}; layer ${C}→${K}, 3×3 same, ${H}×${H}, batch ${batch}; median (best) of ${runs} runs, conv and matmul interleaved`);
  const results: Record<string, unknown>[] = [];
  try {
    for (const dir of DIRS) {
      const d = convGemmDims(dir, g);
      for (const v of variants) {
        const err = await check(e, layer, v, dir);
        const [a, b, out] = await convOperands(e, g, dir);
        const conv = await timed(e, await readyLaunches(e, [conv2dLaunch(dir, g, a, b, out, { variant: v })]), [a, b, out]);
        const A = await buffer(e, 'A', [d.M, d.K]), B = await buffer(e, 'B', [d.K, d.N]), Cm = await buffer(e, 'C', [d.M, d.N]);
        const be = e.backend as WebGpuBackend;
        const profile = { ...be.profile, forced: { ...be.profile.forced, matmul: v } };
        const ctx = { limits, profile, scratch: () => { throw new Error('no scratch'); } };
        const attrs = { transA: false, transB: false, bias: false, act: 'none', alpha: 0, beta: 0 } as const;
        const mmLaunches = MATMUL_LOWERINGS.matmul({ op: OPS.matmul, inputs: [A, B], outputs: [Cm], attrs }, ctx);
        const mm = await timed(e, await readyLaunches(e, mmLaunches), [A, B, Cm]);
        for (let r = 0; r < runs; r++) {
          for (const t of [conv, mm]) t.times.push((await timeSteps(e, [t.ready], t.reps)) / t.reps);
        }
        conv.release();
        mm.release();
        const tc = median(conv.times), tm = median(mm.times);
        const gf = (t: number) => flops / t / 1e9;
        const bad = err > 1e-4 ? `  WRONG (error ${err.toExponential(2)} at batch 2)` : '';
        console.log(`${dir.padEnd(8)} ${v.padEnd(6)} M=${d.M} K=${d.K} N=${d.N}: conv ${(tc * 1e3).toFixed(2).padStart(8)} ms ${gf(tc).toFixed(2).padStart(6)} GFLOP/s (best ${gf(Math.min(...conv.times)).toFixed(2)}), ` +
          `matmul ${gf(tm).toFixed(2).padStart(6)} GFLOP/s (best ${gf(Math.min(...mm.times)).toFixed(2)}): ${((100 * tm) / tc).toFixed(0)}%${bad}`);
        results.push({ direction: dir, variant: v, M: d.M, K: d.K, N: d.N, convMs: +(tc * 1e3).toFixed(3), convGflops: +gf(tc).toFixed(3), matmulGflops: +gf(tm).toFixed(3), ratio: +(tm / tc).toFixed(3), error: err });
      }
    }
  } finally {
    e.dispose();
  }
  mkdirSync('bench/out', { recursive: true });
  writeFileSync('bench/out/conv.json', JSON.stringify({ adapter: e.adapter, clock: clockKind(e), date: new Date().toISOString(), layer: { C, K, H, batch }, results }, null, 1) + '\n');
}

await main();
