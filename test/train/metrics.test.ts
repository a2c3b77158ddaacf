/** argmax / correct kernels against the reference, with ties and awkward shapes. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { gpuOrSkip, slope } from '../util/engine.js';
import { Rng } from '../util/rng.js';
import { expectClose } from '../util/close.js';
import { runOp } from '../util/runop.js';
import { TOL } from '../tolerances.js';
import { argmax, correct } from '../../src/ref/metrics.js';

test('argmax and correct match the reference (ties keep the first maximum)', async () => {
  const gpu = await gpuOrSkip();
  if (!gpu) return;
  try {
    const r = new Rng(21);
    for (const [N, C] of [[1, 1], [7, 2], [65, 10], [300, 257], [1000, 3]]) {
      for (const ties of [false, true]) {
        const z = r.normal(N * C, 3);
        if (ties) for (let i = 0; i < z.length; i++) z[i] = Math.round(z[i] / 2);
        const labels = r.ints(N, C);
        const [am] = await runOp(gpu, 'argmax', [{ data: z, shape: [N, C] }], [[N]], {}, ['i32']);
        const want = new Float64Array(N);
        argmax(want, z, N, C);
        expectClose(am, want, TOL.exact, `argmax N=${N} C=${C} ties=${ties}`);
        const [hits] = await runOp(gpu, 'correct', [{ data: z, shape: [N, C] }, { data: labels, shape: [N] }], [[N]]);
        const wantHits = new Float64Array(N);
        correct(wantHits, z, labels, N, C);
        expectClose(hits, wantHits, TOL.exact, `correct N=${N} C=${C} ties=${ties}`);
      }
    }
  } finally {
    gpu.dispose();
  }
});

test('the argmax reference by hand', () => {
  const out = new Float64Array(3);
  argmax(out, [1, 3, 3, /**/ -1, -2, -5, /**/ 0, 0, 7], 3, 3);
  assert.equal(Array.from(out), [1, 0, 2]);
});

test('correct: labels of the wrong shape are a ShapeError', () => {
  const g = new slope.Graph();
  const z = g.input('z', [4, 3]);
  assert.throws(() => slope.correct(z, g.input('y', [3], 'i32')), /labels must be int32 of shape \[4\]/);
  assert.throws(() => slope.argmax(g.input('v', [4])), /expected scores of shape \(N, C\)/);
});

test.run();
