/**
 * The `cnn:` model spec: parsing (conv widths, gap, hidden widths, norms, dropout) and its
 * errors, the layers buildModel makes with PyTorch's module indices, and a small CNN with
 * BatchNorm and dropout resuming bit-exactly through a checkpoint (dropout masks are a function
 * of the run's seed and the step, so they are redrawn identically).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cpu, slope } from '../util/engine.js';
import { blobs } from './helpers.js';

const { parseModel, buildModel, Trainer, Adam, checkpointBytes, parseCheckpoint } = slope;

test('parseModel: cnn specs, norms and dropout', () => {
  assert.equal(parseModel('cnn:32,64', 'batch'), { kind: 'cnn', conv: [32, 64], gap: false, hidden: [], norm: 'batch', activation: 'relu', dropout: 0 });
  const s = parseModel('cnn:16,32,gap/128,64', 'group:4', 'gelu', 0.3);
  assert.equal([s.conv, s.gap, s.hidden, s.norm, s.groups, s.activation, s.dropout], [[16, 32], true, [128, 64], 'group', 4, 'gelu', 0.3]);
  assert.is(parseModel('cnn:8', 'group').groups, 8);
  assert.is(parseModel('mlp:64', 'none', 'relu', 0.5).dropout, 0.5);
  assert.throws(() => parseModel('cnn:', 'none'), /positive integers/);
  assert.throws(() => parseModel('cnn:32,x'), /positive integers/);
  assert.throws(() => parseModel('cnn:32/0'), /positive integers/);
  assert.throws(() => parseModel('conv:32'), /cnn:C1,C2/);
  assert.throws(() => parseModel('mlp:64', 'group'), /norm 'group' is for cnn: models/);
  assert.throws(() => parseModel('cnn:32', 'group:0'), /positive integers/);
  assert.throws(() => parseModel('cnn:32', 'batch:2'), /only group takes a number/);
  assert.throws(() => parseModel('cnn:32', 'none', 'relu', 1), /dropout must be a probability/);
});

test('buildModel: conv blocks, pooling, flatten or gap, hidden Linears, dropout before each Linear', () => {
  const names = (m: slope.Sequential) => m.layers.map((l) => l.constructor.name);
  const a = buildModel(parseModel('cnn:32,64', 'batch'), [28, 28], 10);
  assert.equal(names(a), ['Unflatten', 'Conv2d', 'BatchNorm2d', 'ReLU', 'MaxPool2d', 'Conv2d', 'BatchNorm2d', 'ReLU', 'MaxPool2d', 'Flatten', 'Linear']);
  assert.equal(a.namedParameters().map(([n, p]) => `${n} ${p.shape.join('×')}`), [
    '1.weight 32×1×3×3', '1.bias 32', '2.weight 32', '2.bias 32', '5.weight 64×32×3×3', '5.bias 64', '6.weight 64', '6.bias 64', '10.weight 10×3136', '10.bias 10',
  ]);
  const b = buildModel(parseModel('cnn:8,16,gap/20', 'layer', 'relu', 0.25), [3, 9, 7], 4);
  assert.equal(names(b), ['Conv2d', 'GroupNorm', 'ReLU', 'MaxPool2d', 'Conv2d', 'GroupNorm', 'ReLU', 'MaxPool2d', 'AdaptiveAvgPool2d', 'Flatten', 'Dropout', 'Linear', 'ReLU', 'Dropout', 'Linear']);
  assert.equal((b.layers[11] as slope.Linear).inFeatures, 16);
  const mlp = buildModel(parseModel('mlp:12,6', 'none', 'relu', 0.5), [5], 3);
  assert.equal(names(mlp), ['Flatten', 'Linear', 'ReLU', 'Dropout', 'Linear', 'ReLU', 'Dropout', 'Linear']);
  // [1, H, W] samples (grayscale images today) need no Unflatten: PyTorch's names from 0.
  const c = buildModel(parseModel('cnn:4', 'none', 'gelu-tanh'), [1, 6, 6], 2);
  assert.equal(names(c), ['Conv2d', 'GELU', 'MaxPool2d', 'Flatten', 'Linear']);
  assert.is((c.layers[1] as slope.GELU).approximate, 'tanh');
  assert.equal(c.namedParameters().map(([n]) => n), ['0.weight', '0.bias', '4.weight', '4.bias']);
  assert.throws(() => buildModel(parseModel('cnn:8,8,8'), [4, 4], 2), /halve the 4×4 images below 1×1/);
  assert.throws(() => buildModel(parseModel('cnn:8'), [12], 2), /samples must be images/);
  assert.throws(() => buildModel(parseModel('cnn:12', 'group:8'), [8, 8], 2), /not divisible into 8 groups/);
});

async function makeTrainer(engine: slope.Engine, ds: slope.Dataset) {
  const model = buildModel(parseModel('cnn:4,6/8', 'batch', 'relu', 0.3), ds.sampleShape, ds.numClasses, 2);
  return Trainer.create(engine, { model, optimizer: new Adam(model.parameters(), { lr: 0.01 }), train: ds, batchSize: 6, seed: 9, logEvery: 1 });
}

test('a CNN with BatchNorm and dropout resumes bit-exactly through a checkpoint', async () => {
  const ds = blobs(20, [7, 6], 3, 5);
  const e1 = await cpu();
  const a = await makeTrainer(e1, ds);
  await a.fit({ epochs: 100, steps: 4 });
  const bytes = await checkpointBytes(a);
  const want = (await a.fit({ epochs: 100, steps: 4 })).log.slice(4).map((l) => l.loss);
  e1.dispose();
  const e2 = await cpu();
  try {
    const b = await makeTrainer(e2, ds);
    await b.loadState(parseCheckpoint(b, bytes));
    const got = (await b.fit({ epochs: 100, steps: 4 })).log.map((l) => l.loss);
    assert.equal(got, want);
    assert.ok(want.every(Number.isFinite));
  } finally {
    e2.dispose();
  }
});

test.run();
