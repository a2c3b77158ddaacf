/**
 * The browser suite's short training runs: small MLPs (with BatchNorm or LayerNorm) trained for
 * a few steps on seeded synthetic data with the library's fused optimizers and schedules —
 * directly as step hooks, and through the Trainer that the page uses — on the WebGPU engine and
 * on the cpu reference engine from the same initial weights. Every step's loss must agree, and
 * the loss must go down.
 */
import * as slope from '../src/browser.js';
import { Rng } from '../test/util/rng.js';
import { expectClose } from '../test/util/close.js';
import { TOL } from '../test/tolerances.js';

const { Graph, Sequential, Linear, Tanh, BatchNorm1d, crossEntropy, grad } = slope;

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
  /** The loss of every step on this engine (then, for the Trainer, the test loss). */
  run(engine: slope.Engine, steps: number): Promise<number[]>;
}

/** A model trained with an optimizer hook on a program of our own. */
async function hookRun(engine: slope.Engine, steps: number, batchNorm: boolean, makeOpt: (p: slope.Parameter[]) => slope.Optimizer): Promise<number[]> {
  slope.manualSeed(7);
  const hidden = batchNorm ? [new Linear(D, H), new BatchNorm1d(H)] : [new Linear(D, H)];
  const model = new Sequential(...hidden, new Tanh(), new Linear(H, C));
  const g = new Graph();
  const x = g.input('x', [B, D]);
  const y = g.input('y', [B], 'i32');
  const loss = crossEntropy(model.forward(x), y);
  const params = model.parameters();
  const grads = grad(loss, params.map((p) => g.param(p)));
  const prog = await engine.compile(g, { outputs: { loss }, loss, gradients: params.map((p, i) => [p, grads[i]] as const), hooks: [makeOpt(params)] });
  const losses: number[] = [];
  for (const batch of makeData(steps)) {
    await prog.run(batch);
    losses.push((await prog.read('loss'))[0]);
  }
  return losses;
}

function dataset(name: string, batches: { x: Float32Array; y: Int32Array }[]): slope.Dataset {
  const x = new Float32Array(batches.length * B * D), y = new Int32Array(batches.length * B);
  batches.forEach((b, i) => { x.set(b.x, i * B * D); y.set(b.y, i * B); });
  return new slope.Dataset({ name, sampleShape: [D], x, y, numClasses: C });
}

/** The page's path: factories + Trainer (device-resident batches, device metrics), two epochs. */
async function trainerRun(engine: slope.Engine, steps: number): Promise<number[]> {
  const all = makeData(steps + 2);
  const train = dataset('synthetic-train', all.slice(0, steps / 2)), test = dataset('synthetic-test', all.slice(steps / 2, steps / 2 + 2));
  const model = slope.buildModel(slope.parseModel('mlp:16', 'layer', 'tanh'), D, C, 3);
  const optimizer = slope.makeOptimizer({ name: 'momentum', lr: 0.05 }, model.parameters());
  const { schedule } = slope.makeSchedule('warmup-cosine:2', { lr: 0.05, stepsPerEpoch: steps / 2, totalSteps: steps }, optimizer);
  const trainer = await slope.Trainer.create(engine, { model, optimizer, train, test, batchSize: B, seed: 5, schedule, logEvery: 1 });
  const h = await trainer.fit({ epochs: 2 });
  return [...h.log.map((e) => e.loss), (await trainer.evaluate()).loss];
}

export const TRAIN_SPECS: TrainSpec[] = [
  {
    name: 'MLP, Adam with warmup + cosine',
    run: (e, n) => hookRun(e, n, false, (p) => Object.assign(new slope.Adam(p, { lr: 0.05 }), { schedule: slope.warmupCosine(0.05, 3, n) })),
  },
  {
    name: 'MLP with BatchNorm, SGD with Nesterov momentum',
    run: (e, n) => hookRun(e, n, true, (p) => new slope.SGD(p, { lr: 0.1, momentum: 0.9, nesterov: true, weightDecay: 1e-3 })),
  },
  { name: 'Trainer: MLP with LayerNorm, momentum, warmup + cosine, 2 epochs', run: trainerRun },
];

/** GPU against cpu, step by step; throws with the evidence on a mismatch. */
export async function trainingCheck(gpu: slope.Engine, spec: TrainSpec, steps = 12): Promise<string> {
  const cpu = await slope.init({ backend: 'cpu' });
  try {
    const G = await spec.run(gpu, steps);
    const R = await spec.run(cpu, steps);
    expectClose(G, R, TOL.graph, `${spec.name}: per-step loss, webgpu vs cpu`);
    const first = G[0], last = G[steps - 1];
    if (!(last < 0.7 * first)) throw new Error(`${spec.name}: loss did not go down: ${first.toFixed(4)} → ${last.toFixed(4)}`);
    return `loss ${first.toFixed(4)} → ${last.toFixed(4)} in ${steps} steps`;
  } finally {
    cpu.dispose();
  }
}
