/** Checkpoint contents (PyTorch state_dict names, optimizer state, metadata) and refusals that load nothing. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cpu, slope } from '../util/engine.js';
import { blobs } from '../train/helpers.js';
import { rejects, throws } from '../util/rejects.js';

const { Trainer, buildModel, parseModel, Adam, SGD, checkpointBytes, parseCheckpoint, decodeSafetensors, encodeSafetensors, tensorValues, CheckpointMismatchError } = slope;

async function trainer(engine: slope.Engine, spec = 'mlp:5', norm = 'batch', opt: 'adam' | 'sgd' = 'adam') {
  const ds = blobs(24, [4], 3, 41);
  const model = buildModel(parseModel(spec, norm), 4, 3, 1);
  const optimizer = opt === 'adam' ? new Adam(model.parameters(), { lr: 0.01 }) : new SGD(model.parameters(), { lr: 0.01 });
  const t = await Trainer.create(engine, { model, optimizer, train: ds, batchSize: 8, config: { model: spec } });
  await t.fit({ epochs: 1 });
  return t;
}

async function params(e: slope.Engine, t: slope.Trainer): Promise<number[][]> {
  return Promise.all(t.opts.model.parameters().map(async (p) => Array.from(await e.backend.read(e.store.view(p)))));
}

test('tensors are named like a PyTorch state_dict, optimizer state under optimizer.state.*', async () => {
  const e = await cpu();
  try {
    const t = await trainer(e);
    const f = decodeSafetensors(await checkpointBytes(t));
    const names = [...f.tensors.keys()].sort();
    assert.equal(names, [
      '1.bias', '1.weight', '2.bias', '2.num_batches_tracked', '2.running_mean', '2.running_var', '2.weight', '4.bias', '4.weight',
      ...['1.bias', '1.weight', '2.bias', '2.weight', '4.bias', '4.weight'].flatMap((n) => [`optimizer.state.${n}.exp_avg`, `optimizer.state.${n}.exp_avg_sq`]),
    ].sort());
    assert.equal(f.tensors.get('1.weight')!.shape, [5, 4]);
    assert.equal(f.tensors.get('optimizer.state.1.weight.exp_avg')!.shape, [5, 4]);
    assert.is(f.tensors.get('2.num_batches_tracked')!.dtype, 'I32');
    assert.is((tensorValues(f.tensors.get('2.num_batches_tracked')!) as Int32Array)[0], 3);
    assert.is(f.metadata.format, 'slope.checkpoint');
    const progress = JSON.parse(f.metadata.progress);
    assert.equal({ step: progress.step, epoch: progress.epoch, batch: progress.batch }, { step: 3, epoch: 1, batch: 0 });
    const opt = JSON.parse(f.metadata.optimizer);
    assert.is(opt.type, 'Adam');
    assert.equal(opt.groups[0].params.slice(0, 2), ['1.weight', '1.bias']);
    assert.equal(JSON.parse(f.metadata.config), { model: 'mlp:5' });
  } finally {
    e.dispose();
  }
});

test('a checkpoint that does not fit is refused, naming the difference, and loads nothing', async () => {
  const e = await cpu();
  try {
    const src = await trainer(e);
    const bytes = await checkpointBytes(src);
    const dst = await trainer(e, 'mlp:5', 'batch');
    const before = await params(e, dst);
    const f = decodeSafetensors(bytes);
    const rewrite = (edit: (m: Map<string, { shape: number[]; data: slope.TensorData }>) => void, meta = f.metadata) => {
      const m = new Map([...f.tensors].map(([k, v]) => [k, { shape: v.shape, data: tensorValues(v) }]));
      edit(m);
      return encodeSafetensors([...m].map(([name, v]) => ({ name, ...v })), meta);
    };
    const cases: [Uint8Array, RegExp][] = [
      [rewrite((m) => m.delete('4.bias')), /missing tensor '4.bias'/],
      [rewrite((m) => m.set('4.bias', { shape: [4], data: new Float32Array(4) })), /tensor '4.bias': the checkpoint has shape \[4\], the model expects \[3\]/],
      [rewrite((m) => m.set('9.weight', { shape: [1], data: new Float32Array(1) })), /unexpected tensor '9.weight'/],
      [rewrite((m) => m.set('4.bias', { shape: [3], data: new Int32Array(3) })), /dtype I32 cannot be loaded into a f32 tensor/],
      [rewrite((m) => m.set('optimizer.state.7.weight.exp_avg', { shape: [1], data: new Float32Array(1) })), /belongs to no parameter/],
      [rewrite(() => {}, { ...f.metadata, format: 'other' }), /not a slope checkpoint/],
    ];
    for (const [b, re] of cases) throws(() => parseCheckpoint(dst, b), CheckpointMismatchError, re);
    // Optimizer state with a wrong length: the optimizer rejects it before any parameter is written.
    const bad = parseCheckpoint(dst, rewrite((m) => m.set('optimizer.state.1.weight.exp_avg', { shape: [5, 4], data: new Float32Array(20) })));
    bad.optimizer!.state['1.weight'].exp_avg = new Float32Array(3);
    await rejects(dst.loadState(bad), slope.ArgumentError, [], 'wrong optimizer state length must be refused');
    assert.equal(await params(e, dst), before, 'nothing was loaded');
    const other = await trainer(e, 'mlp:5', 'batch', 'sgd');
    await rejects(other.loadState(parseCheckpoint(other, bytes)), CheckpointMismatchError, /holds Adam state, the trainer uses SGD/);
    assert.throws(() => parseCheckpoint(dst, Uint8Array.from([0x80, 0x04, 0x95])), /pickle/);
  } finally {
    e.dispose();
  }
});

test('non-finite values in a checkpoint are refused with NonFiniteError naming the tensor; nothing is loaded', async () => {
  const e = await cpu();
  try {
    const src = await trainer(e);
    const f = decodeSafetensors(await checkpointBytes(src));
    const dst = await trainer(e, 'mlp:5', 'batch');
    const before = await params(e, dst);
    const poisoned = (name: string, at: number, v: number) => encodeSafetensors([...f.tensors].map(([n, t]) => {
      const data = tensorValues(t);
      if (n === name) (data as Float32Array)[at] = v;
      return { name: n, shape: t.shape, data };
    }), f.metadata);
    const cases: [Uint8Array, RegExp][] = [
      [poisoned('1.weight', 7, NaN), /checkpoint tensor '1.weight' \(shape \[5,4\]\) holds NaN at index 7/],
      [poisoned('4.bias', 2, -Infinity), /checkpoint tensor '4.bias' \(shape \[3\]\) holds -Infinity at index 2/],
      [poisoned('2.running_var', 0, Infinity), /'2.running_var' \(shape \[5\]\) holds Infinity at index 0/],
      [poisoned('optimizer.state.1.bias.exp_avg_sq', 1, NaN), /'optimizer.state.1.bias.exp_avg_sq' \(shape \[5\]\) holds NaN at index 1/],
    ];
    for (const [b, re] of cases) {
      throws(() => parseCheckpoint(dst, b), slope.NonFiniteError, re);
      throws(() => slope.loadWeights(e, dst.opts.model, b), slope.NonFiniteError, re, 'loadWeights too');
    }
    assert.equal(await params(e, dst), before, 'nothing was loaded');
  } finally {
    e.dispose();
  }
});

test('GELU: version 2 files say which form; a version 1 file (its gelu was the tanh form) loads as gelu-tanh', () => {
  const { checkpointConfig } = slope;
  const v2 = checkpointConfig({ version: '2', config: JSON.stringify({ activation: 'gelu', model: 'mlp:8' }) });
  assert.equal(v2, { activation: 'gelu', model: 'mlp:8' });
  const v1 = checkpointConfig({ version: '1', config: JSON.stringify({ activation: 'gelu', model: 'mlp:8' }) });
  assert.is(v1.activation, 'gelu-tanh');
  assert.is(checkpointConfig({ version: '1', config: '{"activation":"relu"}' }).activation, 'relu');
  // The model rebuilt from each config has PyTorch's GELU in the form it was trained with.
  const gelus = (c: Record<string, unknown>) => {
    const m = slope.buildModel(slope.modelSpec(c), 4, 3, 0) as slope.Sequential;
    return m.layers.filter((l): l is slope.GELU => l instanceof slope.GELU).map((l) => l.approximate);
  };
  assert.equal(gelus(v2), ['none']);
  assert.equal(gelus(v1), ['tanh']);
  throws(() => checkpointConfig({ version: '2', config: '[1]' }), slope.CheckpointMismatchError, /must be a JSON object/);
});

test.run();
