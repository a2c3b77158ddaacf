/**
 * Normalization layers: running statistics against PyTorch's formulas after k steps, eval mode
 * with the running statistics, train/eval through a whole model, batch renorm's r and d,
 * PyTorch's error for one value per channel, and every layer GPU against the cpu backend.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cpu, slope } from '../util/engine.js';
import { BACKENDS, engineOn, gpu, gpuTest, testOn } from '../util/suite.js';
import { Rng } from '../util/rng.js';
import { expectClose } from '../util/close.js';
import { elementwiseOnly, TOL } from '../tolerances.js';
import { renormLimits } from '../../src/ref/batchnorm.js';

const { Graph, nn } = slope;

/** Per-channel biased mean/var of x (N, C, S) in float64. */
function channelStats(x: Float32Array, N: number, C: number, S: number) {
  const mean = new Float64Array(C), v = new Float64Array(C);
  const M = N * S;
  for (let c = 0; c < C; c++) {
    for (let n = 0; n < N; n++) for (let s = 0; s < S; s++) mean[c] += x[(n * C + c) * S + s] / M;
    for (let n = 0; n < N; n++) for (let s = 0; s < S; s++) v[c] += (x[(n * C + c) * S + s] - mean[c]) ** 2 / M;
  }
  return { mean, v, M };
}

for (const momentum of [0.1, 0.3, null]) {
  for (const backend of BACKENDS) {
    testOn(backend)(`BatchNorm2d running statistics after k steps follow PyTorch (momentum ${momentum}) (${backend})`, async () => {
      const e = await engineOn(backend);
      try {
        const [N, C, H, W] = [3, 4, 3, 5];
        const bn = new nn.BatchNorm2d(C, { momentum });
        const g = new Graph();
        const x = g.input('x', [N, C, H, W]);
        const prog = await e.compile(g, { outputs: { y: bn.forward(x) } });
        const rng = new Rng(21);
        const rm = new Float64Array(C), rv = new Float64Array(C).fill(1);
        const k = 5;
        for (let t = 0; t < k; t++) {
          const data = Float32Array.from(rng.normal(N * C * H * W, 1 + t), (v) => v + 2 * t - 3);
          await prog.run({ x: data });
          const { mean, v, M } = channelStats(data, N, C, H * W);
          const m = momentum ?? 1 / (t + 1);
          for (let c = 0; c < C; c++) {
            rm[c] = (1 - m) * rm[c] + m * mean[c];
            rv[c] = (1 - m) * rv[c] + (m * v[c] * M) / (M - 1);
          }
        }
        const tol = TOL.normStats;
        expectClose(await e.read(bn.runningMean!), rm, tol, `${e.kind} running_mean`);
        expectClose(await e.read(bn.runningVar!), rv, tol, `${e.kind} running_var`);
        assert.is((await e.read(bn.numBatchesTracked!))[0], k);
        // Eval mode: (x − running_mean)/√(running_var + ε)·γ + β, with γ, β set to non-defaults.
        const gamma = rng.normal(C), beta = rng.normal(C);
        e.write(bn.weight!, gamma);
        e.write(bn.bias!, beta);
        bn.eval();
        const ge = new Graph();
        const xe = ge.input('x', [1, C, H, W]);
        const pe = await e.compile(ge, { outputs: { y: bn.forward(xe) } });
        const data = rng.normal(C * H * W);
        await pe.run({ x: data });
        const want = Float64Array.from(data, (v, i) => {
          const c = Math.floor(i / (H * W));
          return ((v - rm[c]) / Math.sqrt(rv[c] + 1e-5)) * gamma[c] + beta[c];
        });
        expectClose(await pe.read('y'), want, TOL.normApply, `${e.kind} eval output`);
        assert.is((await e.read(bn.numBatchesTracked!))[0], k, 'eval does not count batches');
      } finally {
        e.dispose();
      }
    });
  }
}

