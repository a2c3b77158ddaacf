/**
 * Parameters larger than one block of the fused update (a workgroup covers a few thousand
 * elements, every thread looping over vec4s): every optimizer against its float64 reference on
 * a parameter that spans several blocks and ends mid-vec4, next to a small parameter of another
 * group (webgpu and cpu); and, on webgpu, a chunk with more blocks than the norm reduction has
 * workgroups, with clipping by value and norm, and a NaN in the very last block that must skip
 * the whole step.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { slope } from '../util/engine.js';
import { BACKENDS, engineOn, gpuTest, testOn, type Backend } from '../util/suite.js';
import { Rng } from '../util/rng.js';
import { TOL } from '../tolerances.js';
import { CASES, makeOptimizer, refFor } from './cases.js';
import { RefRun, compareWithRef, expectTensorClose, harness, makeParams, randomGrads } from './harness.js';
import * as ref from '../../src/ref/optim.js';

const SHAPES = [[3, 1531], [5], [20_001]];
const GROUP1 = new Set([1]);
const STEPS = 3;

/**
 * Random gradients with |g| ≥ 0.5: with λθ up to ~0.05 the decayed gradient g + λθ never cancels
 * to a few ULPs (among 75k elements some would, and the float32 sum then differs from the float64
 * reference by far more than the kernel's own rounding). Tiny gradients are covered by the
 * reference test.
 */
function awayFromZero(gs: Float32Array[]): Float32Array[] {
  return gs.map((g) => g.map((v) => Math.sign(v || 1) * (0.5 + Math.abs(v))));
}

const engines = new Map<Backend, slope.Engine>();
async function engineFor(kind: Backend): Promise<slope.Engine> {
  if (!engines.has(kind)) engines.set(kind, await engineOn(kind));
  return engines.get(kind)!;
}

for (const backend of BACKENDS) {
  testOn(backend)(`every optimizer: parameters spanning several blocks match the float64 reference (${backend})`, async () => {
    const engine = await engineFor(backend);
    for (const [ci, c] of CASES.entries()) {
      const rng = new Rng(300 + ci);
      const params = makeParams(`${backend}.blk${ci}`, SHAPES, rng);
      const g1Opts = { ...c.opts, lr: (c.opts.lr as number ?? 0.01) / 2, weightDecay: 0 };
      const opt = makeOptimizer(c.kind, [
        { params: params.filter((_, i) => !GROUP1.has(i)) },
        { params: params.filter((_, i) => GROUP1.has(i)), lr: g1Opts.lr, weightDecay: 0 },
      ] as never, c.opts);
      const h = await harness(engine, params, [opt]);
      const specs = params.map((_, i) => refFor(c.kind, GROUP1.has(i) ? g1Opts : c.opts));
      const r = new RefRun(params, specs.map((s) => s.step), (i) => specs[i].init, specs.map((s) => s.keys));
      for (let s = 1; s <= STEPS; s++) {
        const grads = awayFromZero(randomGrads(params, rng));
        await h.run(grads);
        r.step(grads);
        await compareWithRef(engine, opt, params, r, TOL.optim, `${c.name} step ${s}`);
      }
      h.prog.dispose();
    }
  });
}

// The cpu backend sums the norm in one loop whatever the blocks; this checks the kernels.
gpuTest('clipping and the guard over more blocks than the norm reduction has workgroups (webgpu)', async () => {
  const engine = await engineFor('webgpu');
  const rng = new Rng(400);
  const ps = makeParams('webgpu.big', [[600_003], [7]], rng);
  const opt = new slope.AdamW(ps, { lr: 0.01, clipGradNorm: 1, clipGradValue: 2 });
  const h = await harness(engine, ps, [opt], true);
  const spec = refFor('AdamW', { lr: 0.01 });
  const r = new RefRun(ps, ps.map(() => spec.step), () => 0, ps.map(() => spec.keys));
  for (let s = 1; s <= 2; s++) {
    const gs = randomGrads(ps, rng);
    const clamped = gs.map((g) => Float64Array.from(g));
    ref.clipGradValue(clamped, 2);
    await h.run(gs);
    r.step(gs, { value: 2, norm: 1 });
    await compareWithRef(engine, opt, ps, r, TOL.optim, `clipped step ${s}`);
    expectTensorClose([(await opt.lastGradNorm())!], [ref.totalNorm(clamped)], TOL.reduce, 'gradient norm of the clamped gradients');
  }
  const before = await Promise.all(ps.map((p) => engine.read(p)));
  const state0 = (await opt.stateDict()).state;
  const bad = randomGrads(ps, rng);
  bad[0][600_002] = NaN;
  await h.run(bad);
  assert.is(await opt.nonFiniteStep(), 3, 'a NaN in the last block is caught');
  for (let i = 0; i < ps.length; i++) assert.ok((await engine.read(ps[i])).every((v, k) => Object.is(v, before[i][k])), `${ps[i].name} untouched`);
  assert.equal((await opt.stateDict()).state, state0, 'optimizer state untouched');
  h.prog.dispose();
});

test.after(() => {
  for (const e of engines.values()) e.dispose();
});

test.run();
