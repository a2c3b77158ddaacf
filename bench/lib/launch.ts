/**
 * Launch objects made ready to time without an op registered for them (benches only): pipelines
 * from the engine's Gpu, one uniform per launch, bind groups — the shape timing.ts's timeSteps
 * replays. Like timing.ts, this reaches into the webgpu backend.
 */
import type { Engine, Prepared } from '../../src/index.js';
import type { WebGpuBackend } from '../../src/backend/webgpu.js';
import type { Launch } from '../../src/kernels/spec.js';
import { Usage } from '../../src/gpu/device.js';
import { OPS } from '../../src/ops/index.js';

export interface ReadyLaunches extends Prepared {
  launches: { pipeline: GPUComputePipeline; bindGroup: GPUBindGroup; workgroups: [number, number, number] }[];
  dispose(): void;
}

export async function readyLaunches(engine: Engine, launches: readonly Launch[]): Promise<ReadyLaunches> {
  const gpu = (engine.backend as WebGpuBackend).gpu;
  const device = gpu.device;
  const uniforms: GPUBuffer[] = [];
  const ready: ReadyLaunches['launches'] = [];
  for (const l of launches) {
    const k = l.kernel;
    const kinds = [...k.bindings, 'uniform' as const];
    const pipeline = await gpu.pipeline({
      name: k.name, source: k.source, entry: k.entry, bindings: kinds, overrides: { ...k.overrides, ...l.overrides },
    });
    const buf = new ArrayBuffer(Math.max(16, Math.ceil((k.params.length * 4) / 16) * 16));
    const dv = new DataView(buf);
    k.params.forEach(([name, type], i) => {
      const v = l.params?.[name] ?? NaN;
      if (type === 'f32') dv.setFloat32(i * 4, v, true);
      else if (type === 'i32') dv.setInt32(i * 4, v, true);
      else dv.setUint32(i * 4, v, true);
    });
    const ub = device.createBuffer({
      label: `${k.name} params`, size: buf.byteLength, usage: Usage.UNIFORM | Usage.COPY_DST,
    });
    device.queue.writeBuffer(ub, 0, buf);
    uniforms.push(ub);
    const entries: GPUBindGroupEntry[] = l.buffers.map((v, binding) => ({
      binding, resource: {
        buffer: (v.storage as unknown as { buffer: GPUBuffer }).buffer, offset: v.offset * 4,
        size: Math.max(4, v.length * 4),
      },
    }));
    entries.push({ binding: k.bindings.length, resource: { buffer: ub } });
    const max = gpu.limits.maxComputeWorkgroupsPerDimension;
    const n = typeof l.workgroups === 'number' ? Math.max(1, l.workgroups) : 0;
    const y = Math.ceil(n / max);
    const wg: [number, number, number] = typeof l.workgroups === 'number'
      ? (n <= max ? [n, 1, 1] : [Math.ceil(n / y), y, 1]) : [...l.workgroups];
    const bindGroup = device.createBindGroup({ label: k.name, layout: gpu.layout(kinds), entries });
    ready.push({ pipeline, bindGroup, workgroups: wg });
  }
  return {
    call: { op: OPS.copy, inputs: [], outputs: [], attrs: {} }, // a stand-in: only the launches are replayed
    launches: ready,
    update() {},
    dispose() { for (const u of uniforms) u.destroy(); },
  };
}
