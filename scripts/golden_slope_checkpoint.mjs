#!/usr/bin/env node
// Writes test/golden/slope_mlp.safetensors: a checkpoint written by slope (mlp:8 with batch
// norm, 4 features, 3 classes, a few Adam steps on the cpu backend), which
// scripts/golden_torch.py loads into a torch.nn.Sequential to compute the logits that
// test/golden/torch_cases.ts compares slope's own with. Run after `node scripts/build.mjs`:
//   node scripts/golden_slope_checkpoint.mjs && /usr/bin/python3 scripts/golden_torch.py
import { writeFileSync } from 'node:fs';

const slope = await import(new URL('../dist/node/index.js', import.meta.url));
const out = new URL('../test/golden/slope_mlp.safetensors', import.meta.url);

// Three Gaussian blobs from a fixed linear congruential sequence (no Math.random).
let s = 12345;
const next = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32);
const gauss = () => Math.sqrt(-2 * Math.log(Math.max(1e-12, next()))) * Math.cos(2 * Math.PI * next());
const N = 60, F = 4, C = 3;
const x = new Float32Array(N * F);
const y = new Int32Array(N);
for (let i = 0; i < N; i++) {
  y[i] = i % C;
  for (let k = 0; k < F; k++) x[i * F + k] = gauss() + (k % C === y[i] ? 2 : 0);
}
const train = new slope.Dataset({ name: 'blobs', sampleShape: [F], x, y, numClasses: C });

const engine = await slope.init({ backend: 'cpu' });
try {
  const spec = slope.parseModel('mlp:8', 'batch');
  const model = slope.buildModel(spec, F, C, 3);
  const optimizer = new slope.Adam(model.parameters(), { lr: 0.05 });
  const trainer = await slope.Trainer.create(engine, { model, optimizer, train, batchSize: 16, seed: 1, config: { model: 'mlp:8', norm: 'batch' } });
  await trainer.fit({ epochs: 2 });
  writeFileSync(out, await slope.checkpointBytes(trainer));
  console.log(`wrote test/golden/slope_mlp.safetensors at step ${trainer.step}`);
} finally {
  engine.dispose();
}
