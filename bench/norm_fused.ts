/**
 * Statistics and normalization in one dispatch (norm_forward) against the two-kernel path
 * (norm_stats, then norm_apply), on the current adapter, for BatchNorm, LayerNorm and GroupNorm
 * shapes. Training-mode normalization needs the statistics of the batch before it can normalize
 * it; the fused kernel reads each group once into registers (up to 8 elements per thread) and
 * writes y and the statistics, where the two-kernel path reads x twice and the statistics once
 * per element.
 *
 * Three measures, rounds interleaved so that load from other processes hits them alike, medians:
 *  - kernels alone, per variant of the 'norm' family (naive: one thread per group, lanes: enough
 *    threads per group that each keeps ≤ 8 elements, wg: one workgroup per group, default: what
 *    the engine picks on this adapter): the fused forward and the two kernels, `reps` times in
 *    one pass (timestamp queries when the adapter has them, else wall clock), each as a ratio to
 *    a plain copy of x in the same round (one read and one write of every element: the floor);
 *  - BatchNorm's backward: dx, dγ and dβ from one dispatch (norm_backward_affine) against
 *    norm_backward and two norm_affine_grad (each of which re-reads x and the gradient); for the
 *    others, dγ and dβ from one pass (norm_affine_grads) against two norm_affine_grad;
 *  - norm_backward (dx) alone, per variant (its default: one workgroup per group for few, long
 *    groups on GPUs, one thread per group otherwise);
 *  - the best variant per shape, to check the engine's default on this adapter;
 *  - a whole training step of a normalization layer through the planner (forward, backward,
 *    running statistics), compiled with fusion on and off: program.run() wall time.
 * Writes bench/out/norm_fused.json.
 *
 *   node dist/bench/norm_fused.js [--rounds 5] [--reps 20] [--steps 50] [--shapes 'BatchNorm2d|LayerNorm [4'] [--quick]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import * as slope from '../src/node.js';
import { view, type View } from '../src/backend/types.js';
import { NORM_VARIANTS } from '../src/kernels/norm.js';
import { clockKind, median, timeSteps } from './lib/timing.js';

const { Graph, nn, grad, manualSeed, channelGeom, layerGeom, groupGeom } = slope;

function arg(name: string, d: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : d;
}
const QUICK = process.argv.includes('--quick');
const ROUNDS = Number(arg('rounds', QUICK ? '3' : '5'));
const REPS = Number(arg('reps', QUICK ? '5' : '20'));
const STEPS = Number(arg('steps', QUICK ? '5' : '50'));

type Kind = 'batch' | 'layer' | 'group';
interface Shape { name: string; kind: Kind; shape: number[]; groups?: number }
const SHAPES: Shape[] = [
  { name: 'BatchNorm1d [64,128]', kind: 'batch', shape: [64, 128] },
  { name: 'BatchNorm1d [256,512]', kind: 'batch', shape: [256, 512] },
  { name: 'BatchNorm2d [32,16,28,28]', kind: 'batch', shape: [32, 16, 28, 28] },
  { name: 'LayerNorm [64,512]', kind: 'layer', shape: [64, 512] },
  { name: 'LayerNorm [512,768]', kind: 'layer', shape: [512, 768] },
  { name: 'GroupNorm(8) [16,32,16,16]', kind: 'group', shape: [16, 32, 16, 16], groups: 8 },
  // Few, long groups: where one workgroup per group should pay, if anywhere.
  { name: 'BatchNorm2d [8,8,32,32]', kind: 'batch', shape: [8, 8, 32, 32] },
  { name: 'LayerNorm [4,16384]', kind: 'layer', shape: [4, 16384] },
];
const ONLY = arg('shapes', '');

const size = (s: readonly number[]) => s.reduce((a, d) => a * d, 1);

function geomOf(s: Shape): slope.NormGeom {
  if (s.kind === 'batch') return channelGeom(s.shape);
  if (s.kind === 'layer') return layerGeom(s.shape, 1);
  return groupGeom(s.shape, s.groups!);
}

/** Seeded data in [3, 4) (a mean away from 0, as normalization layers see). */
function rand(n: number, seed: number): Float32Array {
  const gen = new slope.Generator(seed);
  return Float32Array.from({ length: n }, () => 3 + gen.next());
}

type Path = 'fused' | 'two' | 'copy' | 'bwd' | 'bwdFused' | 'bwdThree';
interface KernelCase { variant: string; shape: Shape; ops: Partial<Record<Path, slope.Prepared[]>>; ms: Record<Path, number[]> }

