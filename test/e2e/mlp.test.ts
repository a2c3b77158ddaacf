/** Whole graph: a 2-layer MLP's loss and every parameter gradient, GPU against the cpu backend. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cpu, slope } from '../util/engine.js';
import { gpu, gpuTest } from '../util/suite.js';
import { Rng } from '../util/rng.js';
import { expectClose } from '../util/close.js';
import { TOL } from '../tolerances.js';

const { Graph, Parameter, grad, linear, relu, tanh, crossEntropy } = slope;

function buildMlp(seed: number, B: number, D: number, H: number, C: number, act: 'relu' | 'tanh') {
  const r = new Rng(seed);
  const W1 = new Parameter('W1', [H, D], r.normal(H * D, 0.3));
  const b1 = new Parameter('b1', [H], r.normal(H, 0.1));
  const W2 = new Parameter('W2', [C, H], r.normal(C * H, 0.3));
  const b2 = new Parameter('b2', [C], r.normal(C, 0.1));
  const g = new Graph();
  const x = g.input('x', [B, D]);
  const y = g.input('y', [B], 'i32');
  const h = (act === 'relu' ? relu : tanh)(linear(x, g.param(W1), g.param(b1)));
  const logits = linear(h, g.param(W2), g.param(b2));
  const loss = crossEntropy(logits, y);
  const params = [W1, b1, W2, b2];
  const grads = grad(loss, params.map((p) => g.param(p)));
  const feeds = { x: r.normal(B * D), y: r.ints(B, C) };
  return { g, loss, params, grads, feeds };
}

for (const act of ['relu', 'tanh'] as const) {
  gpuTest(`2-layer MLP (${act}): loss and gradients match the cpu backend`, async () => {
    const onGpu = await gpu();
    const c = await cpu();
    try {
      const results = [];
      for (const e of [onGpu, c]) {
        const m = buildMlp(7, 33, 20, 17, 5, act);
        const outputs: Record<string, slope.Tensor> = { loss: m.loss };
        m.grads.forEach((t, i) => { outputs[`g${i}`] = t; });
        const prog = await e.compile(m.g, { outputs });
        await prog.run(m.feeds);
        const r: Record<string, ArrayLike<number>> = {};
        for (const k of Object.keys(outputs)) r[k] = await prog.read(k);
        results.push({ r, stats: prog.stats });
      }
      const [G, C] = results;
      assert.ok(G.stats.fused > 0, 'matmul + bias (+ activation) should be fused');
      for (const k of Object.keys(C.r)) expectClose(G.r[k], C.r[k], TOL.graph, `${act} ${k}`);
    } finally {
      onGpu.dispose();
      c.dispose();
    }
  });
}

test.run();
