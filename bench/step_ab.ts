/**
 * Two builds of slope timed on the same training step in one process, interleaved round by round:
 * the check that a change does not slow a step ("within 2% before and after").
 *
 * Each build (a checkout with `node scripts/build.mjs` run in it) loads its own dist/node/index.js
 * and compiles the same step (cross-entropy, Adam, lr 1e-4, tuning off so both run their default
 * kernels) at --batch: the MLP 784-512-256-10, or with --model a `slope train --model` spec (and
 * --norm) built for 28×28 images, e.g. `--model cnn:32,64 --norm batch`. A round runs --steps steps
 * of A then of B (B first in odd rounds), waiting for the device after each; the result is the
 * median over rounds of B's time divided by A's in the same round, for wall time and for the
 * process's CPU time (on a software adapter the shader work, less sensitive to other processes).
 * A null control — one build against itself — shows the noise floor of the machine it runs on.
 *
 *   node dist/bench/step_ab.js BEFORE_DIR AFTER_DIR [--batch 64] [--rounds 30] [--steps 20] [--read]
 *     [--model SPEC [--norm NORM]]
 *
 * --read reads the loss back after every step (a readback per step, as the trainer's logging does).
 * Writes bench/out/step_ab.json.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as Slope from '../src/node.js';

function arg(name: string, d: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : d;
}

const dirs = process.argv.slice(2, 4);
if (dirs.length < 2 || dirs.some((d) => d.startsWith('--'))) {
  console.error('usage: node dist/bench/step_ab.js BEFORE_DIR AFTER_DIR [--batch 64] [--rounds 30] [--steps 20] [--read]');
  process.exit(2);
}
const B = Number(arg('batch', '64'));
const rounds = Number(arg('rounds', '30'));
const steps = Number(arg('steps', '20'));
const read = process.argv.includes('--read');
const spec = arg('model', '');
const norm = arg('norm', 'none');
const sample = spec.startsWith('cnn') ? [1, 28, 28] : [784];
const label = spec ? `${spec}${norm === 'none' ? '' : ` --norm ${norm}`}` : 'MLP 784-512-256-10';

interface Case { engine: Slope.Engine; run: () => Promise<void>; wall: number[]; cpu: number[] }

async function build(dir: string): Promise<Case> {
  const s = (await import(pathToFileURL(resolve(dir, 'dist/node/index.js')).href)) as typeof Slope;
  const engine = await s.init({ tune: false });
  s.manualSeed(0);
  const model = spec ? s.buildModel(s.parseModel(spec, norm), sample, 10)
    : new s.Sequential(new s.Linear(784, 512), new s.ReLU(), new s.Linear(512, 256), new s.ReLU(),
      new s.Linear(256, 10));
  const g = new s.Graph();
  const x = g.input('x', [B, ...sample]);
  const y = g.input('y', [B], 'i32');
  const loss = s.crossEntropy(model.forward(x), y);
  const ps = model.parameters();
  const gs = s.grad(loss, ps.map((p) => g.param(p)));
  const prog = await engine.compile(g, { outputs: { loss }, gradients: ps.map((p, i) => [p, gs[i]] as const),
    hooks: [new s.Adam(ps, { lr: 1e-4 })] });
  const feeds = {
    x: Float32Array.from({ length: B * sample.reduce((a, d) => a * d, 1) }, (_, i) => ((i * 7919) % 1000) / 1000 - 0.5),
    y: Int32Array.from({ length: B }, (_, i) => (i * 3) % 10),
  };
  const run = async () => {
    await prog.run(feeds);
    if (read) await prog.read('loss');
  };
  for (let i = 0; i < 5; i++) await run();
  await engine.sync();
  return { engine, run, wall: [], cpu: [] };
}

/** A build's name for the record: its git commit, else its folder's name (no paths of this machine). */
function buildName(dir: string): string {
  try {
    return execFileSync('git', ['-C', dir, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8', stdio: 'pipe' }).trim();
  } catch {
    return basename(resolve(dir));
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const cases: Case[] = [];
for (const d of dirs) cases.push(await build(d));
for (let r = 0; r < rounds; r++) {
  for (const c of r % 2 ? [...cases].reverse() : cases) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    for (let i = 0; i < steps; i++) await c.run();
    await c.engine.sync();
    const cu = process.cpuUsage(c0);
    c.wall.push((performance.now() - t0) / steps);
    c.cpu.push((cu.user + cu.system) / 1e3 / steps);
  }
}
const [a, b] = cases;
const ratio = (k: 'wall' | 'cpu') => median(a[k].map((v, i) => b[k][i] / v));
const result = {
  before: buildName(dirs[0]), after: buildName(dirs[1]), model: label, batch: B, rounds, steps, read,
  adapter: a.engine.adapter, date: new Date().toISOString(),
  msPerStep: { before: { wall: median(a.wall), cpu: median(a.cpu) }, after: { wall: median(b.wall), cpu: median(b.cpu) } },
  afterOverBefore: { wall: ratio('wall'), cpu: ratio('cpu') },
};
console.log(`${label} Adam step, batch ${B}, ${rounds} interleaved rounds of ${steps} steps on ${a.engine.adapter}`);
console.log(`  before ${dirs[0]}: ${result.msPerStep.before.wall.toFixed(2)} ms wall, ` +
  `${result.msPerStep.before.cpu.toFixed(2)} ms CPU per step (medians)`);
console.log(`  after  ${dirs[1]}: ${result.msPerStep.after.wall.toFixed(2)} ms wall, ` +
  `${result.msPerStep.after.cpu.toFixed(2)} ms CPU per step`);
console.log(`  after / before, median of the rounds' ratios: wall ${result.afterOverBefore.wall.toFixed(4)}, ` +
  `CPU ${result.afterOverBefore.cpu.toFixed(4)}`);
mkdirSync('bench/out', { recursive: true });
writeFileSync('bench/out/step_ab.json', JSON.stringify(result, null, 1) + '\n');
process.exit(0);
