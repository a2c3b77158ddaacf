/**
 * Program.profile: runs a program's step a few times on a backend that can be profiled and
 * reports, per dispatch, its GPU time, bytes and FLOPs against the adapter's measured roofline,
 * with the host side of the step, the gap between the dispatches' sum and the wall time, and
 * memory (src/gpu/profiler.ts holds the report). Every profiled step is a real step: hooks run
 * and parameters are updated, as in training.
 *
 * First `steps` ordinary steps, each followed by a wait for the device, give the wall time and
 * the host's share (encoding, submitting, waiting); then `steps` steps with every dispatch
 * timed on its own (GPU timestamps when the adapter has them) give the dispatch times. Each
 * figure is the median over the steps.
 */
import { ArgumentError } from '../errors.js';
import { StepProfile, median, type DispatchTiming, type ProfileData, type TimingMethod } from '../gpu/profiler.js';
import type { DeviceProfile } from '../gpu/profile.js';
import type { Backend } from './types.js';

export interface ProfileOptions {
  /** Steps to take the medians of (default 5). */
  steps?: number;
  /** 'timestamp' (the default where the adapter has timestamp queries) or 'alone' (each dispatch submitted by itself).
   * */
  method?: TimingMethod;
}

/** The variants a device profile holds: the matmul's, forced ones and tuned ones. */
export function variantsOf(p: DeviceProfile): Record<string, string> {
  return { matmul: p.matmul, ...p.forced, ...Object.fromEntries(p.tuned) };
}

export async function profileSteps(backend: Backend, run: () => Promise<void>, workspaceBytes: number,
  opts: ProfileOptions = {}): Promise<StepProfile> {
  const prof = backend.profiling;
  if (!prof)
    throw new ArgumentError(`profile: the ${backend.name} backend cannot be profiled (use the webgpu backend)`);
  const steps = opts.steps ?? 5;
  if (!Number.isSafeInteger(steps) || steps < 1)
    throw new ArgumentError(`profile: steps must be a positive integer, got ${String(steps)}`);
  const method = opts.method ?? (prof.hasTimestamps ? 'timestamp' : 'alone');
  if (method !== 'timestamp' && method !== 'alone')
    throw new ArgumentError(`profile: method must be 'timestamp' or 'alone', got '${String(method)}'`);
  // A warm-up step: pipelines compiled at first use, queues primed.
  await run();
  await backend.sync();
  const origin = performance.now();
  const host: Record<'wallMs' | 'encodeMs' | 'submitMs' | 'waitMs' | 'otherMs',
    number[]> = { wallMs: [], encodeMs: [], submitMs: [], waitMs: [], otherMs: [] };
  const events: ProfileData['events'] = [];
  const gpuStartMs: number[] = [];
  for (let s = 0; s < steps; s++) {
    const t0 = performance.now();
    await run();
    const h = prof.host();
    const t1 = performance.now();
    await backend.sync();
    const t2 = performance.now();
    const wall = t2 - t0, wait = t2 - t1;
    host.wallMs.push(wall);
    host.encodeMs.push(h.encodeMs);
    host.submitMs.push(h.submitMs);
    host.waitMs.push(wait);
    host.otherMs.push(Math.max(0, wall - wait - h.encodeMs - h.submitMs));
    events.push(
      { name: 'run (feeds, hooks)', startMs: t0 - origin, ms: Math.max(0, h.encodeAt - t0), step: s },
      { name: 'encode', startMs: h.encodeAt - origin, ms: h.encodeMs, step: s },
      { name: 'submit', startMs: h.submitAt - origin, ms: h.submitMs, step: s },
      { name: 'wait', startMs: t1 - origin, ms: wait, step: s },
    );
    gpuStartMs.push(h.submitAt + h.submitMs - origin);
  }
  const timed: DispatchTiming[][] = [];
  for (let s = 0; s < steps; s++) {
    await prof.arm(method);
    await run();
    timed.push(await prof.take());
  }
  // Medians per dispatch over the steps; start times laid end to end from them.
  let start = 0;
  const dispatches = timed[0].map((d, i) => {
    const ms = median(timed.map((t) => t[i].ms));
    const x = { ...d, ms, startMs: start };
    start += ms;
    return x;
  });
  const data: ProfileData = {
    adapter: backend.adapter, steps, method, dispatches,
    host: {
      wallMs: median(host.wallMs), encodeMs: median(host.encodeMs), submitMs: median(host.submitMs),
      waitMs: median(host.waitMs), otherMs: median(host.otherMs),
    },
    roofline: await prof.roofline(),
    memory: { ...prof.memory(), workspaceBytes },
    variants: variantsOf(backend.profile),
    events, gpuStartMs,
  };
  return new StepProfile(data);
}
