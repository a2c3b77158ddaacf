/**
 * Matmul GFLOP/s on the current adapter, for every variant, after a correctness check and a
 * warm-up; the median of several timed runs (timestamp queries when available, else wall clock
 * around onSubmittedWorkDone). Writes bench/out/matmul.json.
 *
 *   node dist/bench/matmul.js [--variants reg,tiled] [--shapes 512,mlp] [--runs 5] [--trans]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import * as slope from '../src/node.js';
import { MATMUL_VARIANTS } from '../src/kernels/matmul.js';
import { matmulRule } from '../src/gpu/profile.js';
import { view } from '../src/backend/types.js';
import { clockKind, median, timeSteps, timeStepsCpu } from './lib/timing.js';

interface Shape { name: string; M: number; K: number; N: number }
const SHAPES: Shape[] = [
  { name: '256', M: 256, K: 256, N: 256 },
  { name: '512', M: 512, K: 512, N: 512 },
  { name: '1024', M: 1024, K: 1024, N: 1024 },
  { name: '[64,784]x[784,512]', M: 64, K: 784, N: 512 },
  { name: '[1024,784]x[784,512]', M: 1024, K: 784, N: 512 },
  // The MLP's first weight gradient at batch 1024 (Aᵀ with --trans), and its tuning proxy.
  { name: 'wgrad', M: 512, K: 1024, N: 784 },
  { name: 'wgrad-proxy', M: 128, K: 1024, N: 784 },
  { name: 'wgrad64', M: 512, K: 64, N: 784 },
];

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function rand(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    a[i] = s / 2 ** 32 - 0.5;
  }
  return a;
}

/** Largest relative error over 256 sampled entries of C against a float64 dot product. */
function sampleError(c: ArrayLike<number>, a: Float32Array, b: Float32Array, s: Shape, tA: boolean,
  tB: boolean): number {
  let worst = 0;
  for (let t = 0; t < 256; t++) {
    const m = (t * 7919) % s.M, n = (t * 104729) % s.N;
    let acc = 0, mag = 0;
    for (let k = 0; k < s.K; k++) {
      const p = a[tA ? k * s.M + m : m * s.K + k] * b[tB ? n * s.K + k : k * s.N + n];
      acc += p;
      mag += Math.abs(p);
    }
    worst = Math.max(worst, Math.abs(c[m * s.N + n] - acc) / Math.max(mag, 1e-30));
  }
  return worst;
}

interface Case {
  engine: slope.Engine; p: slope.Prepared; reps: number; times: number[]; cpu: number[]; err: number; release(): void;
}

/** Prepare the matmul on one engine, check it against sampled float64 dot products, warm up. */
async function prepareCase(engine: slope.Engine, s: Shape, tA: boolean, tB: boolean): Promise<Case> {
  const be = engine.backend;
  const a = rand(s.M * s.K, 1), b = rand(s.K * s.N, 2);
  const va = view(await be.alloc('A', a.length), 0, tA ? [s.K, s.M] : [s.M, s.K], 'f32', 'A');
  const vb = view(await be.alloc('B', b.length), 0, tB ? [s.N, s.K] : [s.K, s.N], 'f32', 'B');
  const vc = view(await be.alloc('C', s.M * s.N), 0, [s.M, s.N], 'f32', 'C');
  be.write(va, a);
  be.write(vb, b);
  be.write(vc, new Float32Array(s.M * s.N).fill(NaN));
  const attrs = { transA: tA, transB: tB, bias: false, act: 'none' as const, alpha: 0, beta: 0 };
  const p = await be.prepare({ op: slope.OPS.matmul, inputs: [va, vb], outputs: [vc], attrs });
  await be.execute([p]);
  const err = sampleError(await be.read(vc), a, b, s, tA, tB);
  const once = await timeSteps(engine, [p], 1); // warm-up, and a guess at the run time
  const reps = Math.max(1, Math.min(50, Math.round(0.2 / Math.max(once, 1e-6))));
  const release = () => {
    for (const v of [va, vb, vc]) be.release(v.storage);
  };
  return { engine, p, reps, times: [], cpu: [], err, release };
}

