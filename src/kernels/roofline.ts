/**
 * This adapter's roofline, measured for the profiler: copy bandwidth by a buffer-to-buffer copy
 * and by a vec4 copy kernel (bytes read + written per second), and the arithmetic peak by a
 * register-only FMA kernel (shaders/roofline.wgsl). Wall clock around each submission and its
 * completion, the best of a few runs, each sized to take tens of milliseconds so that the
 * submission's own cost is small beside it.
 */
import source from '../../shaders/roofline.wgsl';
import { Usage, type Gpu } from '../gpu/device.js';
import type { Roofline } from '../gpu/profiler.js';

const WG = 64;
const KINDS = ['read', 'read_write', 'uniform'] as const;

async function best(gpu: Gpu, runs: number, encode: (enc: GPUCommandEncoder) => void): Promise<number> {
  let t = Infinity;
  for (let r = 0; r <= runs; r++) {
    const enc = gpu.device.createCommandEncoder({ label: 'roofline' });
    encode(enc);
    await gpu.sync();
    const t0 = performance.now();
    gpu.device.queue.submit([enc.finish()]);
    await gpu.sync();
    if (r > 0) t = Math.min(t, (performance.now() - t0) / 1e3); // the first run warms up
  }
  return t;
}

export async function measureRoofline(gpu: Gpu): Promise<Roofline> {
  const d = gpu.device;
  const bytes = Math.min(32 << 20, gpu.limits.maxStorageBufferBindingSize, gpu.limits.maxBufferSize) & ~15;
  const use = Usage.STORAGE | Usage.COPY_SRC | Usage.COPY_DST;
  const a = await gpu.createBuffer('roofline a', bytes, use);
  const b = await gpu.createBuffer('roofline b', bytes, use);
  const params = d.createBuffer({ label: 'roofline params', size: 16, usage: Usage.UNIFORM | Usage.COPY_DST });
  try {
    const copies = 4;
    const tCopy = await best(gpu, 3, (enc) => {
      for (let i = 0; i < copies; i++) enc.copyBufferToBuffer(i % 2 ? b : a, 0, i % 2 ? a : b, 0, bytes);
    });
    const pipe = (entry: string) => gpu.pipeline({
      name: `roofline.${entry}`, source, entry, bindings: KINDS, overrides: { WG },
    });
    const group = d.createBindGroup({
      layout: gpu.layout(KINDS),
      entries: [
        { binding: 0, resource: { buffer: a } }, { binding: 1, resource: { buffer: b } },
        { binding: 2, resource: { buffer: params } },
      ],
    });
    const n4 = bytes / 16;
    const dispatch = (p: GPUComputePipeline, groups: number, reps: number) => (enc: GPUCommandEncoder) => {
      const pass = enc.beginComputePass();
      pass.setPipeline(p);
      pass.setBindGroup(0, group);
      const x = Math.min(groups, gpu.limits.maxComputeWorkgroupsPerDimension);
      for (let i = 0; i < reps; i++) pass.dispatchWorkgroups(x, Math.ceil(groups / x));
      pass.end();
    };
    const copyPipe = await pipe('copy_vec4');
    d.queue.writeBuffer(params, 0, new Uint32Array([n4, 0, 0, 0]));
    const tKernel = await best(gpu, 3, dispatch(copyPipe, Math.ceil(n4 / WG), copies));
    // The FMA kernel: 16,384 invocations; the loop count grown until a run takes ≥ 20 ms.
    const fmaPipe = await pipe('peak_fma');
    const groups = 256;
    let iters = 256;
    let tFma = 0;
    for (;;) {
      d.queue.writeBuffer(params, 0, new Uint32Array([groups * WG, iters, 0, 0]));
      tFma = await best(gpu, 1, dispatch(fmaPipe, groups, 1));
      if (tFma >= 0.02 || iters >= 1 << 20) break;
      iters *= Math.min(16, Math.max(2, Math.ceil(0.025 / Math.max(tFma, 1e-4))));
    }
    tFma = Math.min(tFma, await best(gpu, 2, dispatch(fmaPipe, groups, 1)));
    const copyGBs = (2 * bytes * copies) / tCopy / 1e9;
    const copyKernelGBs = (2 * bytes * copies) / tKernel / 1e9;
    const peakGflops = (groups * WG * iters * 64) / tFma / 1e9;
    return { copyGBs, copyKernelGBs, bandwidthGBs: Math.max(copyGBs, copyKernelGBs), peakGflops };
  } finally {
    a.destroy();
    b.destroy();
    params.destroy();
  }
}
