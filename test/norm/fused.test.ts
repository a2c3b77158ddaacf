/**
 * The planner's fusions of normalization ops: normApply(x, normStats(x)) compiles to one
 * norm_forward that writes y and the statistics, which the backward and the running averages
 * read; BatchNorm's backward to one norm_backward_affine; a dγ, dβ pair to one norm_affine_grads. Each program runs fused and unfused (compile option fuse: false) on the GPU and
 * on the cpu backend: outputs, gradients and running statistics must agree, and the fused program
 * must run the fused ops (statistics + normalize; BatchNorm's dx, dγ, dβ; other layers' dγ, dβ)
 * in place of the unfused ones, and update BatchNorm's running statistics in place. Batch renorm's forward, whose weight and bias depend on the
 * statistics, stays unfused.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { slope } from '../util/engine.js';
import { BACKENDS, engineOn, testOn } from '../util/suite.js';
import { Rng } from '../util/rng.js';
import { expectClose } from '../util/close.js';
import { TOL } from '../tolerances.js';

const { Graph, nn, grad, mseLoss } = slope;

interface Built { prog: slope.Program; feeds: Record<string, Float32Array>; variables: slope.Variable[] }

/** Two normalization layers with a Linear between (so the second sees a computed input), an MSE loss, every gradient. */
async function build(e: slope.Engine, make: () => slope.Module[], shape: number[], fuse: boolean): Promise<Built> {
  slope.manualSeed(3);
  const layers = make();
  const g = new Graph();
  const x = g.input('x', shape);
  const t = g.input('t', shape);
  let h = x;
  for (const l of layers) h = l.forward(h);
  const loss = mseLoss(h, t);
  const ps = layers.flatMap((l) => l.parameters());
  const gs = grad(loss, [x, ...ps.map((p) => g.param(p))]);
  const outputs: Record<string, slope.Tensor> = { y: h, loss, dx: gs[0] };
  ps.forEach((_, i) => { outputs[`d param ${i}`] = gs[i + 1]; });
  const prog = await e.compile(g, { outputs, fuse });
  const rng = new Rng(11);
  const n = shape.reduce((a, d) => a * d, 1);
  const feeds = { x: Float32Array.from(rng.normal(n, 2), (v) => v + 50), t: rng.normal(n) };
  const variables = layers.flatMap((l) => l.buffers?.() ?? []);
  return { prog, feeds, variables };
}

const FUSED_OPS = ['norm_forward', 'norm_backward_affine', 'norm_affine_grads'];
/** fused: how many of each FUSED_OPS the fused program runs. */
const CASES: { name: string; shape: number[]; make: () => slope.Module[]; fused: [number, number, number] }[] = [
  { name: 'BatchNorm1d', shape: [6, 5], make: () => [new nn.BatchNorm1d(5), new nn.BatchNorm1d(5, { affine: false })], fused: [2, 1, 0] },
  { name: 'BatchNorm2d', shape: [3, 4, 5, 3], make: () => [new nn.BatchNorm2d(4), new nn.BatchNorm2d(4, { momentum: null })], fused: [2, 2, 0] },
  { name: 'LayerNorm', shape: [4, 3, 7], make: () => [new nn.LayerNorm([3, 7]), new nn.LayerNorm(7, { elementwiseAffine: false })], fused: [2, 0, 1] },
  { name: 'GroupNorm', shape: [2, 6, 5], make: () => [new nn.GroupNorm(3, 6), new nn.InstanceNorm1d(6, { affine: true })], fused: [2, 0, 2] },
  // LayerNorm without a bias: dγ alone, nothing to pair it with.
  { name: 'LayerNorm (no bias)', shape: [4, 7], make: () => [new nn.LayerNorm(7, { bias: false })], fused: [1, 0, 0] },
  // r and d (which scale γ, β) come from the statistics: the forward cannot fuse, the backward can.
  { name: 'BatchRenorm1d (forward not fused)', shape: [6, 5], make: () => [new nn.BatchRenorm1d(5, { warmup: 0, rmaxSteps: 1, dmaxSteps: 1 })], fused: [0, 1, 0] },
];

