/**
 * BatchNorm needs batches large enough for its statistics (the lecture: with a batch of 1 there
 * is no μ or σ to compute). The same MLP (784 → 128 → 128 → 10, ReLU, a normalization after each
 * hidden Linear) with BatchNorm, GroupNorm (8 groups of 16 features) and LayerNorm, trained with
 * Adam (lr 1e-3) for the same number of epochs at batch 2, 4, 8, 16 and 64 on the built-in digits.
 *
 * Reported per run, after training: test accuracy in evaluation mode (BatchNorm normalizes with
 * its running statistics, as at deployment), test accuracy in training mode (BatchNorm normalizes
 * each test batch of the training batch size with that batch's own statistics, as it did in
 * training), and training-set accuracy in evaluation mode. The difference between the two test
 * figures is BatchNorm's train/test mismatch: the network was trained with one normalization and
 * is tested with another. GroupNorm and LayerNorm normalize each sample by itself, so their two
 * modes compute the same thing (a check).
 *
 * Usage: node dist/bench/norm_batch.js [--batches 2,4,8,16,64] [--epochs 2] [--seeds 2]
 *        [--out docs/figures] [--backend webgpu|cpu]
 *        --plot [--epochs N]   (redraw the figure from the JSON)
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as slope from '../src/node.js';

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1] : def;
}
const nums = (s: string) => s.split(',').map(Number);
const OUT = arg('out', 'docs/figures');
const BATCHES = nums(arg('batches', '2,4,8,16,64'));
const EPOCHS = Number(arg('epochs', '2'));
const SEEDS = Number(arg('seeds', '2'));
const BACKEND = arg('backend', 'webgpu') as 'webgpu' | 'cpu';
const H = 128, GROUPS = 8;
type Norm = 'batch' | 'group' | 'layer';
const NORMS: Norm[] = ['batch', 'group', 'layer'];
const NAME: Record<Norm, string> = { batch: 'BatchNorm', group: `GroupNorm (${GROUPS} groups)`, layer: 'LayerNorm' };

function model(norm: Norm, inF: number, classes: number, seed: number): slope.Sequential {
  const gen = new slope.Generator((seed * 2654435761) >>> 0);
  const layers: slope.Module[] = [new slope.Flatten()];
  let w = inF;
  for (let i = 0; i < 2; i++) {
    layers.push(new slope.Linear(w, H, { generator: gen }));
    layers.push(norm === 'batch' ? new slope.BatchNorm1d(H)
      : norm === 'group' ? new slope.GroupNorm(GROUPS, H) : new slope.LayerNorm(H));
    layers.push(new slope.ReLU());
    w = H;
  }
  layers.push(new slope.Linear(w, classes, { generator: gen }));
  return new slope.Sequential(...layers);
}

interface Run {
  norm: Norm; batch: number; seed: number; testAccuracy: number; testAccuracyTrainMode: number;
  trainAccuracyEval: number; testLoss: number; seconds: number;
}

/**
 * Accuracy in training mode: batches of B samples in a fixed random order (the datasets are
 * stored class by class, so consecutive samples would make one-class batches), each normalized
 * with its own statistics.
 */
async function accuracyTrainMode(engine: slope.Engine, m: slope.Sequential, ds: slope.Dataset,
  B: number): Promise<number> {
  m.train();
  const g = new slope.Graph();
  const z = m.forward(g.input('x', [B, ...ds.sampleShape]));
  const p = await engine.compile(g, { outputs: { z } });
  const x = new Float32Array(B * ds.features), y = new Int32Array(B);
  let correct = 0, seen = 0;
  const order = slope.permutation(ds.length, new slope.Generator(4242));
  for (let b = 0; b + B <= ds.length; b += B) {
    ds.fill(order.subarray(b, b + B), x, y);
    await p.run({ x });
    const zv = await p.read('z');
    for (let i = 0; i < B; i++) {
      let best = 0;
      for (let c = 1; c < ds.numClasses; c++) if (zv[i * ds.numClasses + c] > zv[i * ds.numClasses + best]) best = c;
      if (best === y[i]) correct++;
    }
    seen += B;
  }
  p.dispose();
  return correct / seen;
}

