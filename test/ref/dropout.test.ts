/**
 * The dropout reference (src/ref/dropout.ts): Philox4x32-10 against Random123's known-answer
 * vectors, the 32×32 → 64-bit product against BigInt, the mask's statistics, scaling rules and
 * determinism as a pure function of (seed, step, stream, index).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as dr from '../../src/ref/dropout.js';
import { Rng } from '../util/rng.js';

test("Philox4x32-10: Random123's known-answer vectors", () => {
  const kat: [number[], number[], number[]][] = [
    [[0, 0, 0, 0], [0, 0], [0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8]],
    [[0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff], [0xffffffff, 0xffffffff], [0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd]],
    [[0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344], [0xa4093822, 0x299f31d0], [0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1]],
  ];
  for (const [c, k, want] of kat) assert.equal(dr.philox4x32(c, k), want);
});

test('mulhi32 is the high word of the exact 64-bit product', () => {
  const r = new Rng(3);
  const edge = [0, 1, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff, 0xd2511f53, 0xcd9e8d57];
  const vals = [...edge, ...Array.from({ length: 200 }, () => Math.floor(r.next() * 2 ** 32))];
  for (const a of vals) {
    for (const b of edge.concat(vals.slice(10, 30))) {
      const want = Number((BigInt(a) * BigInt(b)) >> 32n);
      assert.is(dr.mulhi32(a, b), want, `${a} × ${b}`);
    }
  }
});

test('mask: keeps about 1 − p of the elements, scaled by 1 / (1 − p)', () => {
  const n = 100_003;
  for (const p of [0.1, 0.5, 0.9]) {
    const mask = new Float64Array(n);
    dr.dropoutMask(mask, n, { p, seed: 42, step: 7 });
    const kept = mask.filter((v) => v !== 0).length;
    const sd = Math.sqrt(n * p * (1 - p));
    assert.ok(Math.abs(kept - n * (1 - p)) < 5 * sd, `p=${p}: kept ${kept} of ${n}`);
    assert.ok(mask.every((v) => v === 0 || v === 1 / (1 - p)), `p=${p}: values`);
    // Neighbouring elements (the four words of one Philox block, and successive blocks) are uncorrelated.
    let both = 0;
    for (let i = 1; i < n; i++) if (mask[i] && mask[i - 1]) both++;
    const want = (n - 1) * (1 - p) ** 2;
    assert.ok(Math.abs(both - want) < 6 * Math.sqrt(want), `p=${p}: adjacent pairs ${both}, expected ${want.toFixed(0)}`);
  }
});

test('identity and limits: eval mode, p = 0, p = 1 (zeros)', () => {
  const x = [1, -2, 3.5, Infinity, -0.25];
  const y = new Float64Array(5);
  dr.dropout(y, x, { p: 0.5, seed: 1, step: 1 }, false);
  assert.equal(Array.from(y), x);
  dr.dropout(y, x, { p: 0, seed: 1, step: 1 });
  assert.equal(Array.from(y), x);
  dr.dropout(y, [1, -2, 3.5, 4, -0.25], { p: 1, seed: 1, step: 1 });
  assert.ok(Array.from(y).every((v) => v === 0));
  assert.is(dr.dropThreshold(1), 2 ** 24);
  assert.is(dr.dropThreshold(0), 0);
  assert.throws(() => dr.dropThreshold(1.5), /p must be in \[0, 1\]/);
  assert.throws(() => dr.seedKey(-1), /seed/);
});

test('a pure function of (seed, step, stream, index): same arguments, same mask; any change, a new one', () => {
  const n = 1001;
  const m = (a: dr.DropoutArgs) => { const v = new Float64Array(n); dr.dropoutMask(v, n, a); return v; };
  const base = { p: 0.5, seed: 2 ** 40 + 5, step: 3, stream: 1 };
  assert.equal(m(base), m({ ...base }));
  for (const d of [{ seed: 5 }, { seed: 2 ** 41 + 5 }, { step: 4 }, { stream: 2 }]) {
    const other = m({ ...base, ...d });
    let same = 0;
    for (let i = 0; i < n; i++) if ((other[i] === 0) === (m(base)[i] === 0)) same++;
    assert.ok(same < 0.6 * n, `${JSON.stringify(d)}: ${same} of ${n} decisions equal`);
  }
  // dropoutBits addresses single elements of the same stream (any element, in any order).
  const mask = m(base);
  const t = dr.dropThreshold(0.5);
  for (const i of [0, 1, 2, 3, 4, 997, 1000]) assert.is(dr.dropoutBits(i, base) >>> 8 >= t, mask[i] !== 0, `element ${i}`);
  // The gradient uses the same mask: dx = dy · mask.
  const dy = Array.from({ length: n }, (_, i) => i + 1);
  const dx = new Float64Array(n);
  dr.dropout(dx, dy, base);
  for (let i = 0; i < n; i++) assert.is(dx[i], dy[i] * mask[i]);
});

test.run();
