/** Feature standardization: device statistics merged over chunks, zero-variance dimensions, test data. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cpu, slope } from '../util/engine.js';
import { BACKENDS, engineOn, testOn } from '../util/suite.js';
import { Rng } from '../util/rng.js';
import { rejects } from '../util/rejects.js';
import { expectClose } from '../util/close.js';
import { elementwiseOnly, TOL } from '../tolerances.js';

/** Columns: N(0,1); 5000 + N(0, 0.01²) (μ/σ = 5·10⁵); constant 7.25; 1e-3·N(0,1); U(0, 255)·100. */
function dataset(rng: Rng, rows: number): Float32Array {
  const D = 5;
  const x = new Float32Array(rows * D);
  for (let r = 0; r < rows; r++) {
    const z = rng.normal(3);
    x.set([z[0], 5000 + 0.01 * z[1], 7.25, 1e-3 * z[2], 255 * 100 * rng.next()], r * D);
  }
  return x;
}

function exact(x: Float32Array, D: number) {
  const n = x.length / D;
  const mean = new Float64Array(D), std = new Float64Array(D);
  for (let i = 0; i < x.length; i++) mean[i % D] += x[i];
  mean.forEach((m, c) => { mean[c] = m / n; });
  for (let i = 0; i < x.length; i++) std[i % D] += (x[i] - mean[i % D]) ** 2;
  return { mean, std: std.map((v) => Math.sqrt(v / n)) };
}

for (const backend of BACKENDS) {
  testOn(backend)(`fitStandardizer: per-dimension mean and std over chunks match float64; transform uses the training statistics (${backend})`, async () => {
    const e = await engineOn(backend);
    try {
      const rng = new Rng(3);
      const train = dataset(rng, 1000), testX = dataset(rng, 77);
      for (const chunkRows of [1000, 128, 333]) {
        const s = await slope.fitStandardizer(e, train, 5, { chunkRows });
        const ref = exact(train, 5);
        assert.is(s.count, 1000);
        const meanErr = Float64Array.from(s.mean, (m, c) => (m - ref.mean[c]) / (ref.std[c] || 1));
        expectClose(meanErr, new Float64Array(5), elementwiseOnly(TOL.standardize), `${e.kind} chunks of ${chunkRows}: mean / σ`);
        expectClose(s.std, ref.std, TOL.standardize, `${e.kind} chunks of ${chunkRows}: std`);
        assert.equal([...s.constant], [0, 0, 1, 0, 0]);
        for (const [name, data] of [['train', train], ['test', testX]] as const) {
          const y = await s.transform(e, data, { chunkRows: 100 });
          const want = Float64Array.from(data, (v, i) => (v - ref.mean[i % 5]) / (ref.std[i % 5] || 1));
          expectClose(y, want, TOL.standardize, `${e.kind} ${name} transformed`);
          if (name === 'train') for (let r = 0; r < 1000; r++) assert.is(y[r * 5 + 2], 0, 'a constant column is centred, not divided by 0');
        }
      }
      const y = await (await slope.fitStandardizer(e, train, 5)).transform(e, train);
      const st = exact(y, 5);
      expectClose(st.mean, [0, 0, 0, 0, 0], elementwiseOnly(TOL.standardized), `${e.kind} standardized mean`);
      expectClose(st.std, [1, 1, 0, 1, 1], TOL.standardized, `${e.kind} standardized std`);
    } finally {
      e.dispose();
    }
  });
}

test('fitStandardizer: bad shapes and non-finite values are refused with clear errors', async () => {
  const e = await cpu();
  try {
    await rejects(() => slope.fitStandardizer(e, new Float32Array(7), 3), slope.SlopeError, /not a positive multiple of dims = 3/);
    await rejects(() => slope.fitStandardizer(e, Float32Array.from([1, 2, NaN, 4]), 2), slope.SlopeError, /NaN at row 1, dimension 0/);
    await rejects(() => slope.fitStandardizer(e, new Float32Array(4), 2, { chunkRows: 0 }), slope.SlopeError, /chunkRows/);
  } finally {
    e.dispose();
  }
});

test.run();
