/**
 * Runs Launch objects straight on an engine's device, for kernel families whose ops are not
 * registered yet (conv, pool, dropout): pipelines through Gpu.pipeline, one uniform per launch,
 * every launch in one compute pass, all inside a validation scope. Buffers sit inside canaries
 * as in runOp: NaN slack around every view (an out-of-bounds read shows up as NaN), outputs
 * poisoned with NaN (an unwritten element fails the comparison), and output slack checked
 * unchanged afterwards (an out-of-bounds write fails).
 */
import type { Engine } from '../../src/index.js';
import type { WebGpuBackend } from '../../src/backend/webgpu.js';
import type { View } from '../../src/backend/types.js';
import type { Launch } from '../../src/kernels/spec.js';
import { Usage } from '../../src/gpu/device.js';
import { CANARY } from '../util/runop.js';

interface Slot { v: View; whole: View; output: boolean }

export class Direct {
  private slots: Slot[] = [];
  constructor(readonly engine: Engine) {}

  private get be(): WebGpuBackend {
    return this.engine.backend as WebGpuBackend;
  }

  /** A view of `n` elements (f32, or i32 for Int32Array data) holding `data`, or NaN-poisoned as an output. */
  async buffer(label: string, data: ArrayLike<number> | number, dtype: 'f32' | 'i32' = 'f32'): Promise<View> {
    const output = typeof data === 'number';
    const n = output ? data : data.length;
    const total = n + 2 * CANARY;
    const storage = await this.be.alloc(label, total, dtype);
    const whole: View = { storage, offset: 0, length: total, dtype, shape: [total], label: `${label} with canaries` };
    this.be.write(whole, dtype === 'f32' ? new Float32Array(total).fill(NaN) : new Int32Array(total).fill(-0x7eadbeef));
    const v: View = { storage, offset: CANARY, length: n, dtype, shape: [n], label };
    if (!output) this.be.write(v, dtype === 'f32' ? Float32Array.from(data) : Int32Array.from(data));
    this.slots.push({ v, whole, output });
    return v;
  }

  /** Dispatch the launches in order, in one pass; throws on any WebGPU validation error. */
  async run(launches: readonly Launch[]): Promise<void> {
    const gpu = this.be.gpu;
    const device = gpu.device;
    device.pushErrorScope('validation');
    const uniforms: GPUBuffer[] = [];
    try {
      const ready: [GPUComputePipeline, GPUBindGroup, [number, number, number]][] = [];
      for (const l of launches) {
        const k = l.kernel;
        const kinds = [...k.bindings, 'uniform' as const];
        const pipeline = await gpu.pipeline({ name: k.name, source: k.source, entry: k.entry, bindings: kinds, overrides: { ...k.overrides, ...l.overrides } });
        const data = pack(l);
        const ub = device.createBuffer({ label: `${k.name} params`, size: data.byteLength, usage: Usage.UNIFORM | Usage.COPY_DST });
        uniforms.push(ub);
        device.queue.writeBuffer(ub, 0, data);
        const entries: GPUBindGroupEntry[] = l.buffers.map((v, binding) => ({
          binding, resource: { buffer: (v.storage as unknown as { buffer: GPUBuffer }).buffer, offset: v.offset * 4, size: Math.max(4, v.length * 4) },
        }));
        entries.push({ binding: k.bindings.length, resource: { buffer: ub } });
        const bg = device.createBindGroup({ label: k.name, layout: gpu.layout(kinds), entries });
        ready.push([pipeline, bg, fold(l.workgroups, gpu.limits.maxComputeWorkgroupsPerDimension)]);
      }
      const enc = device.createCommandEncoder();
      const pass = enc.beginComputePass();
      for (const [pipeline, bg, wg] of ready) {
        pass.setPipeline(pipeline);
        pass.setBindGroup(0, bg);
        pass.dispatchWorkgroups(wg[0], wg[1], wg[2]);
      }
      pass.end();
      device.queue.submit([enc.finish()]);
      await gpu.sync();
    } finally {
      const err = await device.popErrorScope();
      for (const u of uniforms) u.destroy();
      if (err) throw new Error(`WebGPU validation error: ${err.message}`);
    }
  }

  /** An output's contents, after checking that its slack is untouched. */
  async read(v: View): Promise<Float32Array | Int32Array> {
    const slot = this.slots.find((s) => s.v === v);
    if (!slot) throw new Error(`not a buffer of this harness: ${v.label}`);
    const all = await this.be.read(slot.whole);
    for (let i = 0; i < all.length; i++) {
      if (i >= CANARY && i < CANARY + v.length) continue;
      const ok = v.dtype === 'f32' ? Number.isNaN(all[i]) : all[i] === -0x7eadbeef;
      if (!ok) throw new Error(`${v.label}: write out of bounds at element ${i - CANARY} (slack holds ${all[i]})`);
    }
    return all.slice(CANARY, CANARY + v.length) as Float32Array | Int32Array;
  }

  /** Free every buffer made so far. */
  free(): void {
    for (const s of this.slots) this.be.release(s.v.storage);
    this.slots = [];
  }
}

function fold(wg: number | readonly [number, number, number], max: number): [number, number, number] {
  if (typeof wg !== 'number') return [wg[0], wg[1], wg[2]];
  const n = Math.max(1, wg);
  if (n <= max) return [n, 1, 1];
  const y = Math.ceil(n / max);
  return [Math.ceil(n / y), y, 1];
}

function pack(l: Launch): ArrayBuffer {
  const fields = l.kernel.params;
  const buf = new ArrayBuffer(Math.max(16, Math.ceil((fields.length * 4) / 16) * 16));
  const dv = new DataView(buf);
  fields.forEach(([name, type], i) => {
    const v = l.params?.[name];
    if (v === undefined) throw new Error(`${l.kernel.name}: param ${name} missing`);
    if (type === 'f32') dv.setFloat32(i * 4, v, true);
    else if (type === 'i32') dv.setInt32(i * 4, v, true);
    else dv.setUint32(i * 4, v, true);
  });
  return buf;
}
