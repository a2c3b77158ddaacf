/** The trainer: micro-batches and partial batches give the big batch's update; device vs streamed data; metrics; GPU vs cpu. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cpu, slope } from '../util/engine.js';
import { BACKENDS, engineOn, gpu, gpuTest, testOn } from '../util/suite.js';
import { rejects } from '../util/rejects.js';
import { expectClose } from '../util/close.js';
import { TOL } from '../tolerances.js';
import { blobs, mlp, TestSGD } from './helpers.js';

const { Trainer, Graph } = slope;
type Opts = Partial<slope.TrainerOptions>;

async function run(engine: slope.Engine, ds: slope.Dataset, o: Opts, steps: number, hidden = 7) {
  const model = mlp(ds.features, hidden, ds.numClasses, 3);
  const opt = new TestSGD(model.parameters(), 0.3);
  const t = await Trainer.create(engine, { model, optimizer: opt, train: ds, batchSize: 16, logEvery: 1, seed: 1, ...o });
  const h = await t.fit({ epochs: 100, steps });
  const params = await Promise.all(model.parameters().map((p) => engine.backend.read(engine.store.view(p))));
  return { t, h, params: params.map((p) => Array.from(p)), losses: h.log.map((e) => e.loss) };
}

test('micro-batches with gradient accumulation give the one-batch update (cpu, float64)', async () => {
  const ds = blobs(40, [3], 3, 11);
  for (const limitRows of [5, 7, 16]) {
    const e1 = await cpu(), e2 = await cpu();
    try {
      const big = await run(e1, ds, {}, 6, 16);
      // The widest batch-sized tensor is the hidden layer's (16 floats a row).
      const micro = await run(e2, ds, { maxBindingBytes: limitRows * 16 * 4 }, 6, 16);
      assert.is(micro.t.microBatch, Math.ceil(16 / Math.ceil(16 / limitRows)), 'equal parts');
      assert.is(micro.t.onDevice, 40 * 3 * 4 <= limitRows * 16 * 4, 'a table above the binding limit is streamed');
      big.params.forEach((p, i) => expectClose(micro.params[i], p, TOL.float64Accumulated, `param ${i} (micro-batch ${limitRows})`));
      expectClose(micro.losses, big.losses, TOL.loggedLoss, 'logged losses');
    } finally {
      e1.dispose();
      e2.dispose();
    }
  }
});

test('a partial last batch (padded, weight 0) gives the update of a batch of its real rows', async () => {
  const ds = blobs(9, [5], 3, 12);
  const e1 = await cpu(), e2 = await cpu();
  try {
    const padded = await run(e1, ds, { batchSize: 16 }, 1);
    const exact = await run(e2, ds, { batchSize: 9 }, 1);
    padded.params.forEach((p, i) => expectClose(p, exact.params[i], TOL.float64Padded, `param ${i}`));
    assert.is(padded.h.log[0].samples, 9);
    assert.ok(Math.abs(padded.losses[0] - exact.losses[0]) < 1e-6);
  } finally {
    e1.dispose();
    e2.dispose();
  }
});

gpuTest('data on the device (gather) and streamed from the host train identically', async () => {
  const onGpu = await gpu();
  try {
    for (const bytes of [false, true]) {
      const ds = blobs(50, [4, 3], 4, 13, bytes);
      const dev = await run(onGpu, ds, { dataOnDevice: 'always' }, 7);
      const dev2 = await run(onGpu, ds, { dataOnDevice: 'always' }, 7);
      assert.equal(dev.losses, dev2.losses, 'deterministic');
      const str = await run(onGpu, ds, { dataOnDevice: 'never' }, 7);
      assert.ok(dev.t.onDevice && !str.t.onDevice);
      assert.equal(dev.losses, str.losses, `losses (bytes=${bytes})`);
      assert.equal(dev.params, str.params, `params (bytes=${bytes})`);
    }
  } finally {
    onGpu.dispose();
  }
});

gpuTest('GPU training follows the cpu reference step by step (micro-batched, shifted images)', async () => {
  const onGpu = await gpu();
  const c = await cpu();
  try {
    const ds = blobs(45, [5, 6], 3, 14);
    for (const o of [{}, { maxBindingBytes: 900, augmentShift: 2 }] as Opts[]) {
      const g = await run(onGpu, ds, o, 6);
      const r = await run(c, ds, o, 6);
      expectClose(g.losses, r.losses, TOL.graph, `losses ${JSON.stringify(o)}`);
      g.params.forEach((p, i) => expectClose(p, r.params[i], TOL.graph, `param ${i}`));
    }
  } finally {
    onGpu.dispose();
    c.dispose();
  }
});

for (const backend of BACKENDS) {
  testOn(backend)(`device-accumulated loss and accuracy equal the host computation from the logits (${backend})`, async () => {
    const c = await engineOn(backend);
    try {
      // 37 samples in evaluation batches of 10: four batches summed into the device totals.
      const ds = blobs(37, [6], 4, 15);
      const { t } = await run(c, ds, { evalBatchSize: 10 }, 3);
      const ev = await t.evaluate(ds);
      // Host: forward the whole set once, read the logits, compute CE and accuracy in float64.
      const g = new Graph();
      const x = g.input('x', [ds.length, ...ds.sampleShape]);
      const model = t.opts.model;
      model.eval();
      const prog = await c.compile(g, { outputs: { z: model.forward(x) } });
      model.train();
      await prog.run({ x: ds.x });
      const z = await prog.read('z');
      let loss = 0, hits = 0;
      for (let n = 0; n < ds.length; n++) {
        const row = Array.from(z.subarray(n * 4, n * 4 + 4));
        const m = Math.max(...row);
        const lse = m + Math.log(row.reduce((a, v) => a + Math.exp(v - m), 0));
        loss += lse - row[ds.y[n]];
        if (row.indexOf(m) === ds.y[n]) hits++;
      }
      const tol = c.backend.name === 'cpu' ? 1e-6 : 1e-5 * Math.max(1, Math.abs(loss / 37));
      assert.is(ev.count, 37);
      assert.ok(Math.abs(ev.loss - loss / 37) < tol, `${c.backend.name}: ${ev.loss} vs ${loss / 37}`);
      assert.is(ev.accuracy, hits / 37, `${c.backend.name}: accuracy`);
    } finally {
      c.dispose();
    }
  });
}

test('history: log entries per interval, epoch entries with test figures; callbacks run', async () => {
  const c = await cpu();
  try {
    const ds = blobs(40, [3], 2, 16);
    const test = blobs(12, [3], 2, 17);
    const model = mlp(3, 5, 2, 1);
    const seen: string[] = [];
    const t = await Trainer.create(c, {
      model, optimizer: new TestSGD(model.parameters(), 0.1), train: ds, test, batchSize: 8, logEvery: 2,
      callbacks: { onLog: (e) => { seen.push(`log${e.step}`); }, onEpochEnd: (e) => { seen.push(`epoch${e.epoch}`); } },
    });
    const h = await t.fit({ epochs: 2 });
    assert.equal(h.log.map((e) => e.step), [2, 4, 5, 6, 8, 10]);
    assert.equal(h.epochs.map((e) => e.epoch), [1, 2]);
    assert.ok(h.epochs.every((e) => e.testAccuracy !== null && e.testLoss! > 0));
    assert.equal(h.log.reduce((a, e) => a + e.samples, 0), 80);
    assert.is(seen.join(' '), 'log2 log4 log5 epoch1 log6 log8 log10 epoch2');
    assert.is(t.step, 10);
    assert.is(t.epoch, 2);
  } finally {
    c.dispose();
  }
});

gpuTest('device loss during fit: DeviceLostError naming the step, and how to resume', async () => {
  const e = await gpu();
  try {
    const ds = blobs(64, [3], 2, 5);
    const model = mlp(3, 4, 2, 1);
    const t = await Trainer.create(e, { model, optimizer: new TestSGD(model.parameters(), 0.1), train: ds, batchSize: 8, logEvery: 1 });
    await t.fit({ steps: 3 });
    (e.backend as unknown as { gpu: { device: GPUDevice } }).gpu.device.destroy();
    await rejects(t.fit({ steps: 3 }), slope.DeviceLostError, /Detected during training at step [34] \(epoch 1\).*continue from the last checkpoint/);
    await rejects(t.fit({ steps: 1 }), slope.DeviceLostError);
  } finally {
    e.dispose();
  }
});

test('bad trainer options are clear errors', async () => {
  const c = await cpu();
  try {
    const ds = blobs(10, [3], 2, 18);
    const model = mlp(3, 4, 2, 1);
    const opt = new TestSGD(model.parameters(), 0.1);
    await rejects(Trainer.create(c, { model, optimizer: opt, train: ds, batchSize: 0 }), slope.ArgumentError, /batchSize must be a positive integer/);
    await rejects(Trainer.create(c, { model, optimizer: opt, train: ds, batchSize: 4, augmentShift: 1 }), slope.ArgumentError, /augmentShift needs image samples/);
    const other = mlp(3, 4, 2, 2);
    await rejects(Trainer.create(c, { model, optimizer: new TestSGD(other.parameters(), 0.1), train: ds, batchSize: 4 }), slope.ArgumentError, /not a parameter of the model/);
    // More classes than the model has outputs: caught whether the labels live on the device
    // (never seen by the host) or are fed.
    const narrow = mlp(3, 4, 1, 3);
    for (const dataOnDevice of ['always', 'never'] as const) {
      await rejects(Trainer.create(c, { model: narrow, optimizer: new TestSGD(narrow.parameters(), 0.1), train: ds, batchSize: 4, dataOnDevice }),
        slope.ArgumentError, /dataset '.*' has 2 classes but the model outputs 1 scores per sample/);
    }
  } finally {
    c.dispose();
  }
});

test.run();