async function main() {
  const variants = (arg('variants')?.split(',') ?? [...MATMUL_VARIANTS]) as string[];
  const want = arg('shapes')?.split(',');
  const custom = (want ?? []).filter((w) => /^\d+x\d+x\d+$/.test(w)).map((w) => {
    const [M, K, N] = w.split('x').map(Number);
    return { name: `${M}x${K}x${N}`, M, K, N };
  });
  const wanted = (s: Shape) => want?.some((w) => s.name === w || (w === 'mlp' && s.name.includes('784'))) ?? true;
  const shapes = [...SHAPES.filter(wanted), ...custom];
  const runs = Number(arg('runs') ?? 5);
  const tr = arg('trans');
  const trans = tr === 'a' ? [[true, false]] : process.argv.includes('--trans')
    ? [[false, false], [true, false], [false, true], [true, true]] : [[false, false]];
  const engines = new Map<string, slope.Engine>();
  for (const v of variants) engines.set(v, await slope.init({ variants: { matmul: v } }));
  const first = engines.values().next().value!;
  const adapter = first.adapter, clock = clockKind(first);
  const results: Record<string, unknown>[] = [];
  console.log(`adapter: ${adapter}; clock: ${clock}; median (best) of ${runs} runs, variants interleaved`);
  try {
    for (const s of shapes) {
      for (const [tA, tB] of trans) {
        const label = `${s.name}${tA ? ' Aᵀ' : ''}${tB ? ' Bᵀ' : ''}`;
        const cases = new Map<string, Case>();
        for (const v of variants) cases.set(v, await prepareCase(engines.get(v)!, s, tA, tB));
        // Interleave variants so that load from other processes hits them alike.
        for (let r = 0; r < runs; r++) {
          for (const c of cases.values()) {
            if (c.times.length && c.times[0] * c.reps > 3 && r >= 3) continue;
            const m = await timeStepsCpu(c.engine, [c.p], c.reps);
            c.times.push(m.gpu / c.reps);
            c.cpu.push(m.cpu / c.reps);
          }
        }
        for (const [v, c] of cases) {
          c.release();
          const t = median(c.times), best = Math.min(...c.times), cpu = median(c.cpu);
          const gf = (x: number) => (2 * s.M * s.N * s.K) / x / 1e9;
          const bad = c.err > 1e-5 ? `  WRONG (max sampled error ${c.err.toExponential(2)})` : '';
          console.log(`${v.padEnd(10)} ${label.padEnd(24)} ${(t * 1e3).toFixed(2).padStart(9)} ms ` +
            `${gf(t).toFixed(2).padStart(7)} GFLOP/s (best ${gf(best).toFixed(2)}; ` +
            `${gf(cpu).toFixed(2)} per CPU-second)${bad}`);
          results.push({
            variant: v, shape: label, M: s.M, K: s.K, N: s.N, ms: +(t * 1e3).toFixed(3), gflops: +gf(t).toFixed(3),
            bestGflops: +gf(best).toFixed(3), gflopsPerCpuSecond: +gf(cpu).toFixed(3), sampledError: c.err,
          });
        }
        // Written after every shape: a run cut off still leaves the shapes before.
        const json = { adapter, clock, date: new Date().toISOString(), results };
        writeFileSync(outFile('bench/out/matmul.json'), JSON.stringify(json, null, 1) + '\n');
      }
    }
  } finally {
    for (const e of engines.values()) e.dispose();
  }
  // What the engine would pick: the rule, and the choice measured by tuneMatmul.
  const tuner = await slope.init();
  const limits = (tuner.backend as unknown as { gpu: { limits: { subgroupMinSize: number } } }).gpu.limits;
  const rule = matmulRule(tuner.adapter, limits.subgroupMinSize);
  const tuned = await slope.tuneMatmul(tuner);
  tuner.dispose();
  const secs = Object.entries(tuned.seconds).map(([v, t]) => `${v} ${(t! * 1e3).toFixed(1)} ms`).join(', ');
  console.log(`default by rule: ${rule}; tuneMatmul picks ${tuned.variant} (${secs})`);
  
  const out = {
    adapter, clock, date: new Date().toISOString(), defaultByRule: rule,
    tuned: { variant: tuned.variant, seconds: tuned.seconds }, results,
  };
  writeFileSync(outFile('bench/out/matmul.json'), JSON.stringify(out, null, 1) + '\n');
}

/** --out FILE, else the default; its folder is made. */
function outFile(d: string): string {
  const i = process.argv.indexOf('--out');
  const f = i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : d;
  mkdirSync(dirname(f), { recursive: true });
  return f;
}

await main();
