/** Test helpers: a tiny synthetic dataset, a small MLP, and a minimal SGD hook built from core ops. */
import { slope } from '../util/engine.js';
import { Rng } from '../util/rng.js';
import type { HookContext } from '../../src/graph/program.js';
import type { Prepared } from '../../src/backend/types.js';
import type { OptimizerStateLike, TrainOptimizer } from '../../src/train/types.js';
import { view } from '../../src/backend/types.js';
import { OPS } from '../../src/ops/index.js';

const { Dataset, Sequential, Linear, ReLU, Flatten, Generator } = slope;

/** Gaussian blobs: class c centred at a random point; `bytes` stores features as bytes instead. */
export function blobs(n: number, shape: number[], classes: number, seed: number, bytes = false): slope.Dataset {
  const r = new Rng(seed);
  const D = shape.reduce((a, d) => a * d, 1);
  const centres = Array.from({ length: classes }, () => r.normal(D, 1));
  const y = r.ints(n, classes);
  const x = new Float32Array(n * D);
  for (let i = 0; i < n; i++) {
    const noise = r.normal(D, 0.7);
    for (let k = 0; k < D; k++) x[i * D + k] = centres[y[i]][k] + noise[k];
  }
  if (!bytes) return new Dataset({ name: `blobs${seed}`, sampleShape: shape, x, y, numClasses: classes });
  const data = Uint8Array.from(x, (v) => Math.max(0, Math.min(255, Math.round(128 + 40 * v))));
  return new Dataset({ name: `bblobs${seed}`, sampleShape: shape, y, numClasses: classes, bytes: { data, scale: 1 / 40, offset: -3.2 } });
}

export function mlp(inFeatures: number, hidden: number, classes: number, seed: number): slope.Sequential {
  const gen = new Generator(seed);
  return new Sequential(new Flatten(), new Linear(inFeatures, hidden, { generator: gen }), new ReLU(), new Linear(hidden, classes, { generator: gen }));
}

/** Plain SGD (p ← p − lr·g over each chunk) from the core ops scale, binary and copy. */
export class TestSGD implements TrainOptimizer {
  readonly name = 'TestSGD';
  schedule: ((step: number) => number) | null = null;
  readonly paramGroups: { params: slope.Parameter[]; lr: number }[];
  private t = 0;
  private scales: Prepared[] = [];
  private prepared: Prepared[] = [];
  constructor(params: slope.Parameter[], lr: number) {
    this.paramGroups = [{ params, lr }];
  }
  get lr(): number { return this.paramGroups[0].lr; }
  set lr(v: number) { this.paramGroups[0].lr = v; }
  get stepCount(): number { return this.t; }
  get ops(): readonly Prepared[] { return this.prepared; }
  async prepare(ctx: HookContext): Promise<void> {
    const b = ctx.backend;
    this.prepared = [];
    this.scales = [];
    for (const chunk of new Set(ctx.params.map((p) => ctx.store.chunkOf(p)))) {
      const L = chunk.length;
      const tmp = view(await b.alloc('sgd tmp', L), 0, [L], 'f32', 'sgd tmp');
      const next = view(await b.alloc('sgd next', L), 0, [L], 'f32', 'sgd next');
      const params = ctx.store.chunkView(chunk, 'params');
      const s = await b.prepare({ op: OPS.scale, inputs: [ctx.store.chunkView(chunk, 'grads')], outputs: [tmp], attrs: { alpha: -this.lr, beta: 0 } });
      this.scales.push(s);
      this.prepared.push(s);
      this.prepared.push(await b.prepare({ op: OPS.binary, inputs: [params, tmp], outputs: [next], attrs: { kind: 'add' } }));
      this.prepared.push(await b.prepare({ op: OPS.copy, inputs: [next], outputs: [params], attrs: {} }));
    }
  }
  beforeStep(): void {
    if (this.schedule) this.lr = this.schedule(this.t);
    for (const s of this.scales) s.update({ alpha: -this.lr });
    this.t++;
  }
  async stateDict(): Promise<OptimizerStateLike> {
    return { step: this.t, groups: [{ params: this.paramGroups[0].params.map((p) => p.name), lr: this.lr }], state: {} };
  }
  async loadStateDict(s: OptimizerStateLike): Promise<void> {
    this.t = s.step;
    this.lr = s.groups[0].lr as number;
  }
  async nonFiniteStep(): Promise<number | null> { return null; }
}