async function kernelCase(engine: slope.Engine, variant: string, s: Shape): Promise<KernelCase> {
  const be = engine.backend;
  const g = geomOf(s);
  const n = size(s.shape);
  const mk = async (label: string, shape: number[], data?: Float32Array): Promise<View> => {
    const v = view(await be.alloc(label, size(shape)), 0, shape, 'f32', label);
    if (data) be.write(v, data);
    return v;
  };
  const x = await mk('x', s.shape, rand(n, 1));
  const w = await mk('weight', [g.Q], rand(g.Q, 2));
  const b = await mk('bias', [g.Q], rand(g.Q, 3));
  const y = await mk('y', s.shape), stats = await mk('stats', [3, g.C]), y2 = await mk('y2', s.shape), stats2 = await mk('stats2', [3, g.C]);
  const y3 = await mk('copy of x', s.shape);
  const attrs = { ...g, eps: 1e-5, weight: true, bias: true, batch: true };
  const fused = [await be.prepare({ op: slope.OPS.norm_forward, inputs: [x, w, b], outputs: [y, stats], attrs })];
  const two = [
    await be.prepare({ op: slope.OPS.norm_stats, inputs: [x], outputs: [stats2], attrs: { ...g } }),
    await be.prepare({ op: slope.OPS.norm_apply, inputs: [x, stats2, w, b], outputs: [y2], attrs }),
  ];
  const copy = [await be.prepare({ op: slope.OPS.copy, inputs: [x], outputs: [y3], attrs: {} })];
  const ops: KernelCase['ops'] = { fused, two, copy };
  const gy = await mk('dy', s.shape, rand(n, 6));
  const dx = await mk('dx', s.shape);
  const bAttrs = { ...g, eps: 1e-5, weight: true, bias: false as const };
  ops.bwd = [await be.prepare({ op: slope.OPS.norm_backward, inputs: [x, stats, w, gy], outputs: [dx], attrs: bAttrs })];
  const dw = await mk('dw', [g.Q]), db = await mk('db', [g.Q]);
  const grad = (which: 'weight' | 'bias') => ({ op: slope.OPS.norm_affine_grad, inputs: [x, stats, gy], outputs: [which === 'weight' ? dw : db], attrs: { ...g, eps: 1e-5, which } });
  const separate = [await be.prepare(grad('weight')), await be.prepare(grad('bias'))];
  if (s.kind === 'batch') {
    // BatchNorm's backward: dx, dγ, dβ in one dispatch against norm_backward + two norm_affine_grad.
    ops.bwdFused = [await be.prepare({ op: slope.OPS.norm_backward_affine, inputs: [x, stats, w, gy], outputs: [dx, dw, db], attrs: { ...bAttrs, dw: true, db: true } })];
    ops.bwdThree = [...ops.bwd, ...separate];
  } else {
    // Others: dγ and dβ from one pass against two norm_affine_grad.
    ops.bwdFused = [await be.prepare({ op: slope.OPS.norm_affine_grads, inputs: [x, stats, gy], outputs: [dw, db], attrs: { ...g, eps: 1e-5 } })];
    ops.bwdThree = separate;
  }
  for (const o of Object.values(ops)) await timeSteps(engine, o, 1); // compile and warm up
  // Both paths must agree (they differ only in where the statistics go between the passes).
  const [a, c] = [await be.read(y), await be.read(y2)];
  let worst = 0;
  for (let i = 0; i < n; i++) worst = Math.max(worst, Math.abs(a[i] - c[i]));
  if (!(worst < 1e-4)) throw new Error(`${s.name} [${variant}]: fused and two-kernel outputs differ by ${worst}`);
  return { variant, shape: s, ops, ms: { fused: [], two: [], copy: [], bwd: [], bwdFused: [], bwdThree: [] } };
}

/** A training step of one normalization layer: forward, a loss, gradients of x, γ, β; fused or not. */
async function stepProgram(engine: slope.Engine, s: Shape, fuse: boolean): Promise<{ prog: slope.Program; feeds: Record<string, Float32Array> }> {
  manualSeed(0);
  const C = s.shape[1];
  const layer = s.kind === 'batch' ? (s.shape.length === 2 ? new nn.BatchNorm1d(C) : new nn.BatchNorm2d(C))
    : s.kind === 'layer' ? new nn.LayerNorm([s.shape[s.shape.length - 1]]) : new nn.GroupNorm(s.groups!, C);
  const g = new Graph();
  const x = g.input('x', s.shape);
  const t = g.input('t', s.shape);
  const loss = slope.mseLoss(layer.forward(x), t);
  const ps = layer.parameters();
  const gs = grad(loss, [x, ...ps.map((p) => g.param(p))]);
  const prog = await engine.compile(g, { outputs: { loss, dx: gs[0] }, gradients: ps.map((p, i) => [p, gs[i + 1]] as const), fuse });
  const n = size(s.shape);
  return { prog, feeds: { x: rand(n, 4), t: rand(n, 5) } };
}

async function runSteps(engine: slope.Engine, prog: slope.Program, feeds: Record<string, Float32Array>, steps: number): Promise<number> {
  await engine.sync();
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) await prog.run(feeds);
  await engine.sync();
  return (performance.now() - t0) / steps;
}

