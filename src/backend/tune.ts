/**
 * Tuning at compile (the webgpu backend's tuner): the first time a program prepares an op of a
 * tuned family (src/kernels/tune.ts) in a shape class this engine has no choice for, the
 * choice comes from the cache (src/gpu/tune_cache.ts), or else every candidate variant is timed
 * on scratch buffers of the op's sizes — a warm-up run (which compiles), then rounds of one run
 * each while the time spent measuring this class stays under `budgetMs`, at most 5 — and the
 * fastest (its best run: load from other processes only adds time) becomes the choice, stored
 * in the device profile and the cache. Pipelines compile once per variant, not per class.
 */
import type { Gpu } from '../gpu/device.js';
import type { DeviceProfile } from '../gpu/profile.js';
import { tuneKey, type TuneCache } from '../gpu/tune_cache.js';
import { TUNABLE } from '../kernels/tune.js';
import { view, type OpCall, type Storage, type View } from './types.js';
import { submitTimestamped, type ReadyLaunch } from './webgpu_profile.js';

/** What the tuner uses of the backend. */
export interface TuneHost {
  readonly gpu: Gpu;
  readonly profile: DeviceProfile;
  alloc(label: string, length: number): Promise<Storage>;
  release(s: Storage): void;
  write(v: View, data: Float32Array | Int32Array): void;
  prepareTuned(call: OpCall, tuned: Record<string, string>): Promise<{ launches: ReadyLaunch[]; dispose?(): void }>;
}

/** One shape class's tuning: the choice, and the best time of each candidate when measured. */
export interface TuneRecord {
  key: string;
  variant: string;
  ms: Record<string, number>;
  cached: boolean;
}

export class Tuner {
  private stored: Promise<Record<string, string>> | null = null;
  /** What this engine tuned, in order (the tuning table of bench/gpu.sh). */
  readonly records: TuneRecord[] = [];

  constructor(private host: TuneHost, private cache: TuneCache | null, private budgetMs = 300) {}

  /** The variant for this call's class: the profile's, the cache's, or measured now. */
  async choose(key: string, call: OpCall): Promise<string> {
    const { profile, gpu } = this.host;
    const cands = TUNABLE[call.op.family].candidates(gpu.limits);
    const stored = await (this.stored ??= this.cache
      ? this.cache.load(tuneKey(profile.adapter)) : Promise.resolve<Record<string, string>>({}));
    let variant = stored[key];
    if (variant && cands.includes(variant)) {
      this.records.push({ key, variant, ms: {}, cached: true });
    } else {
      const ms = await this.measure(call, cands);
      variant = cands.reduce((a, b) => (ms[b] < ms[a] ? b : a));
      this.records.push({ key, variant, ms, cached: false });
      stored[key] = variant;
      await this.cache?.save(tuneKey(profile.adapter), { [key]: variant });
    }
    profile.tuned.set(key, variant);
    return variant;
  }

  private async measure(call: OpCall, cands: readonly string[]): Promise<Record<string, number>> {
    const h = this.host;
    const scratch: Storage[] = [];
    const shapes = TUNABLE[call.op.family].proxy?.(call) ?? null;
    const copy = async (v: View, i: number, input: boolean) => {
      const shape = shapes?.[input ? i : call.inputs.length + i] ?? v.shape;
      const s = await h.alloc(`tuning ${v.label}`, Math.max(1, shape.reduce((x, d) => x * d, 1)));
      scratch.push(s);
      const x = view(s, 0, shape, v.dtype, `tuning ${v.label}`);
      if (input && x.length) {
        h.write(x, v.dtype === 'i32' ? new Int32Array(x.length) : Float32Array.from({ length: x.length },
          (_, j) => ((j * 7919) % 1000) / 1000 - 0.5));
      }
      return x;
    };
    const prepared: { v: string; p: { launches: ReadyLaunch[]; dispose?(): void } }[] = [];
    const best: Record<string, number> = {};
    try {
      const sc = {
        ...call,
        inputs: await Promise.all(call.inputs.map((v, i) => copy(v, i, true))),
        outputs: await Promise.all(call.outputs.map((v, i) => copy(v, i, false))),
      } as OpCall;
      for (const v of cands) {
        const p = await h.prepareTuned(sc, { [call.op.family]: v });
        await this.time(p.launches); // the warm-up: compiles on a software adapter
        best[v] = await this.time(p.launches);
        prepared.push({ v, p });
      }
      // Every candidate runs at least twice, in rounds that interleave the candidates: a single run
      // slowed by another process (a software adapter shares the CPU) cannot decide alone. Only
      // then is a candidate far slower than the fastest dropped: it cannot win, and its runs would
      // be most of the time spent.
      let spent = Object.values(best).reduce((a, b) => a + b, 0);
      for (let r = 1; r < 5 && (r < 2 || spent * (r + 1) / r < this.budgetMs); r++) {
        const fastest = Math.min(...Object.values(best));
        for (const e of [...prepared]) {
          if (r >= 2 && best[e.v] > 4 * fastest) {
            e.p.dispose?.();
            prepared.splice(prepared.indexOf(e), 1);
            continue;
          }
          const t = await this.time(e.p.launches);
          best[e.v] = Math.min(best[e.v], t);
          spent += t;
        }
      }
    } finally {
      for (const { p } of prepared) p.dispose?.();
      for (const s of scratch) h.release(s);
    }
    return best;
  }

  /** Milliseconds of one run: GPU timestamps where the adapter has them, else the wall clock. */
  private async time(launches: readonly ReadyLaunch[]): Promise<number> {
    const gpu = this.host.gpu;
    if (gpu.hasTimestamps) return (await submitTimestamped(gpu, launches)).reduce((a, d) => a + d.ms, 0);
    const enc = gpu.device.createCommandEncoder({ label: 'tuning' });
    const pass = enc.beginComputePass();
    for (const r of launches) {
      pass.setPipeline(r.pipeline);
      pass.setBindGroup(0, r.bindGroup);
      pass.dispatchWorkgroups(...r.workgroups);
    }
    pass.end();
    await gpu.sync();
    const t0 = performance.now();
    gpu.device.queue.submit([enc.finish()]);
    await gpu.sync();
    return performance.now() - t0;
  }
}
