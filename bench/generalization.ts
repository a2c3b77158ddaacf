/**
 * Small vs large batches, after Keskar et al. 2017 ("On Large-Batch Training for Deep Learning:
 * Generalization Gap and Sharp Minima"; their MNIST network F1, 784-[512]×5-10 with batch norm
 * and Adam: 98.03% test accuracy with small batches, 97.81% with large ones). On the built-in
 * digits: batch 64 against batches of 10% of the training set, the same number of epochs, each
 * with its learning rate tuned on a validation split held out of the training set; then train
 * and test accuracy (evaluation mode) over several seeds.
 *
 * With --sharpness, after each run: the sharpness Keskar et al. measured, the largest eigenvalue
 * of the Hessian of the training loss (mean cross-entropy) over a fixed subset of 1,000
 * training samples, BatchNorm in evaluation mode, by Lanczos on Hessian-vector products. The
 * summary gives means with 95% intervals, the difference with its Welch interval, and the
 * smallest gap the seed count detects with 80% power at α = 0.05 (two-sided).
 *
 * Usage: node dist/bench/generalization.js [--model mlp:512,512,512,512,512] [--norm batch]
 *        [--epochs 20] [--seeds 3] [--lrs-small 3e-4,1e-3,3e-3] [--lrs-large 1e-3,3e-3,1e-2]
 *        [--tune-epochs N] [--out docs/figures] [--backend webgpu|cpu] [--sharpness]
 *        [--name batch_generalization] (the output files' stem) [--small 64] (the small batch)
 *        [--resume] (keep the tuning and runs in the existing JSON, run the missing seeds)
 *        [--lanczos 30] (Lanczos steps at most) [--plot] (no runs: redraw the figures from the JSON)
 *        [--only small|large] (run one batch size only: a control at another learning rate, say)
 * One candidate learning rate skips the tuning. The JSON is rewritten after every run, seeds
 * alternating between the batch sizes.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
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
const SHARPNESS = process.argv.includes('--sharpness');
const LANCZOS = Number(arg('lanczos', '30'));
const NAME = arg('name', 'batch_generalization');
const nums = (s: string) => s.split(',').map(Number);

interface Run {
  seed: number; lr: number; trainAccuracy: number; testAccuracy: number; trainLoss: number; testLoss: number;
  /** Test accuracy after each epoch. */
  curve: number[];
  /** λmax of the loss's Hessian on the fixed 1,000-sample subset (eval mode), its Ritz residual, Lanczos steps. */
  sharpness?: number; sharpnessResidual?: number; lanczosSteps?: number; sharpnessSeconds?: number;
  seconds: number;
}

interface Config {
  name: string; batch: number; lrs: number[]; tuneBatch: number;
  tuning: { lr: number; valAccuracy: number }[]; lr: number; runs: Run[];
}

/** The fixed subset the sharpness is measured on: 1,000 training samples drawn once (seed 999). */
let subset: { x: Float32Array; y: Int32Array; n: number } | null = null;
function sharpnessSubset(train: slope.Dataset) {
  if (!subset) {
    const idx = slope.permutation(train.length, new slope.Generator(999)).subarray(0, Math.min(1000, train.length));
    const x = new Float32Array(idx.length * train.features), y = new Int32Array(idx.length);
    train.fill(idx, x, y);
    subset = { x, y, n: idx.length };
  }
  return subset;
}

async function measureSharpness(engine: slope.Engine, model: slope.Module, train: slope.Dataset) {
  const s = sharpnessSubset(train);
  model.eval();
  const loss = (g: slope.Graph) =>
    slope.crossEntropy(model.forward(g.input('x', [s.n, ...train.sampleShape])), g.input('y', [s.n], 'i32'));
  const h = await slope.HessianAnalyzer.create(engine, model.parameters(), loss, { x: s.x, y: s.y });
  const r = await slope.analysis.sharpness(h, { maxIterations: LANCZOS, tol: 1e-3 });
  model.train();
  return r;
}

