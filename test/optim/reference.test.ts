/**
 * Every optimizer on the cpu backend against an independent float64 replay of its documented
 * update rule (src/ref/optim.ts, with the options resolved here): 20 steps of random gradients on
 * parameters of awkward sizes (arena padding between them), two parameter groups (the second
 * with its own lr and no weight decay), one parameter whose gradients are about the size of eps.
 * Parameters and every state tensor are compared after every step, t = 1 included (each
 * parameter on its own; each state tensor over the arena, see compareWithRef).
 * The WGSL kernels run the same configurations against the cpu backend in the shared case table
 * (test/cases/optim.ts, run by test/kernels/optim.test.ts and in the browser suite).
 */
import { test } from 'uvu';
import { cpu, slope } from '../util/engine.js';
import { Rng } from '../util/rng.js';
import { TOL } from '../tolerances.js';
import { CONFIGS, GROUP1, SHAPES, STEPS, TINY, group1Options, groupedOptimizer } from '../cases/optim.js';
import { refFor } from './cases.js';
import { RefRun, compareWithRef, harness, makeParams, randomGrads } from './harness.js';

let engine: slope.Engine | null = null;

CONFIGS.forEach((c, ci) => {
  test(`${c.name}: ${STEPS} steps match the float64 reference (cpu)`, async () => {
    engine ??= await cpu();
    const rng = new Rng(100 + ci);
    const params = makeParams(`cpu${ci}`, SHAPES, rng);
    const opt = groupedOptimizer(c, params);
    const h = await harness(engine, params, [opt]);
    const specs = params.map((_, i) => refFor(c.kind, GROUP1.has(i) ? group1Options(c) : c.opts));
    const r = new RefRun(params, specs.map((s) => s.step), (i) => specs[i].init, specs.map((s) => s.keys));
    for (let s = 1; s <= STEPS; s++) {
      const grads = randomGrads(params, rng, TINY, c.tiny);
      await h.run(grads);
      r.step(grads);
      await compareWithRef(engine, opt, params, r, TOL.optim, `${c.name} step ${s}`, TINY);
    }
  });
});

test.after(() => engine?.dispose());

test.run();
