/** `slope info`: the adapter, its limits and features. */
import { init } from '../engine.js';
import type { WebGpuBackend } from '../backend/webgpu.js';
import type { Parsed } from './args.js';
import type { Out } from './train.js';

export async function infoCommand(p: Parsed, io: Out): Promise<void> {
  const engine = await init({ backend: p.flags.backend as 'webgpu' | 'cpu' });
  try {
    const b = engine.backend;
    const info: Record<string, unknown> = { backend: b.name, adapter: b.adapter, limits: { ...b.limits } };
    if (b.name === 'webgpu') {
      const gpu = (b as WebGpuBackend).gpu;
      info.limits = { ...gpu.limits };
      info.features = { timestampQuery: gpu.hasTimestamps, fallbackAdapter: gpu.isFallback };
      info.deviceFeatures = [...gpu.device.features].sort();
    }
    if (p.flags.json) {
      io.out(JSON.stringify(info));
      return;
    }
    io.out(`backend  ${info.backend}`);
    io.out(`adapter  ${info.adapter}`);
    for (const [k, v] of Object.entries(info.limits as Record<string, number>)) io.out(`  ${k.padEnd(36)} ${v}`);
    if (info.features) for (const [k, v] of Object.entries(info.features as Record<string,
      boolean>)) io.out(`  ${k.padEnd(36)} ${v}`);
    if (info.deviceFeatures) io.out(`features ${(info.deviceFeatures as string[]).join(', ') || 'none'}`);
  } finally {
    engine.dispose();
  }
}
