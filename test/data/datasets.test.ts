/** The built-in digits split, Fashion-MNIST from its Debian location, and Dataset checks. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync } from 'node:fs';
import { slope } from '../util/engine.js';
import { loadBuiltinDigits, loadFashionMnist, DEBIAN_FASHION_MNIST_DIR } from '../../src/data/node.js';

const { Dataset, splitDigits, packBytes } = slope;

test('built-in digits: 8,004 train / 1,996 test, every fifth sample of each class held out', async () => {
  const { train, test: held } = await loadBuiltinDigits();
  assert.is(train.length, 8004);
  assert.is(held.length, 1996);
  assert.equal(train.sampleShape, [1, 28, 28]);
  const perClass = (ds: slope.Dataset) => Array.from({ length: 10 }, (_, c) => ds.y.filter((v) => v === c).length);
  const tr = perClass(train), te = perClass(held);
  for (let c = 0; c < 10; c++) assert.is(te[c], Math.floor((tr[c] + te[c]) / 5), `class ${c}`);
  let lo = Infinity, hi = -Infinity;
  for (const v of train.x) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
  assert.ok(lo >= 0 && hi <= 1 && hi > 0.9, `pixel range ${lo}..${hi}`);
  const again = await loadBuiltinDigits();
  assert.equal(Array.from(again.test.x.subarray(0, 5000)), Array.from(held.x.subarray(0, 5000)), 'deterministic');
});

test('splitDigits by hand: positions 4, 9, … of each class are test samples', () => {
  const classes = Array.from({ length: 10 }, (_, d) => Float32Array.from({ length: 12 * 4 }, (_, i) => d * 100 + Math.floor(i / 4)));
  const { train, test: held } = splitDigits(classes, 4);
  assert.is(held.length, 20);
  assert.is(train.length, 100);
  assert.equal(Array.from(held.x.subarray(0, 8)), [4, 4, 4, 4, 9, 9, 9, 9]);
  assert.equal(held.sampleShape, [1, 2, 2]);
});

test('Dataset validates labels and sizes; bytes and floats give the same batches', () => {
  assert.throws(() => new Dataset({ name: 'd', sampleShape: [2], y: Int32Array.from([0, 3]), numClasses: 3, x: new Float32Array(4) }), /label 3 at index 1 is out of range for 3 classes/);
  assert.throws(() => new Dataset({ name: 'd', sampleShape: [2], y: Int32Array.from([0]), numClasses: 3, x: new Float32Array(3) }), /3 feature values for 1 labels/);
  const bytes = Uint8Array.from([0, 255, 10, 20, 30, 40]);
  const b = new Dataset({ name: 'b', sampleShape: [3], y: Int32Array.from([1, 0]), numClasses: 2, bytes: { data: bytes, scale: 0.5, offset: -1 } });
  const f = new Dataset({ name: 'f', sampleShape: [3], y: Int32Array.from([1, 0]), numClasses: 2, x: Float32Array.from(bytes, (v) => v * 0.5 - 1) });
  const xb = new Float32Array(6), yb = new Int32Array(2), xf = new Float32Array(6), yf = new Int32Array(2);
  b.fill([1, 0], xb, yb);
  f.fill([1, 0], xf, yf);
  assert.equal(Array.from(xb), Array.from(xf));
  assert.equal(Array.from(yb), [0, 1]);
  assert.equal(Array.from(b.subset([1]).x), [9, 14, 19]);
  assert.is(b.deviceBytes(), 2 * 4);
  assert.equal(Array.from(packBytes(Uint8Array.from([1, 2, 3, 4, 5]), 1, 5).table), [0x04030201, 5]);
});

test('Fashion-MNIST from the Debian dataset-fashion-mnist location', async () => {
  if (!existsSync(DEBIAN_FASHION_MNIST_DIR) && !process.env.SLOPE_FASHION_MNIST_DIR) {
    console.log('  skipped: Fashion-MNIST is not installed (Debian package dataset-fashion-mnist)');
    return;
  }
  const { train, test: held } = await loadFashionMnist();
  assert.is(train.length, 60000);
  assert.is(held.length, 10000);
  assert.equal(train.sampleShape, [1, 28, 28]);
  assert.is(train.classNames?.[9], 'Ankle boot');
  const counts = Array.from({ length: 10 }, (_, c) => held.y.filter((v) => v === c).length);
  assert.equal(counts, new Array(10).fill(1000));
});

test.run();
