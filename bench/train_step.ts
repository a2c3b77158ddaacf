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
 *    in the same round; also the guard's norm reduction alone (its ops without the update);
 *  - whole step: program.run() wall time, and its overhead over the step without an optimizer.
 * Writes bench/out/train_step.json.
 *
 *   node dist/bench/train_step.js [--rounds 7] [--steps 20] [--reps 20] [--batches 1,64]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
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
      this.ops.push(await ctx.backend.prepare({
        op: slope.OPS.copy, inputs: [ctx.store.chunkView(c, 'params')], outputs: [dst], attrs: {},
      }));
    }
  }
}

interface Case {
  cfg: Config; prog: slope.Program; hook: slope.StepHook | null; feeds: Record<string, slope.Feed>; step: number[];
}
/** Ops timed alone: ms per pass by the clock and by process CPU time, and both as ratios to the copy. */
interface Timed {
  name: string; ops: readonly slope.Prepared[]; ms: number[]; cpu: number[]; rMs: number[]; rCpu: number[];
}

async function build(engine: slope.Engine, cfg: Config, B: number): Promise<Case> {
  manualSeed(0);
  const model = new Sequential(new Linear(784, 512), new ReLU(), new Linear(512, 256), new ReLU(), new Linear(256, 10));
  const g = new Graph();
  const x = g.input('x', [B, 784]);
  const y = g.input('y', [B], 'i32');
  const loss = crossEntropy(model.forward(x), y);
  const ps = model.parameters();
  const gs = grad(loss, ps.map((p) => g.param(p)));
  const hook = cfg === 'none' ? null : cfg === 'copy' ? new CopyArena()
    : cfg === 'sgd' ? new SGD(ps, { lr: 0.01 }) : new Adam(ps, { lr: 1e-4 });
  const prog = await engine.compile(g, {
    outputs: { loss }, loss: cfg === 'adam+guard' ? loss : undefined,
    gradients: ps.map((p, i) => [p, gs[i]] as const), hooks: hook ? [hook] : [],
  });
  const xs = new Float32Array(B * 784).map((_, i) => ((i * 7919) % 1000) / 1000 - 0.5);
  const ys = new Int32Array(B).map((_, i) => (i * 3) % 10);
  const feeds = { x: xs, y: ys };
  for (let i = 0; i < 3; i++) await prog.run(feeds);
  return { cfg, prog, hook, feeds, step: [] };
}

/** The copy first (the reference of each round), every optimizer, then the guard's reduction alone. */
function timedOps(cases: Case[]): Timed[] {
  const t = (name: string, ops: readonly slope.Prepared[]): Timed => ({
    name, ops, ms: [], cpu: [], rMs: [], rCpu: [],
  });
  const out = cases.filter((c) => c.hook).map((c) => t(c.cfg, c.hook!.ops));
  const guard = cases.find((c) => c.cfg === 'adam+guard')!.hook!.ops;
  const norm = (p: slope.Prepared) => p.call.op === slope.OPS['optim.sumsq']
    || p.call.op === slope.OPS['optim.finalize'];
  out.push(t('guard reduction', guard.filter(norm)));
  return out;
}

async function stepMs(engine: slope.Engine, c: Case, steps: number): Promise<number> {
  await engine.sync();
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) await c.prog.run(c.feeds);
  await engine.sync();
  return (performance.now() - t0) / steps;
}

/** One round: every program's step time, then every op group alone (the copy first). */
async function round(engine: slope.Engine, cases: Case[], timed: Timed[], steps: number, reps: number): Promise<void> {
  for (const c of cases) c.step.push(await stepMs(engine, c, steps));
  let copy = { ms: 0, cpu: 0 };
  for (const t of timed) {
    const m = await timeStepsCpu(engine, t.ops, reps);
    const ms = (m.gpu / reps) * 1e3, cpu = (m.cpu / reps) * 1e3;
    if (t.name === 'copy') copy = { ms, cpu };
    t.ms.push(ms);
    t.cpu.push(cpu);
    t.rMs.push(ms / copy.ms);
    t.rCpu.push(cpu / copy.cpu);
  }
}

const fmt = (x: number) => x.toFixed(3);
const r2 = (x: number) => +x.toFixed(2);

function report(B: number, cases: Case[], timed: Timed[], clock: string): Record<string, unknown>[] {
  const none = median(cases[0].step);
  const rows: Record<string, unknown>[] = [];
  console.log(`\nbatch ${B}: ms per step (program.run), and its overhead over the step without an optimizer`);
  for (const c of cases) {
    const step = median(c.step);
    console.log(`  ${c.cfg.padEnd(16)} ${fmt(step).padStart(8)} ${fmt(step - none).padStart(8)}`);
    rows.push({
      batch: B, kind: 'step', config: c.cfg, stepMs: +fmt(step), overheadMs: +fmt(step - none),
      stepRuns: c.step.map((v) => +fmt(v)),
    });
  }
  console.log(`batch ${B}: ops alone, ms per pass over the parameters (${clock}; process CPU), ` +
    'ratio to the copy in the same round');
  for (const t of timed) {
    const [ms, cpu, rMs, rCpu] = [median(t.ms), median(t.cpu), median(t.rMs), median(t.rCpu)];
    console.log(`  ${t.name.padEnd(16)} ${fmt(ms).padStart(8)} ${rMs.toFixed(2).padStart(6)}×   ` +
      `CPU ${fmt(cpu).padStart(8)} ${rCpu.toFixed(2).padStart(6)}×`);
    rows.push({
      batch: B, kind: 'ops', config: t.name, opsMs: +fmt(ms), opsOverCopy: r2(rMs), opsCpuMs: +fmt(cpu),
      opsCpuOverCopy: r2(rCpu),
      opsRuns: t.ms.map((v) => +fmt(v)), opsCpuRuns: t.cpu.map((v) => +fmt(v)),
    });
  }
  return rows;
}

async function main() {
  const rounds = Number(arg('rounds', '7'));
  const steps = Number(arg('steps', '20'));
  const reps = Number(arg('reps', '20'));
  const batches = arg('batches', '1,64').split(',').map(Number);
  const engine = await slope.init();
  const clock = clockKind(engine);
  console.log(`adapter: ${engine.adapter}; ops timed by ${clock}; medians of ${rounds} rounds, ` +
    'configurations interleaved');
  const results: Record<string, unknown>[] = [];
  for (const B of batches) {
    const cases: Case[] = [];
    for (const cfg of CONFIGS) cases.push(await build(engine, cfg, B));
    const timed = timedOps(cases);
    for (let r = 0; r < rounds; r++) await round(engine, cases, timed, steps, reps);
    results.push(...report(B, cases, timed, clock));
    for (const c of cases) c.prog.dispose();
  }
  
  const out = { adapter: engine.adapter, clock, date: new Date().toISOString(), rounds, steps, reps, results };
  writeFileSync(outFile('bench/out/train_step.json'), JSON.stringify(out, null, 1) + '\n');
  engine.dispose();
}

/** --out FILE, else the default; its folder is made. */
function outFile(d: string): string {
  const i = process.argv.indexOf('--out');
  const f = i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : d;
  mkdirSync(dirname(f), { recursive: true });
  return f;
}

await main();