test('one value per channel in training raises PyTorch\'s error; eval mode and N=1 with H·W > 1 work', async () => {
  const e = await cpu();
  try {
    for (const [bn, shape] of [[new nn.BatchNorm1d(3), [1, 3]], [new nn.BatchNorm2d(3), [1, 3, 1, 1]]] as const) {
      const g = new Graph();
      assert.throws(() => bn.forward(g.input('x', shape)), /Expected more than 1 value per channel when training, got input size \[1,3(,1,1)?\]/);
      bn.eval();
      const ge = new Graph();
      const p = await e.compile(ge, { outputs: { y: bn.forward(ge.input('x', shape)) } });
      await p.run({ x: [1, 2, 3] });
    }
    const bn = new nn.BatchNorm2d(2);
    const g = new Graph();
    const p = await e.compile(g, { outputs: { y: bn.forward(g.input('x', [1, 2, 2, 2])) } });
    await p.run({ x: [1, 2, 3, 4, 5, 6, 7, 9] });
    assert.throws(() => new nn.BatchNorm1d(4).forward(new Graph().input('x', [8, 5])), /5 channels/);
    assert.throws(() => new nn.BatchNorm2d(4).forward(new Graph().input('x', [8, 4])), /expected 4D input/);
    assert.throws(() => new nn.BatchNorm1d(4, { momentum: 2 }), /momentum/);
    assert.throws(() => new nn.GroupNorm(4, 6), /divisible/);
  } finally {
    e.dispose();
  }
});

gpuTest('train/eval switch through a whole model: GPU matches cpu in both modes, eval uses the running statistics', async () => {
  const onGpu = await gpu();
  const c = await cpu();
  try {
    const B = 16, D = 10, Hd = 12, K = 4;
    const rng = new Rng(31);
    const xs = [rng.normal(B * D, 3), rng.normal(B * D, 3)];
    const labels = rng.ints(B, K);
    const results: Record<string, ArrayLike<number>>[] = [];
    for (const e of [onGpu, c]) {
      slope.manualSeed(5);
      const model = new nn.Sequential(new nn.Linear(D, Hd), new nn.BatchNorm1d(Hd), new nn.ReLU(), new nn.Linear(Hd, Hd), new nn.LayerNorm(Hd), new nn.Tanh(), new nn.Linear(Hd, K));
      const r: Record<string, ArrayLike<number>> = {};
      model.train();
      const g = new Graph();
      const x = g.input('x', [B, D]), y = g.input('y', [B], 'i32');
      const loss = slope.crossEntropy(model.forward(x), y);
      const params = model.parameters();
      const grads = slope.grad(loss, params.map((p) => g.param(p)));
      const outputs: Record<string, slope.Tensor> = { loss };
      grads.forEach((t, i) => { outputs[`g${i}`] = t; });
      const prog = await e.compile(g, { outputs });
      for (const xb of xs) await prog.run({ x: xb, y: labels });
      for (const k of Object.keys(outputs)) r[`train ${k}`] = await prog.read(k);
      for (const [n, b] of model.namedBuffers()) r[n] = await e.read(b);
      model.eval();
      const ge = new Graph();
      const xe = ge.input('x', [B, D]);
      const pe = await e.compile(ge, { outputs: { out: model.forward(xe) } });
      await pe.run({ x: xs[0] });
      r['eval out'] = await pe.read('out');
      model.train();
      results.push(r);
    }
    const [G, C] = results;
    assert.equal(Object.keys(G).sort(), Object.keys(C).sort());
    assert.ok('1.running_mean' in C && '1.num_batches_tracked' in C);
    // The bias of a Linear followed by BatchNorm has gradient exactly 0 (BN removes any per-channel
    // constant): only the elementwise bound is meaningful there.
    const zero = (a: ArrayLike<number>) => Array.from(a).every((v) => Math.abs(v) < 1e-12);
    for (const k of Object.keys(C)) expectClose(G[k], C[k], zero(C[k]) ? elementwiseOnly(TOL.graph) : TOL.graph, k);
  } finally {
    onGpu.dispose();
    c.dispose();
  }
});