async function main(): Promise<void> {
  const variants = ['default', ...NORM_VARIANTS];
  const engines = new Map<string, slope.Engine>();
  for (const v of variants) engines.set(v, await slope.init(v === 'default' ? {} : { variants: { norm: v } }));
  const main = engines.get('default')!;
  const clock = clockKind(main);
  console.log(`adapter: ${main.adapter}; clock: ${clock}; rounds ${ROUNDS}, ${REPS} reps per timing, ${STEPS} steps per step timing\n`);

  const results: unknown[] = [];
  for (const s of SHAPES.filter((sh) => !ONLY || ONLY.split('|').some((o) => sh.name.includes(o)))) {
    const cases: KernelCase[] = [];
    for (const v of variants) cases.push(await kernelCase(engines.get(v)!, v, s));
    const steps = { fused: await stepProgram(main, s, true), two: await stepProgram(main, s, false) };
    const stepMs: Record<'fused' | 'two', number[]> = { fused: [], two: [] };
    for (const k of ['fused', 'two'] as const) await runSteps(main, steps[k].prog, steps[k].feeds, 2);
    for (let r = 0; r < ROUNDS; r++) {
      for (const c of cases) {
        const e = engines.get(c.variant)!;
        for (const [k, o] of Object.entries(c.ops) as [Path, slope.Prepared[]][]) c.ms[k].push((await timeSteps(e, o, REPS)) * 1000 / REPS);
      }
      // Alternate which goes first: the wait estimate carries over from one program to the next.
      for (const k of r % 2 ? (['two', 'fused'] as const) : (['fused', 'two'] as const)) stepMs[k].push(await runSteps(main, steps[k].prog, steps[k].feeds, STEPS));
    }
    const n = size(s.shape);
    console.log(`${s.name} (${n.toLocaleString('en')} elements, ${geomOf(s).C} groups of ${n / geomOf(s).C})`);
    console.log(`  variant    copy ms   fused ms  two ms   two/fused  fused/copy  dx ms  | ${s.kind === 'batch' ? 'dx, dγ, dβ: 1 kernel  3 kernels' : 'dγ, dβ: 1 kernel  2 kernels    '}  ratio`);
    const rows = cases.map((c) => {
      const m = { copy: median(c.ms.copy), fused: median(c.ms.fused), two: median(c.ms.two), bwd: median(c.ms.bwd) };
      const b = { bwdFused: median(c.ms.bwdFused), bwdThree: median(c.ms.bwdThree) };
      const tail = `  | ${b.bwdFused.toFixed(3).padStart(19)} ${b.bwdThree.toFixed(3).padStart(9)} ${(b.bwdThree / b.bwdFused).toFixed(2).padStart(8)}`;
      console.log(`  ${c.variant.padEnd(9)} ${m.copy.toFixed(3).padStart(8)} ${m.fused.toFixed(3).padStart(9)} ${m.two.toFixed(3).padStart(8)} ${(m.two / m.fused).toFixed(2).padStart(10)} ${(m.fused / m.copy).toFixed(2).padStart(11)} ${m.bwd.toFixed(3).padStart(6)}${tail}`);
      return { variant: c.variant, ...m, twoOverFused: m.two / m.fused, fusedOverCopy: m.fused / m.copy, gradsFused: b.bwdFused, gradsSeparate: b.bwdThree, separateOverFused: b.bwdThree / b.bwdFused };
    });
    const best = rows.filter((r) => r.variant !== 'default').reduce((a, r) => (r.fused < a.fused ? r : a));
    const st = { fused: median(stepMs.fused), two: median(stepMs.two) };
    const kernels = { fused: steps.fused.prog.stats.kernels, two: steps.two.prog.stats.kernels };
    console.log(`  fastest fused variant: ${best.variant}; default ${rows[0].fused.toFixed(3)} ms = ${(rows[0].fused / best.fused).toFixed(2)}× the fastest`);
    console.log(`  training step (forward + backward): fused ${st.fused.toFixed(2)} ms (${kernels.fused} ops), unfused ${st.two.toFixed(2)} ms (${kernels.two} ops): ${(st.two / st.fused).toFixed(2)}×\n`);
    results.push({ shape: s.name, elements: n, rows, fastest: best.variant, step: st, stepOps: kernels });
    for (const k of ['fused', 'two'] as const) steps[k].prog.dispose();
  }
  mkdirSync('bench/out', { recursive: true });
  writeFileSync('bench/out/norm_fused.json', JSON.stringify({ adapter: main.adapter, clock, rounds: ROUNDS, reps: REPS, steps: STEPS, results }, null, 2));
  console.log('wrote bench/out/norm_fused.json');
  for (const e of engines.values()) e.dispose();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
