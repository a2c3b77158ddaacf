/** The README's first example, as written there, on random data: it must run and learn. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { slope } from '../util/engine.js';
import { gpu, gpuTest } from '../util/suite.js';
import { Rng } from '../util/rng.js';

gpuTest('README example: compile with a fused Adam hook, run, read the loss', async () => {
  const engine = await gpu();
  const r = new Rng(4);
  const batchX = r.normal(64 * 784);
  const batchY = r.ints(64, 10);

  slope.manualSeed(0);
  const model = new slope.Sequential(new slope.Linear(784, 256), new slope.ReLU(), new slope.Linear(256, 10));
  const g = new slope.Graph();
  const x = g.input('x', [64, 784]);
  const y = g.input('y', [64], 'i32');
  const loss = slope.crossEntropy(model.forward(x), y);
  const params = model.parameters();
  const grads = slope.grad(loss, params.map((p) => g.param(p)));
  const opt = new slope.Adam(params, { lr: 1e-3 });
  const step = await engine.compile(g, {
    outputs: { loss }, loss,
    gradients: params.map((p, i) => [p, grads[i]] as const),
    hooks: [opt],
  });
  const losses: number[] = [];
  for (let i = 0; i < 20; i++) {
    await step.run({ x: batchX, y: batchY });
    losses.push(await step.item('loss'));
  }
  assert.ok(Number.isFinite(losses[0]) && losses[0] > 1.5, `first loss ${losses[0]}`);
  assert.ok(losses[19] < 0.5 * losses[0], `a fixed batch is memorised: ${losses[0]} → ${losses[19]}`);
  assert.is(opt.stepCount, 20);
  engine.dispose();
});

test.run();
