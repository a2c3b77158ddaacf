/**
 * Optimizer state export and restore: a state dict taken after k steps, loaded into a fresh
 * optimizer on a fresh engine (before or after compiling) with the parameters of step k, gives
 * bit-identical parameters and state over the following steps; restoring into the same
 * optimizer rewinds it exactly. Every optimizer kind with all of its state in use.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { slope } from '../util/engine.js';
import { BACKENDS, engineOn, testOn } from '../util/suite.js';
import { Rng } from '../util/rng.js';
import { makeOptimizer, type Kind, type Opts } from './cases.js';
import { harness, randomGrads, readExact } from './harness.js';

const SHAPES = [[6], [3, 7], [65]];
const KINDS: [Kind, Opts][] = [
  ['SGD', { lr: 0.05, momentum: 0.9, dampening: 0.2, weightDecay: 0.01 }],
  ['Adagrad', { lr: 0.05, lrDecay: 0.1, initialAccumulatorValue: 0.2 }],
  ['RMSprop', { lr: 0.01, momentum: 0.8, centered: true }],
  ['Adam', { lr: 0.01, amsgrad: true, weightDecay: 0.01, clipGradNorm: 2 }],
  ['AdamW', { lr: 0.01 }],
];

const params = (prefix: string) => SHAPES.map((s, i) => new slope.Parameter(`${prefix}.p${i}`, s, (sh) => new Rng(50 + i).normal(sh.reduce((a, d) => a * d, 1))));

async function snapshot(e: slope.Engine, opt: slope.Optimizer, ps: slope.Parameter[]) {
  const values = await Promise.all(ps.map(async (p) => Array.from(await readExact(e, p))));
  const sd = await opt.stateDict();
  const state = Object.fromEntries(Object.entries(sd.state).map(([n, r]) => [n, Object.fromEntries(Object.entries(r).map(([k, a]) => [k, Array.from(a)]))]));
  return { values, state, step: sd.step };
}

for (const backend of BACKENDS) {
  for (const [kind, opts] of KINDS) {
    for (const when of ['before', 'after'] as const) {
      testOn(backend)(`${kind}: restored state (loaded ${when} compile, fresh engine) gives identical steps (${backend})`, async () => {
        const eA = await engineOn(backend);
        const eB = await engineOn(backend);
        try {
          const rng = new Rng(9);
          const pA = params('rt');
          const optA = makeOptimizer(kind, pA, opts);
          const hA = await harness(eA, pA, [optA]);
          const grads = Array.from({ length: 8 }, () => randomGrads(pA, rng));
          for (const g of grads.slice(0, 4)) await hA.run(g);
          const sd = await optA.stateDict();
          const mid = await Promise.all(pA.map((p) => readExact(eA, p)));
          for (const g of grads.slice(4)) await hA.run(g);

          const pB = params('rt');
          const optB = makeOptimizer(kind, pB, opts);
          if (when === 'before') await optB.loadStateDict(sd);
          const hB = await harness(eB, pB, [optB]);
          pB.forEach((p, i) => eB.write(p, mid[i] as Float32Array));
          if (when === 'after') await optB.loadStateDict(sd);
          assert.is(optB.stepCount, 4);
          for (const g of grads.slice(4)) await hB.run(g);
          assert.equal(await snapshot(eB, optB, pB), await snapshot(eA, optA, pA));
        } finally {
          eA.dispose();
          eB.dispose();
        }
      });
    }
  }

  testOn(backend)(`loading an earlier state dict into the same optimizer rewinds it exactly (${backend})`, async () => {
    const e = await engineOn(backend);
    try {
      const rng = new Rng(10);
      const ps = params('rw');
      const opt = new slope.Adam(ps, { lr: 0.02, betas: [0.8, 0.95] });
      const h = await harness(e, ps, [opt]);
      await h.run(randomGrads(ps, rng));
      const sd = await opt.stateDict();
      const mid = await Promise.all(ps.map((p) => readExact(e, p)));
      const later = [randomGrads(ps, rng), randomGrads(ps, rng)];
      for (const g of later) await h.run(g);
      const first = await snapshot(e, opt, ps);
      opt.lr = 0.5;
      await opt.loadStateDict(sd);
      assert.is(opt.lr, 0.02, 'group options come back with the state');
      ps.forEach((p, i) => e.write(p, mid[i] as Float32Array));
      for (const g of later) await h.run(g);
      assert.equal(await snapshot(e, opt, ps), first);
    } finally {
      e.dispose();
    }
  });
}

test.run();
