/**
 * Conv2d GFLOP/s, forward and both backward passes, for every conv variant, against slope's
 * matmul (same variant) on a matrix product of the same M×K×N in the same run: the implicit
 * GEMM's cost over a plain GEMM is what its patch gathers add. Default layer: the second conv of
 * `cnn:32,64` on 28×28 images (32 → 64 channels, 3×3 'same', 14×14, batch 128). Each variant is
 * checked against the float64 reference at batch 2 before timing.
 * Peers (--peers tfjs,jax): TensorFlow.js 4.22 (WebGPU backend; NHWC, its own layout) and jax-js
 * (WebGPU device; NCHW) on the same Dawn adapter, each in a child process of its own, wall clock
 * of `reps` calls then a read of one element, median of rounds: forward, backward to the input and
 * backward to the weight (TF.js: its Conv2DBackpropInput/Filter kernels; jax-js: a jitted vjp
 * with respect to that one operand).
 * Memory: the pool ("arena") of one training step of `cnn:32,64 --norm batch` at the batch, from
 * the planner, against the same plus the patch matrices an im2col implementation would hold
 * (each conv's (N·OH·OW) × (C·R·S) patches kept from forward to backward, and one column
 * gradient of the largest, for the backward to the input); with --profile, that step's dispatches
 * by kernel (Program.profile, GPU timestamps) with their share of the step and of the roofline.
 * Writes bench/out/conv.json.
 *
 *   node dist/bench/conv.js [--batch 128] [--layer 32,64,14] [--variants sg,bcast] [--runs 5]
 *     [--peers tfjs,jax] [--no-memory] [--profile]   (--variants none: the memory section alone)
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
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

// ---------------------------------------------------------------- peers (child processes)

interface PeerRow { lib: string; direction: ConvDirection; ms: number; gflops: number; note?: string }
type Call = { call: () => void; wait: () => Promise<void> };

/** Median seconds per call: rounds of `reps` calls, each round ended by a wait for the device. */
async function timePeer(c: Call, rounds: number): Promise<number> {
  c.call();
  await c.wait(); // compile
  const t0 = performance.now();
  c.call();
  await c.wait();
  const reps = Math.max(1, Math.min(20, Math.round(300 / Math.max(performance.now() - t0, 1))));
  const ts: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const t = performance.now();
    for (let i = 0; i < reps; i++) c.call();
    await c.wait();
    ts.push((performance.now() - t) / 1000 / reps);
  }
  return median(ts);
}

type Tf = typeof import('@tensorflow/tfjs-core');
const load = (name: string): Promise<unknown> => import(name);

/** TF.js as one CommonJS bundle of tfjs-core and its WebGPU backend (its ES modules do not load in Node as is). */
async function tfjs(): Promise<Tf> {
  const esbuild = (await load('esbuild')) as typeof import('esbuild');
  const outfile = 'dist/bench/tfjs_webgpu_conv.cjs';
  await esbuild.build({
    stdin: { contents: "export * from '@tensorflow/tfjs-core'; export * from '@tensorflow/tfjs-backend-webgpu';",
      resolveDir: process.cwd() },
    bundle: true, platform: 'node', format: 'cjs', mainFields: ['module', 'main'], outfile, logLevel: 'error',
  });
  return createRequire(import.meta.url)(resolve(outfile)) as Tf;
}

async function tfjsRows(g: cv.Conv2dGeom, rounds: number): Promise<PeerRow[]> {
  const tf = await tfjs();
  if (!(await tf.setBackend('webgpu'))) throw new Error('TensorFlow.js: the webgpu backend did not start');
  await tf.ready();
  type T = import('@tensorflow/tfjs-core').Tensor;
  const xs = [g.N, g.H, g.W, g.C], ws = [g.R, g.S, g.C, g.K], ys = [g.N, g.OH, g.OW, g.K];
  const t = (shape: number[], seed: number) => tf.tensor(rand(shape.reduce((a, b) => a * b, 1), seed), shape);
  const [x, w, dy] = [t(xs, 1), t(ws, 2), t(ys, 3)];
  const attrs = { strides: [1, 1], pad: 'same', dataFormat: 'NHWC', dilations: [1, 1] };
  const fns: Record<ConvDirection, () => T> = {
    forward: () => tf.conv2d(x as import('@tensorflow/tfjs-core').Tensor4D, w as import('@tensorflow/tfjs-core').Tensor4D, 1, 'same'),
    input: () => tf.engine().runKernel('Conv2DBackpropInput', { dy, filter: w }, { ...attrs, inputShape: xs }) as T,
    weight: () => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { ...attrs, filterShape: ws }) as T,
  };
  const rows: PeerRow[] = [];
  for (const dir of DIRS) {
    let last: T | null = null;
    const c: Call = {
      call: () => { last?.dispose(); last = fns[dir](); },
      wait: async () => { const s = tf.slice(last!, [0, 0, 0, 0], [1, 1, 1, 1]); await s.data(); s.dispose(); },
    };
    const sec = await timePeer(c, rounds);
    rows.push({ lib: 'tfjs-webgpu', direction: dir, ms: sec * 1e3, gflops: cv.conv2dFlops(g) / sec / 1e9 });
  }
  return rows;
}