for (const c of CASES) {
  for (const backend of BACKENDS) {
    testOn(backend)(`${c.name}: fused and unfused programs agree (outputs, gradients, running statistics over 3 steps) (${backend})`, async () => {
      const e = await engineOn(backend);
      const runs: Record<string, ArrayLike<number>>[] = [];
      const counts: number[][] = [];
      try {
        for (const fuse of [true, false]) {
          const { prog, feeds, variables } = await build(e, c.make, c.shape, fuse);
          try {
            // Running statistics: updated in place with the assigns (bn_update), not by graph ops.
            if (fuse) assert.ok(!prog.ops.some((op) => op === 'bn_running' || op === 'bn_count'), `running statistics left as graph ops: ${prog.ops.join(' ')}`);
            for (let k = 0; k < 3; k++) await prog.run(feeds);
            const r: Record<string, ArrayLike<number>> = {};
            for (const name of prog.outputNames) r[name] = await prog.read(name);
            for (const [i, v] of variables.entries()) r[`buffer ${i}`] = await e.read(v);
            runs.push(r);
            counts.push(FUSED_OPS.map((o) => prog.ops.filter((op) => op === o).length));
            if (!fuse) assert.equal(counts[1], [0, 0, 0], 'fuse: false must not fuse');
            else assert.is(prog.ops.filter((op) => op === 'norm_stats').length, c.name.includes('Renorm') ? 1 : 0, `${e.adapter}: statistics left unfused`);
          } finally {
            prog.dispose();
          }
        }
        assert.equal(counts[0], c.fused, `${e.adapter}: ${FUSED_OPS.join(', ')} ops in the fused program`);
        assert.equal(Object.keys(runs[0]), Object.keys(runs[1]));
        for (const [k, v] of Object.entries(runs[1])) {
          expectClose(runs[0][k], v, TOL.graph, `${c.name} on ${e.adapter}: ${k} fused vs unfused`);
        }
      } finally {
        e.dispose();
      }
    });
  }
}

for (const backend of BACKENDS) {
  testOn(backend)(`a BatchNorm MLP trained with SGD: fused (dγ, dβ written straight into the gradient arena) and unfused give the same parameters (${backend})`, async () => {
    const e = await engineOn(backend);
    try {
      const params: ArrayLike<number>[][] = [];
      for (const fuse of [true, false]) {
        slope.manualSeed(7);
        const model = new slope.Sequential(new slope.Linear(5, 6), new nn.BatchNorm1d(6), new slope.ReLU(), new slope.Linear(6, 3));
        const g = new Graph();
        const x = g.input('x', [8, 5]);
        const t = g.input('t', [8, 3]);
        const loss = mseLoss(model.forward(x), t);
        const ps = model.parameters();
        const gs = grad(loss, ps.map((p) => g.param(p)));
        const opt = new slope.SGD(ps, { lr: 0.1, momentum: 0.9 });
        const prog = await e.compile(g, { outputs: { loss }, gradients: ps.map((p, i) => [p, gs[i]] as const), hooks: [opt], fuse });
        try {
          if (fuse) assert.not.ok(prog.ops.includes('copy'), `no gradient copies: ${prog.ops.join(' ')}`);
          const rng = new Rng(2);
          for (let k = 0; k < 4; k++) await prog.run({ x: rng.normal(40), t: rng.normal(24) });
          params.push(await Promise.all(ps.map((p) => e.read(p))));
        } finally {
          prog.dispose();
        }
      }
      params[0].forEach((p, i) => expectClose(p, params[1][i], TOL.graph, `${e.adapter}: parameter ${i} after 4 steps`));
    } finally {
      e.dispose();
    }
  });
}

for (const backend of BACKENDS) {
  testOn(backend)(`statistics requested as an output, and read by a second normalize, while fused (${backend})`, async () => {
    const e = await engineOn(backend);
    try {
      const shape = [5, 3];
      const geom = slope.channelGeom(shape);
      const g = new Graph();
      const x = g.input('x', shape);
      const stats = slope.normStats(x, geom);
      const y1 = slope.normApply(x, stats, geom, { eps: 1e-5 });
      const y2 = slope.normApply(x, stats, geom, { eps: 0.5 });
      const prog = await e.compile(g, { outputs: { stats, y1, y2 } });
      const unfused = await e.compile(g, { outputs: { stats, y1, y2 }, fuse: false });
      try {
        assert.is(prog.ops.filter((o) => o === 'norm_forward').length, 1, 'one normalize fuses with the statistics, the other reads them');
        const xs = new Rng(5).normal(15);
        await prog.run({ x: xs });
        await unfused.run({ x: xs });
        for (const k of ['stats', 'y1', 'y2']) expectClose(await prog.read(k), await unfused.read(k), TOL.graph, `${e.adapter}: ${k}`);
      } finally {
        prog.dispose();
        unfused.dispose();
      }
    } finally {
      e.dispose();
    }
  });
}

test.run();
