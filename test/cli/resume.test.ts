/**
 * `slope train --resume`: a resumed run continues exactly or refuses, naming the flag and both
 * values; it keeps writing to its checkpoint and says where; `evaluate` keeps its own batch size.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { slope as lib } from '../util/engine.js';
import { blobsCsv, slope, tempDir } from './helpers.js';

const dir = tempDir();
const csv = blobsCsv(join(dir, 'blobs.csv')); // 96 training rows: 6 batches of 16
const other = blobsCsv(join(dir, 'other.csv'), 60, 4, 3, 9);
const base = ['--dataset', `csv:${csv}`, '--model', 'mlp:16', '--batch-size', '16', '--lr', '0.05', '--backend', 'cpu', '--quiet', '--json'];

const progressOf = (file: string) => JSON.parse(lib.decodeSafetensors(readFileSync(file)).metadata.progress);

test('options that define the run are refused on resume, naming the flag and both values; nothing is written', async () => {
  const ck = join(dir, 'mid.safetensors');
  assert.is((await slope(['train', ...base, '--steps', '4', '--checkpoint', ck])).code, 0);
  const before = readFileSync(ck);
  const cases: [string[], RegExp][] = [
    [['--batch-size', '1000'], /--batch-size 1000 differs from the run in .*mid\.safetensors \(16\), which stopped inside epoch 1 \(before batch 5\): the batch size may change only at an epoch boundary/],
    [['--activation', 'tanh'], /--activation 'tanh' differs from the run in .*mid\.safetensors \('relu'\)/],
    [['--model', 'mlp:8'], /--model 'mlp:8' differs .* \('mlp:16'\)/],
    [['--norm', 'batch'], /--norm 'batch' differs .* \('none'\)/],
    [['--dataset', `csv:${other}`], /--dataset 'csv:.*other\.csv' differs .* \('csv:.*blobs\.csv'\)/],
    [['--seed', '1'], /--seed 1 differs .* \(0\)/],
    [['--optimizer', 'sgd'], /--optimizer 'sgd' differs .* \('adam'\)/],
    [['--momentum', '0.5'], /--momentum 0\.5 differs .* \(not set\)/],
    [['--label-smoothing', '0.1'], /--label-smoothing 0\.1 differs .* \(0\)/],
    [['--test-fraction', '0.5'], /--test-fraction 0\.5 differs .* \(0\.2\)/],
    [['--drop-last'], /--drop-last true differs .* \(not set\)/],
  ];
  for (const [flags, re] of cases) {
    const r = await slope(['train', '--resume', ck, '--backend', 'cpu', '--quiet', '--json', ...flags]);
    assert.is(r.code, 1, `${flags.join(' ')}: ${r.err}`);
    assert.match(r.err, /CheckpointMismatchError/);
    assert.match(r.err, re);
    assert.equal(readFileSync(ck), before, `${flags.join(' ')}: the checkpoint is untouched`);
  }
  // The same values as the checkpoint's are no change.
  const same = await slope(['train', '--resume', ck, '--backend', 'cpu', '--quiet', '--json', '--model', 'mlp:16', '--batch-size', '16', '--seed', '0', '--epochs', '1']);
  assert.is(same.code, 0, same.err);
});

test('a resume mid-epoch continues exactly: the epoch figures are those of the straight run', async () => {
  const straight = await slope(['train', ...base, '--epochs', '1']);
  assert.is(straight.code, 0, straight.err);
  const ck = join(dir, 'exact.safetensors');
  assert.is((await slope(['train', ...base, '--epochs', '1', '--steps', '4', '--checkpoint', ck])).code, 0);
  const resumed = await slope(['train', '--resume', ck, '--backend', 'cpu', '--quiet', '--json']);
  assert.is(resumed.code, 0, resumed.err);
  const [js, jr] = [straight.json(), resumed.json()];
  for (const k of ['trainLoss', 'trainAccuracy', 'testLoss', 'testAccuracy', 'steps', 'epochs']) assert.is(jr[k], js[k], k);
  // The time is the resumed process's own, and the summary says so.
  assert.is(js.resumedAt, null);
  assert.is(jr.resumedAt, 4);
  assert.match(resumed.out.join('\n'), /\(resumed at step 4: the time is that of the 2 steps since\)/);
});

test('at an epoch boundary the batch size may change; the figures are measured, never 0', async () => {
  const ck = join(dir, 'boundary.safetensors');
  assert.is((await slope(['train', ...base, '--epochs', '1', '--checkpoint', ck])).code, 0);
  const r = await slope(['train', '--resume', ck, '--batch-size', '48', '--epochs', '2', '--backend', 'cpu', '--quiet', '--json']);
  assert.is(r.code, 0, r.err);
  const j = r.json();
  assert.is(j.batchSize, 48);
  assert.is(j.steps, 6 + 2);
  assert.ok((j.trainLoss as number) > 0 && (j.trainAccuracy as number) > 0, JSON.stringify(j));
  assert.is(progressOf(ck).batchSize, 48, 'the checkpoint records the new batch size');
});

test('--resume FILE saves to FILE (or to --checkpoint) and says so on the first line', async () => {
  const ck = join(dir, 'keep.safetensors');
  assert.is((await slope(['train', ...base, '--epochs', '1', '--checkpoint', ck])).code, 0);
  const r = await slope(['train', '--resume', ck, '--epochs', '2', '--backend', 'cpu', '--quiet', '--json']);
  assert.is(r.code, 0, r.err);
  assert.match(r.out[0], /^resuming .*keep\.safetensors at step 6 \(epoch 2, batch 1 of 6\); checkpoints go to .*keep\.safetensors$/);
  assert.is(progressOf(ck).step, 12, 'the resumed file holds the continued run');
  const elsewhere = join(dir, 'elsewhere.safetensors');
  const before = readFileSync(ck);
  const r2 = await slope(['train', '--resume', ck, '--epochs', '3', '--checkpoint', elsewhere, '--backend', 'cpu', '--quiet', '--json']);
  assert.is(r2.code, 0, r2.err);
  assert.match(r2.out[0], /checkpoints go to .*elsewhere\.safetensors$/);
  assert.is(progressOf(elsewhere).step, 18);
  assert.equal(readFileSync(ck), before);
  // Nothing left to train is refused rather than reported as a run.
  const done = await slope(['train', '--resume', ck, '--backend', 'cpu', '--quiet', '--json']);
  assert.is(done.code, 1);
  assert.match(done.err, /ArgumentError: the run in .*keep\.safetensors has finished 2 epochs of --epochs 2: give --epochs above 2/);
});

test('--lr on resume replaces the checkpoint\'s learning rate, also without a step schedule', async () => {
  const ck = join(dir, 'plateau.safetensors');
  assert.is((await slope(['train', ...base, '--schedule', 'plateau', '--epochs', '1', '--checkpoint', ck])).code, 0);
  const r = await slope(['train', '--resume', ck, '--epochs', '2', '--lr', '0.01', '--backend', 'cpu', '--quiet', '--json']);
  assert.is(r.code, 0, r.err);
  assert.is(r.json().finalLr, 0.01);
});

test('a new --schedule on resume continues from the current step', async () => {
  const ck = join(dir, 'schedule.safetensors');
  assert.is((await slope(['train', ...base, '--epochs', '1', '--checkpoint', ck])).code, 0);
  const r = await slope(['train', '--resume', ck, '--epochs', '2', '--schedule', 'cosine', '--backend', 'cpu', '--quiet', '--json']);
  assert.is(r.code, 0, r.err);
  // Cosine over the 12 steps of 2 epochs, evaluated at the last step taken (t = 11), not restarted.
  assert.ok(Math.abs((r.json().finalLr as number) - 0.05 * (1 + Math.cos((Math.PI * 11) / 12)) / 2) < 1e-12, String(r.json().finalLr));
});

test('a checkpoint whose position lies past the epoch is refused', async () => {
  const ck = join(dir, 'past.safetensors');
  assert.is((await slope(['train', ...base, '--steps', '2', '--checkpoint', ck])).code, 0);
  const f = lib.decodeSafetensors(readFileSync(ck));
  const { batchSize: _b, samples: _s, ...old } = { ...progressOf(ck), batch: 9 }; // as written before the batch size was recorded
  const tensors = [...f.tensors].map(([name, t]) => ({ name, shape: t.shape, data: lib.tensorValues(t) }));
  writeFileSync(ck, lib.encodeSafetensors(tensors, { ...f.metadata, progress: JSON.stringify(old) }));
  const r = await slope(['train', '--resume', ck, '--backend', 'cpu', '--quiet', '--json']);
  assert.is(r.code, 1);
  assert.match(r.err, /CheckpointMismatchError: the checkpoint stopped inside epoch 1, before batch 10, but an epoch here has only 6 batches/);
});

test('evaluate uses its own batch size, not the training one', async () => {
  const ck = join(dir, 'eval.safetensors');
  assert.is((await slope(['train', ...base, '--epochs', '1', '--checkpoint', ck])).code, 0);
  const r = await slope(['evaluate', '--checkpoint', ck, '--backend', 'cpu', '--json']);
  assert.is(r.code, 0, r.err);
  assert.is(r.json().batchSize, 1000);
  assert.is(r.json().count, 24);
});

test.run();
