/**
 * Absurd values on the command line are slope's typed errors naming the value (or work), never
 * a raw RangeError: huge widths, a huge label, thousands of layers, a file of 200k tensors, and
 * numbers written in hexadecimal.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { slope as lib } from '../util/engine.js';
import { parseArgs, UsageError } from '../../src/cli/args.js';
import { COMMANDS } from '../../src/cli/commands.js';
import { blobsCsv, slope, tempDir } from './helpers.js';

const dir = tempDir();
const csv = blobsCsv(join(dir, 'blobs.csv'));
const run = ['--batch-size', '16', '--backend', 'cpu', '--quiet', '--json', '--steps', '1'];

test('--model mlp:99999999 is a LimitError naming the layer, before anything is allocated', async () => {
  const mnistShaped = blobsCsv(join(dir, 'wide.csv'), 40, 784, 4, 2);
  const r = await slope(['train', '--dataset', `csv:${mnistShaped}`, '--model', 'mlp:99999999', ...run]);
  assert.is(r.code, 1, r.err);
  assert.match(r.err, /slope: LimitError: model: layer 1 \(Linear 784 → 99,999,999\) would hold 78,399,999,216 weights \(313,599,996,864 bytes\), above the [\d,]+ bytes one tensor may take here/);
  assert.throws(() => lib.buildModel(lib.parseModel('mlp:64,99999999'), 10, 3), (e: Error) => e instanceof lib.LimitError && /layer 2 \(Linear 64 → 99,999,999\)/.test(e.message));
  assert.throws(() => lib.buildModel(lib.parseModel('mlp:64'), 10, 3, 0, 1000), (e: Error) => e instanceof lib.LimitError && /layer 1 \(Linear 10 → 64\) would hold 640 weights \(2,560 bytes\), above the 1,000 bytes/.test(e.message));
});

test('a CSV label of 2147483647 is a DataFormatError naming its line', async () => {
  const f = join(dir, 'huge-label.csv');
  writeFileSync(f, 'a,b,label\n' + Array.from({ length: 30 }, (_, i) => `${i},${i % 7},${i === 17 ? 2147483647 : i % 3}`).join('\n'));
  const r = await slope(['train', '--dataset', `csv:${f}`, ...run]);
  assert.is(r.code, 1, r.err);
  assert.match(r.err, /DataFormatError: .*huge-label\.csv: line 19, column 3 \('label'\): label 2147483647 would make 2,147,483,648 classes/);
});

test('a 3,000-layer model trains or is a LimitError naming its size, never a RangeError', async () => {
  const r = await slope(['train', '--dataset', `csv:${csv}`, '--model', `mlp:${Array(3000).fill(4).join(',')}`, ...run]);
  assert.not.match(r.err, /RangeError|Maximum call stack/);
  if (r.code !== 0) assert.match(r.err, /slope: LimitError: the training step's graph of [\d,]+ ops is too deep/);
});

test('inspect lists a file of 200,000 tensors (too many to spread into a call)', async () => {
  const f = join(dir, 'many.safetensors');
  const empty = new Float32Array(0);
  const tensors = Array.from({ length: 200_000 }, (_, i) => ({ name: `t${i}`, shape: [0], data: empty }));
  tensors.push({ name: 'a-rather-longer-name', shape: [2], data: new Float32Array(2) });
  writeFileSync(f, lib.encodeSafetensors(tensors));
  const r = await slope(['inspect', '--checkpoint', f]);
  assert.is(r.code, 0, r.err);
  assert.match(r.out[0], /200,001 tensors, 2 elements, 8 bytes of data/);
  assert.is(r.out.length, 1 + 200_001);
  assert.match(r.out[r.out.length - 1], /^ {2}a-rather-longer-name {2}F32 {2}\[2\]$/);
});

test('numbers in flags and schedules are decimal: 0x10, 0b1, 0o7 and Infinity are refused', async () => {
  for (const v of ['0x10', '0b1', '0o7', 'Infinity', '1_0']) {
    assert.throws(() => parseArgs(['train', '--lr', v], COMMANDS), (e: Error) => e instanceof UsageError && new RegExp(`--lr needs a (decimal )?number; got '${v}'`).test(e.message), v);
  }
  assert.throws(() => parseArgs(['train', '--epochs', '0x10'], COMMANDS), /--epochs needs a decimal number; got '0x10'/);
  for (const [v, ok] of [['1e-3', 1e-3], ['.5', 0.5], ['+2', 2], ['3.', 3]] as const) assert.is(parseArgs(['train', '--lr', v], COMMANDS).flags.lr, ok, v);
  const r = await slope(['train', '--dataset', `csv:${csv}`, '--schedule', 'step:0x10', ...run]);
  assert.is(r.code, 2, r.err);
  assert.match(r.err, /schedule 'step:0x10': '0x10' is not a non-negative number \(written in decimal\)/);
  const m = await slope(['train', '--dataset', `csv:${csv}`, '--schedule', 'multistep:0x2/4', ...run]);
  assert.is(m.code, 2, m.err);
  assert.match(m.err, /milestones\[0\]/);
});

test.run();
