/**
 * The browser suite's short training runs: a small MLP (with BatchNorm in one of them) trained
 * for a few steps on seeded synthetic data with the library's fused optimizers and a schedule,
 * on the WebGPU engine and on the cpu reference engine from the same initial weights. Every
 * step's loss must agree, and the loss must go down.
 */
import * as slope from '../src/browser.js';
import { Rng } from '../test/util/rng.js';
import { expectClose } from '../test/util/close.js';
import { TOL } from '../test/tolerances.js';

const { Graph, Sequential, Linear, Tanh, BatchNorm1d, crossEntropy, grad } = slope;

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

export interface TrainSpec {
  name: string;
  batchNorm: boolean;
  optimizer(params: slope.Parameter[]): slope.Optimizer;
}

export const TRAIN_SPECS: TrainSpec[] = [
  {
    name: 'MLP, Adam with warmup + cosine',
    batchNorm: false,
    optimizer: (p) => Object.assign(new slope.Adam(p, { lr: 0.05 }), { schedule: slope.warmupCosine(0.05, 3, 12) }),
  },
  {
    name: 'MLP with BatchNorm, SGD with Nesterov momentum',
    batchNorm: true,
    optimizer: (p) => new slope.SGD(p, { lr: 0.1, momentum: 0.9, nesterov: true, weightDecay: 1e-3 }),
  },
];

/** Train on one engine; returns the loss of every step. */
export async function trainOn(engine: slope.Engine, spec: TrainSpec, steps: number): Promise<TrainRun> {
  slope.manualSeed(7);
  const hidden = spec.batchNorm ? [new Linear(D, H), new BatchNorm1d(H)] : [new Linear(D, H)];
  const model = new Sequential(...hidden, new Tanh(), new Linear(H, C));
  const g = new Graph();
  const x = g.input('x', [B, D]);
  const y = g.input('y', [B], 'i32');
  const loss = crossEntropy(model.forward(x), y);
  const params = model.parameters();
  const grads = grad(loss, params.map((p) => g.param(p)));
  const opt = spec.optimizer(params);
  const prog = await engine.compile(g, { outputs: { loss }, loss, gradients: params.map((p, i) => [p, grads[i]] as const), hooks: [opt] });
  const losses: number[] = [];
  for (const batch of makeData(steps)) {
    await prog.run(batch);
    losses.push((await prog.read('loss'))[0]);
  }
  return { losses };
}

/** GPU against cpu, step by step; throws with the evidence on a mismatch. */
export async function trainingCheck(gpu: slope.Engine, spec: TrainSpec, steps = 12): Promise<string> {
  const cpu = await slope.init({ backend: 'cpu' });
  try {
    const G = await trainOn(gpu, spec, steps);
    const R = await trainOn(cpu, spec, steps);
    expectClose(G.losses, R.losses, TOL.graph, `${spec.name}: per-step loss, webgpu vs cpu`);
    const first = G.losses[0], last = G.losses[G.losses.length - 1];
    if (!(last < 0.7 * first)) throw new Error(`${spec.name}: loss did not go down: ${first.toFixed(4)} → ${last.toFixed(4)}`);
    return `loss ${first.toFixed(4)} → ${last.toFixed(4)} in ${steps} steps`;
  } finally {
    cpu.dispose();
  }
}
