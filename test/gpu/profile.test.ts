/**
 * The profiler (program.profile): the table's shape, every fraction positive, sums consistent
 * (dispatch times add up to the summed time, shares to one, host parts to at most the wall
 * time), the JSON and the Chrome trace; both timing methods where the adapter has timestamps.
 * No timed assertions: only that times are positive and add up.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { slope, cpu } from '../util/engine.js';
import { gpu, gpuTest } from '../util/suite.js';
import { rejects } from '../util/rejects.js';

async function mlpStep(e: slope.Engine, B: number): Promise<{ prog: slope.Program; feeds: Record<string, slope.Feed> }> {
  slope.manualSeed(1);
  const model = new slope.Sequential(new slope.Linear(20, 16), new slope.ReLU(), new slope.Linear(16, 3));
  const g = new slope.Graph();
  const x = g.input('x', [B, 20]);
  const y = g.input('y', [B], 'i32');
  const loss = slope.crossEntropy(model.forward(x), y);
  const ps = model.parameters();
  const gs = slope.grad(loss, ps.map((p) => g.param(p)));
  const prog = await e.compile(g, { outputs: { loss }, loss, gradients: ps.map((p, i) => [p, gs[i]] as const), hooks: [new slope.Adam(ps)] });
  const feeds = { x: Float32Array.from({ length: B * 20 }, (_, i) => Math.sin(i)), y: Int32Array.from({ length: B }, (_, i) => i % 3) };
  return { prog, feeds };
}

function checkProfile(p: slope.StepProfile, method: string): void {
  const d = p.data;
  assert.is(d.method, method);
  assert.ok(d.dispatches.length >= 8, `${d.dispatches.length} dispatches`);
  d.dispatches.forEach((x, i) => {
    assert.is(x.index, i);
    assert.is(x.method, method);
    assert.ok(x.ms > 0, `${x.kernel}: ${x.ms} ms`);
    assert.ok(x.bytes > 0, `${x.kernel}: ${x.bytes} bytes`);
    assert.ok(/^[a-z_]+\.[a-z0-9_]+$/.test(x.kernel), x.kernel);
    assert.ok(x.shapes.includes('→'), x.shapes);
    assert.ok(x.workgroups.every((w) => Number.isInteger(w) && w >= 1));
  });
  // The matmuls declare their FLOPs.
  assert.ok(d.dispatches.some((x) => x.op === 'matmul' && x.flops > 0 && x.cost === 'declared'));
  const rows = p.keyAverages();
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  const close = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b)), `${what}: ${a} vs ${b}`);
  close(sum(rows.map((r) => r.totalMs)), p.dispatchMs, 'rows add up to the dispatches');
  close(sum(d.dispatches.map((x) => x.ms)), p.dispatchMs, 'dispatches add up');
  close(sum(rows.map((r) => r.fraction)), 1, 'shares add up to one');
  close(sum(rows.map((r) => r.calls)), d.dispatches.length, 'calls add up');
  close(p.gapMs, d.host.wallMs - p.dispatchMs, 'gap');
  for (let i = 1; i < rows.length; i++) assert.ok(rows[i - 1].totalMs >= rows[i].totalMs, 'most time first');
  for (const r of rows) {
    assert.ok(r.fraction > 0 && r.fraction <= 1, `${r.kernel} share ${r.fraction}`);
    assert.ok(r.bandwidthFraction > 0, `${r.kernel} bandwidth fraction ${r.bandwidthFraction}`);
    if (r.flops) assert.ok(r.peakFraction > 0, `${r.kernel} peak fraction`);
    close(r.avgMs * r.calls, r.totalMs, 'average × calls');
  }
  const h = d.host;
  for (const k of ['wallMs', 'encodeMs', 'submitMs', 'waitMs', 'otherMs'] as const) assert.ok(h[k] >= 0, k);
  assert.ok(h.wallMs > 0 && h.encodeMs + h.submitMs + h.waitMs <= h.wallMs * (1 + 1e-9) + 1e-6, JSON.stringify(h));
  const r = d.roofline;
  assert.ok(r.copyGBs > 0 && r.copyKernelGBs > 0 && r.peakGflops > 0);
  assert.is(r.bandwidthGBs, Math.max(r.copyGBs, r.copyKernelGBs));
  assert.ok(d.memory.peakBufferBytes >= d.memory.liveBufferBytes && d.memory.liveBufferBytes > 0 && d.memory.workspaceBytes > 0);
  // The table: a header, a rule, a line per key, then the summary.
  const lines = p.table().split('\n');
  assert.ok(lines[1].startsWith('kernel') && lines[1].includes('%BW') && lines[1].includes('%peak'), lines[1]);
  assert.ok(/^-+ /.test(lines[2]));
  assert.is(lines.slice(3).findIndex((l) => l === ''), rows.length);
  assert.ok(lines.some((l) => l.startsWith('dispatches: ') && l.includes('gap')));
  assert.ok(lines.some((l) => l.startsWith('host: encode')));
  assert.ok(lines.some((l) => l.startsWith('roofline: ')));
  // JSON round trip, and the trace: one complete event per dispatch per step, plus host events.
  const json = JSON.parse(JSON.stringify(p)) as { keyAverages: unknown[]; dispatches: unknown[]; dispatchMs: number };
  assert.is(json.keyAverages.length, rows.length);
  assert.is(json.dispatches.length, d.dispatches.length);
  const trace = JSON.parse(JSON.stringify(p.trace())) as { traceEvents: { ph: string; tid: number; ts?: number; dur?: number }[] };
  const gpuEv = trace.traceEvents.filter((e) => e.ph === 'X' && e.tid === 2);
  assert.is(gpuEv.length, d.dispatches.length * d.steps);
  assert.ok(trace.traceEvents.filter((e) => e.ph === 'X' && e.tid === 1).length >= 3 * d.steps);
  assert.ok(trace.traceEvents.every((e) => e.ph === 'M' || (e.ts! >= 0 && e.dur! >= 0)));
}

gpuTest('profile: per-dispatch times (timestamps where the adapter has them, else each dispatch alone)', async () => {
  const e = await gpu();
  try {
    const { prog, feeds } = await mlpStep(e, 8);
    const method = (e.backend.profiling!.hasTimestamps ? 'timestamp' : 'alone');
    const p = await prog.profile(feeds, { steps: 2 });
    checkProfile(p, method);
    assert.is(p.data.steps, 2);
    // Each dispatch alone: the same dispatches in the same order.
    const q = await prog.profile(feeds, { steps: 1, method: 'alone' });
    checkProfile(q, 'alone');
    assert.equal(q.data.dispatches.map((x) => x.kernel), p.data.dispatches.map((x) => x.kernel));
    // The program still trains afterwards.
    await prog.run(feeds);
    assert.ok(Number.isFinite(await prog.item('loss')));
    await rejects(prog.profile(feeds, { steps: 0 }), slope.ArgumentError, 'steps');
  } finally {
    e.dispose();
  }
});

test('profile: the cpu backend says it cannot be profiled', async () => {
  const e = await cpu();
  try {
    const { prog, feeds } = await mlpStep(e, 2);
    await rejects(prog.profile(feeds), slope.ArgumentError, 'cannot be profiled');
  } finally {
    e.dispose();
  }
});

test.run();
