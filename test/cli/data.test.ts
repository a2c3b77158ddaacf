/**
 * The command line on a user's own data: --standardize (default on for CSV, stored with the
 * model, applied by evaluate), --test files matched by header and class names, image folders.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';
import { readInputSpec } from '../../src/io/input.js';
import { Rng } from '../util/rng.js';
import { writeClassFolder } from '../data/image_fixtures.js';

async function slope(...argv: string[]): Promise<{ code: number; out: string[]; err: string; json: Record<string, unknown> | null }> {
  const out: string[] = [];
  let err = '';
  const code = await main(argv, { out: (l) => out.push(l), err: { write: (s: string) => { err += s; }, isTTY: false } });
  let json = null;
  try {
    json = JSON.parse(out[out.length - 1]);
  } catch { /* not JSON */ }
  return { code, out, err, json };
}

const dir = mkdtempSync(join(tmpdir(), 'slope-cli-data-'));
const names = ['blue', 'green', 'red'];

/** Three classes told apart by columns whose scales differ by 10⁴ (and one constant column). */
function table(file: string, rows: number, seed: number, header = 'size,weight,noise,const,colour', classes = names): void {
  const r = new Rng(seed);
  const lines = header ? [header] : [];
  for (let i = 0; i < rows; i++) {
    const c = i % classes.length;
    const k = names.indexOf(classes[c]); // the signal follows the class name
    const [a, b, n] = r.normal(3, 1);
    lines.push([5000 + 1000 * a + (k === 0 ? 3000 : 0), 0.1 * b + (k === 1 ? 0.3 : 0), n, 7].map((v) => v.toFixed(4)).join(',') + `,${classes[c]}`);
  }
  writeFileSync(file, lines.join('\n') + '\n');
}
const csv = join(dir, 'train.csv');
table(csv, 150, 1);
const run = ['--model', 'mlp:16', '--batch-size', '16', '--lr', '0.01', '--epochs', '8', '--backend', 'cpu', '--quiet', '--json'];

test('--standardize is on by default for CSV: said on the first line, stored with the model, applied by evaluate', async () => {
  const ck = join(dir, 'std.st');
  const r = await slope('train', '--dataset', `csv:${csv}`, ...run, '--checkpoint', ck);
  assert.is(r.code, 0, r.err);
  const lines = r.err.trim().split('\n');
  assert.match(lines[0], /train\.csv: 120 training and 30 test samples of shape \[4\], 3 classes \(blue, green, red\); features standardized \(mean and std of the 120 training samples\)/);
  assert.match(lines[1], /warning: feature 'const' is constant in the training data: centred, not scaled/);
  assert.is(r.json!.standardized, true);
  assert.equal(r.json!.classNames, names);
  const input = readInputSpec(new Uint8Array(readFileSync(ck)))!;
  assert.equal(input.shape, [4]);
  assert.equal(input.classNames, names);
  assert.equal(input.columns, ['size', 'weight', 'noise', 'const', 'colour']);
  assert.is(input.labelColumn, 4);
  assert.is(input.standardize!.count, 120);
  assert.equal([input.standardize!.mean[3], input.standardize!.std[3]], [7, 0]);
  assert.ok(input.standardize!.std[0] > 1000 && input.standardize!.std[1] < 1, `${input.standardize!.std}`);
  const ev = await slope('evaluate', '--checkpoint', ck, '--backend', 'cpu', '--json');
  assert.is(ev.code, 0, ev.err);
  assert.is(ev.json!.accuracy, r.json!.testAccuracy, 'evaluate applies the stored standardization');
  assert.is(ev.json!.standardized, true);
  assert.match(ev.out[0], /3 classes \(blue, green, red\), standardized/);
  // Skipping the stored transform on purpose changes what the model sees.
  const raw = await slope('evaluate', '--checkpoint', ck, '--backend', 'cpu', '--json', '--standardize', 'false');
  assert.is(raw.code, 0, raw.err);
  assert.is(raw.json!.standardized, false);
});

test('--standardize false trains on raw columns; standardizing wins on columns of very different scales', async () => {
  const ck = join(dir, 'raw.st');
  const raw = await slope('train', '--dataset', `csv:${csv}`, ...run, '--standardize', 'false', '--checkpoint', ck);
  assert.is(raw.code, 0, raw.err);
  assert.match(raw.err.split('\n')[0], /features not standardized \(--standardize false\)/);
  assert.is(raw.json!.standardized, false);
  assert.is(readInputSpec(new Uint8Array(readFileSync(ck)))!.standardize, null);
  const std = await slope('train', '--dataset', `csv:${csv}`, ...run);
  assert.ok((std.json!.testAccuracy as number) >= 0.9, `standardized: ${std.json!.testAccuracy}`);
  assert.ok((std.json!.testAccuracy as number) > (raw.json!.testAccuracy as number), `standardized ${std.json!.testAccuracy} vs raw ${raw.json!.testAccuracy}`);
  // A checkpoint without a stored standardizer, asked to standardize: one line naming the file, exit 1.
  const ev = await slope('evaluate', '--checkpoint', ck, '--backend', 'cpu', '--standardize');
  assert.is(ev.code, 1);
  assert.match(ev.err, /^slope: ArgumentError: .*raw\.st: the checkpoint stores no standardization .*leave out --standardize\n$/);
});

