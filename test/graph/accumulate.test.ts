/**
 * Accumulator assigns (v ← v + t, as the trainer keeps its metric totals and accumulated
 * gradients): the planner replaces the add and the copy by one in-place add_into run with the
 * assigns. Fused and unfused programs give bit-identical variables on the GPU; both match the
 * float64 cpu backend; readers of v in the same step see the value from before the step.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cpu, slope } from '../util/engine.js';
import { BACKENDS, engineOn, gpu, gpuTest, testOn } from '../util/suite.js';
import { Rng } from '../util/rng.js';
import { expectClose } from '../util/close.js';
import { TOL } from '../tolerances.js';

const { Graph, Variable, add, scale, sum } = slope;

/** v (1000 floats, above one workgroup's x8 span) accumulates x·2 each run; `before` reads v. */
async function run(e: slope.Engine, fuse: boolean, xs: Float32Array[]) {
  const v = new Variable('acc', [1000], 'f32', 0.25);
  const g = new Graph();
  const x = g.input('x', [1000]);
  const t = scale(x, 2);
  const before = sum(g.variable(v));
  g.assign(v, add(g.variable(v), t));
  const prog = await e.compile(g, { outputs: { before }, fuse });
  try {
    const seen: number[] = [];
    for (const d of xs) {
      await prog.run({ x: d });
      seen.push(await prog.item('before'));
    }
    return { value: await e.read(v), seen, ops: prog.ops };
  } finally {
    prog.dispose();
  }
}

const xs = (() => {
  const rng = new Rng(4);
  return [0, 1, 2].map(() => rng.normal(1000));
})();

/** The float64 run, with the sum read before each step checked by hand. */
async function float64Run() {
  const ref = await cpu();
  let want: Awaited<ReturnType<typeof run>>;
  try {
    want = await run(ref, true, xs);
  } finally {
    ref.dispose();
  }
  // Before each step the sum is 250 plus what earlier steps added.
  let expected = 250;
  xs.forEach((d, k) => {
    assert.ok(Math.abs(want.seen[k] - expected) < 1e-6 * Math.max(1, Math.abs(expected)), `cpu step ${k}: v read ${want.seen[k]}, expected ${expected}`);
    expected += 2 * d.reduce((a, b) => a + b, 0);
  });
  return want;
}

test('cpu: v ← v + t sees the value from before the step', async () => {
  await float64Run();
});

gpuTest('v ← v + t: one in-place add, bit-identical to add + copy, matches float64, old value seen in the step', async () => {
  const want = await float64Run();
  const e = await gpu();
  try {
    const fused = await run(e, true, xs);
    const plain = await run(e, false, xs);
    assert.ok(!fused.ops.includes('binary'), `the add should be folded into the assign: ${fused.ops.join(' ')}`);
    assert.ok(plain.ops.includes('binary'), 'fuse: false keeps the add');
    assert.equal(Array.from(fused.value), Array.from(plain.value), 'fused and unfused accumulators differ');
    expectClose(fused.value, want.value, TOL.elementwise, 'accumulator after 3 runs, GPU vs float64');
    expectClose(fused.seen, want.seen, TOL.reduce, 'v read during each step, GPU vs float64');
  } finally {
    e.dispose();
  }
});

for (const backend of BACKENDS) {
  testOn(backend)(`${backend}: an accumulator that adds another accumulated variable sees its value from before the step`, async () => {
    const e = await engineOn(backend);
    try {
      const results: number[][] = [];
      for (const fuse of [true, false]) {
        const u = new Variable('u', [3], 'f32', 1), v = new Variable('v', [3], 'f32', 0);
        const g = new Graph();
        const x = g.input('x', [3]);
        g.assign(u, add(g.variable(u), x));
        g.assign(v, add(g.variable(v), g.variable(u)));
        const prog = await e.compile(g, { fuse });
        try {
          for (let k = 0; k < 3; k++) await prog.run({ x: [1, 2, 3] });
          results.push([...(await e.read(u)), ...(await e.read(v))]);
        } finally {
          prog.dispose();
        }
      }
      // u: 1 → 1 + 3x; v adds u's old values 1, 1 + x, 1 + 2x: 3 + 3x.
      assert.equal(results[0], [4, 7, 10, 6, 9, 12], `${e.adapter}: fused`);
      assert.equal(results[1], results[0], `${e.adapter}: unfused`);
    } finally {
      e.dispose();
    }
  });
}

test.run();
