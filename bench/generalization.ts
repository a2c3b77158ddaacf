/**
 * Small vs large batches, after Keskar et al. 2017 ("On Large-Batch Training for Deep Learning:
 * Generalization Gap and Sharp Minima"; their MNIST network F1, 784-[512]×5-10 with batch norm
 * and Adam: 98.03% test accuracy with small batches, 97.81% with large ones). On the built-in
 * digits: batch 64 against batches of 10% of the training set, the same number of epochs, each
 * with its learning rate tuned on a validation split held out of the training set; then train
 * and test accuracy (evaluation mode) over several seeds.
 *
 * Usage: node dist/bench/generalization.js [--model mlp:512,512,512,512,512] [--norm batch]
 *        [--epochs 20] [--seeds 3] [--lrs-small 3e-4,1e-3,3e-3] [--lrs-large 1e-3,3e-3,1e-2]
 *        [--tune-epochs N] [--out docs/figures] [--backend webgpu|cpu]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as slope from '../src/node.js';

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1] : def;
}
const OUT = arg('out', 'docs/figures');
const MODEL = arg('model', 'mlp:512,512,512,512,512');
const NORM = arg('norm', 'batch');
const EPOCHS = Number(arg('epochs', '20'));
const TUNE_EPOCHS = Number(arg('tune-epochs', String(EPOCHS)));
const SEEDS = Number(arg('seeds', '3'));
const BACKEND = arg('backend', 'webgpu') as 'webgpu' | 'cpu';
const nums = (s: string) => s.split(',').map(Number);

interface Run { seed: number; lr: number; trainAccuracy: number; testAccuracy: number; trainLoss: number; testLoss: number; curve: number[] }

async function run(engine: slope.Engine, train: slope.Dataset, test: slope.Dataset, batch: number, lr: number, seed: number, epochs: number): Promise<Run> {
  const model = slope.buildModel(slope.parseModel(MODEL, NORM), train.features, train.numClasses, seed);
  const optimizer = new slope.Adam(model.parameters(), { lr });
  const t = await slope.Trainer.create(engine, { model, optimizer, train, test, batchSize: batch, seed, dropLast: true, logEvery: 1 << 30 });
  const h = await t.fit({ epochs });
  const tr = await t.evaluate(train);
  const te = await t.evaluate(test);
  return { seed, lr, trainAccuracy: tr.accuracy, testAccuracy: te.accuracy, trainLoss: tr.loss, testLoss: te.loss, curve: h.epochs.map((e) => e.testAccuracy ?? NaN) };
}

const mean = (a: number[]) => a.reduce((s, v) => s + v, 0) / a.length;
const sd = (a: number[]) => Math.sqrt(a.reduce((s, v) => s + (v - mean(a)) ** 2, 0) / Math.max(1, a.length - 1));
const pct = (v: number) => (100 * v).toFixed(2);

async function main(): Promise<void> {
  const { train, test } = await slope.loadBuiltinDigits();
  const tune = slope.holdOut(train, 0.2);
  const small = 64;
  const large = Math.round(0.1 * train.length);
  const configs = [
    { name: `small (${small})`, batch: small, lrs: nums(arg('lrs-small', '3e-4,1e-3,3e-3')), tuneBatch: small },
    { name: `large (${large}, 10%)`, batch: large, lrs: nums(arg('lrs-large', '1e-3,3e-3,1e-2')), tuneBatch: Math.round(0.1 * tune.train.length) },
  ];
  const engine = await slope.init({ backend: BACKEND });
  const results = [];
  try {
    for (const c of configs) {
      const tuning: { lr: number; valAccuracy: number }[] = [];
      for (const lr of c.lrs) {
        const r = await run(engine, tune.train, tune.test, c.tuneBatch, lr, 100, TUNE_EPOCHS);
        tuning.push({ lr, valAccuracy: r.testAccuracy });
        console.log(`${c.name}: lr ${lr} → validation accuracy ${pct(r.testAccuracy)}%`);
      }
      const best = tuning.reduce((a, b) => (b.valAccuracy > a.valAccuracy ? b : a));
      const runs: Run[] = [];
      for (let seed = 0; seed < SEEDS; seed++) {
        const r = await run(engine, train, test, c.batch, best.lr, seed, EPOCHS);
        runs.push(r);
        console.log(`${c.name}: lr ${best.lr} seed ${seed} → train ${pct(r.trainAccuracy)}%, test ${pct(r.testAccuracy)}%`);
      }
      results.push({ ...c, tuning, lr: best.lr, runs });
    }
  } finally {
    engine.dispose();
  }
  mkdirSync(OUT, { recursive: true });
  const summary = results.map((r) => ({
    config: r.name, batch: r.batch, lr: r.lr, steps: EPOCHS * Math.floor(train.length / r.batch),
    trainAccuracy: { mean: mean(r.runs.map((x) => x.trainAccuracy)), sd: sd(r.runs.map((x) => x.trainAccuracy)) },
    testAccuracy: { mean: mean(r.runs.map((x) => x.testAccuracy)), sd: sd(r.runs.map((x) => x.testAccuracy)) },
  }));
  writeFileSync(join(OUT, 'batch_generalization.json'), JSON.stringify({
    bench: 'generalization', adapter: engine.adapter, model: MODEL, norm: NORM, optimizer: 'Adam', epochs: EPOCHS, tuneEpochs: TUNE_EPOCHS,
    dataset: `built-in digits (${train.length} train / ${test.length} test); tuning on a ${tune.train.length}/${tune.test.length} split of the training set`,
    summary, results,
  }, null, 2) + '\n');
  const series: slope.Series[] = results.map((r) => ({
    name: `${r.name}, lr ${r.lr}`, x: r.runs[0].curve.map((_, i) => i + 1), y: r.runs[0].curve.map((_, i) => mean(r.runs.map((x) => x.curve[i]))), markers: true,
  }));
  writeFileSync(join(OUT, 'batch_generalization.svg'), slope.linePlot({ title: `Test accuracy by epoch (mean of ${SEEDS} seeds)`, xLabel: 'epoch', yLabel: 'test accuracy', series, legend: 'bottom-right' }));
  console.log('\n| batch | lr | updates | train accuracy | test accuracy |\n| --- | ---: | ---: | ---: | ---: |');
  for (const s of summary) {
    console.log(`| ${s.config} | ${s.lr} | ${s.steps} | ${pct(s.trainAccuracy.mean)}% ± ${pct(s.trainAccuracy.sd)} | ${pct(s.testAccuracy.mean)}% ± ${pct(s.testAccuracy.sd)} |`);
  }
}

await main();
