/**
 * The gather references by hand, gather ops in a graph (a device-resident Variable, webgpu and
 * cpu) and their errors. The kernels against the float64 reference are in the shared case table
 * (test/cases/gather.ts, run by test/kernels/gather.test.ts and in the browser suite).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { slope } from '../util/engine.js';
import { BACKENDS, engineOn, testOn } from '../util/suite.js';
import { Rng } from '../util/rng.js';
import { expectClose } from '../util/close.js';
import { TOL } from '../tolerances.js';
import { gatherBytes, gatherRows } from '../../src/ref/gather.js';
import { packBytes } from '../../src/data/dataset.js';

const { Graph, Variable } = slope;

test('the packed-byte reference reads what was packed', () => {
  const r = new Rng(3);
  for (const D of [1, 3, 4, 5, 784]) {
    const N = 6;
    const bytes = new Uint8Array(N * D).map(() => Math.floor(r.next() * 256));
    const { table, words } = packBytes(bytes, N, D);
    assert.is(words, Math.ceil(D / 4));
    const out = new Float64Array(N * D);
    gatherBytes(out, table, Int32Array.from({ length: N }, (_, i) => i), { N, D, shifts: null, H: 1, W: 1 }, words, 1, 0);
    assert.equal(Array.from(out), Array.from(bytes));
  }
});

test('a shift moves pixels: the reference by hand on a 3×3 image', () => {
  const img = Float64Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  const out = new Float64Array(9);
  gatherRows(out, img, [0], { N: 1, D: 9, shifts: [1, -1], H: 3, W: 3 });
  // down by one row, left by one column
  assert.equal(Array.from(out), [0, 0, 0, 2, 3, 0, 5, 6, 0]);
});

test('a flip mirrors the shifted image, plane by plane: the reference by hand on two 2×3 planes', () => {
  const img = Float64Array.from([1, 2, 3, 4, 5, 6, 11, 12, 13, 14, 15, 16]);
  const out = new Float64Array(12);
  // shift right by one column (dx = 1), then mirror; the flag 0 in the second row leaves it as shifted
  gatherRows(out, img, [0], { N: 1, D: 12, shifts: [0, 1, 1], cols: 3, H: 2, W: 3 });
  assert.equal(Array.from(out), [2, 1, 0, 5, 4, 0, 12, 11, 0, 15, 14, 0]);
  gatherRows(out, img, [0], { N: 1, D: 12, shifts: [0, 1, 0], cols: 3, H: 2, W: 3 });
  assert.equal(Array.from(out), [0, 1, 2, 0, 4, 5, 0, 11, 12, 0, 14, 15]);
});

for (const kind of BACKENDS) {
  testOn(kind)(`gather from a device-resident Variable inside a program (${kind})`, async () => {
    const e = await engineOn(kind);
    try {
      const r = new Rng(5);
      const N = 10, D = 6, B = 4;
      const data = r.normal(N * D);
      const labels = r.ints(N, 3);
      const X = new Variable('data.x', [N, D], 'f32', data);
      const Y = new Variable('data.y', [N], 'i32', labels);
      const g = new Graph();
      const idx = g.input('idx', [B], 'i32');
      const x = slope.gather(g.variable(X), idx);
      const y = slope.gather(g.variable(Y), idx);
      const s = slope.sum(x, 1);
      const prog = await e.compile(g, { outputs: { s, y } });
      for (const pick of [[0, 9, 3, 3], [5, 1, 2, 7]]) {
        await prog.run({ idx: Int32Array.from(pick) });
        const gotS = await prog.read('s');
        const gotY = await prog.read('y');
        const wantS = pick.map((i) => data.subarray(i * D, i * D + D).reduce((a, v) => a + v, 0));
        expectClose(gotS, wantS, TOL.reduce, 'row sums');
        assert.equal(Array.from(gotY), pick.map((i) => labels[i]));
      }
    } finally {
      e.dispose();
    }
  });
}

test('gather: bad shapes and gradients into the table are clear errors', () => {
  const g = new Graph();
  const t = g.input('t', [5, 3]);
  const fidx = g.input('f', [2]);
  assert.throws(() => slope.gather(t, fidx), /index must be int32/);
  const idx = g.input('i', [2], 'i32');
  assert.throws(() => slope.gather(t, idx, { shifts: g.input('s', [2, 2], 'i32'), height: 2, width: 2 }), /not whole 2 × 2 images/);
  assert.throws(() => slope.gatherBytes(g.input('p', [5, 1], 'i32'), idx, { features: 5 }), /fewer than 5 features/);
  const P = new slope.Parameter('emb', [5, 3], 1);
  const out = slope.sum(slope.gather(g.param(P), idx));
  assert.throws(() => slope.grad(out, [g.param(P)]), /gradients with respect to it are not implemented/);
});

test.run();
