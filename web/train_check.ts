/**
 * The browser suite's short training run: a small MLP trained for a few steps on seeded
 * synthetic data, on the WebGPU engine and on the cpu reference engine from the same initial
 * weights. Every step's loss must agree, and the loss must go down.
 */
import * as slope from '../src/browser.js';
import { Rng } from '../test/util/rng.js';
import { expectClose } from '../test/util/close.js';
import { TOL } from '../test/tolerances.js';

const { Graph, Sequential, Linear, Tanh, crossEntropy, grad } = slope;

export interface TrainRun {
  losses: number[];
}

const D = 12, H = 16, C = 4, B = 24;

/** Seeded, nearly separable data: class c is centred on a random point. */
function makeData(steps: number): { x: Float32Array; y: Int32Array }[] {
  const r = new Rng(2024);
  const centres = r.normal(C * D, 1.5);
  const out = [];
  for (let s = 0; s < steps; s++) {
    const y = r.ints(B, C);
    const x = r.normal(B * D, 0.7);
    for (let i = 0; i < B; i++) for (let d = 0; d < D; d++) x[i * D + d] += centres[y[i] * D + d];
    out.push({ x, y });
  }
  return out;
}

/** Train on one engine with plain SGD applied on the host; returns the loss of every step. */
export async function trainOn(engine: slope.Engine, steps: number, lr = 0.2): Promise<TrainRun> {
  slope.manualSeed(7);
  const model = new Sequential(new Linear(D, H), new Tanh(), new Linear(H, C));
  const g = new Graph();
  const x = g.input('x', [B, D]);
  const y = g.input('y', [B], 'i32');
  const loss = crossEntropy(model.forward(x), y);
  const params = model.parameters();
  const grads = grad(loss, params.map((p) => g.param(p)));
  const outputs: Record<string, slope.Tensor> = { loss };
  grads.forEach((t, i) => { outputs[`g${i}`] = t; });
  const prog = await engine.compile(g, { outputs, loss });
  const losses: number[] = [];
  for (const batch of makeData(steps)) {
    await prog.run(batch);
    losses.push((await prog.read('loss'))[0]);
    for (let i = 0; i < params.length; i++) {
      const w = Float32Array.from(await engine.read(params[i]));
      const gw = await prog.read(`g${i}`);
      for (let k = 0; k < w.length; k++) w[k] -= lr * gw[k];
      engine.write(params[i], w);
    }
  }
  return { losses };
}

/** GPU against cpu, step by step; throws with the evidence on a mismatch. */
export async function trainingCheck(gpu: slope.Engine, steps = 12): Promise<string> {
  const cpu = await slope.init({ backend: 'cpu' });
  try {
    const G = await trainOn(gpu, steps);
    const R = await trainOn(cpu, steps);
    expectClose(G.losses, R.losses, TOL.graph, 'per-step loss, webgpu vs cpu');
    const first = G.losses[0], last = G.losses[G.losses.length - 1];
    if (!(last < 0.7 * first)) throw new Error(`loss did not go down: ${first.toFixed(4)} → ${last.toFixed(4)}`);
    return `loss ${first.toFixed(4)} → ${last.toFixed(4)} in ${steps} steps`;
  } finally {
    cpu.dispose();
  }
}