async function run(engine: slope.Engine, train: slope.Dataset, test: slope.Dataset, batch: number, lr: number,
  seed: number, epochs: number, sharp = false): Promise<Run> {
  const t0 = performance.now();
  const model = slope.buildModel(slope.parseModel(MODEL, NORM), train.features, train.numClasses, seed);
  const optimizer = new slope.Adam(model.parameters(), { lr });
  const t = await slope.Trainer.create(engine, {
    model, optimizer, train, test, batchSize: batch, seed, dropLast: true, logEvery: 1 << 30,
  });
  const h = await t.fit({ epochs });
  const tr = await t.evaluate(train);
  const te = await t.evaluate(test);
  const out: Run = {
    seed, lr, trainAccuracy: tr.accuracy, testAccuracy: te.accuracy, trainLoss: tr.loss, testLoss: te.loss,
    curve: h.epochs.map((e) => e.testAccuracy ?? NaN), seconds: 0,
  };
  if (sharp) {
    const t1 = performance.now();
    const s = await measureSharpness(engine, model, train);
    Object.assign(out, {
      sharpness: s.value, sharpnessResidual: s.residual, lanczosSteps: s.iterations,
      sharpnessSeconds: (performance.now() - t1) / 1000,
    });
  }
  out.seconds = (performance.now() - t0) / 1000;
  return out;
}

/** Student's t quantile for a two-sided 95% interval (df ≥ 1), from a table and its large-df limit. */
function t975(df: number): number {
  const T = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
    2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086];
  if (df <= 20) return T[Math.max(1, Math.floor(df)) - 1];
  return 1.96 + 2.4 / df; // within 0.002 of the exact value for df > 20
}
/** Mean with a 95% t interval. */
function interval(a: number[]) {
  const m = mean(a), h = t975(a.length - 1) * sd(a) / Math.sqrt(a.length);
  return { mean: m, sd: sd(a), lo: m - h, hi: m + h, n: a.length };
}
/**
 * Welch's difference a − b with its 95% interval, and the gap a two-sided test at α = 0.05 detects with
 * 80% power at this count (equal n, the pooled sd): (z₀.₉₇₅ + z₀.₈)·sd·√(2/n).
 */
function difference(a: number[], b: number[]) {
  const va = sd(a) ** 2 / a.length, vb = sd(b) ** 2 / b.length, se = Math.sqrt(va + vb);
  const df = (va + vb) ** 2 / (va ** 2 / (a.length - 1) + vb ** 2 / (b.length - 1));
  const d = mean(a) - mean(b), h = t975(df) * se;
  const pooled = Math.sqrt((sd(a) ** 2 + sd(b) ** 2) / 2);
  const detectable80 = (1.96 + 0.8416) * pooled * Math.sqrt(2 / Math.min(a.length, b.length));
  return { diff: d, lo: d - h, hi: d + h, df, t: d / se, pooledSd: pooled, detectable80 };
}

const mean = (a: number[]) => a.reduce((s, v) => s + v, 0) / a.length;
const sd = (a: number[]) => Math.sqrt(a.reduce((s, v) => s + (v - mean(a)) ** 2, 0) / Math.max(1, a.length - 1));
const pct = (v: number) => (100 * v).toFixed(2);

