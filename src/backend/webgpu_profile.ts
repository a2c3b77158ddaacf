/**
 * Per-dispatch timing for the profiler (the webgpu backend's side of Program.profile). Two
 * methods: with the adapter's `timestamp-query`, every dispatch runs in a compute pass of its
 * own whose beginning and end write timestamps (WebGPU has no timestamps inside a pass), all in
 * one submission; without it, every dispatch is submitted alone and timed by the wall clock
 * around its submission and completion, less the median time of an empty submission.
 */
import type { Gpu } from '../gpu/device.js';
import { Usage } from '../gpu/device.js';
import type { DispatchTiming, TimingMethod } from '../gpu/profiler.js';
import { median } from '../gpu/profiler.js';
import type { Launch } from '../kernels/spec.js';
import type { OpCall } from './types.js';

/** A launch made ready by the backend: its pipeline and bind group, and what the profiler reports of it. */
export interface ReadyLaunch {
  pipeline: GPUComputePipeline;
  bindGroup: GPUBindGroup;
  workgroups: [number, number, number];
  launch: Launch;
  uniformOffset: number;
  /** For the profiler: the op, shapes, overrides, bytes and FLOPs. */
  info: Omit<DispatchTiming, 'index' | 'ms' | 'startMs' | 'method'>;
}

const MAP_READ = 0x0001;
/** Timestamp pairs per query set (WebGPU allows 4096 queries in one). */
const PAIRS = 2048;

/** The profiler's description of one launch of a call. */
export function launchInfo(call: OpCall, l: Launch, workgroups: [number, number, number], overrides: Record<string,
  number>): ReadyLaunch['info'] {
  const shape = (s: readonly number[]) => `[${s.join(',')}]`;
  const shapes =
    `${call.inputs.map((v) => shape(v.shape)).join('·')} → ${call.outputs.map((v) => shape(v.shape)).join(',')}`;
  const bytes = l.cost?.bytes ?? l.buffers.reduce((a, v) => a + 4 * v.length, 0);
  return { op: call.op.name, kernel: l.kernel.name, shapes, workgroups, overrides, bytes, flops: l.cost?.flops ?? 0,
    cost: l.cost ? 'declared' : 'bindings' };
}

function encode(pass: GPUComputePassEncoder, r: ReadyLaunch): void {
  pass.setPipeline(r.pipeline);
  pass.setBindGroup(0, r.bindGroup);
  pass.dispatchWorkgroups(r.workgroups[0], r.workgroups[1], r.workgroups[2]);
  pass.end();
}

/** Submit the launches with a timestamp pair around each; resolves to their timings once done. */
export function submitTimestamped(gpu: Gpu, launches: readonly ReadyLaunch[]): Promise<DispatchTiming[]> {
  const d = gpu.device;
  const enc = d.createCommandEncoder({ label: 'profiled step' });
  const sets: { qs: GPUQuerySet; read: GPUBuffer; resolve: GPUBuffer; n: number }[] = [];
  for (let i = 0; i < launches.length; i++) {
    if (i % PAIRS === 0) {
      const n = Math.min(PAIRS, launches.length - i);
      sets.push({
        qs: d.createQuerySet({ type: 'timestamp', count: 2 * n }), n,
        resolve: d.createBuffer({ size: 16 * n, usage: Usage.QUERY_RESOLVE | Usage.COPY_SRC }),
        read: d.createBuffer({ size: 16 * n, usage: Usage.MAP_READ | Usage.COPY_DST }),
      });
    }
    const s = sets[sets.length - 1], j = i % PAIRS;
    encode(enc.beginComputePass({ timestampWrites: { querySet: s.qs, beginningOfPassWriteIndex: 2 * j,
      endOfPassWriteIndex: 2 * j + 1 } }), launches[i]);
  }
  for (const s of sets) {
    enc.resolveQuerySet(s.qs, 0, 2 * s.n, s.resolve, 0);
    enc.copyBufferToBuffer(s.resolve, 0, s.read, 0, 16 * s.n);
  }
  d.queue.submit([enc.finish()]);
  return (async () => {
    const t: bigint[] = [];
    try {
      for (const s of sets) {
        await s.read.mapAsync(MAP_READ);
        t.push(...new BigInt64Array(s.read.getMappedRange().slice(0)));
        s.read.unmap();
      }
    } finally {
      for (const s of sets) {
        s.qs.destroy();
        s.read.destroy();
        s.resolve.destroy();
      }
    }
    const t0 = t.length ? t[0] : 0n;
    return launches.map((r, i) => ({
      ...r.info, index: i, method: 'timestamp' as const,
      // A reading of 0 is below the timer's resolution: 0.1 µs at least, so that rates stay finite.
      ms: Math.max(100, Number(t[2 * i + 1] - t[2 * i])) / 1e6, startMs: Number(t[2 * i] - t0) / 1e6,
    }));
  })();
}

/** Median milliseconds of an empty submission and its completion. */
export async function emptySubmitMs(gpu: Gpu): Promise<number> {
  const ts: number[] = [];
  for (let i = 0; i < 7; i++) {
    const t0 = performance.now();
    gpu.device.queue.submit([gpu.device.createCommandEncoder().finish()]);
    await gpu.sync();
    ts.push(performance.now() - t0);
  }
  return median(ts);
}

/** Submit each launch alone and time it by the wall clock, less an empty submission's time. */
export async function timeAlone(gpu: Gpu, launches: readonly ReadyLaunch[],
  emptyMs: number): Promise<DispatchTiming[]> {
  const out: DispatchTiming[] = [];
  let start = 0;
  await gpu.sync();
  for (let i = 0; i < launches.length; i++) {
    const enc = gpu.device.createCommandEncoder({ label: 'profiled dispatch' });
    encode(enc.beginComputePass(), launches[i]);
    const cb = enc.finish();
    const t0 = performance.now();
    gpu.device.queue.submit([cb]);
    await gpu.sync();
    // A dispatch faster than the submission's own noise still took some time: 1 µs at least.
    const ms = Math.max(1e-3, performance.now() - t0 - emptyMs);
    out.push({ ...launches[i].info, index: i, method: 'alone', ms, startMs: start });
    start += ms;
  }
  return out;
}

export type { TimingMethod };
