/**
 * What an optimizer adds to a small training step: an MLP 784-512-256-10 (≈535k parameters) at
 * batch 1 and 64, compiled five ways: no optimizer, a plain copy of the parameter arena into a
 * scratch buffer (the limit: one read and one write of every parameter), SGD, Adam, and Adam with
 * the non-finite guard (compiled with `loss`, which adds the gradient-norm reduction).
 *
 * Two measures, the configurations interleaved round by round so that load from other processes
 * hits them alike; medians over the rounds:
 *  - ops alone: the hook's prepared ops, `reps` times in one pass (timestamp queries when the
 *    adapter has them, else wall clock; and the process's CPU time, which on a software adapter
 *    is the shader work and suffers less from other processes), as a ratio to the copy measured
 *    in the same round;
 *  - whole step: program.run() wall time, and its overhead over the step without an optimizer.
 * Writes bench/out/train_step.json.
 *
 *   node dist/bench/train_step.js [--rounds 7] [--steps 20] [--reps 20] [--batches 1,64]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import * as slope from '../src/node.js';
import { view } from '../src/backend/types.js';
import { clockKind, median, timeStepsCpu } from './lib/timing.js';

const { Graph, Sequential, Linear, ReLU, SGD, Adam, crossEntropy, grad, manualSeed } = slope;

function arg(name: string, d: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : d;
}

const CONFIGS = ['none', 'copy', 'sgd', 'adam', 'adam+guard'] as const;
type Config = (typeof CONFIGS)[number];

/** A step hook that copies every parameter chunk it sees into scratch storage of the same length. */
class CopyArena implements slope.StepHook {
  ops: slope.Prepared[] = [];
  async prepare(ctx: slope.HookContext): Promise<void> {
    const chunks = new Set(ctx.params.map((p) => ctx.store.chunkOf(p)));
    for (const c of chunks) {
      const dst = view(await ctx.backend.alloc('copy scratch', c.length), 0, [c.length], 'f32', 'copy scratch');
      this.ops.push(await ctx.backend.prepare({ op: 'copy', inputs: [ctx.store.chunkView(c, 'params')], outputs: [dst], attrs: {} }));
    }
  }
}

interface Case { cfg: Config; prog: slope.Program; hook: slope.StepHook | null; feeds: Record<string, slope.Feed>; step: number[]; op: number[]; cpu: number[] }

async function build(engine: slope.Engine, cfg: Config, B: number): Promise<Case> {
  manualSeed(0);
  const model = new Sequential(new Linear(784, 512), new ReLU(), new Linear(512, 256), new ReLU(), new Linear(256, 10));
  const g = new Graph();
  const x = g.input('x', [B, 784]);
  const y = g.input('y', [B], 'i32');
  const loss = crossEntropy(model.forward(x), y);
  const ps = model.parameters();
  const gs = grad(loss, ps.map((p) => g.param(p)));
  const hook = cfg === 'none' ? null : cfg === 'copy' ? new CopyArena() : cfg === 'sgd' ? new SGD(ps, { lr: 0.01 }) : new Adam(ps, { lr: 1e-4 });
  const prog = await engine.compile(g, {
    outputs: { loss }, loss: cfg === 'adam+guard' ? loss : undefined,
    gradients: ps.map((p, i) => [p, gs[i]] as const), hooks: hook ? [hook] : [],
  });
  const xs = new Float32Array(B * 784).map((_, i) => ((i * 7919) % 1000) / 1000 - 0.5);
  const ys = new Int32Array(B).map((_, i) => (i * 3) % 10);
  const feeds = { x: xs, y: ys };
  for (let i = 0; i < 3; i++) await prog.run(feeds);
  return { cfg, prog, hook, feeds, step: [], op: [], cpu: [] };
}

async function stepMs(engine: slope.Engine, c: Case, steps: number): Promise<number> {
  await engine.sync();
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) await c.prog.run(c.feeds);
  await engine.sync();
  return (performance.now() - t0) / steps;
}

const fmt = (x: number) => x.toFixed(3);

async function main() {
  const rounds = Number(arg('rounds', '7'));
  const steps = Number(arg('steps', '20'));
  const reps = Number(arg('reps', '20'));
  const batches = arg('batches', '1,64').split(',').map(Number);
  const engine = await slope.init();
  const clock = clockKind(engine);
  console.log(`adapter: ${engine.adapter}; ops timed by ${clock}; medians of ${rounds} rounds, configurations interleaved`);
  const results: Record<string, unknown>[] = [];
  for (const B of batches) {
    const cases: Case[] = [];
    for (const cfg of CONFIGS) cases.push(await build(engine, cfg, B));
    const ratio: Record<string, number[]> = {};
    const cpuRatio: Record<string, number[]> = {};
    for (let r = 0; r < rounds; r++) {
      let copyOp = 0, copyCpu = 0;
      for (const c of cases) {
        c.step.push(await stepMs(engine, c, steps));
        if (!c.hook) continue;
        const m = await timeStepsCpu(engine, c.hook.ops, reps);
        const t = (m.gpu / reps) * 1e3, cpu = (m.cpu / reps) * 1e3;
        c.op.push(t);
        c.cpu.push(cpu);
        if (c.cfg === 'copy') [copyOp, copyCpu] = [t, cpu];
        (ratio[c.cfg] ??= []).push(t / copyOp);
        (cpuRatio[c.cfg] ??= []).push(cpu / copyCpu);
      }
    }
    const none = median(cases[0].step);
    const copy = cases[1];
    const copyOverhead = median(copy.step) - none;
    console.log(`\nbatch ${B}: ms per step; ops alone: ms per pass over the parameters (${clock}, and process CPU ms), ratio to the copy in the same round`);
    console.log('config        step    overhead   ops alone   ops / copy   ops CPU   CPU / copy');
    for (const c of cases) {
      const step = median(c.step);
      const op = c.op.length ? median(c.op) : NaN;
      const rc = ratio[c.cfg] ? median(ratio[c.cfg]) : NaN;
      const cpu = c.cpu.length ? median(c.cpu) : NaN;
      const rcpu = cpuRatio[c.cfg] ? median(cpuRatio[c.cfg]) : NaN;
      const has = c.op.length > 0;
      console.log(`${c.cfg.padEnd(12)} ${fmt(step).padStart(7)} ${fmt(step - none).padStart(10)} ${(has ? fmt(op) : '—').padStart(11)} ${(has ? rc.toFixed(2) : '—').padStart(12)} ${(has ? fmt(cpu) : '—').padStart(9)} ${(has ? rcpu.toFixed(2) : '—').padStart(12)}`);
      results.push({
        batch: B, config: c.cfg, stepMs: +fmt(step), overheadMs: +fmt(step - none),
        overheadOverCopyOverhead: c.cfg === 'none' ? null : +((step - none) / copyOverhead).toFixed(2),
        opsMs: has ? +fmt(op) : null, opsOverCopy: has ? +rc.toFixed(2) : null,
        opsCpuMs: has ? +fmt(cpu) : null, opsCpuOverCopy: has ? +rcpu.toFixed(2) : null,
        stepRuns: c.step.map((v) => +fmt(v)), opsRuns: c.op.map((v) => +fmt(v)), opsCpuRuns: c.cpu.map((v) => +fmt(v)),
      });
      c.prog.dispose();
    }
  }
  mkdirSync('bench/out', { recursive: true });
  const out = { adapter: engine.adapter, clock, date: new Date().toISOString(), rounds, steps, reps, results };
  writeFileSync('bench/out/train_step.json', JSON.stringify(out, null, 1) + '\n');
  engine.dispose();
}

await main();
