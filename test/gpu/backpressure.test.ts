/**
 * Backpressure: the rolling window (browsers: step i waits for step i − maxInFlight) and the
 * drain (Node: the whole queue every maxInFlight steps) run the same steps to the same bits,
 * and a lost device surfaces from either as DeviceLostError.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { slope } from '../util/engine.js';
import { gpu, gpuTest } from '../util/suite.js';
import { rejects } from '../util/rejects.js';
import { Rng } from '../util/rng.js';

async function train(sleepBeforeWait: boolean, maxInFlight: number): Promise<Float32Array[]> {
  const e = await gpu({ sleepBeforeWait, maxInFlight });
  try {
    slope.manualSeed(3);
    const model = new slope.Sequential(new slope.Linear(12, 16), new slope.ReLU(), new slope.Linear(16, 4));
    const g = new slope.Graph();
    const x = g.input('x', [8, 12]);
    const y = g.input('y', [8], 'i32');
    const loss = slope.crossEntropy(model.forward(x), y);
    const params = model.parameters();
    const grads = slope.grad(loss, params.map((p) => g.param(p)));
    const opt = new slope.Adam(params, { lr: 1e-2 });
    const step = await e.compile(g, { outputs: { loss }, gradients: params.map((p, i) => [p, grads[i]] as const), hooks: [opt] });
    const r = new Rng(5);
    for (let i = 0; i < 12; i++) await step.run({ x: r.normal(96), y: r.ints(8, 4) });
    return (await Promise.all(params.map((p) => e.read(p)))) as Float32Array[];
  } finally {
    e.dispose();
  }
}

gpuTest('the rolling window and the drain give bit-identical parameters', async () => {
  const drain = await train(true, 2);
  for (const k of [1, 2, 3]) {
    const win = await train(false, k);
    drain.forEach((p, i) => assert.equal(Array.from(win[i]), Array.from(p), `parameter ${i}, window of ${k}`));
  }
});

gpuTest('a lost device rejects the next step in the rolling window with DeviceLostError', async () => {
  const e = await gpu({ sleepBeforeWait: false, maxInFlight: 2 });
  try {
    const g = new slope.Graph();
    const x = g.input('x', [4]);
    const prog = await e.compile(g, { outputs: { y: slope.relu(x) } });
    await prog.run({ x: [1, 2, 3, 4] });
    await prog.run({ x: [1, 2, 3, 4] });
    (e.backend as unknown as { gpu: { device: GPUDevice } }).gpu.device.destroy();
    await new Promise((r) => setTimeout(r, 20));
    await rejects(async () => { for (let i = 0; i < 3; i++) await prog.run({ x: [1, 2, 3, 4] }); }, slope.DeviceLostError);
  } finally {
    e.dispose();
  }
});

test.run();