type Jax = typeof import('@jax-js/jax');
type JArray = import('@jax-js/jax').Array;

async function jaxRows(g: cv.Conv2dGeom, rounds: number): Promise<PeerRow[]> {
  const jax = (await load('@jax-js/jax')) as Jax;
  const np = jax.numpy;
  if (!(await jax.init('webgpu')).includes('webgpu')) throw new Error('jax-js: no webgpu device');
  jax.defaultDevice('webgpu');
  const xs = [g.N, g.C, g.H, g.W], ws = [g.K, g.C, g.R, g.S], ys = [g.N, g.K, g.OH, g.OW];
  const arr = (shape: number[], seed: number) => np.array(rand(shape.reduce((a, b) => a * b, 1), seed)).reshape(shape);
  const [x, w, dy] = [arr(xs, 1), arr(ws, 2), arr(ys, 3)];
  const conv = (a: JArray, b: JArray) => jax.lax.conv(a, b, [1, 1], 'SAME');
  const fns: Record<ConvDirection, () => JArray> = {
    forward: (() => { const f = jax.jit(conv); return () => f(x.ref, w.ref); })(),
    input: (() => {
      const f = jax.jit((wv: JArray, xv: JArray, d: JArray) => {
        const [, back] = jax.vjp((a: JArray) => conv(a, wv), [xv]);
        return (back(d) as JArray[])[0];
      });
      return () => f(w.ref, x.ref, dy.ref);
    })(),
    weight: (() => {
      const f = jax.jit((xv: JArray, wv: JArray, d: JArray) => {
        const [, back] = jax.vjp((b: JArray) => conv(xv, b), [wv]);
        return (back(d) as JArray[])[0];
      });
      return () => f(x.ref, w.ref, dy.ref);
    })(),
  };
  const rows: PeerRow[] = [];
  for (const dir of DIRS) {
    let pending: JArray[] = [];
    const c: Call = {
      call: () => { pending.push(fns[dir]()); },
      wait: async () => { await jax.blockUntilReady(pending); for (const a of pending) a.dispose(); pending = []; },
    };
    const sec = await timePeer(c, rounds);
    rows.push({ lib: 'jax-webgpu', direction: dir, ms: sec * 1e3, gflops: cv.conv2dFlops(g) / sec / 1e9,
      ...(dir === 'forward' ? {} : { note: 'jitted vjp' }) });
  }
  return rows;
}

/** Run one peer in a child process (its own Dawn instance); its rows, or the error it printed. */
function peer(lib: string, batch: number, layer: string, runs: number): PeerRow[] | string {
  const r = spawnSync(process.execPath, [process.argv[1], '--child', lib, '--batch', String(batch), '--layer', layer,
    '--runs', String(runs)], { encoding: 'utf8', timeout: 20 * 60_000 });
  const line = r.stdout.split('\n').find((l) => l.startsWith('@@ '));
  if (line) return JSON.parse(line.slice(3)) as PeerRow[];
  return `${lib}: exit ${r.status}: ${(r.stderr || r.stdout).trim().split('\n').slice(-3).join(' | ')}`;
}

async function child(lib: string): Promise<void> {
  const { create, globals } = (await load('webgpu')) as { create(flags: string[]): GPU; globals: object };
  Object.assign(globalThis, globals);
  Object.defineProperty(globalThis, 'navigator', { value: { gpu: create([]), userAgent: `Node.js/${process.version}` },
    configurable: true, writable: true });
  const [C, K, H] = (arg('layer') ?? '32,64,14').split(',').map(Number);
  const g = cv.conv2dGeom([Number(arg('batch') ?? 128), C, H, H], [K, C, 3, 3], { padding: 'same' });
  const runs = Number(arg('runs') ?? 5);
  const rows = lib === 'tfjs' ? await tfjsRows(g, runs) : await jaxRows(g, runs);
  console.log(`@@ ${JSON.stringify(rows)}`);
}

// ---------------------------------------------------------------- memory

interface Memory {
  arenaBytes: number; slots: number; im2colBytes: number; patches: { layer: string; bytes: number }[];
  /** With --profile: the step's dispatches by kernel and shapes (Program.profile), most time first. */
  profile?: slope.KeyAverage[]; stepMs?: number;
}