async function main(): Promise<void> {
  const file = join(OUT, `${NAME}.json`);
  if (process.argv.includes('--plot')) {
    figures((JSON.parse(readFileSync(file, 'utf8')) as { results: Config[] }).results);
    return;
  }
  const { train, test } = await slope.loadBuiltinDigits();
  const tune = slope.holdOut(train, 0.2);
  const small = Number(arg('small', '64'));
  const large = Math.round(0.1 * train.length);
  const configs: Config[] = [
    {
      name: `small (${small})`, batch: small, lrs: nums(arg('lrs-small', '3e-4,1e-3,3e-3')), tuneBatch: small,
      tuning: [], lr: NaN, runs: [],
    },
    {
      name: `large (${large}, 10%)`, batch: large, lrs: nums(arg('lrs-large', '1e-3,3e-3,1e-2')),
      tuneBatch: Math.round(0.1 * tune.train.length), tuning: [], lr: NaN, runs: [],
    },
  ];
  mkdirSync(OUT, { recursive: true });
  // --resume: keep the tuning and the runs already in the file (same model, norm, epochs) and run the missing seeds.
  if (process.argv.includes('--resume') && existsSync(file)) {
    const old = JSON.parse(readFileSync(file, 'utf8')) as {
      model: string; norm: string; epochs: number; sharpness: string | null; results: Config[];
    };
    if (old.model !== MODEL || old.norm !== NORM || old.epochs !== EPOCHS || !!old.sharpness !== SHARPNESS) {
      throw new Error(`--resume: ${file} was written with another configuration`);
    }
    old.results.forEach((r, i) => Object.assign(configs[i], { tuning: r.tuning, lr: r.lr, runs: r.runs }));
    console.log(`resuming: ${configs.map((c) => `${c.runs.length} ${c.name} runs`).join(', ')}`);
  }
  const engine = await slope.init({ backend: BACKEND });
  const save = () => writeFileSync(file,
    JSON.stringify(report(engine.adapter, train.length, test.length, tune, configs), null, 2) + '\n');
  try {
    for (const c of configs) {
      if (Number.isFinite(c.lr) || (arg('only', '') && !c.name.startsWith(arg('only', '')))) continue;
      if (c.lrs.length > 1) {
        for (const lr of c.lrs) {
          const r = await run(engine, tune.train, tune.test, c.tuneBatch, lr, 100, TUNE_EPOCHS);
          c.tuning.push({ lr, valAccuracy: r.testAccuracy });
          console.log(`${c.name}: lr ${lr} → validation accuracy ${pct(r.testAccuracy)}% ` +
            `(${r.seconds.toFixed(0)} s)`);
        }
      }
      c.lr = c.tuning.length ? c.tuning.reduce((a, b) => (b.valAccuracy > a.valAccuracy ? b : a)).lr : c.lrs[0];
      save();
    }
    // Seeds alternate between the batch sizes, and the file is rewritten after every run, so a run cut
    // off early still leaves a balanced, usable sample.
    const only = arg('only', '');
    for (let seed = 0; seed < SEEDS; seed++) {
      for (const c of configs) {
        if (c.runs.some((r) => r.seed === seed) || (only && !c.name.startsWith(only))) continue;
        const r = await run(engine, train, test, c.batch, c.lr, seed, EPOCHS, SHARPNESS);
        c.runs.push(r);
        const sh = r.sharpness === undefined ? '' : `, λmax ${r.sharpness.toFixed(3)} (residual ` +
          `${r.sharpnessResidual!.toExponential(1)}, ${r.lanczosSteps} Lanczos steps, ` +
          `${r.sharpnessSeconds!.toFixed(0)} s)`;
        console.log(`${c.name}: lr ${c.lr} seed ${seed} → train ${pct(r.trainAccuracy)}%, ` +
          `test ${pct(r.testAccuracy)}%${sh} (${r.seconds.toFixed(0)} s)`);
        save();
      }
    }
  } finally {
    engine.dispose();
  }
  const rep = report(engine.adapter, train.length, test.length, tune, configs);
  if (rep.comparison) console.log(JSON.stringify(rep.comparison, null, 1));
  if (!arg('only', '')) figures(configs); // a one-batch-size control has no comparison to draw
  console.log('\n| batch | lr | updates | runs | train accuracy | test accuracy, mean [95% interval] (sd) | ' +
    'λmax, mean [95% interval] |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const s of rep.summary) {
    const q = s.sharpness;
    const sh = q ? `${q.mean.toFixed(3)} [${q.lo.toFixed(3)}, ${q.hi.toFixed(3)}]` : '—';
    const te = s.testAccuracy;
    console.log(`| ${s.config} | ${s.lr} | ${s.steps} | ${te.n} | ${pct(s.trainAccuracy.mean)}% | ` +
      `${pct(te.mean)}% [${pct(te.lo)}, ${pct(te.hi)}] (${pct(te.sd)}) | ${sh} |`);
  }
}

/** The JSON beside the figures: the setup, per-batch-size summaries with intervals, the comparison, every run. */
function report(adapter: string, nTrain: number, nTest: number, tune: slope.Split, configs: Config[]) {
  const done = configs.filter((c) => c.runs.length > 0);
  const summary = done.map((r) => ({
    config: r.name, batch: r.batch, lr: r.lr, steps: EPOCHS * Math.floor(nTrain / r.batch),
    trainAccuracy: interval(r.runs.map((x) => x.trainAccuracy)),
    testAccuracy: interval(r.runs.map((x) => x.testAccuracy)),
    testLoss: interval(r.runs.map((x) => x.testLoss)),
    sharpness: SHARPNESS ? interval(r.runs.map((x) => x.sharpness!)) : null,
  }));
  const [a, b] = configs.map((c) => c.runs);
  const comparison = a.length >= 2 && b.length >= 2 ? {
    testAccuracy_small_minus_large: difference(a.map((x) => x.testAccuracy), b.map((x) => x.testAccuracy)),
    trainAccuracy_small_minus_large: difference(a.map((x) => x.trainAccuracy), b.map((x) => x.trainAccuracy)),
    ...(SHARPNESS
      ? { sharpness_large_minus_small: difference(b.map((x) => x.sharpness!), a.map((x) => x.sharpness!)) }
      : {}),
  } : null;
  return {
    bench: 'generalization', adapter, model: MODEL, norm: NORM, optimizer: 'Adam',
    epochs: EPOCHS, tuneEpochs: TUNE_EPOCHS,
    dataset: `built-in digits (${nTrain} train / ${nTest} test); ` +
      `tuning on a ${tune.train.length}/${tune.test.length} split of the training set`,
    sharpness: SHARPNESS
      ? 'λmax of the Hessian of the mean cross-entropy on 1,000 fixed training samples (seed 999), ' +
        `BatchNorm in eval mode, Lanczos (≤ ${LANCZOS} steps, Ritz residual ≤ 1e-3·λ), float32 HVPs`
      : null,
    intervals: '95% Student t intervals; differences by Welch; detectable80 = the gap a two-sided test at ' +
      'α = 0.05 detects with 80% power at this seed count and the pooled sd',
    summary, comparison, results: configs,
  };
}

