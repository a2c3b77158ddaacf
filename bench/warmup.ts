/**
 * Does learning-rate warmup help? The lecture's explanation: Adam's σ (the root of its moving
 * average of squared gradients) is estimated from very few gradients in the first steps, so the
 * first updates are not to be trusted: with bias correction the very first Adam step is
 * lr·g/|g| = ±lr for every parameter, whatever its gradient — so keep the learning rate small
 * while the statistics gather, then raise it.
 *
 * A grid, every configuration reported: MLPs without normalization (2 and 8 hidden layers of
 * 256, ReLU, PyTorch init) on the built-in digits, Adam at several learning rates, with a
 * constant learning rate or the same after a linear warmup, several seeds. A run "diverged" when
 * a loss or gradient became non-finite (the trainer stops it) or its final training loss is above
 * the loss of guessing uniformly (ln 10).
 *
 * Usage: node dist/bench/warmup.js [--depths 2,8] [--lrs 1e-3,3e-3,1e-2,3e-2] [--warmup 200]
 *        [--epochs 3] [--seeds 2] [--width 256] [--out docs/figures] [--backend webgpu|cpu]
 *        [--name warmup] (the output files' stem)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as slope from '../src/node.js';

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1] : def;
}
const nums = (s: string) => s.split(',').map(Number);
const OUT = arg('out', 'docs/figures');
const DEPTHS = nums(arg('depths', '2,8'));
const LRS = nums(arg('lrs', '1e-3,3e-3,1e-2,3e-2'));
const WARMUP = Number(arg('warmup', '200'));
const EPOCHS = Number(arg('epochs', '3'));
const SEEDS = Number(arg('seeds', '2'));
const WIDTH = Number(arg('width', '256'));
const BATCH = 64;
const BACKEND = arg('backend', 'webgpu') as 'webgpu' | 'cpu';
const NAME = arg('name', 'warmup');

interface Run {
  depth: number; lr: number; warmup: number; seed: number;
  diverged: boolean; nonFiniteAt: number | null;
  /** Training loss per log interval (mean over the interval), with its step. */
  curve: [number, number][];
  finalTrainLoss: number; testAccuracy: number; seconds: number;
}

async function one(engine: slope.Engine, train: slope.Dataset, test: slope.Dataset, depth: number, lr: number,
  warmup: number, seed: number): Promise<Run> {
  const t0 = performance.now();
  const spec = slope.parseModel(`mlp:${Array(depth).fill(WIDTH).join(',')}`, 'none');
  const model = slope.buildModel(spec, train.features, train.numClasses, seed);
  const optimizer = new slope.Adam(model.parameters(), { lr });
  const schedule = warmup > 0 ? slope.linearWarmup(warmup, slope.constant(lr)) : slope.constant(lr);
  const curve: [number, number][] = [];
  const trainer = await slope.Trainer.create(engine, {
    model, optimizer, train, test, batchSize: BATCH, seed, dropLast: true, logEvery: 10, schedule,
    callbacks: { onLog: (e) => { curve.push([e.step, e.loss]); } },
  });
  let nonFiniteAt: number | null = null;
  try {
    await trainer.fit({ epochs: EPOCHS });
  } catch (e) {
    if (!(e instanceof slope.NonFiniteError)) throw e;
    nonFiniteAt = Number(/step (\d+)/.exec(e.message)?.[1] ?? NaN);
  }
  const finalTrainLoss = nonFiniteAt !== null ? Infinity
    : curve.slice(-5).reduce((s, [, l]) => s + l, 0) / Math.min(5, curve.length);
  const testAccuracy = nonFiniteAt !== null ? NaN : (await trainer.evaluate(test)).accuracy;
  return {
    depth, lr, warmup, seed, nonFiniteAt, curve, finalTrainLoss, testAccuracy,
    diverged: nonFiniteAt !== null || !(finalTrainLoss < Math.log(train.numClasses)),
    seconds: (performance.now() - t0) / 1000,
  };
}

const mean = (a: number[]) => a.reduce((s, v) => s + v, 0) / a.length;

