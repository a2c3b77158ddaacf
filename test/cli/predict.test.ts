/**
 * slope predict and the library's predict: class names as in training, probabilities, top K,
 * accuracy when labels are present, streamed output written atomically, and bad input refused
 * with one line naming the file (exit 1; 2 for usage) and no output file.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, writeFileSync, readFileSync, existsSync, readdirSync, copyFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';
import { init } from '../../src/engine.js';
import { loadModel, predict } from '../../src/train/predict.js';
import { Rng } from '../util/rng.js';
import { gpuTest } from '../util/suite.js';
import { image, writeClassFolder, writeImage } from '../data/image_fixtures.js';
import { idxBytes } from '../data/idx_fixtures.js';
import { loadIdxDir } from '../../src/data/node.js';
import { decodeSafetensors, encodeSafetensors } from '../../src/io/safetensors.js';

async function slope(...argv: string[]): Promise<{ code: number; out: string[]; err: string }> {
  const out: string[] = [];
  let err = '';
  const code = await main(argv, { out: (l) => out.push(l), err: { write: (s: string) => { err += s; }, isTTY: false } });
  return { code, out, err };
}
const last = (r: { out: string[] }) => JSON.parse(r.out[r.out.length - 1]);

const dir = mkdtempSync(join(tmpdir(), 'slope-predict-'));
const names = ['iris-a', 'iris, b', 'iris"c']; // names that need CSV quoting

function table(file: string, rows: number, seed: number, opts: { header?: string | null; label?: boolean } = {}): void {
  const r = new Rng(seed);
  const header = opts.header === undefined ? 'sepal,petal,stem,kind' : opts.header;
  const lines = header ? [opts.label === false ? header.split(',').slice(0, 3).join(',') : header] : [];
  for (let i = 0; i < rows; i++) {
    const c = i % 3;
    const v = [...r.normal(3, 0.3)].map((x, k) => (x + (k === c ? 2 : 0)) * [1, 100, 0.01][k]);
    const cells = v.map((x) => x.toFixed(5));
    if (opts.label !== false) cells.push(`"${names[c].replace(/"/g, '""')}"`);
    lines.push(cells.join(','));
  }
  writeFileSync(file, lines.join('\n') + '\n');
}
const trainCsv = join(dir, 'train.csv');
const testCsv = join(dir, 'test.csv');
const featuresCsv = join(dir, 'features.csv');
table(trainCsv, 150, 1);
table(testCsv, 30, 2);
table(featuresCsv, 30, 2, { label: false });
const ck = join(dir, 'run.st');
const run = ['--model', 'mlp:16', '--batch-size', '16', '--lr', '0.01', '--epochs', '6', '--backend', 'cpu', '--quiet', '--json'];
const cpu = ['--backend', 'cpu'];
let trained: { testAccuracy: number };

test('setup: train with a separate test file', async () => {
  const r = await slope('train', '--dataset', `csv:${trainCsv}`, '--test', `csv:${testCsv}`, ...run, '--checkpoint', ck);
  assert.is(r.code, 0, r.err);
  trained = last(r);
  assert.ok(trained.testAccuracy > 0.9, `${trained.testAccuracy}`);
});

test('predict on the test file: names as in training, accuracy equal to training\'s test accuracy', async () => {
  const r = await slope('predict', '--checkpoint', ck, '--input', `csv:${testCsv}`, ...cpu);
  assert.is(r.code, 0, r.err);
  assert.is(r.out[0], 'row,predicted,probability,label');
  assert.is(r.out.length, 31);
  const cells = r.out[1].split(',');
  assert.is(cells[0], '1');
  assert.ok(r.out.slice(1).every((l) => /^\d+,("iris, b"|iris-a|"iris""c"),[\d.e-]+,("iris, b"|iris-a|"iris""c")$/.test(l)), r.out.slice(1, 4).join('\n'));
  const m = /accuracy ([\d.]+)% \((\d+) of 30\) against its 'kind' column/.exec(r.err);
  assert.ok(m, r.err);
  assert.is(Number(m![2]) / 30, trained.testAccuracy);
  assert.match(r.err, /predicted 30 rows of test\.csv with run\.st \(standardized\)/);
  // Without the label column: the same predictions, no accuracy.
  const f = await slope('predict', '--checkpoint', ck, '--input', `csv:${featuresCsv}`, ...cpu);
  assert.is(f.code, 0, f.err);
  assert.is(f.out[0], 'row,predicted,probability');
  assert.equal(f.out.slice(1), r.out.slice(1).map((l) => l.replace(/,[^,]+$|,"[^"]*(?:""[^"]*)*"$/, '')));
  assert.not.match(f.err, /accuracy/);
});

test('--output, --top and --json: JSON lines in the file, the summary on stdout; the library agrees', async () => {
  const out = join(dir, 'preds.jsonl');
  const r = await slope('predict', '--checkpoint', ck, '--input', `csv:${testCsv}`, ...cpu, '--output', out, '--top', '5', '--json', '--batch-size', '7');
  assert.is(r.code, 0, r.err);
  const rows = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.is(rows.length, 30);
  assert.is(rows[0].row, 1);
  assert.is(rows[0].top.length, 3, 'top K is at most the number of classes');
  assert.ok(names.includes(rows[0].predicted) && names.includes(rows[0].label));
  const sum = rows[0].top.reduce((a: number, t: { probability: number }) => a + t.probability, 0);
  assert.ok(Math.abs(sum - 1) < 1e-4, `probabilities sum to ${sum}`);
  assert.ok(rows.every((x) => x.top[0].class === x.predicted && x.top[0].probability >= x.top[1].probability));
  const s = last(r);
  assert.is(s.count, 30);
  assert.is(s.accuracy, trained.testAccuracy);
  assert.match(r.out[0], /written to .*preds\.jsonl/);
  // The library: the same model and standardization give the same classes.
  const engine = await init({ backend: 'cpu' });
  try {
    const m = loadModel(engine, new Uint8Array(readFileSync(ck)));
    assert.equal(m.input!.classNames, [...names].sort());
    const x = new Float32Array(readFileSync(featuresCsv, 'utf8').trim().split('\n').slice(1).flatMap((l) => l.split(',').map(Number)));
    const p = await predict(engine, m.model, x, { sampleShape: m.input!.shape, standardizer: m.input!.standardize });
    assert.equal([...p.classes].map((c) => m.input!.classNames![c]), rows.map((x) => x.predicted));
    assert.is(p.probabilities.length, 90);
  } finally {
    engine.dispose();
  }
});

gpuTest('on the GPU: the same classes and probabilities as on the cpu backend (standardization included)', async () => {
  const gpu = await slope('predict', '--checkpoint', ck, '--input', `csv:${testCsv}`, '--json', '--top', '3');
  const ref = await slope('predict', '--checkpoint', ck, '--input', `csv:${testCsv}`, ...cpu, '--json', '--top', '3');
  assert.is(gpu.code, 0, gpu.err);
  const rows = (r: { out: string[] }) => r.out.slice(0, -1).map((l) => JSON.parse(l));
  const [g, c] = [rows(gpu), rows(ref)];
  assert.is(g.length, 30);
  g.forEach((row, i) => {
    assert.is(row.predicted, c[i].predicted, `row ${i + 1}`);
    row.top.forEach((t: { class: string; probability: number }, k: number) => assert.ok(Math.abs(t.probability - c[i].top[k].probability) < 1e-5, `row ${i + 1}: ${t.probability} vs ${c[i].top[k].probability}`));
  });
  assert.is(last(gpu).accuracy, last(ref).accuracy);
});

test('bad input: one line naming the file, exit 1, and no output file', async () => {
  const out = join(dir, 'never.csv');
  const wide = join(dir, 'wide.csv');
  writeFileSync(wide, '1,2,3,4,5\n6,7,8,9,10\n');
  const otherHeader = join(dir, 'other.csv');
  table(otherHeader, 5, 3, { header: 'a,b,c,kind' });
  const unseen = join(dir, 'unseen.csv');
  writeFileSync(unseen, 'sepal,petal,stem,kind\n1,2,3,tulip\n');
  const nan = join(dir, 'nan.csv');
  writeFileSync(nan, 'sepal,petal,stem\n1,2,3\n1,x,3\n');
  const hex = join(dir, 'hex.csv');
  writeFileSync(hex, '1,2,3\n0x10,2,3\n');
  for (const [input, re] of [
    [`csv:${wide}`, /wide\.csv: rows have 5 cells, but the model in .*run\.st takes 3 features \(sepal, petal, stem\), optionally with the label column/],
    [`csv:${otherHeader}`, /other\.csv: the header \(a, b, c, kind\) differs from the training file's \(sepal, petal, stem, kind\) stored in .*run\.st/],
    [`csv:${unseen}`, /unseen\.csv: class 'tulip' does not occur in .*run\.st/],
    [`csv:${nan}`, /nan\.csv: line 3, column 2 \('petal'\): 'x' is not a finite float32 number/],
    [`csv:${hex}`, /hex\.csv: line 2, column 1: '0x10' is not a finite float32 number/],
    [`csv:${join(dir, 'missing.csv')}`, /missing\.csv/],
    [`images:${dir}`, /run\.st: the model was not trained on images/],
  ] as [string, RegExp][]) {
    const r = await slope('predict', '--checkpoint', ck, '--input', input, ...cpu, '--output', out);
    assert.is(r.code, 1, `${input}: ${r.err}`);
    assert.match(r.err, re);
    assert.is(r.err.trim().split('\n').length, 1, `one line: ${r.err}`);
    assert.not.ok(existsSync(out), 'no output file');
  }
  assert.equal(readdirSync(dir).filter((f) => f.endsWith('.tmp')), [], 'no temporary files left');
  let r = await slope('predict', '--checkpoint', ck, ...cpu);
  assert.is(r.code, 2);
  assert.match(r.err, /predict needs --input/);
  r = await slope('predict', '--input', `csv:${testCsv}`, ...cpu);
  assert.is(r.code, 2);
  r = await slope('predict', '--checkpoint', ck, '--input', `parquet:${testCsv}`, ...cpu);
  assert.is(r.code, 2);
  // A checkpoint without standardization, asked for it.
  const rawCk = join(dir, 'raw.st');
  assert.is((await slope('train', '--dataset', `csv:${trainCsv}`, ...run, '--epochs', '1', '--standardize', 'false', '--checkpoint', rawCk)).code, 0);
  r = await slope('predict', '--checkpoint', rawCk, '--input', `csv:${testCsv}`, ...cpu, '--standardize', '--output', out);
  assert.is(r.code, 1);
  assert.match(r.err, /raw\.st: the checkpoint stores no standardization/);
  assert.not.ok(existsSync(out));
});

test('images: class folders give accuracy, a flat folder none; a wrong size or a broken image half-way writes nothing', async () => {
  const images = join(dir, 'images');
  writeClassFolder(join(images, 'train'), ['cat', 'dog', 'owl'], 12, 6, 5);
  writeClassFolder(join(images, 'test'), ['cat', 'dog', 'owl'], 3, 6, 5);
  const ick = join(dir, 'img.st');
  const t = await slope('train', '--dataset', `images:${images}`, ...run, '--checkpoint', ick);
  assert.is(t.code, 0, t.err);
  let r = await slope('predict', '--checkpoint', ick, '--input', `images:${join(images, 'test')}`, ...cpu, '--json', '--batch-size', '4');
  assert.is(r.code, 0, r.err);
  assert.is(last(r).accuracy, last(t).testAccuracy);
  assert.equal(JSON.parse(r.out[0]), { ...JSON.parse(r.out[0]), file: 'cat/img000.png', label: 'cat' });
  const flat = join(dir, 'flat');
  mkdirSync(flat);
  copyFileSync(join(images, 'test', 'owl', 'img001.png'), join(flat, 'b.png'));
  copyFileSync(join(images, 'test', 'dog', 'img000.png'), join(flat, 'a.png'));
  r = await slope('predict', '--checkpoint', ick, '--input', `images:${flat}`, ...cpu);
  assert.is(r.code, 0, r.err);
  assert.is(r.out[0], 'file,predicted,probability');
  assert.match(r.out[1], /^a\.png,(cat|dog|owl),/);
  assert.not.match(r.err, /accuracy/);
  // A broken image in the second chunk: the first chunk was predicted, but nothing is written.
  writeImage(join(flat, 'c.png'), image(9, 9, 1, () => 0));
  const out = join(dir, 'img-preds.csv');
  r = await slope('predict', '--checkpoint', ick, '--input', `images:${flat}`, ...cpu, '--batch-size', '2', '--output', out);
  assert.is(r.code, 1);
  assert.match(r.err, /flat\/c\.png: the image is 9×9 \(H×W\), but the model's images \(.*img\.st\) are 6×5/);
  assert.not.ok(existsSync(out));
  writeFileSync(join(flat, 'c.png'), 'garbage');
  r = await slope('predict', '--checkpoint', ick, '--input', `images:${flat}`, ...cpu, '--batch-size', '2', '--output', out);
  assert.is(r.code, 1);
  assert.match(r.err, /flat\/c\.png: cannot decode the PNG image|flat\/c\.png: not a PNG or JPEG image/);
  assert.not.ok(existsSync(out));
});

test('idx:DIR: its t10k files, labels give the accuracy; the library takes the same data as a Dataset', async () => {
  // Two classes of 4×4 images: class c is bright in its half.
  const idx = join(dir, 'idx');
  mkdirSync(idx);
  const r = new Rng(9);
  const write = (prefix: string, n: number) => {
    const labels = Array.from({ length: n }, (_, i) => i % 2);
    const px = labels.flatMap((c) => Array.from({ length: 16 }, (_, k) => ((k < 8) === (c === 0) ? 200 : 20) + Math.floor(r.next() * 30)));
    writeFileSync(join(idx, `${prefix}-images-idx3-ubyte`), idxBytes(0x08, [n, 4, 4], px));
    writeFileSync(join(idx, `${prefix}-labels-idx1-ubyte`), idxBytes(0x08, [n], labels));
  };
  write('train', 40);
  write('t10k', 10);
  const ick = join(dir, 'idx.st');
  const t = await slope('train', '--dataset', `idx:${idx}`, ...run, '--checkpoint', ick);
  assert.is(t.code, 0, t.err);
  const p = await slope('predict', '--checkpoint', ick, '--input', `idx:${idx}`, ...cpu, '--json');
  assert.is(p.code, 0, p.err);
  assert.is(p.out.length, 11);
  assert.equal(Object.keys(JSON.parse(p.out[0])), ['index', 'predicted', 'probability', 'label']);
  assert.is(last(p).accuracy, last(t).testAccuracy);
  const engine = await init({ backend: 'cpu' });
  try {
    const m = loadModel(engine, new Uint8Array(readFileSync(ick)));
    assert.equal(m.input!.shape, [1, 4, 4]);
    const test = (await loadIdxDir(idx)).test;
    const res = await predict(engine, m.model, test);
    assert.is(res.classes.filter((c, i) => c === test.y[i]).length / test.length, last(t).testAccuracy);
  } finally {
    engine.dispose();
  }
  // A checkpoint from when grayscale samples were [H, W] takes today's [1, H, W] samples as they were.
  const file = decodeSafetensors(readFileSync(ick));
  const input = JSON.parse(file.metadata.input);
  const tensors = [...file.tensors].map(([name, e]) => {
    const buf = new Uint8Array(e.bytes).buffer;
    const data = e.dtype === 'I32' ? new Int32Array(buf) : e.dtype === 'F64' ? new Float64Array(buf) : new Float32Array(buf);
    return { name, shape: e.shape, data };
  });
  const old = join(dir, 'idx-hw.st');
  writeFileSync(old, encodeSafetensors(tensors, { ...file.metadata, input: JSON.stringify({ ...input, shape: [4, 4] }) }));
  const q = await slope('predict', '--checkpoint', old, '--input', `idx:${idx}`, ...cpu, '--json');
  assert.is(q.code, 0, q.err);
  assert.is(last(q).accuracy, last(t).testAccuracy);
  const resumed = await slope('train', '--resume', old, '--epochs', '7', '--quiet', '--json');
  assert.is(resumed.code, 0, resumed.err);
});

test.run();