/** The planner's pool for one training step of cnn:32,64 --norm batch at `batch`, and im2col's patches on top. */
async function memory(e: slope.Engine, batch: number): Promise<Memory> {
  const n = 2 * batch;
  const ds = new slope.Dataset({ name: 'images', sampleShape: [1, 28, 28], x: rand(n * 784, 7),
    y: Int32Array.from({ length: n }, (_, i) => i % 10), numClasses: 10 });
  const model = slope.buildModel(slope.parseModel('cnn:32,64', 'batch'), ds.sampleShape, 10, 0);
  const t = await slope.Trainer.create(e, { model, optimizer: new slope.Adam(model.parameters()), train: ds,
    batchSize: batch });
  type Feeds = Record<string, Int32Array | Float32Array>;
  const tr = (t as unknown as { train: { prog: slope.Program; feeder: { feeds(b: Int32Array, j: number,
    pad: Int32Array, training: boolean): Feeds } } }).train;
  const prog = tr.prog;
  const arenaBytes = prog.stats.slotElements * 4;
  let profile: slope.KeyAverage[] | undefined, stepMs: number | undefined;
  if (process.argv.includes('--profile')) {
    const rows = Int32Array.from({ length: batch }, (_, i) => i);
    const p = await prog.profile(tr.feeder.feeds(rows, 0, rows, true), { steps: 3 });
    profile = p.keyAverages();
    stepMs = p.data.host.wallMs;
  }
  // (N·OH·OW) × (C·R·S) patches per conv ('same', stride 1: OH×OW = H×W).
  const patches = [{ layer: 'conv 1→32 on 28×28', bytes: batch * 28 * 28 * 1 * 9 * 4 },
    { layer: 'conv 32→64 on 14×14', bytes: batch * 14 * 14 * 32 * 9 * 4 }];
  const im2colBytes = arenaBytes + patches.reduce((a, p) => a + p.bytes, 0) + Math.max(...patches.map((p) => p.bytes));
  return { arenaBytes, slots: prog.stats.slots, im2colBytes, patches, profile, stepMs };
}

async function main(): Promise<void> {
  const batch = Number(arg('batch') ?? 128);
  const layer = (arg('layer') ?? '32,64,14').split(',').map(Number);
  const runs = Number(arg('runs') ?? 5);
  const e = await slope.init();
  const limits = (e.backend as WebGpuBackend).gpu.limits;
  const variants = ((arg('variants')?.split(',') ?? CONV_VARIANTS) as ConvVariant[])
    .filter((v) => CONV_VARIANTS.includes(v) && convVariantSupported(v, limits)); // --variants none: memory only
  const [C, K, H] = layer;
  const g = cv.conv2dGeom([batch, C, H, H], [K, C, 3, 3], { padding: 'same' });
  const flops = cv.conv2dFlops(g);
  console.log(`adapter: ${e.adapter}; clock: ${clockKind(e)}; layer ${C}→${K}, 3×3 same, ${H}×${H}, batch ${batch}; median (best) of ${runs} runs, conv and matmul interleaved`);
  const results: Record<string, unknown>[] = [];
  let mem: Memory | null = null;
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
    if (!process.argv.includes('--no-memory')) mem = await memory(e, batch);
  } finally {
    e.dispose();
  }
  if (mem) {
    const mb = (b: number) => (b / 2 ** 20).toFixed(1);
    console.log(`memory, one training step of cnn:32,64 --norm batch at batch ${batch}: the planner's pool ` +
      `${mb(mem.arenaBytes)} MiB in ${mem.slots} slots; im2col would add ${mem.patches.map((p) => `${mb(p.bytes)} MiB (${p.layer})`).join(' + ')} ` +
      `+ ${mb(Math.max(...mem.patches.map((p) => p.bytes)))} MiB (column gradient): ${mb(mem.im2colBytes)} MiB, ` +
      `${(mem.im2colBytes / mem.arenaBytes).toFixed(2)}×`);
    if (mem.profile) {
      console.log(`profile of that step (median of 3; wall ${mem.stepMs!.toFixed(0)} ms): the ten slowest dispatches`);
      for (const r of mem.profile.slice(0, 10)) {
        console.log(`  ${(100 * r.fraction).toFixed(1).padStart(5)}% ${r.avgMs.toFixed(1).padStart(8)} ms ` +
          `${r.gflops.toFixed(2).padStart(6)} GFLOP/s (${(100 * r.peakFraction).toFixed(0)}% of peak) ${r.kernel} ${r.op} ${r.shapes}`);
      }
    }
  }
  const peers: PeerRow[] = [];
  const peerErrors: string[] = [];
  for (const lib of arg('peers')?.split(',') ?? []) {
    const r = peer(lib, batch, layer.join(','), runs);
    if (typeof r === 'string') { peerErrors.push(r); console.log(r); continue; }
    for (const row of r) {
      const ours = results.filter((x) => x.direction === row.direction).map((x) => x.convGflops as number);
      const best = Math.max(...ours);
      console.log(`${row.direction.padEnd(8)} ${row.lib.padEnd(12)} ${row.ms.toFixed(2).padStart(8)} ms ` +
        `${row.gflops.toFixed(2).padStart(6)} GFLOP/s; slope's best variant ${best.toFixed(2)} (${(best / row.gflops).toFixed(2)}×)` +
        `${row.note ? ` (${row.note})` : ''}`);
      peers.push(row);
    }
  }
  mkdirSync('bench/out', { recursive: true });
  writeFileSync('bench/out/conv.json', JSON.stringify({ adapter: e.adapter, clock: clockKind(e), date: new Date().toISOString(), layer: { C, K, H, batch }, results, memory: mem, peers, peerErrors }, null, 1) + '\n');
}

if (process.argv.includes('--child')) await child(arg('child')!);
else await main();