async function main(): Promise<void> {
  const { train, test } = await slope.loadBuiltinDigits();
  const engine = await slope.init({ backend: BACKEND });
  const runs: Run[] = [];
  try {
    const grid = DEPTHS.flatMap((depth) => LRS.flatMap((lr) => [0, WARMUP].map((warmup) => ({ depth, lr, warmup }))));
    for (const { depth, lr, warmup } of grid) for (let seed = 0; seed < SEEDS; seed++) {
      const r = await one(engine, train, test, depth, lr, warmup, seed);
      runs.push(r);
      const outcome = r.nonFiniteAt !== null ? `non-finite at step ${r.nonFiniteAt}`
        : `final train loss ${r.finalTrainLoss.toFixed(4)}, test ${(100 * r.testAccuracy).toFixed(2)}%`;
      console.log(`depth ${depth} lr ${lr} warmup ${warmup} seed ${seed}: ${outcome}` +
        `${r.diverged ? ' (diverged)' : ''} (${r.seconds.toFixed(0)} s)`);
    }
  } finally {
    engine.dispose();
  }
  mkdirSync(OUT, { recursive: true });
  const steps = EPOCHS * Math.floor(train.length / BATCH);
  const rows = [];
  console.log('\n| hidden layers | lr | no warmup: diverged, final train loss, test accuracy | ' +
    `${WARMUP}-step warmup: diverged, final train loss, test accuracy |\n| ---: | ---: | --- | --- |`);
  for (const depth of DEPTHS) for (const lr of LRS) {
    const cell = (w: number) => {
      const rs = runs.filter((r) => r.depth === depth && r.lr === lr && r.warmup === w);
      const ok = rs.filter((r) => !r.diverged);
      return {
        diverged: rs.length - ok.length, of: rs.length,
        loss: ok.length ? mean(ok.map((r) => r.finalTrainLoss)) : NaN,
        acc: ok.length ? mean(ok.map((r) => r.testAccuracy)) : NaN,
        perSeed: rs.map((r) => (r.diverged ? 'diverged' : `${(100 * r.testAccuracy).toFixed(2)}%`)) };
    };
    const a = cell(0), b = cell(WARMUP);
    const fmt = (c: typeof a) => `${c.diverged}/${c.of} diverged; ${Number.isNaN(c.loss) ? '—' : c.loss.toFixed(4)}, ` +
      `${Number.isNaN(c.acc) ? '—' : (100 * c.acc).toFixed(2) + '%'} (${c.perSeed.join(', ')})`;
    console.log(`| ${depth} | ${lr} | ${fmt(a)} | ${fmt(b)} |`);
    rows.push({ depth, lr, noWarmup: a, warmup: b });
  }
  writeFileSync(join(OUT, `${NAME}.json`), JSON.stringify({
    bench: 'warmup', dataset: `built-in digits (${train.length} train / ${test.length} test)`,
    model: `${WIDTH}-wide ReLU MLP, no normalization`, optimizer: 'Adam (β 0.9, 0.999)',
    batch: BATCH, epochs: EPOCHS, steps, warmup: `linear from 0 over ${WARMUP} steps, then constant`, rows, runs,
  }, null, 1) + '\n');
  // Training-loss curves of the deepest network at each lr, seed 0: constant (dashed) vs warmup (solid).
  const deep = Math.max(...DEPTHS);
  const colors = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd'];
  const series: slope.Series[] = [];
  LRS.forEach((lr, i) => {
    for (const w of [0, WARMUP]) {
      const r = runs.find((x) => x.depth === deep && x.lr === lr && x.warmup === w && x.seed === 0);
      if (!r || !r.curve.length) continue;
      const tail = r.nonFiniteAt !== null ? ` (non-finite at ${r.nonFiniteAt})` : '';
      series.push({
        name: `lr ${lr}${w ? `, ${w}-step warmup` : ', constant'}${tail}`, x: r.curve.map(([s]) => s),
        y: r.curve.map(([, l]) => Math.min(l, 100)), color: colors[i % colors.length], dash: !w,
      });
    }
  });
  writeFileSync(join(OUT, `${NAME}_curves.svg`), slope.linePlot({
    title: `Adam, ${deep} hidden layers of ${WIDTH}, no normalization: warmup or not (seed 0)`,
    xLabel: 'step (batch 64)',
    yLabel: 'training loss (cross-entropy, 10-step mean)',
    yLog: true, legend: 'outside', series,
  }));
  console.log(`wrote ${OUT}/${NAME}.json and ${NAME}_curves.svg`);
}

await main();