function figures(configs: Config[]): void {
  const colors = ['#1f77b4', '#d62728'];
  const done = configs.filter((c) => c.runs.length > 0);
  const series: slope.Series[] = done.map((r, i) => ({
    name: `batch ${r.batch}, lr ${r.lr}: mean of ${r.runs.length} seeds`, color: colors[i], markers: true,
    x: r.runs[0].curve.map((_, k) => k + 1),
    y: r.runs[0].curve.map((_, k) => 100 * mean(r.runs.map((x) => x.curve[k]))),
  }));
  writeFileSync(join(OUT, `${NAME}.svg`), slope.linePlot({
    title: 'Test accuracy by epoch, small vs large batches', xLabel: 'epoch',
    yLabel: 'test accuracy (%, eval mode)', series, legend: 'auto',
  }));
  // Every seed's final test accuracy, one column per batch size (spread sideways by seed), with the mean
  // and its 95% interval beside it.
  const spread = (seed: number) => 0.2 * (((seed * 2654435761) >>> 0) / 2 ** 32 * 2 - 1);
  const column = (key: (r: Run) => number, log: boolean) => {
    const pts: slope.Series[] = [];
    done.forEach((r, i) => {
      const v = r.runs.map(key);
      const iv = log ? logInterval(v) : interval(v);
      pts.push({
        name: `batch ${r.batch} (lr ${r.lr}): ${r.runs.length} seeds`,
        x: r.runs.map((x) => i + 1 + spread(x.seed)), y: v,
        markers: true, line: false, color: colors[i],
      });
      pts.push({
        name: `${log ? 'geometric ' : ''}mean, 95% interval: ` +
          `${iv.mean.toFixed(2)} [${iv.lo.toFixed(2)}, ${iv.hi.toFixed(2)}]`,
        x: [i + 1.35, i + 1.35], y: [iv.lo, iv.hi], color: '#333',
      });
      pts.push({ name: '', x: [i + 1.35], y: [iv.mean], markers: true, line: false, color: '#333' });
    });
    return pts;
  };
  const xLabel = `batch size: 1 = ${done[0]?.batch ?? 'small'}, 2 = ${done[1]?.batch ?? 'large'} ` +
    '(seeds spread sideways)';
  writeFileSync(join(OUT, `${NAME}_seeds.svg`), slope.linePlot({
    title: 'Final test accuracy of every seed, small vs large batches', xLabel,
    yLabel: 'test accuracy (%, eval mode)', series: column((x) => 100 * x.testAccuracy, false), legend: 'outside',
    xRange: [0.6, 2.6],
  }));
  if (done.every((c) => c.runs.every((r) => r.sharpness !== undefined))) {
    writeFileSync(join(OUT, `${NAME}_sharpness.svg`), slope.linePlot({
      title: 'Sharpness of the minimum reached (λmax), small vs large batches', xLabel,
      yLabel: 'λmax of the training-loss Hessian (1,000 samples)', yLog: true,
      series: column((x) => x.sharpness!, true), legend: 'outside', xRange: [0.6, 2.6],
    }));
    const sp: slope.Series[] = done.map((r, i) => ({
      name: `batch ${r.batch} (lr ${r.lr}): ${r.runs.length} seeds`, x: r.runs.map((x) => x.sharpness!),
      y: r.runs.map((x) => 100 * x.testAccuracy), markers: true, line: false, color: colors[i],
    }));
    writeFileSync(join(OUT, `${NAME}_sharpness_accuracy.svg`), slope.linePlot({
      title: 'Sharpness of the minimum reached vs test accuracy',
      xLabel: 'λmax of the training-loss Hessian (1,000 training samples, eval mode)',
      yLabel: 'test accuracy (%, eval mode)', series: sp, legend: 'outside', xLog: true,
    }));
  }
}

/** The geometric mean with the 95% interval of the mean of the logs, mapped back. */
function logInterval(a: number[]) {
  const iv = interval(a.map(Math.log));
  return { mean: Math.exp(iv.mean), lo: Math.exp(iv.lo), hi: Math.exp(iv.hi) };
}

await main();
