/**
 * The lecture's figure "larger batches don't take longer per update, smaller ones take longer
 * per epoch": on the 60,000 Fashion-MNIST training images and one MLP, the time of one update
 * and of one epoch for batch sizes 1, 10, 100, 1,000, 10,000 and 60,000 on the current adapter.
 *
 * Each batch size gets warm-up steps, then a timed run (wall clock around the submissions and a
 * final sync; data on the device, no readback inside the run). Batch sizes ≥ 100 time a whole
 * epoch; 1 and 10 time 500 updates and extrapolate the epoch (marked in the table and plot).
 * A batch above the device's binding limit runs as micro-batches (gradient accumulation).
 *
 * Usage: node dist/bench/batch_size.js [--model mlp:512,256] [--sizes 1,10,…] [--out docs/figures]
 *        [--backend webgpu|cpu] [--data DIR]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as slope from '../src/node.js';

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1] : def;
}
const OUT = arg('out', 'docs/figures');
const MODEL = arg('model', 'mlp:512,256');
const SIZES = arg('sizes', '1,10,100,1000,10000,60000').split(',').map(Number);
const BACKEND = arg('backend', 'webgpu') as 'webgpu' | 'cpu';
const MIN_TIMED = 500;

interface Row {
  batch: number;
  stepsPerEpoch: number;
  microBatch: number;
  timedSteps: number;
  updateMs: number;
  epochSeconds: number;
  epochExtrapolated: boolean;
}

async function measure(engine: slope.Engine, train: slope.Dataset, B: number): Promise<Row> {
  const model = slope.buildModel(slope.parseModel(MODEL), train.features, train.numClasses, 0);
  const optimizer = new slope.SGD(model.parameters(), { lr: 0.01 });
  const t = await slope.Trainer.create(engine, { model, optimizer, train, batchSize: B, logEvery: 1 << 30 });
  const spe = t.loader.batchesPerEpoch;
  await t.fit({ epochs: 1 << 20, steps: B >= 10000 ? 1 : 3 });
  await engine.sync();
  const timed = spe >= MIN_TIMED && B < 100 ? MIN_TIMED : spe;
  const t0 = performance.now();
  await t.fit({ epochs: 1 << 20, steps: timed });
  await engine.sync();
  const seconds = (performance.now() - t0) / 1000;
  const row = {
    batch: B, stepsPerEpoch: spe, microBatch: t.microBatch, timedSteps: timed, updateMs: (1000 * seconds) / timed,
    epochSeconds: (seconds * spe) / timed, epochExtrapolated: timed < spe,
  };
  console.log(`batch ${B}: ${row.updateMs.toFixed(2)} ms/update, ${row.epochSeconds.toFixed(1)} s/epoch` +
    `${row.epochExtrapolated ? ` (extrapolated from ${timed} updates)` : ''}` +
    `${t.microBatch < B ? `, micro-batches of ${t.microBatch}` : ''}`);
  return row;
}

function plot(rows: Row[], adapter: string): string {
  const x = rows.map((r) => r.batch);
  const measured = rows.filter((r) => !r.epochExtrapolated);
  const extra = rows.filter((r) => r.epochExtrapolated);
  const series: slope.Series[] = [
    { name: 'one update', x, y: rows.map((r) => r.updateMs / 1000), markers: true },
    {
      name: 'one epoch (measured)', x: measured.map((r) => r.batch), y: measured.map((r) => r.epochSeconds),
      markers: true,
    },
  ];
  if (extra.length) {
    const join = measured[0] ? [measured[0]] : [];
    const ex = [...extra, ...join];
    series.push({
      name: 'one epoch (extrapolated)', x: ex.map((r) => r.batch), y: ex.map((r) => r.epochSeconds),
      markers: true, dash: true,
    });
  }
  const soft = adapter.includes('llvmpipe') ? ', software adapter' : '';
  return slope.linePlot({
    title: `Time vs batch size: ${MODEL}, 60,000 Fashion-MNIST images${soft}`, xLabel: 'batch size', yLabel: 'seconds',
    xLog: true, yLog: true, series,
  });
}

async function main(): Promise<void> {
  const dir = arg('data', process.env.SLOPE_FASHION_MNIST_DIR || slope.DEBIAN_FASHION_MNIST_DIR);
  const { train } = await slope.loadFashionMnist(dir);
  const engine = await slope.init({ backend: BACKEND });
  const rows: Row[] = [];
  try {
    for (const B of SIZES) rows.push(await measure(engine, train, B));
  } finally {
    engine.dispose();
  }
  mkdirSync(OUT, { recursive: true });
  const result = {
    bench: 'batch_size', adapter: engine.adapter, backend: BACKEND, model: MODEL,
    dataset: 'fashion-mnist train (60,000)', optimizer: 'SGD', rows,
  };
  writeFileSync(join(OUT, 'batch_size.json'), JSON.stringify(result, null, 2) + '\n');
  writeFileSync(join(OUT, 'batch_size.svg'), plot(rows, engine.adapter));
  console.log('\n| batch | updates/epoch | one update | one epoch | micro-batch |\n' +
    '| ---: | ---: | ---: | ---: | ---: |');
  for (const r of rows) {
    console.log(`| ${r.batch} | ${r.stepsPerEpoch} | ${r.updateMs.toFixed(2)} ms | ${r.epochSeconds.toFixed(1)} s` +
      `${r.epochExtrapolated ? ' (extrapolated)' : ''} | ${r.microBatch} |`);
  }
  console.log(`\nwrote ${join(OUT, 'batch_size.json')} and batch_size.svg`);
}

await main();
