/**
 * Exact resume (after llm.c): 10 steps, save, 10 more gives bit-identical losses to
 * load-and-continue, with Adam, a warm-up schedule, shuffling, random shifts and flips; dropping any
 * one state item breaks it. And a non-finite loss stops training naming its step, with the
 * parameters of the step before.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cpu, slope } from '../util/engine.js';
import { BACKENDS, engineOn, testOn } from '../util/suite.js';
import { rejects } from '../util/rejects.js';
import { blobs, mlp } from './helpers.js';

const { Trainer, Adam, warmupCosine, checkpointBytes, parseCheckpoint, NonFiniteError } = slope;

async function makeTrainer(engine: slope.Engine, ds: slope.Dataset) {
  const model = mlp(ds.features, 9, ds.numClasses, 5);
  const optimizer = new Adam(model.parameters(), { lr: 0.02 });
  return Trainer.create(engine, {
    model, optimizer, train: ds, batchSize: 8, seed: 4, logEvery: 1, augmentShift: 1, augmentFlip: true,
    schedule: warmupCosine(0.02, 6, 40),
  });
}

const losses = (h: slope.History, from: number) => h.log.slice(from).map((e) => e.loss);

async function resumeCase(fresh: () => Promise<slope.Engine>) {
  const ds = blobs(30, [3, 4], 3, 21); // 4 batches per epoch: the 10-step marks fall mid-epoch
  const e1 = await fresh();
  const a = await makeTrainer(e1, ds);
  await a.fit({ epochs: 100, steps: 10 });
  const bytes = await checkpointBytes(a);
  const h = await a.fit({ epochs: 100, steps: 10 });
  const want = losses(h, 10);
  const paramsA = await Promise.all(a.opts.model.parameters().map((p) => e1.backend.read(e1.store.view(p))));
  e1.dispose();
  const continueFrom = async (edit?: (s: slope.TrainState) => void) => {
    const e2 = await fresh();
    try {
      const b = await makeTrainer(e2, ds);
      const s = parseCheckpoint(b, bytes);
      edit?.(s);
      await b.loadState(s);
      const got = losses(await b.fit({ epochs: 100, steps: 10 }), 0);
      const params = await Promise.all(b.opts.model.parameters().map((p) => e2.backend.read(e2.store.view(p))));
      return { got, params };
    } finally {
      e2.dispose();
    }
  };
  return { want, paramsA, continueFrom };
}

for (const kind of BACKENDS) {
  testOn(kind)(`resume is bit-exact through a safetensors checkpoint (${kind})`, async () => {
    // An engine held open for the whole test keeps one Dawn instance alive across the fresh engines.
    const keeper = await engineOn(kind);
    try {
      await resumeChecks(() => engineOn(kind));
    } finally {
      keeper.dispose();
    }
  });
}

async function resumeChecks(fresh: () => Promise<slope.Engine>): Promise<void> {
  {
    const { want, paramsA, continueFrom } = await resumeCase(fresh);
    const { got, params } = await continueFrom();
    assert.equal(got, want, 'losses after resuming');
    params.forEach((p, i) => assert.equal(Array.from(p), Array.from(paramsA[i]), `parameter ${i}`));
    // Each state item matters: leave one out and the continuation differs.
    const omissions: [string, (s: slope.TrainState) => void][] = [
      ['optimizer state', (s) => { for (const rec of Object.values(s.optimizer!.state)) for (const k of Object.keys(rec)) rec[k] = new Float32Array(rec[k].length); }],
      ['optimizer step', (s) => { s.optimizer!.step = 0; }],
      ['augmentation RNG', (s) => { s.progress.rng = 12345; }],
      ['data position', (s) => { s.progress.batch = 0; }],
      ['data-order seed', (s) => { s.progress.seed = 99; }],
      ['parameters', (s) => { s.params = s.params.map(([n, v]) => [n, v.map((x: number) => x * 0.5) as typeof v]); }],
    ];
    for (const [what, edit] of omissions) {
      const r = await continueFrom(edit);
      assert.not.equal(r.got, want, `without ${what} the losses should differ`);
    }
  }
}

async function trainerWith(engine: slope.Engine, ds: slope.Dataset, o: { batchSize?: number; logEvery?: number; callbacks?: slope.Callbacks } = {}) {
  const model = mlp(ds.features, 9, ds.numClasses, 5);
  return Trainer.create(engine, {
    model, optimizer: new Adam(model.parameters(), { lr: 0.02 }), train: ds, batchSize: o.batchSize ?? 8, seed: 4, logEvery: o.logEvery ?? 1, callbacks: o.callbacks,
  });
}

test('loadState refuses a mid-epoch position under another batch size or dataset, or past the epoch; nothing is loaded', async () => {
  const e = await cpu();
  try {
    const ds = blobs(30, [12], 3, 21); // 4 batches of 8 per epoch
    const a = await trainerWith(e, ds);
    await a.fit({ epochs: 10, steps: 2 });
    const bytes = await checkpointBytes(a);
    const refuse = async (t: slope.Trainer, s: slope.TrainState, re: RegExp) => {
      const before = await Promise.all(t.opts.model.parameters().map((p) => e.backend.read(e.store.view(p))));
      try {
        await t.loadState(s);
        assert.unreachable('no error');
      } catch (err) {
        assert.ok(err instanceof slope.CheckpointMismatchError, String(err));
        assert.match((err as Error).message, re);
      }
      const after = await Promise.all(t.opts.model.parameters().map((p) => e.backend.read(e.store.view(p))));
      assert.equal(after.map((v) => Array.from(v)), before.map((v) => Array.from(v)), 'nothing was loaded');
      assert.is(t.step, 0);
    };
    const small = await trainerWith(e, ds, { batchSize: 4 });
    await refuse(small, parseCheckpoint(small, bytes), /inside epoch 1, before batch 3 of batches of 8; this trainer's batch size is 4: the batch size may change only at an epoch boundary/);
    const more = await trainerWith(e, blobs(40, [12], 3, 22));
    await refuse(more, parseCheckpoint(more, bytes), /counted in 30 training samples; 'blobs22' has 40/);
    const same = await trainerWith(e, ds);
    const past = parseCheckpoint(same, bytes);
    past.progress = { step: 9, epoch: 0, batch: 4, seed: 4, rng: 1 }; // as old checkpoints were written
    await refuse(same, past, /before batch 5, but an epoch here has only 4 batches \(30 samples in batches of 8\)/);
  } finally {
    e.dispose();
  }
});

test('stop() ends fit() after the step in progress; a checkpoint taken mid-interval continues exactly, epoch figures included', async () => {
  const e = await cpu();
  try {
    const ds = blobs(30, [12], 3, 23);
    const straight = await (await trainerWith(e, ds, { logEvery: 3 })).fit({ epochs: 2 });
    let bytes: Uint8Array | null = null;
    const t: slope.Trainer = await trainerWith(e, ds, {
      logEvery: 3,
      callbacks: { onStep: async (step) => { if (step === 5) { bytes = await checkpointBytes(t); t.stop(); } } },
    });
    await t.fit({ epochs: 2 });
    assert.is(t.step, 5, 'stopped after the step in progress');
    const u = await trainerWith(e, ds, { logEvery: 3 });
    await u.loadState(parseCheckpoint(u, bytes!));
    u.stop();
    await u.fit({ epochs: 2 });
    assert.is(u.step, 5, 'a stop asked for before fit() returns before the first step');
    const h = await u.fit({ epochs: 2 });
    assert.equal(h.epochs.map((x) => [x.trainLoss, x.trainAccuracy, x.step]), straight.epochs.slice(1).map((x) => [x.trainLoss, x.trainAccuracy, x.step]));
  } finally {
    e.dispose();
  }
});

test('a non-finite loss stops training with NonFiniteError naming the step; parameters are from the step before', async () => {
  const c = await cpu();
  const c2 = await cpu();
  try {
    const ds = blobs(40, [6], 3, 22);
    const bad = ds.subset(Array.from({ length: 40 }, (_, i) => i));
    bad.x[26 * 6 + 2] = NaN; // sample 26 of 40: batch 3 with batchSize 8, no shuffle → step 4
    const mk = async (engine: slope.Engine, d: slope.Dataset) => {
      const model = mlp(6, 8, 3, 7);
      return Trainer.create(engine, { model, optimizer: new Adam(model.parameters(), { lr: 0.01 }), train: d, batchSize: 8, shuffle: false, logEvery: 100 });
    };
    const t = await mk(c, bad);
    await rejects(t.fit({ epochs: 3 }), NonFiniteError, /not finite at step 4/);
    const ref = await mk(c2, ds);
    await ref.fit({ epochs: 1, steps: 3 });
    const got = await Promise.all(t.opts.model.parameters().map((p) => c.backend.read(c.store.view(p))));
    const want = await Promise.all(ref.opts.model.parameters().map((p) => c2.backend.read(c2.store.view(p))));
    got.forEach((g, i) => assert.equal(Array.from(g), Array.from(want[i]), `parameter ${i}`));
  } finally {
    c.dispose();
    c2.dispose();
  }
});

test('after a non-finite step: reload the last good state, lower the learning rate, and training goes on', async () => {
  const c = await cpu();
  try {
    const ds = blobs(40, [6], 3, 23);
    const model = mlp(6, 8, 3, 7);
    const opt = new slope.SGD(model.parameters(), { lr: 0.05 });
    const t = await Trainer.create(c, { model, optimizer: opt, train: ds, batchSize: 8, logEvery: 5 });
    await t.fit({ epochs: 1 });
    const good = await checkpointBytes(t); // what `--checkpoint` keeps after each epoch
    opt.lr = 1e30; // far too high: the weights overflow within a few steps
    await rejects(t.fit({ epochs: 3 }), NonFiniteError, /not finite at step \d+/);
    // The recovery: the last good state (its optimizer state clears the skip flag), a lower rate.
    await t.loadState(parseCheckpoint(t, good));
    opt.lr = 0.01;
    const h = await t.fit({ epochs: 3 });
    const again = h.epochs.slice(-2);
    assert.equal(again.map((e) => e.epoch), [2, 3], 'epochs 2 and 3 run again');
    assert.ok(again.every((e) => Number.isFinite(e.trainLoss)), `finite losses: ${again.map((e) => e.trainLoss)}`);
    assert.is(await opt.nonFiniteStep(), null);
    const w = await c.backend.read(c.store.view(model.parameters()[0]));
    assert.ok(Array.from(w).every(Number.isFinite));
  } finally {
    c.dispose();
  }
});

test.run();
