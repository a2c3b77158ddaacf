/** DataLoader: seeded per-epoch shuffles, batch counts, drop_last, and bad options. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { slope } from '../util/engine.js';

const { DataLoader } = slope;

function isPermutation(p: ArrayLike<number>, n: number): boolean {
  const seen = new Uint8Array(n);
  for (let i = 0; i < p.length; i++) {
    if (p[i] < 0 || p[i] >= n || seen[p[i]]) return false;
    seen[p[i]] = 1;
  }
  return p.length === n;
}

test('same seed → same order; different epochs and seeds → different orders', () => {
  for (const n of [1, 2, 7, 1000]) {
    const a = new DataLoader(n, { batchSize: 3, seed: 5 });
    const b = new DataLoader(n, { batchSize: 3, seed: 5 });
    const c = new DataLoader(n, { batchSize: 3, seed: 6 });
    for (const e of [0, 1, 7]) {
      assert.ok(isPermutation(a.order(e), n), `n=${n} epoch ${e}`);
      assert.equal(Array.from(a.order(e)), Array.from(b.order(e)));
    }
    if (n >= 7) {
      assert.not.equal(Array.from(a.order(0)), Array.from(a.order(1)), 'epochs differ');
      assert.not.equal(Array.from(a.order(0)), Array.from(c.order(0)), 'seeds differ');
    }
  }
  // Asking for an earlier epoch again gives its order again (no hidden running state).
  const l = new DataLoader(50, { batchSize: 8, seed: 1 });
  const e0 = Array.from(l.order(0));
  l.order(3);
  assert.equal(Array.from(l.order(0)), e0);
});

test('the shuffle is not biased in an obvious way (first position roughly uniform)', () => {
  const n = 5;
  const counts = new Array(n).fill(0);
  const l = new DataLoader(n, { batchSize: 1, seed: 3 });
  for (let e = 0; e < 5000; e++) counts[l.order(e)[0]]++;
  for (const c of counts) assert.ok(c > 850 && c < 1150, `counts ${counts}`);
});

test('batches cover the epoch; the last one holds the remainder unless dropLast', () => {
  const l = new DataLoader(10, { batchSize: 4, seed: 0 });
  assert.is(l.batchesPerEpoch, 3);
  const sizes = [...l.epoch(2)].map((b) => b.indices.length);
  assert.equal(sizes, [4, 4, 2]);
  assert.equal([...l.epoch(2)].flatMap((b) => Array.from(b.indices)), Array.from(l.order(2)));
  const d = new DataLoader(10, { batchSize: 4, dropLast: true });
  assert.is(d.batchesPerEpoch, 2);
  assert.equal([...d.epoch(0)].map((b) => b.indices.length), [4, 4]);
  assert.equal([...l.epoch(1, 2)].map((b) => b.index), [2], 'resuming mid-epoch');
  const plain = new DataLoader(6, { batchSize: 4, shuffle: false });
  assert.equal(Array.from(plain.order(3)), [0, 1, 2, 3, 4, 5]);
  const big = new DataLoader(3, { batchSize: 10 });
  assert.is(big.batchesPerEpoch, 1);
  assert.is(big.batch(0, 0).length, 3);
});

test('empty datasets and impossible options are clear errors', () => {
  assert.throws(() => new DataLoader(0, { batchSize: 1 }), /dataset is empty/);
  assert.throws(() => new DataLoader(5, { batchSize: 0 }), /batchSize must be a positive integer/);
  assert.throws(() => new DataLoader(5, { batchSize: 6, dropLast: true }), /would give no batches/);
  assert.throws(() => new DataLoader(5, { batchSize: 2 }).batch(0, 3), /batch 3 is out of range/);
});

test.run();
