/**
 * Tuning at compile: the tuned families' variants measured per shape class, the choice kept in
 * the device profile and the cache (reused without measuring), switched off by tune: false,
 * restored from a checkpoint's `kernels` so that a resumed run computes the same bits; the Node
 * file cache under XDG_CACHE_HOME. No timed assertions.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { slope } from '../util/engine.js';
import { gpu, gpuTest } from '../util/suite.js';
import { SLOPE_VERSION, memoryTuneCache, tuneKey, type TuneCache } from '../../src/gpu/tune_cache.js';
import { defaultTuneFile, fileTuneCache } from '../../src/gpu/tune_cache_node.js';
import { TUNABLE, shapeClass } from '../../src/kernels/tune.js';
import { encodeCheckpoint, decodeCheckpoint, checkpointKernels } from '../../src/io/checkpoint.js';
import type { WebGpuBackend } from '../../src/backend/webgpu.js';

async function train(e: slope.Engine, steps: number): Promise<Float32Array[]> {
  slope.manualSeed(3);
  const model = new slope.Sequential(new slope.Linear(12, 9), new slope.ReLU(), new slope.Linear(9, 4));
  const g = new slope.Graph();
  const x = g.input('x', [6, 12]);
  const y = g.input('y', [6], 'i32');
  const loss = slope.crossEntropy(model.forward(x), y);
  const ps = model.parameters();
  const gs = slope.grad(loss, ps.map((p) => g.param(p)));
  const prog = await e.compile(g, { outputs: { loss }, gradients: ps.map((p, i) => [p, gs[i]] as const), hooks: [new slope.Adam(ps, { lr: 0.01 })] });
  for (let s = 0; s < steps; s++) await prog.run({ x: Float32Array.from({ length: 72 }, (_, i) => Math.cos(i + s)), y: Int32Array.from({ length: 6 }, (_, i) => (i + s) % 4) });
  const out = await Promise.all(ps.map((p) => e.read(p) as Promise<Float32Array>));
  prog.dispose();
  return out;
}

/** A cache that counts what it is asked. */
function countingCache(): TuneCache & { loads: number; saves: number } {
  const m = memoryTuneCache();
  const c = { loads: 0, saves: 0, load: (k: string) => { c.loads++; return m.load(k); }, save: (k: string, v: Record<string, string>) => { c.saves++; return m.save(k, v); } };
  return c;
}

gpuTest('tuning: choices measured per shape class, cached, reused without measuring; off with tune: false', async () => {
  const cache = countingCache();
  const a = await gpu({ tune: cache });
  let first: [string, string][];
  try {
    await train(a, 1);
    first = [...a.backend.profile.tuned];
    assert.ok(first.some(([k]) => k.startsWith('matmul:')), JSON.stringify(first));
    const tuner = (a.backend as WebGpuBackend).tuner!;
    for (const [k, v] of first) {
      assert.ok(TUNABLE[k.split(':')[0]].candidates((a.backend as WebGpuBackend).gpu.limits).includes(v), `${k} → ${v}`);
    }
    assert.ok(tuner.records.every((r) => !r.cached && Object.values(r.ms).every((t) => t > 0)));
    assert.ok(tuner.records.filter((r) => r.key.startsWith('matmul:')).every((r) => !('naive' in r.ms)), 'the naive matmul is a reference, not a candidate');
    assert.is(cache.saves, first.length);
    assert.equal(Object.keys(await cache.load(tuneKey(a.adapter))).sort(), first.map(([k]) => k).sort());
  } finally {
    a.dispose();
  }
  const b = await gpu({ tune: cache });
  try {
    const saves = cache.saves;
    await train(b, 1);
    assert.equal([...b.backend.profile.tuned].sort(), [...first].sort());
    assert.ok((b.backend as WebGpuBackend).tuner!.records.every((r) => r.cached));
    assert.is(cache.saves, saves, 'nothing measured again');
  } finally {
    b.dispose();
  }
  const off = await gpu({ tune: false });
  try {
    await train(off, 1);
    assert.is(off.backend.profile.tuned.size, 0);
    assert.is((off.backend as WebGpuBackend).tuner, null);
  } finally {
    off.dispose();
  }
});

gpuTest('tuning: a run restarted with the recorded choices computes the same bits', async () => {
  const a = await gpu({ tune: memoryTuneCache() });
  let want: Float32Array[], kernels: Record<string, string>;
  try {
    want = await train(a, 3);
    kernels = Object.fromEntries(a.backend.profile.tuned);
  } finally {
    a.dispose();
  }
  // A checkpoint carries them; an engine started from them measures nothing.
  const bytes = encodeCheckpoint({ params: [['w', new Float32Array(2)]], buffers: [], optimizer: null, progress: { step: 0, epoch: 0, batch: 0, seed: 0, rng: 0 }, schedule: null, config: {}, kernels }, new Map([['w', [2]]]));
  assert.equal(checkpointKernels(bytes), kernels);
  const expected = { tensors: new Map([['w', { shape: [2], dtype: 'f32' as const, kind: 'param' as const }]]) };
  assert.equal(decodeCheckpoint(bytes, expected).kernels, kernels);
  const b = await gpu({ tune: false, tuned: checkpointKernels(bytes) });
  try {
    const got = await train(b, 3);
    got.forEach((g, i) => assert.equal(Array.from(new Uint32Array(g.buffer)), Array.from(new Uint32Array(want[i].buffer)), `parameter ${i}`));
  } finally {
    b.dispose();
  }
});

