/**
 * Timing helpers for benches: GPU time of prepared ops from timestamp queries when the adapter
 * has them, else wall clock around a submit and onSubmittedWorkDone. Benches only: these reach
 * into the webgpu backend's prepared launches.
 */
import type { Engine, Prepared } from '../../src/index.js';

interface ReadyLaunch {
  pipeline: GPUComputePipeline;
  bindGroup: GPUBindGroup;
  workgroups: [number, number, number];
}
interface GpuLike {
  device: GPUDevice;
  hasTimestamps: boolean;
}

function gpuOf(engine: Engine): GpuLike | null {
  const g = (engine.backend as unknown as { gpu?: GpuLike }).gpu;
  return g ?? null;
}

/** 'timestamp' when the adapter offers timestamp queries, else 'wall'. */
export function clockKind(engine: Engine): 'timestamp' | 'wall' {
  return gpuOf(engine)?.hasTimestamps ? 'timestamp' : 'wall';
}

/** Seconds of GPU (or wall) time and of process CPU time for `reps` runs of `steps`. */
export async function timeStepsCpu(engine: Engine, steps: readonly Prepared[],
  reps: number): Promise<{ gpu: number; cpu: number }> {
  await engine.sync();
  const c0 = process.cpuUsage();
  const gpu = await timeSteps(engine, steps, reps);
  const c = process.cpuUsage(c0);
  return { gpu, cpu: (c.user + c.system) / 1e6 };
}

/** Seconds for `reps` back-to-back runs of `steps` in one pass (one submission). */
export async function timeSteps(engine: Engine, steps: readonly Prepared[], reps: number): Promise<number> {
  const gpu = gpuOf(engine);
  if (!gpu || !gpu.hasTimestamps) {
    const all = Array.from({ length: reps }, () => steps).flat();
    await engine.sync();
    const t0 = performance.now();
    await engine.backend.execute(all);
    await engine.sync();
    return (performance.now() - t0) / 1000;
  }
  const d = gpu.device;
  const qs = d.createQuerySet({ type: 'timestamp', count: 2 });
  const resolve = d.createBuffer({ size: 16, usage: 0x0200 | 0x0004 }); // QUERY_RESOLVE | COPY_SRC
  const read = d.createBuffer({ size: 16, usage: 0x0001 | 0x0008 }); // MAP_READ | COPY_DST
  const enc = d.createCommandEncoder();
  const pass = enc.beginComputePass({
    timestampWrites: { querySet: qs, beginningOfPassWriteIndex: 0, endOfPassWriteIndex: 1 },
  });
  for (let r = 0; r < reps; r++) {
    for (const s of steps) {
      for (const l of (s as unknown as { launches: ReadyLaunch[] }).launches) {
        pass.setPipeline(l.pipeline);
        pass.setBindGroup(0, l.bindGroup);
        pass.dispatchWorkgroups(...l.workgroups);
      }
    }
  }
  pass.end();
  enc.resolveQuerySet(qs, 0, 2, resolve, 0);
  enc.copyBufferToBuffer(resolve, 0, read, 0, 16);
  d.queue.submit([enc.finish()]);
  await read.mapAsync(0x0001);
  const t = new BigInt64Array(read.getMappedRange().slice(0));
  read.unmap();
  read.destroy();
  resolve.destroy();
  qs.destroy();
  return Number(t[1] - t[0]) / 1e9;
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
