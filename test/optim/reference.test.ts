/**
 * Every optimizer against the float64 reference of its documented update rule: 20 steps of
 * random gradients on parameters of awkward sizes (arena padding between them), two parameter
 * groups (the second with its own lr and no weight decay), one parameter whose gradients are
 * about the size of eps. Parameters and every state tensor are compared after every step,
 * t = 1 included (each parameter on its own; each state tensor over the arena, see
 * compareWithRef). On webgpu (the WGSL kernels) and on the cpu backend.
 */
import { test } from 'uvu';
import { cpu, gpuOrSkip, slope } from '../util/engine.js';
import { Rng } from '../util/rng.js';
import { TOL } from '../tolerances.js';
import { CASES, makeOptimizer, refFor } from './cases.js';
import { RefRun, compareWithRef, harness, makeParams, randomGrads } from './harness.js';

const SHAPES = [[7], [3, 5], [1], [130], [9]];
const TINY = 4;
const GROUP1 = new Set([2, 3]);
const STEPS = 20;

const engines = new Map<string, slope.Engine | null>();
async function engineFor(kind: 'webgpu' | 'cpu'): Promise<slope.Engine | null> {
  if (!engines.has(kind)) engines.set(kind, kind === 'cpu' ? await cpu() : await gpuOrSkip());
  return engines.get(kind)!;
}

for (const backend of ['webgpu', 'cpu'] as const) {
  CASES.forEach((c, ci) => {
    test(`${c.name}: ${STEPS} steps match the float64 reference (${backend})`, async () => {
      const engine = await engineFor(backend);
      if (!engine) return;
      const rng = new Rng(100 + ci);
      const params = makeParams(`${backend}${ci}`, SHAPES, rng);
      const g1Opts = { ...c.opts, lr: (c.opts.lr as number ?? 0.01) / 2, weightDecay: 0 };
      const opt = makeOptimizer(c.kind, [
        { params: params.filter((_, i) => !GROUP1.has(i)) },
        { params: params.filter((_, i) => GROUP1.has(i)), lr: g1Opts.lr, weightDecay: 0 },
      ] as never, c.opts);
      const h = await harness(engine, params, [opt]);
      const specs = params.map((_, i) => refFor(c.kind, GROUP1.has(i) ? g1Opts : c.opts));
      const r = new RefRun(params, specs.map((s) => s.step), (i) => specs[i].init, specs.map((s) => s.keys));
      for (let s = 1; s <= STEPS; s++) {
        const grads = randomGrads(params, rng, TINY, c.tiny);
        await h.run(grads);
        r.step(grads);
        await compareWithRef(engine, opt, params, r, TOL.optim, `${c.name} step ${s}`, TINY);
      }
    });
  });
}

test.after(() => {
  for (const e of engines.values()) e?.dispose();
});

test.run();
