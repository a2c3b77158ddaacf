/** tuneMatmul: measures the variants, makes the fastest the default for this adapter, caches it. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cpu, slope } from '../util/engine.js';
import { gpu, gpuTest } from '../util/suite.js';
import { rejects } from '../util/rejects.js';
import { defaultMatmulVariant } from '../../src/kernels/matmul.js';
import type { WebGpuBackend } from '../../src/backend/webgpu.js';

test('the default variant by rule, per adapter kind (before any tuning)', () => {
  assert.is(defaultMatmulVariant('mesa software llvmpipe', { subgroupMinSize: 8 }), 'sg');
  assert.is(defaultMatmulVariant('mesa software llvmpipe', { subgroupMinSize: 0 }), 'bcast');
  assert.is(defaultMatmulVariant('google swiftshader', { subgroupMinSize: 0 }), 'reg');
  assert.is(defaultMatmulVariant('nvidia ampere', { subgroupMinSize: 32 }), 'tiled');
});

gpuTest('tuneMatmul picks a supported variant, sets it as the default, and uses the cache', async () => {
  const e = await gpu();
  try {
    const store = new Map<string, string>();
    const cache = { get: (k: string) => store.get(k), set: (k: string, v: string) => { store.set(k, v); } };
    const limits = (e.backend as WebGpuBackend).gpu.limits;
    const r = await slope.tuneMatmul(e, { shapes: [[33, 20, 40, false]], runs: 1, cache });
    assert.is(r.cached, false);
    assert.ok(slope.MATMUL_VARIANTS.includes(r.variant));
    assert.ok(!('naive' in r.seconds), 'the naive variant is not a candidate');
    for (const t of Object.values(r.seconds)) assert.ok(t! > 0);
    assert.is(defaultMatmulVariant(e.adapter, limits), r.variant);
    assert.is(store.get(`slope.matmul.${e.adapter}`), r.variant);
    // A cached choice is applied without measuring.
    store.set(`slope.matmul.${e.adapter}`, 'reg');
    const again = await slope.tuneMatmul(e, { cache });
    assert.equal([again.cached, again.variant], [true, 'reg']);
    assert.is(defaultMatmulVariant(e.adapter, limits), 'reg');
  } finally {
    e.dispose();
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
