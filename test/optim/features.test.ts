/**
 * Optimizer features through the real engine, on webgpu and on the cpu backend: parameter
 * groups with their own options, gradient clipping (global norm and value), the non-finite
 * guard, learning-rate changes and schedules without recompiling, and one optimizer shared by
 * two programs.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { slope } from '../util/engine.js';
import { BACKENDS, engineOn, testOn, type Backend } from '../util/suite.js';
import { Rng } from '../util/rng.js';
import { TOL } from '../tolerances.js';
import { refFor } from './cases.js';
import { RefRun, compareWithRef, expectTensorClose, harness, makeParams, randomGrads, readExact } from './harness.js';
import * as ref from '../../src/ref/optim.js';

const SHAPES = [[5], [4, 3], [70]];
const engines = new Map<Backend, slope.Engine>();
async function engineFor(kind: Backend): Promise<slope.Engine> {
  if (!engines.has(kind)) engines.set(kind, await engineOn(kind));
  return engines.get(kind)!;
}
let uid = 0;
const fresh = (backend: string, rng: Rng, shapes = SHAPES) => makeParams(`${backend}.f${uid++}`, shapes, rng);
const scaled = (gs: Float32Array[], k: number) => gs.map((g) => g.map((v) => v * k));

for (const backend of BACKENDS) {
  testOn(backend)(`param groups: each group keeps its own options and state (${backend})`, async () => {
    const e = await engineFor(backend);
    const rng = new Rng(1);
    const ps = fresh(backend, rng);
    const gA = { lr: 0.05, momentum: 0.9, weightDecay: 0.1 };
    const gB = { lr: 0.2, momentum: 0, weightDecay: 0 };
    const opt = new slope.SGD([{ params: [ps[0], ps[2]] }, { params: [ps[1]], lr: 0.2, momentum: 0, weightDecay: 0 }], gA);
    const h = await harness(e, ps, [opt]);
    const specs = ps.map((_, i) => refFor('SGD', i === 1 ? gB : gA));
    const r = new RefRun(ps, specs.map((s) => s.step), () => 0, specs.map((s) => s.keys));
    for (let s = 1; s <= 6; s++) {
      const gs = randomGrads(ps, rng);
      await h.run(gs);
      r.step(gs);
      await compareWithRef(e, opt, ps, r, TOL.optim, `groups step ${s}`);
    }
    const sd = await opt.stateDict();
    assert.is(sd.state[ps[1].name], undefined, 'a group without momentum keeps no state');
    assert.equal(Object.keys(sd.state[ps[0].name]), ['momentum_buffer']);
    assert.equal(sd.groups.map((g) => g.lr), [0.05, 0.2]);
  });

  testOn(backend)(`clipGradNorm: above the limit every gradient is scaled by max/(norm + 1e-6) (${backend})`, async () => {
    const e = await engineFor(backend);
    const rng = new Rng(2);
    const ps = fresh(backend, rng);
    const opt = new slope.Adam(ps, { lr: 0.01, clipGradNorm: 1.5 });
    const h = await harness(e, ps, [opt]);
    const spec = refFor('Adam', { lr: 0.01 });
    const r = new RefRun(ps, ps.map(() => spec.step), () => 0, ps.map(() => spec.keys));
    for (let s = 1; s <= 4; s++) {
      const gs = scaled(randomGrads(ps, rng), 3);
      const norm = ref.totalNorm(gs);
      assert.ok(norm > 1.5, 'the test gradients must exceed the limit');
      await h.run(gs);
      r.step(gs, { norm: 1.5 });
      await compareWithRef(e, opt, ps, r, TOL.optim, `clip norm step ${s}`);
      expectTensorClose([(await opt.lastGradNorm())!], [norm], TOL.reduce, 'reported gradient norm');
    }
  });

  testOn(backend)(`clipGradNorm: below the limit the update sees the gradients untouched, bit for bit (${backend})`, async () => {
    const e = await engineFor(backend);
    const rng = new Rng(3);
    const ps = fresh(backend, rng);
    const opt = new slope.SGD(ps, { lr: 1, clipGradNorm: 1e3 });
    const h = await harness(e, ps, [opt]);
    const round = backend === 'webgpu' ? Math.fround : (x: number) => x;
    for (let s = 0; s < 3; s++) {
      const before = await Promise.all(ps.map((p) => readExact(e, p)));
      const gs = randomGrads(ps, rng);
      await h.run(gs);
      for (let i = 0; i < ps.length; i++) {
        const want = Array.from(before[i], (v, k) => round(v - gs[i][k]));
        assert.equal([...Array.from(await readExact(e, ps[i]))], want, `θ − 1·g exactly for ${ps[i].name}`);
      }
    }
  });

  testOn(backend)(`clipGradValue clamps every element to [−c, c] before the update (${backend})`, async () => {
    const e = await engineFor(backend);
    const rng = new Rng(4);
    const ps = fresh(backend, rng);
    const opt = new slope.SGD(ps, { lr: 0.5, momentum: 0.5, clipGradValue: 0.3 });
    const h = await harness(e, ps, [opt]);
    const spec = refFor('SGD', { lr: 0.5, momentum: 0.5 });
    const r = new RefRun(ps, ps.map(() => spec.step), () => 0, ps.map(() => spec.keys));
    for (let s = 1; s <= 3; s++) {
      const gs = randomGrads(ps, rng);
      await h.run(gs);
      r.step(gs, { value: 0.3 });
      await compareWithRef(e, opt, ps, r, TOL.optim, `clip value step ${s}`);
    }
  });

  testOn(backend)(`non-finite guard: a NaN/Inf step leaves parameters and state bit-identical, then resumes (${backend})`, async () => {
    const e = await engineFor(backend);
    const rng = new Rng(5);
    const ps = fresh(backend, rng);
    const opt = new slope.Adam(ps, { lr: 0.01, amsgrad: true });
    const h = await harness(e, ps, [opt], true);
    const spec = refFor('Adam', { lr: 0.01, amsgrad: true });
    const r = new RefRun(ps, ps.map(() => spec.step), () => 0, ps.map(() => spec.keys));
    for (let s = 0; s < 3; s++) {
      const gs = randomGrads(ps, rng);
      await h.run(gs);
      r.step(gs);
    }
    assert.is(await opt.nonFiniteStep(), null);
    const params0 = await Promise.all(ps.map((p) => e.read(p)));
    const state0 = (await opt.stateDict()).state;
    const bad = randomGrads(ps, rng);
    bad[1][4] = NaN;
    await h.run(bad);
    const inf = randomGrads(ps, rng);
    inf[2][0] = Infinity;
    await h.run(inf);
    await h.run(randomGrads(ps, rng)); // finite, but skipped: the flag is sticky
    assert.is(await opt.nonFiniteStep(), 4, 'the first bad step is recorded');
    for (let i = 0; i < ps.length; i++) assert.equal([...(await e.read(ps[i]))], [...params0[i]], `${ps[i].name} untouched`);
    const sd = await opt.stateDict();
    assert.is(sd.step, 3, 'the state dict counts only applied updates');
    assert.equal(sd.state, state0, 'optimizer state untouched');
    assert.is(await opt.resetNonFinite(), 4);
    assert.is(opt.stepCount, 3);
    const gs = randomGrads(ps, rng);
    await h.run(gs);
    r.step(gs);
    await compareWithRef(e, opt, ps, r, TOL.optim, 'after reset');
  });

  testOn(backend)(`lr changes and schedules take effect without recompiling (${backend})`, async () => {
    const e = await engineFor(backend);
    const rng = new Rng(6);
    const ps = fresh(backend, rng);
    const opt = new slope.RMSprop(ps, { lr: 0.01, momentum: 0.5 });
    const h = await harness(e, ps, [opt]);
    const ops = opt.ops;
    const gpu = (e.backend as unknown as { gpu?: { pipelines: Map<string, unknown> } }).gpu;
    const pipelines = gpu?.pipelines.size;
    const lrs = [0.01, 0.05, 0.002];
    const sched = slope.stepLR(0.03, 2, 0.5);
    const r = new RefRun(ps, ps.map(() => (p, s, g, t) => lrAt(t)(p, s, g, t)), () => 0, ps.map(() => ['square_avg', 'momentum_buffer']));
    const lrAt = (t: number) => refFor('RMSprop', { lr: t <= 3 ? lrs[t - 1] : sched(t - 4), momentum: 0.5 }).step;
    for (let s = 1; s <= 8; s++) {
      if (s <= 3) opt.lr = lrs[s - 1];
      if (s === 4) opt.schedule = (t) => sched(t - 3);
      const gs = randomGrads(ps, rng);
      await h.run(gs);
      r.step(gs);
      await compareWithRef(e, opt, ps, r, TOL.optim, `lr step ${s}`);
    }
    assert.ok(opt.ops === ops, 'the prepared ops are the ones made at compile');
    if (gpu) assert.is(gpu.pipelines.size, pipelines, 'no pipeline was created after compile');
  });

  testOn(backend)(`one fused dispatch updates every parameter; the guard adds one reduction (${backend})`, async () => {
    const e = await engineFor(backend);
    const rng = new Rng(8);
    const ps = fresh(backend, rng, [[3], [4, 5], [1], [67], [2, 2]]);
    const count = (o: slope.Optimizer) => o.ops.map((p) => (p as { launches?: unknown[] }).launches?.length ?? 1);
    const plain = new slope.AdamW(ps, { lr: 0.01 });
    await harness(e, ps, [plain]);
    assert.equal(plain.ops.map((p) => p.call.op.name), ['optim.adam']);
    assert.equal(count(plain), [1]);
    const ps2 = fresh(backend, rng, [[3], [4, 5], [1], [67], [2, 2]]);
    const guarded = new slope.AdamW(ps2, { lr: 0.01, clipGradNorm: 1 });
    await harness(e, ps2, [guarded], true);
    assert.equal(guarded.ops.map((p) => p.call.op.name), ['optim.sumsq', 'optim.finalize', 'optim.adam']);
    assert.equal(count(guarded), [1, 1, 1]);
  });

  testOn(backend)(`one optimizer in two programs updates each program's parameters (${backend})`, async () => {
    const e = await engineFor(backend);
    const rng = new Rng(7);
    const ps = fresh(backend, rng);
    const opt = new slope.Adam(ps, { lr: 0.02, weightDecay: 0.01 });
    const hA = await harness(e, [ps[0], ps[1]], [opt]);
    const hB = await harness(e, [ps[1], ps[2]], [opt]);
    const spec = refFor('Adam', { lr: 0.02, weightDecay: 0.01 });
    const r = new RefRun(ps, ps.map(() => spec.step), () => 0, ps.map(() => spec.keys));
    for (let s = 1; s <= 4; s++) {
      const gs = randomGrads(ps, rng);
      const useA = s % 2 === 1;
      await (useA ? hA.run([gs[0], gs[1]]) : hB.run([gs[1], gs[2]]));
      // The reference: the parameters this program does not touch get no update (as p.grad = None).
      const skip = useA ? 2 : 0;
      r.t++;
      ps.forEach((_, i) => { if (i !== skip) spec.step(r.p[i], r.state[i], Float64Array.from(gs[i]), r.t); });
      await compareWithRef(e, opt, ps, r, TOL.optim, `shared step ${s}`);
    }
  });
}

test.after(() => {
  for (const e of engines.values()) e.dispose();
});

test.run();
