/**
 * `slope bench`: how fast this adapter runs slope — a square matmul and one training step of an
 * MLP (784-512-256-10, cross-entropy, Adam) at two batch sizes. Wall clock over `--runs` rounds
 * of several calls each, after a warm-up (pipelines compiled, queues primed), ending each round
 * with a wait for the device; the median round is reported. `--profile` instead profiles one
 * training step at --batch (program.profile: every dispatch against the adapter's roofline),
 * with `--trace FILE` for Perfetto. The scripts in bench/ measure more (every kernel variant,
 * peers, plots).
 */
import { writeFileSync } from 'node:fs';
import { init, type Engine } from '../engine.js';
import type { Feed, Program } from '../graph/program.js';
import { checkOutputPath } from '../io/node.js';
import { Graph, Variable } from '../graph/tensor.js';
import { grad } from '../graph/autodiff.js';
import { matmul } from '../graph/ops/matmul.js';
import { crossEntropy } from '../graph/ops/loss.js';
import { Generator, Linear, ReLU, Sequential, manualSeed } from '../nn/index.js';
import { Adam } from '../optim/index.js';
import { tuneMatmul } from '../kernels/matmul_tune.js';
import { UsageError, type Parsed } from './args.js';
import type { Out } from './train.js';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Median milliseconds per call of `call` (`reps` calls per round, a wait for the device after each round). */
async function time(call: () => Promise<void>, sync: () => Promise<void>, reps: number, runs: number): Promise<number> {
  await call();
  await call();
  await sync();
  const rounds: number[] = [];
  for (let k = 0; k < runs; k++) {
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) await call();
    await sync();
    rounds.push((performance.now() - t0) / reps);
  }
  return median(rounds);
}

/** Seeded uniform values in [-1, 1). */
function seeded(n: number, seed: number): Float32Array {
  const g = new Generator(seed);
  return Float32Array.from({ length: n }, () => 2 * g.next() - 1);
}

/** The MLP 784-512-256-10 training step (cross-entropy, Adam) at batch B, and its feeds. */
async function mlpStep(engine: Engine, B: number): Promise<{ step: Program; feeds: Record<string, Feed> }> {
  manualSeed(0);
  const model = new Sequential(new Linear(784, 512), new ReLU(), new Linear(512, 256), new ReLU(), new Linear(256, 10));
  const gs = new Graph();
  const x = gs.input('x', [B, 784]);
  const y = gs.input('y', [B], 'i32');
  const loss = crossEntropy(model.forward(x), y);
  const params = model.parameters();
  const grads = grad(loss, params.map((q) => gs.param(q)));
  const step = await engine.compile(gs,
    { outputs: { loss }, loss, gradients: params.map((q, i) => [q, grads[i]] as const), hooks: [new Adam(params)] });
  return { step, feeds: { x: seeded(B * 784, 3), y: Int32Array.from({ length: B }, (_, i) => i % 10) } };
}

/** `slope bench --profile`: the key-averages table of one training step, its JSON, its trace. */
async function profileCommand(p: Parsed, io: Out, engine: Engine): Promise<void> {
  const B = p.flags.batch as number;
  const trace = p.flags.trace as string | undefined;
  if (trace) await checkOutputPath(trace, '--trace');
  const { step, feeds } = await mlpStep(engine, B);
  const prof = await step.profile(feeds, { steps: p.flags.runs as number });
  step.dispose();
  io.out(`MLP 784-512-256-10 training step (Adam), batch ${B}`);
  io.out(prof.table());
  if (trace) {
    writeFileSync(trace, JSON.stringify(prof.trace()));
    io.out(`wrote ${trace} (Chrome trace-event format: open it in Perfetto or chrome://tracing)`);
  }
  if (p.flags.json) io.out(JSON.stringify({ batch: B, ...prof.toJSON() }));
}

export async function benchCommand(p: Parsed, io: Out): Promise<void> {
  const n = p.flags.size as number;
  const runs = p.flags.runs as number;
  const batches = [1, p.flags.batch as number];
  if (p.flags.trace !== undefined && !p.flags.profile) throw new UsageError('--trace needs --profile', 'bench');
  const engine = await init({ backend: p.flags.backend as 'webgpu' | 'cpu' });
  try {
    if (p.flags.profile) {
      if (engine.backend.name !== 'webgpu') throw new UsageError('--profile needs the webgpu backend', 'bench');
      return await profileCommand(p, io, engine);
    }
    const results: Record<string, number>[] = [];
    let tuned: Awaited<ReturnType<typeof tuneMatmul>> | null = null;
    if (p.flags.tune && engine.backend.name === 'webgpu') {
      // Measure the matmul variants on this adapter; the fastest becomes the default below.
      tuned = await tuneMatmul(engine, { runs: 3 });
      const times = Object.entries(tuned.seconds).map(([v, t]) => `${v} ${(1000 * t!).toFixed(1)} ms`).join(', ');
      io.out(`matmul variants: ${times} → ${tuned.variant}`);
    }
    const g = new Graph();
    const va = new Variable('A', [n, n]);
    const vb = new Variable('B', [n, n]);
    const mm = await engine.compile(g, { outputs: { c: matmul(g.variable(va), g.variable(vb)) } });
    engine.write(va, seeded(n * n, 1));
    engine.write(vb, seeded(n * n, 2));
    const ms = await time(() => mm.run(), () => engine.sync(), 3, runs);
    results.push({ matmul: n, ms, gflops: (2 * n ** 3) / (ms * 1e6) });
    io.out(`matmul ${n}×${n}×${n}: ${ms.toFixed(2)} ms, ${((2 * n ** 3) / (ms * 1e6)).toFixed(2)} GFLOP/s`);
    mm.dispose();
    for (const B of batches) {
      const { step, feeds } = await mlpStep(engine, B);
      const t = await time(() => step.run(feeds), () => engine.sync(), 10, runs);
      results.push({ mlpStepBatch: B, ms: t });
      io.out(`MLP 784-512-256-10 training step (Adam), batch ${B}: ${t.toFixed(2)} ms`);
      step.dispose();
    }
    if (p.flags.json) io.out(JSON.stringify({ adapter: engine.adapter, runs, results,
      tuned: tuned && { variant: tuned.variant, seconds: tuned.seconds } }));
    else io.out(`on ${engine.adapter}; median of ${runs} rounds`);
  } finally {
    engine.dispose();
  }
}
