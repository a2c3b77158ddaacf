/** The slope command: flags, usage errors, train → checkpoint → resume → evaluate → inspect, info, curves. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';
import { parseArgs, usage, UsageError } from '../../src/cli/args.js';
import { COMMANDS } from '../../src/cli/commands.js';
import { Rng } from '../util/rng.js';

async function slope(...argv: string[]): Promise<{ code: number; out: string[]; err: string }> {
  const out: string[] = [];
  let err = '';
  const code = await main(argv, { out: (l) => out.push(l), err: { write: (s: string) => { err += s; }, isTTY: false } });
  return { code, out, err };
}

const dir = mkdtempSync(join(tmpdir(), 'slope-cli-'));
const csv = join(dir, 'blobs.csv');
{
  const r = new Rng(3);
  const lines = ['a,b,c,d,label'];
  for (let i = 0; i < 120; i++) {
    const c = i % 3;
    lines.push([...r.normal(4, 0.5)].map((v, k) => (v + (k === c ? 2 : 0)).toFixed(3)).join(',') + `,${c}`);
  }
  writeFileSync(csv, lines.join('\n'));
}
const base = ['--dataset', `csv:${csv}`, '--model', 'mlp:16', '--batch-size', '16', '--lr', '0.05', '--backend', 'cpu', '--quiet', '--json'];

test('flag parsing: kinds, defaults, given flags, = syntax', () => {
  const p = parseArgs(['train', '--epochs', '3', '--lr=0.5', '--drop-last', '--norm', 'batch'], COMMANDS);
  assert.is(p.flags.epochs, 3);
  assert.is(p.flags.lr, 0.5);
  assert.is(p.flags['drop-last'], true);
  assert.is(p.flags['batch-size'], 64);
  assert.ok(p.given.has('norm') && !p.given.has('seed'));
  for (const [argv, re] of [
    [['train', '--epochs', '2.5'], /--epochs needs an integer/],
    [['train', '--dropout', '1'], /--dropout must be below 1; got 1/],
    [['train', '--lr'], /--lr needs a value/],
    [['train', '--frobnicate', '1'], /unknown flag --frobnicate/],
    [['train', 'extra'], /unexpected argument 'extra'/],
    [['fly'], /unknown command 'fly'/],
  ] as [string[], RegExp][]) {
    assert.throws(() => parseArgs(argv, COMMANDS), (e: Error) => e instanceof UsageError && re.test(e.message));
  }
  assert.is(parseArgs(['train', '--seed', '1', '--seed', '2'], COMMANDS).flags.seed, 2, 'the last value wins');
  assert.match(usage(COMMANDS, 'train'), /--batch-size INT +samples per update \(default 64\)/);
});

test('bad flags and bad specs exit non-zero with a message (and usage for flags)', async () => {
  let r = await slope('train', '--epochs', 'many');
  assert.is(r.code, 2);
  assert.match(r.err, /--epochs needs a number; got 'many'[\s\S]*usage: slope/);
  // Values the command's flags or the library refuse: the message, the usage, exit 2.
  for (const [flags, re] of [
    [['--model', 'conv:3'], /model must be 'mlp:W1,W2,…'/],
    [['--model', 'cnn:3,x'], /positive integers/],
    [['--norm', 'group'], /norm 'group' is for cnn: models/],
    [['--schedule', 'zigzag'], /schedule must be one of/],
    [['--batch-size', '0'], /--batch-size must be at least 1; got 0/],
    [['--lr', '-1'], /--lr must be above 0; got -1/],
    [['--label-smoothing', '1'], /--label-smoothing must be below 1; got 1/],
    [['--augment-crop', '2', '--augment-shift', '1'], /--augment-crop 2 and --augment-shift 1 are the same transform/],
  ] as [string[], RegExp][]) {
    r = await slope('train', ...base, ...flags);
    assert.is(r.code, 2, `${flags.join(' ')}: ${r.err}`);
    assert.match(r.err, re);
    assert.match(r.err, /usage: slope/);
  }
  r = await slope();
  assert.is(r.code, 2, 'no command');
  assert.match(r.err, /no command given[\s\S]*usage: slope/);
  r = await slope('train', '--dataset', 'imagenet', '--backend', 'cpu');
  assert.is(r.code, 2);
  r = await slope('--help');
  assert.is(r.code, 0);
  assert.match(r.err, /slope train:/);
  r = await slope('evaluate', '--backend', 'cpu');
  assert.is(r.code, 2);
  assert.match(r.err, /needs --checkpoint/);
});

test('train prints a JSON summary last; checkpoint, resume and evaluate agree exactly', async () => {
  const ck = join(dir, 'run.safetensors');
  const curves = join(dir, 'curves.svg');
  const straight = await slope('train', ...base, '--epochs', '2', '--schedule', 'cosine');
  assert.is(straight.code, 0, straight.err);
  const js = JSON.parse(straight.out[straight.out.length - 1]);
  for (const k of ['trainLoss', 'trainAccuracy', 'testLoss', 'testAccuracy', 'epochs', 'steps', 'seconds', 'adapter']) assert.ok(k in js, k);
  assert.is(js.epochs, 2);
  assert.is(js.steps, 2 * Math.ceil(96 / 16));
  assert.ok(js.testAccuracy > 0.8, `accuracy ${js.testAccuracy} ${straight.out.join('\n')}`);
  const first = await slope('train', ...base, '--epochs', '2', '--steps', '4', '--schedule', 'cosine', '--checkpoint', ck);
  assert.is(first.code, 0, first.err);
  assert.ok(existsSync(ck));
  // Stopped mid-epoch; resume takes the run's options (2 epochs, cosine over them) from the checkpoint
  // and keeps writing to it.
  const resumed = await slope('train', '--resume', ck, '--backend', 'cpu', '--quiet', '--json', '--curves', curves);
  assert.is(resumed.code, 0, resumed.err);
  const jr = JSON.parse(resumed.out[resumed.out.length - 1]);
  assert.is(jr.testLoss, js.testLoss, 'resumed run ends where the straight run does');
  assert.is(jr.steps, js.steps);
  assert.match(readFileSync(curves, 'utf8'), /^<svg[\s\S]*loss[\s\S]*accuracy[\s\S]*<\/svg>\s*$/);
  const ev = await slope('evaluate', '--checkpoint', ck, '--backend', 'cpu', '--json');
  assert.is(ev.code, 0, ev.err);
  const je = JSON.parse(ev.out[ev.out.length - 1]);
  assert.ok(Math.abs(je.accuracy - jr.testAccuracy) < 1e-12, `${je.accuracy} vs ${jr.testAccuracy}`);
  assert.is(je.count, 24);
  assert.is(je.step, js.steps);
  // inspect lists the tensors and the metadata, with no engine.
  const ins = await slope('inspect', '--checkpoint', ck, '--json');
  assert.is(ins.code, 0, ins.err);
  const ji = JSON.parse(ins.out[ins.out.length - 1]);
  const names = ji.tensors.map((t: { name: string }) => t.name);
  assert.ok(names.includes('1.weight') && names.includes('optimizer.state.1.weight.exp_avg'), names.join(', '));
  assert.equal(ji.tensors.find((t: { name: string }) => t.name === '1.weight').shape, [16, 4]);
  assert.is(ji.metadata.format, 'slope.checkpoint');
  assert.is(ji.metadata.progress.step, js.steps);
  assert.is(ji.metadata.config.model, 'mlp:16');
  const text = await slope('inspect', '--checkpoint', ck);
  assert.match(text.out[0], /run\.safetensors: \d+ tensors, [\d,]+ elements/);
  assert.is((await slope('inspect')).code, 2, 'inspect without --checkpoint');
});

test('a checkpoint for another model is refused with a mismatch naming the flag and both values', async () => {
  const ck = join(dir, 'small.safetensors');
  assert.is((await slope('train', ...base, '--epochs', '1', '--checkpoint', ck)).code, 0);
  const r = await slope('train', ...base, '--model', 'mlp:8', '--resume', ck, '--epochs', '2');
  assert.is(r.code, 1, r.err);
  assert.match(r.err, /CheckpointMismatchError: --model 'mlp:8' differs from the run in .*small\.safetensors \('mlp:16'\)/);
});

test('info reports the backend and its limits', async () => {
  const r = await slope('info', '--backend', 'cpu', '--json');
  assert.is(r.code, 0);
  const j = JSON.parse(r.out[r.out.length - 1]);
  assert.is(j.backend, 'cpu');
  assert.ok(j.limits.maxBindingBytes > 0);
});

test('bench measures a matmul and the MLP step and reports them as JSON', async () => {
  const r = await slope('bench', '--backend', 'cpu', '--size', '16', '--batch', '2', '--runs', '1', '--json');
  assert.is(r.code, 0, r.err);
  const j = JSON.parse(r.out[r.out.length - 1]);
  assert.is(j.results.length, 3);
  assert.is(j.results[0].matmul, 16);
  assert.ok(j.results[0].gflops > 0 && j.results[1].ms > 0 && j.results[2].ms > 0, JSON.stringify(j));
  assert.equal(j.results.slice(1).map((x: { mlpStepBatch: number }) => x.mlpStepBatch), [1, 2]);
  assert.is((await slope('bench', '--runs', '0')).code, 2);
});

test('bench --tune times the matmul variants on the GPU and measures with the fastest', async () => {
  const r = await slope('bench', '--tune', '--size', '32', '--batch', '2', '--runs', '1', '--json');
  if (r.code !== 0 && /NoAdapterError/.test(r.err)) return; // no GPU adapter: nothing to tune
  assert.is(r.code, 0, r.err);
  const j = JSON.parse(r.out[r.out.length - 1]);
  assert.ok(['reg', 'tiled', 'bcast', 'sg'].includes(j.tuned.variant), JSON.stringify(j.tuned));
  assert.ok(Object.keys(j.tuned.seconds).length >= 3, JSON.stringify(j.tuned));
  assert.match(r.out[0], /^matmul variants: .* → \w+$/);
});

test('train --steps without a completed epoch still reports the training loss and accuracy', async () => {
  const r = await slope('train', ...base, '--epochs', '3', '--steps', '4', '--log-every', '2');
  assert.is(r.code, 0, r.err);
  const j = JSON.parse(r.out[r.out.length - 1]);
  assert.is(j.steps, 4);
  assert.is(j.epochs, 0);
  assert.ok(j.trainLoss > 0 && Number.isFinite(j.trainLoss), `trainLoss ${j.trainLoss}`);
  assert.ok(j.trainAccuracy >= 0 && j.trainAccuracy <= 1, `trainAccuracy ${j.trainAccuracy}`);
});

test.run();