const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? '' : 's'}`;

function draw(runs: Run[], epochs = EPOCHS): void {
  const mean = (a: number[]) => a.reduce((s, v) => s + v, 0) / a.length;
  const xs = [...new Set(runs.map((r) => r.batch))].sort((a, b) => a - b);
  const seeds = new Set(runs.map((r) => r.seed)).size;
  const colors: Record<Norm, string> = { batch: '#d62728', group: '#2ca02c', layer: '#1f77b4' };
  const series: slope.Series[] = [];
  for (const norm of NORMS) {
    const at = (f: (r: Run) => number) =>
      xs.map((b) => 100 * mean(runs.filter((r) => r.norm === norm && r.batch === b).map(f)));
    series.push({
      name: `${NAME[norm]}: test (eval mode)`, x: xs, y: at((r) => r.testAccuracy), color: colors[norm], markers: true,
    });
    if (norm === 'batch') {
      series.push({
        name: `${NAME[norm]}: test, training mode (batch statistics)`, x: xs, y: at((r) => r.testAccuracyTrainMode),
        color: colors[norm], dash: true, markers: true,
      });
    }
  }
  writeFileSync(join(OUT, 'norm_batch.svg'), slope.linePlot({
    title: `Normalization and batch size (digits, ${plural(epochs, 'epoch')} of Adam, ` +
      `${seeds > 1 ? `mean of ${seeds} seeds` : 'one seed'})`,
    xLabel: 'batch size (log scale)', yLabel: 'test accuracy (%)', xLog: true, legend: 'outside', series,
  }));
}

async function main(): Promise<void> {
  if (process.argv.includes('--plot')) {
    const old = JSON.parse(readFileSync(join(OUT, 'norm_batch.json'), 'utf8')) as { runs: Run[]; epochs: number };
    return draw(old.runs, old.epochs);
  }
  const { train, test } = await slope.loadBuiltinDigits();
  const engine = await slope.init({ backend: BACKEND });
  const runs: Run[] = [];
  try {
    for (const batch of BATCHES) for (const norm of NORMS) for (let seed = 0; seed < SEEDS; seed++) {
      const t0 = performance.now();
      const m = model(norm, train.features, train.numClasses, seed);
      const trainer = await slope.Trainer.create(engine, {
        model: m, optimizer: new slope.Adam(m.parameters(), { lr: 1e-3 }), train, test, batchSize: batch, seed,
        dropLast: true, logEvery: 1 << 30,
      });
      await trainer.fit({ epochs: EPOCHS });
      const te = await trainer.evaluate(test), tr = await trainer.evaluate(train);
      // Last: a training-mode forward pass also updates BatchNorm's running statistics.
      const teTrainMode = await accuracyTrainMode(engine, m, test, batch);
      const r: Run = {
        norm, batch, seed, testAccuracy: te.accuracy, testLoss: te.loss, testAccuracyTrainMode: teTrainMode,
        trainAccuracyEval: tr.accuracy, seconds: (performance.now() - t0) / 1000,
      };
      runs.push(r);
      console.log(`${NAME[norm]} batch ${batch} seed ${seed}: test ${(100 * r.testAccuracy).toFixed(2)}% ` +
        `(training mode, batches of ${batch}: ${(100 * r.testAccuracyTrainMode).toFixed(2)}%), ` +
        `train ${(100 * r.trainAccuracyEval).toFixed(2)}% (${r.seconds.toFixed(0)} s)`);
    }
  } finally {
    engine.dispose();
  }
  const mean = (a: number[]) => a.reduce((s, v) => s + v, 0) / a.length;
  const pct = (v: number) => (100 * v).toFixed(2);
  const rows = [];
  console.log(`\n| batch | ${NORMS.map((n) => `${NAME[n]}: test, eval mode (training mode); train`).join(' | ')} |\n` +
    `| ---: | ${NORMS.map(() => '---').join(' | ')} |`);
  for (const batch of BATCHES) {
    const cells = NORMS.map((norm) => {
      const rs = runs.filter((r) => r.norm === norm && r.batch === batch);
      return {
        norm, test: mean(rs.map((r) => r.testAccuracy)), testTrainMode: mean(rs.map((r) => r.testAccuracyTrainMode)),
        train: mean(rs.map((r) => r.trainAccuracyEval)), perSeed: rs.map((r) => r.testAccuracy),
      };
    });
    const row = cells.map((c) => `${pct(c.test)}% (${pct(c.testTrainMode)}%); ${pct(c.train)}%`).join(' | ');
    console.log(`| ${batch} | ${row} |`);
    rows.push({ batch, cells });
  }
  mkdirSync(OUT, { recursive: true });
  writeFileSync(join(OUT, 'norm_batch.json'), JSON.stringify({
    bench: 'norm_batch', dataset: `built-in digits (${train.length} train / ${test.length} test)`,
    model: `784-${H}-${H}-10 ReLU, a normalization after each hidden Linear`,
    optimizer: 'Adam lr 1e-3', epochs: EPOCHS, seeds: SEEDS, rows, runs,
  }, null, 1) + '\n');
  draw(runs);
  console.log(`wrote ${OUT}/norm_batch.json and norm_batch.svg`);
}

await main();
