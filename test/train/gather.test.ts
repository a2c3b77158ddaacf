/** gather / gather_bytes kernels against the float64 reference, and the ops in a graph. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cpu, gpuOrSkip, slope } from '../util/engine.js';
import { Rng } from '../util/rng.js';
import { expectClose } from '../util/close.js';
import { runOp } from '../util/runop.js';
import { TOL } from '../tolerances.js';
import { gatherBytes, gatherRows } from '../../src/ref/gather.js';
import { packBytes } from '../../src/data/dataset.js';

const { Graph, Variable } = slope;

/** Indices in [-1, N]: both ends out of range now and then. */
function indices(r: Rng, B: number, N: number): Int32Array {
  const a = new Int32Array(B);
  for (let i = 0; i < B; i++) a[i] = r.next() < 0.1 ? (r.next() < 0.5 ? -1 : N) : Math.floor(r.next() * N);
  return a;
}

function shifts(r: Rng, B: number, max: number): Int32Array {
  const a = new Int32Array(2 * B);
  for (let i = 0; i < a.length; i++) a[i] = Math.floor(r.next() * (2 * max + 1)) - max;
  return a;
}

const CASES = [
  { N: 1, B: 1, H: 1, W: 1, planes: 1 },
  { N: 7, B: 3, H: 5, W: 7, planes: 2 },
  { N: 13, B: 65, H: 4, W: 4, planes: 1 },
  { N: 40, B: 257, H: 28, W: 28, planes: 1 },
  { N: 5, B: 9, H: 1, W: 257, planes: 1 },
];

test('gather rows (f32 and i32, with and without shifts) match the reference exactly', async () => {
  const gpu = await gpuOrSkip();
  if (!gpu) return;
  try {
    const r = new Rng(11);
    for (const c of CASES) {
      const D = c.planes * c.H * c.W;
      const idx = indices(r, c.B, c.N);
      const sh = shifts(r, c.B, 3);
      for (const dtype of ['f32', 'i32'] as const) {
        const table = dtype === 'f32' ? r.normal(c.N * D) : r.ints(c.N * D, 1000);
        for (const shifted of [false, true]) {
          const ins = [{ data: table, shape: [c.N, D] }, { data: idx, shape: [c.B] }];
          if (shifted) ins.push({ data: sh, shape: [c.B, 2] });
          const attrs = shifted ? { height: c.H, width: c.W } : {};
          const [got] = await runOp(gpu, 'gather', ins, [[c.B, D]], attrs, [dtype]);
          const want = new Float64Array(c.B * D);
          gatherRows(want, table, idx, { N: c.N, D, shifts: shifted ? sh : null, H: c.H, W: c.W });
          expectClose(got, want, TOL.exact, `gather ${dtype} N=${c.N} B=${c.B} D=${D} shift=${shifted}`);
          assert.is(got instanceof Int32Array, dtype === 'i32');
        }
      }
    }
  } finally {
    gpu.dispose();
  }
});

test('gather_bytes (packed uint8 → byte·scale + offset) matches the reference', async () => {
  const gpu = await gpuOrSkip();
  if (!gpu) return;
  try {
    const r = new Rng(12);
    for (const c of CASES) {
      const D = c.planes * c.H * c.W;
      const bytes = new Uint8Array(c.N * D);
      for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(r.next() * 256);
      const { table, words } = packBytes(bytes, c.N, D);
      const idx = indices(r, c.B, c.N);
      const sh = shifts(r, c.B, 2);
      const scale = 1 / 255, offset = -0.4242;
      for (const shifted of [false, true]) {
        const ins = [{ data: table, shape: [c.N, words] }, { data: idx, shape: [c.B] }];
        if (shifted) ins.push({ data: sh, shape: [c.B, 2] });
        const attrs = { features: D, scale, offset, ...(shifted ? { height: c.H, width: c.W } : {}) };
        const [got] = await runOp(gpu, 'gather_bytes', ins, [[c.B, D]], attrs);
        const want = new Float64Array(c.B * D);
        gatherBytes(want, table, idx, { N: c.N, D, shifts: shifted ? sh : null, H: c.H, W: c.W }, words, scale, offset);
        expectClose(got, want, TOL.elementwise, `gather_bytes N=${c.N} B=${c.B} D=${D} shift=${shifted}`);
      }
    }
  } finally {
    gpu.dispose();
  }
});

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

for (const kind of ['webgpu', 'cpu'] as const) {
  test(`gather from a device-resident Variable inside a program (${kind})`, async () => {
    const e = kind === 'cpu' ? await cpu() : await gpuOrSkip();
    if (!e) return;
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
