/**
 * Where `slope train` writes: every output path is checked before training; the summary comes
 * before the figures; SIGINT/SIGTERM save the current step atomically, say where, and exit 128+n.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { slope as lib } from '../util/engine.js';
import { blobsCsv, slope, tempDir } from './helpers.js';

const dir = tempDir();
const csv = blobsCsv(join(dir, 'blobs.csv'));
const base = ['--dataset', `csv:${csv}`, '--model', 'mlp:16', '--batch-size', '16', '--lr', '0.05', '--backend', 'cpu', '--quiet', '--json'];
const bin = fileURLToPath(new URL('../../../bin/slope.js', import.meta.url));

test('unwritable output paths fail before training, naming the flag and the reason', async () => {
  const ck = join(dir, 'never.safetensors');
  const fifo = join(dir, 'fifo');
  execFileSync('mkfifo', [fifo]);
  const cases: [string[], RegExp][] = [
    [['--curves', dir], /OutputError: --curves '.*' cannot be written: it is a directory/],
    [['--curves', join(dir, 'missing', 'c.svg')], /OutputError: --curves '.*c\.svg' cannot be written: the directory '.*missing' does not exist/],
    [['--checkpoint', join(dir, 'missing', 'c.safetensors')], /OutputError: --checkpoint '.*' cannot be written: the directory '.*missing' does not exist/],
    [['--checkpoint', fifo], /OutputError: --checkpoint '.*fifo' cannot be written: it is not a regular file/],
    [['--checkpoint', join(csv, 'c.safetensors')], /OutputError: --checkpoint '.*' cannot be written: '.*blobs\.csv' is not a directory/],
  ];
  for (const [flags, re] of cases) {
    const r = await slope(['train', ...base, '--epochs', '2', '--checkpoint', ck, ...flags]);
    assert.is(r.code, 1, `${flags.join(' ')}: ${r.err}`);
    assert.match(r.err, re);
    assert.equal(r.out, [], 'nothing trained');
    assert.ok(!existsSync(ck), 'no checkpoint written');
  }
});

test('a figure that cannot be written after training does not hide the summary', async () => {
  const figs = join(dir, 'figs');
  mkdirSync(figs);
  // The directory disappears once the run prints its result, before the figure is written.
  const r = await slope(['train', ...base, '--epochs', '1', '--curves', join(figs, 'c.svg')], (line) => {
    if (line.startsWith('test accuracy')) rmSync(figs, { recursive: true });
  });
  assert.is(r.code, 1, r.err);
  assert.match(r.out[0], /^test accuracy/);
  assert.ok(r.json().testAccuracy !== undefined, 'the JSON summary is the last line');
  assert.match(r.err, /OutputError: --curves '.*c\.svg': writing .* failed .*\(the results above are complete\)/);
});

/** Run the command line in a child process; `signal` is sent when stderr first shows a training step. */
function child(args: string[], signal: NodeJS.Signals): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR ?? '/tmp' } });
    let out = '';
    let err = '';
    let sent = false;
    p.stdout.on('data', (d) => { out += d; });
    p.stderr.on('data', (d) => {
      err += d;
      if (!sent && /step \d+\/\d+ loss/.test(err)) {
        sent = true;
        p.kill(signal);
      }
    });
    p.on('error', reject);
    p.on('close', (code) => resolve({ code, out, err }));
  });
}

test('SIGINT saves the current step atomically, says where, exits 130; resuming gives the straight run', async () => {
  // Slow enough steps (a wider model on the float64 cpu backend) that the signal lands mid-run.
  const run = ['--dataset', `csv:${blobsCsv(join(dir, 'wide.csv'), 300, 8, 3, 5)}`, '--model', 'mlp:192,192', '--batch-size', '30', '--lr', '0.002', '--backend', 'cpu'];
  const epochs = 3;
  const straight = await slope(['train', ...run, '--epochs', String(epochs), '--quiet', '--json']);
  assert.is(straight.code, 0, straight.err);
  const ck = join(dir, 'interrupted.safetensors');
  const r = await child(['train', ...run, '--epochs', '1000', '--log-every', '1', '--checkpoint', ck], 'SIGINT');
  assert.is(r.code, 130, r.err);
  const m = /stopped by SIGINT at step (\d+) .*; saved (.*): continue with slope train --resume/.exec(r.out);
  assert.ok(m, r.out);
  assert.is(m![2], ck);
  const progress = JSON.parse(lib.decodeSafetensors(readFileSync(ck)).metadata.progress);
  assert.is(progress.step, Number(m![1]));
  assert.ok(progress.step >= 1 && progress.step < epochs * 8, `stopped at step ${progress.step}`);
  const resumed = await slope(['train', '--resume', ck, '--epochs', String(epochs), '--quiet', '--json']);
  assert.is(resumed.code, 0, resumed.err);
  for (const k of ['trainLoss', 'trainAccuracy', 'testLoss', 'testAccuracy', 'steps']) assert.is(resumed.json()[k], straight.json()[k], k);
});

test('a signal before the first step still saves the starting point, says where and exits 130', async () => {
  const ck = join(dir, 'early.safetensors');
  let sent = false;
  // The first write to stderr (the data's description) comes before the trainer exists.
  const r = await slope(['train', ...base, '--epochs', '3', '--checkpoint', ck], undefined, () => {
    if (!sent) process.emit('SIGINT', 'SIGINT');
    sent = true;
  });
  assert.is(r.code, 130, r.err);
  assert.match(r.out.join('\n'), /stopped by SIGINT at step 0 .*; saved .*early\.safetensors/);
  assert.is(JSON.parse(lib.decodeSafetensors(readFileSync(ck)).metadata.progress).step, 0);
});

test('SIGTERM without --checkpoint exits 143 and says nothing was saved', async () => {
  const r = await child(['train', ...base.filter((a) => a !== '--quiet'), '--model', 'mlp:128,128', '--epochs', '1000', '--log-every', '1'], 'SIGTERM');
  assert.is(r.code, 143, r.err);
  assert.match(r.out, /stopped by SIGTERM at step \d+ .*; nothing saved \(no --checkpoint\)/);
});

test.run();