test('tuning: shape classes round dimensions up to powers of two and keep flags', () => {
  const v = (shape: number[]) => ({ storage: { label: '', length: 0 }, offset: 0, length: shape.reduce((a, b) => a * b, 1), dtype: 'f32' as const, shape, label: '' });
  const mm = (M: number, transB: boolean) => shapeClass({ op: slope.OPS.matmul, inputs: [v([M, 784]), v([512, 784])], outputs: [v([M, 512])], attrs: { transA: false, transB, bias: false, act: 'none', alpha: 0, beta: 0 } });
  assert.is(mm(60, true), mm(64, true));
  assert.is.not(mm(64, true), mm(65, true));
  assert.is.not(mm(64, true), mm(64, false));
  assert.ok(mm(64, true)!.startsWith('matmul:matmul 64x1024,512x1024,64x512'), mm(64, true)!);
  assert.is(shapeClass({ op: slope.OPS.copy, inputs: [v([4])], outputs: [v([4])], attrs: {} }), null);
  // Large matmuls are timed on fewer rows of C: the same columns and depth, A and C shrunk alike.
  const big = (transA: boolean) => ({ op: slope.OPS.matmul, inputs: [v(transA ? [1024, 2048] : [2048, 1024]), v([1024, 512])], outputs: [v([2048, 512])], attrs: { transA, transB: false, bias: false, act: 'none' as const, alpha: 0, beta: 0 } });
  const p = TUNABLE.matmul.proxy!(big(false))!;
  assert.ok(p[0][0] < 2048 && p[0][0] >= 128 && p[0][0] % 32 === 0, JSON.stringify(p));
  assert.equal([p[0][1], p[1], p[2]], [1024, [1024, 512], [p[0][0], 512]]);
  assert.equal(TUNABLE.matmul.proxy!(big(true))![0], [1024, p[0][0]]);
  assert.is(TUNABLE.matmul.proxy!({ ...big(false), inputs: [v([64, 784]), v([784, 512])], outputs: [v([64, 512])] }), null);
  // Convolution: the three GEMMs are tuned (on fewer images when large), the bias gradient is not.
  const x = v([64, 32, 14, 14]), w = v([64, 32, 3, 3]), y = v([64, 64, 14, 14]);
  const geo = { strideH: 1, strideW: 1, padH: 1, padW: 1, dilH: 1, dilW: 1, groups: 1 };
  const conv = (op: 'conv2d' | 'conv2d_backward_input' | 'conv2d_backward_weight', inputs: typeof x[], outputs: typeof x[]) =>
    ({ op: slope.OPS[op], inputs, outputs, attrs: { ...geo, bias: false, act: 'none' as const, alpha: 0, beta: 0 } });
  const calls = [conv('conv2d', [x, w], [y]), conv('conv2d_backward_input', [y, w], [x]), conv('conv2d_backward_weight', [x, y], [w])];
  for (const c of calls) {
    assert.ok(shapeClass(c)!.startsWith(`conv:${c.op.name} `), shapeClass(c)!);
    const p = TUNABLE.conv.proxy!(c)!;
    const n = p[0][0];
    assert.ok(n > 1 && n < 64, JSON.stringify(p));
    const want = [...c.inputs, ...c.outputs].map((t) => (t === w ? [...w.shape] : [n, ...t.shape.slice(1)]));
    assert.equal(p, want, c.op.name);
  }
  assert.is(TUNABLE.conv.proxy!(conv('conv2d', [v([2, 32, 14, 14]), w], [v([2, 64, 14, 14])])), null);
  assert.is(shapeClass({ op: slope.OPS.conv2d_backward_bias, inputs: [y], outputs: [v([64])], attrs: {} }), null);
});

test('tuning: the Node cache file under XDG_CACHE_HOME, merged, and empty when unreadable', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'slope-tune-'));
  const saved = process.env.XDG_CACHE_HOME;
  try {
    process.env.XDG_CACHE_HOME = dir;
    const file = defaultTuneFile();
    assert.is(file, join(dir, 'slope', 'tuning.json'));
    const c = fileTuneCache();
    assert.equal(await c.load('k'), {});
    await c.save('k', { a: 'x' });
    await fileTuneCache().save('k', { b: 'y' });
    await c.save('other', { a: 'z' });
    assert.equal(await fileTuneCache().load('k'), { a: 'x', b: 'y' });
    assert.equal(Object.keys(JSON.parse(readFileSync(file, 'utf8'))).sort(), ['k', 'other']);
    writeFileSync(file, '{ not json');
    assert.equal(await c.load('k'), {});
    await c.save('k', { a: 'w' });
    assert.equal(await c.load('k'), { a: 'w' });
  } finally {
    if (saved === undefined) delete process.env.XDG_CACHE_HOME;
    else process.env.XDG_CACHE_HOME = saved;
    rmSync(dir, { recursive: true, force: true });
  }
});

test('tuning: the cache key names this slope version', () => {
  const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
  assert.is(SLOPE_VERSION, pkg.version);
  assert.ok(tuneKey('lavapipe (Mesa 25)').includes(pkg.version));
});

test.run();
