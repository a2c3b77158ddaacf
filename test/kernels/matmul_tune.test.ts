/** tuneMatmul: measures the variants, makes the fastest this engine's choice (its device profile), caches it. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cpu, slope } from '../util/engine.js';
import { gpu, gpuTest } from '../util/suite.js';
import { rejects } from '../util/rejects.js';
import { matmulRule } from '../../src/gpu/profile.js';

test('the default variant by rule, per adapter kind (before any tuning)', () => {
  assert.is(matmulRule('mesa software llvmpipe', 8), 'sg');
  assert.is(matmulRule('mesa software llvmpipe', 0), 'bcast');
  assert.is(matmulRule('google swiftshader', 0), 'reg');
  assert.is(matmulRule('nvidia ampere', 32), 'tiled');
});

gpuTest('tuneMatmul picks a supported variant, makes it this engine\'s choice, and uses the cache', async () => {
  const e = await gpu();
  try {
    const store = new Map<string, string>();
    const cache = { get: (k: string) => store.get(k), set: (k: string, v: string) => { store.set(k, v); } };
    const r = await slope.tuneMatmul(e, { shapes: [[33, 20, 40, false]], runs: 1, cache });
    assert.is(r.cached, false);
    assert.ok(slope.MATMUL_VARIANTS.includes(r.variant));
    assert.ok(!('naive' in r.seconds), 'the naive variant is not a candidate');
    for (const t of Object.values(r.seconds)) assert.ok(t! > 0);
    assert.is(e.backend.profile.matmul, r.variant);
    assert.is(store.get(`slope.matmul.${e.adapter}`), r.variant);
    // A cached choice is applied without measuring.
    store.set(`slope.matmul.${e.adapter}`, 'reg');
    const again = await slope.tuneMatmul(e, { cache });
    assert.equal([again.cached, again.variant], [true, 'reg']);
    assert.is(e.backend.profile.matmul, 'reg');
  } finally {
    e.dispose();
  }
});

gpuTest('two engines hold their own matmul choice; init({ matmulVariant }) sets it and checks the name', async () => {
  const a = await gpu({ matmulVariant: 'reg' });
  const b = await gpu({ matmulVariant: 'naive' });
  try {
    assert.is(a.backend.profile.matmul, 'reg');
    assert.is(b.backend.profile.matmul, 'naive');
    await slope.tuneMatmul(a, { shapes: [[8, 8, 8, false]], runs: 1, variants: ['bcast'] });
    assert.is(a.backend.profile.matmul, 'bcast');
    assert.is(b.backend.profile.matmul, 'naive', 'tuning one engine leaves the other alone');
    await rejects(slope.init({ matmulVariant: 'fastest' }), slope.ArgumentError, /unknown matmul variant 'fastest'/);
  } finally {
    a.dispose();
    b.dispose();
  }
});

test('tuneMatmul refuses the cpu backend', async () => {
  const c = await cpu();
  try {
    await rejects(slope.tuneMatmul(c), slope.ArgumentError);
  } finally {
    c.dispose();
  }
});

test.run();