test('--test FILE: the same header and class names, else an error naming both files', async () => {
  const testCsv = join(dir, 'test.csv');
  table(testCsv, 20, 2, undefined, ['red', 'blue']); // a subset of the classes, in another order
  const ok = await slope('train', '--dataset', `csv:${csv}`, '--test', `csv:${testCsv}`, ...run);
  assert.is(ok.code, 0, ok.err);
  assert.equal([ok.json!.trainSamples, ok.json!.testSamples], [150, 20]);
  assert.ok((ok.json!.testAccuracy as number) >= 0.9, `${ok.json!.testAccuracy}`);
  // A test file of one class is fine (its labels are matched to the training classes, not judged alone).
  const oneClass = join(dir, 'one-class.csv');
  table(oneClass, 5, 6, undefined, ['green']);
  const one = await slope('train', '--dataset', `csv:${csv}`, '--test', `csv:${oneClass}`, ...run, '--epochs', '1');
  assert.is(one.code, 0, one.err);
  assert.is(one.json!.testSamples, 5);
  const other = join(dir, 'other-header.csv');
  table(other, 10, 3, 'size,weight,noise,constant,colour');
  let r = await slope('train', '--dataset', `csv:${csv}`, '--test', `csv:${other}`, ...run);
  assert.is(r.code, 1);
  assert.match(r.err, /other-header\.csv: the header \(size, weight, noise, constant, colour\) differs from .*train\.csv's \(size, weight, noise, const, colour\)/);
  const unseen = join(dir, 'unseen.csv');
  table(unseen, 10, 4, undefined, ['red', 'purple']);
  r = await slope('train', '--dataset', `csv:${csv}`, '--test', `csv:${unseen}`, ...run);
  assert.is(r.code, 1);
  assert.match(r.err, /unseen\.csv: class 'purple' does not occur in .*train\.csv \(its classes: blue, green, red\)/);
  assert.is(r.err.trim().split('\n').length, 1, 'one line');
  r = await slope('train', '--dataset', `csv:${csv}`, '--test', `images:${dir}`, ...run);
  assert.is(r.code, 2, 'a test set of another kind is a usage error');
  r = await slope('train', '--dataset', 'mnist', '--test', `csv:${csv}`, ...run);
  assert.is(r.code, 2);
});

test('images:DIR trains on class folders (train/ and test/), names travel with the model, evaluate checks them', async () => {
  const images = join(dir, 'images');
  writeClassFolder(join(images, 'train'), ['cat', 'dog', 'owl'], 12, 6, 5);
  writeClassFolder(join(images, 'test'), ['cat', 'dog', 'owl'], 3, 6, 5);
  const ck = join(dir, 'img.st');
  const r = await slope('train', '--dataset', `images:${images}`, ...run, '--checkpoint', ck);
  assert.is(r.code, 0, r.err);
  assert.match(r.err.split('\n')[0], /images: 36 training and 9 test samples of shape \[1,6,5\], 3 classes \(cat, dog, owl\); features not standardized$/);
  assert.equal(r.json!.classNames, ['cat', 'dog', 'owl']);
  assert.ok((r.json!.testAccuracy as number) >= 0.9, `${r.json!.testAccuracy}`);
  const input = readInputSpec(new Uint8Array(readFileSync(ck)))!;
  assert.equal([input.kind, input.shape, input.resize], ['images', [1, 6, 5], null]);
  const ev = await slope('evaluate', '--checkpoint', ck, '--backend', 'cpu', '--json');
  assert.is(ev.code, 0, ev.err);
  assert.is(ev.json!.accuracy, r.json!.testAccuracy);
  // The same folders resized and as RGB: another shape, and evaluate of the first model refuses it.
  const rgb = await slope('train', '--dataset', `images:${images}`, ...run, '--resize', '4x4', '--channels', '3', '--epochs', '1');
  assert.is(rgb.code, 0, rgb.err);
  assert.match(rgb.err, /samples of shape \[3,4,4\]/);
  const bad = await slope('evaluate', '--checkpoint', ck, '--backend', 'cpu', '--resize', '4x4');
  assert.is(bad.code, 1);
  assert.match(bad.err, /img\.st\) are 6×5/);
  assert.is((await slope('train', '--dataset', `images:${images}`, ...run, '--resize', '4')).code, 2, 'bad --resize');
  assert.is((await slope('train', '--dataset', `images:${images}`, ...run, '--channels', '2')).code, 2, 'bad --channels');
});

test.run();