gpuTest('LayerNorm, GroupNorm, InstanceNorm, BatchNorm (no affine, no running stats): GPU forward and backward match cpu', async () => {
  const onGpu = await gpu();
  const c = await cpu();
  try {
    const cases: [() => slope.Module, number[]][] = [
      [() => new nn.LayerNorm([3, 5]), [4, 3, 5]],
      [() => new nn.LayerNorm(7, { bias: false }), [9, 7]],
      [() => new nn.GroupNorm(2, 6), [3, 6, 5]],
      [() => new nn.InstanceNorm1d(4), [2, 4, 9]],
      [() => new nn.InstanceNorm2d(3, { affine: true }), [2, 3, 3, 5]],
      [() => new nn.BatchNorm2d(3, { affine: false, trackRunningStats: false }), [2, 3, 3, 3]],
    ];
    for (const [make, shape] of cases) {
      const rng = new Rng(shape.length * 13 + shape[0]);
      const data = Float32Array.from(rng.normal(shape.reduce((a, d) => a * d, 1), 2), (v) => v + 1);
      const proj = rng.normal(data.length);
      const res: Record<string, ArrayLike<number>>[] = [];
      for (const e of [onGpu, c]) {
        const m = make();
        const g = new Graph();
        const x = g.input('x', shape);
        const y = m.forward(x);
        const loss = slope.sum(slope.mul(slope.tanh(y), g.constant(proj, shape)));
        const wrt = [x, ...m.parameters().map((p) => g.param(p))];
        const outs: Record<string, slope.Tensor> = { y };
        slope.grad(loss, wrt).forEach((t, i) => { outs[`d${i}`] = t; });
        const p = await e.compile(g, { outputs: outs });
        await p.run({ x: data });
        const r: Record<string, ArrayLike<number>> = {};
        for (const k of Object.keys(outs)) r[k] = await p.read(k);
        res.push(r);
      }
      for (const k of Object.keys(res[1])) expectClose(res[0][k], res[1][k], TOL.graph, `${make().constructor.name} ${shape} ${k}`);
    }
  } finally {
    onGpu.dispose();
    c.dispose();
  }
});

for (const backend of BACKENDS) {
  testOn(backend)(`BatchRenorm1d: r and d follow the clipping schedule; during warm-up it equals BatchNorm (${backend})`, async () => {
    const e = await engineOn(backend);
    try {
      const [N, C] = [6, 5];
      const lim = { rmax: 1.5, dmax: 0.5, warmup: 2, rmaxSteps: 2, dmaxSteps: 4 };
      const br = new nn.BatchRenorm1d(C, { ...lim, momentum: 0.5 });
      const bn = new nn.BatchNorm1d(C, { momentum: 0.5 });
      const g = new Graph();
      const x = g.input('x', [N, C]);
      const prog = await e.compile(g, { outputs: { r: br.forward(x), b: bn.forward(x) } });
      const rng = new Rng(41);
      const rm = new Float64Array(C), rv = new Float64Array(C).fill(1);
      for (let t = 0; t < 7; t++) {
        const data = Float32Array.from(rng.normal(N * C, 1 + t), (v) => v + t);
        await prog.run({ x: data });
        const { mean, v } = channelStats(data, N, C, 1);
        const { rmax, dmax } = renormLimits(t, lim);
        const want = new Float64Array(N * C);
        for (let c = 0; c < C; c++) {
          const sigma = Math.sqrt(rv[c] + 1e-5), sb = Math.sqrt(v[c] + 1e-5);
          const r = Math.min(rmax, Math.max(1 / rmax, sb / sigma));
          const d = Math.min(dmax, Math.max(-dmax, (mean[c] - rm[c]) / sigma));
          for (let n = 0; n < N; n++) want[n * C + c] = ((data[n * C + c] - mean[c]) / sb) * r + d;
          rm[c] = 0.5 * rm[c] + 0.5 * mean[c];
          rv[c] = 0.5 * rv[c] + (0.5 * v[c] * N) / (N - 1);
        }
        expectClose(await prog.read('r'), want, TOL.normApply, `${e.kind} renorm step ${t}`);
        if (t < lim.warmup) expectClose(await prog.read('r'), await prog.read('b'), TOL.normApply, `${e.kind} warm-up step ${t} equals BatchNorm`);
      }
    } finally {
      e.dispose();
    }
  });
}

test.run();
