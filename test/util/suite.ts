/**
 * Backends for tests. This module probes the WebGPU adapter once, when it is imported (before
 * any test file registers a test), so that every test that needs the GPU is registered either as
 * itself or as a reported skip (test/util/skip.ts) with its reason — never as a pass:
 *
 *   testOn(backend)(name, fn)        a test on uvu's default suite that needs `backend`
 *   testOn(backend, s)(name, fn)     the same on suite `s`
 *   testOn(backend, s, lacking)      … skipped (kind 'feature') where `lacking` is a reason
 *   gpuTest(name, fn)                testOn('webgpu')
 *   lacks((probe) => reason | null)  what the adapter lacks for a test, for `lacking`
 *   engineSuite(name, backend, …)    a suite whose tests share one engine (the kernel harness)
 *
 * and inside such a test engineOn(backend, opts) (or gpu(opts), or cpu() of engine.ts) makes
 * the engine. VK_ICD_FILENAMES=/nonexistent removes the adapter for real (Vulkan drivers);
 * SLOPE_TEST_NO_ADAPTER=1 makes the probe report none.
 */
import { suite as uvuSuite, test as defaultTest, type Test } from 'uvu';
import * as slope from '../../src/node.js';
import type { DeviceLimits } from '../../src/gpu/device.js';
import { SIMULATED_NO_ADAPTER, skip } from './skip.js';

export { skip, type SkipKind } from './skip.js';

export type Backend = 'cpu' | 'webgpu';
export const BACKENDS: readonly Backend[] = ['cpu', 'webgpu'];

/** What the probe found: the adapter's name and limits, or why there is none. */
export interface Probe {
  adapter: string;
  limits: DeviceLimits;
}

async function probeAdapter(): Promise<Probe | string> {
  if (SIMULATED_NO_ADAPTER) return SIMULATED_NO_ADAPTER;
  let e: slope.Engine;
  try {
    e = await slope.init({ backend: 'webgpu' });
  } catch (err) {
    if (err instanceof slope.NoAdapterError) return err.message.split(/(?<=\.)\s/)[0];
    throw err;
  }
  const gpu = (e.backend as unknown as { gpu: { limits: DeviceLimits } }).gpu;
  const probe = { adapter: e.adapter, limits: { ...gpu.limits } };
  e.dispose();
  return probe;
}

const probed = await probeAdapter();
/** The adapter, or null where there is none (then `noAdapter` says why). */
export const adapter: Probe | null = typeof probed === 'string' ? null : probed;
export const noAdapter: string | null = typeof probed === 'string' ? probed : null;

/** Why `backend` cannot run here, or null. */
export function unavailable(backend: Backend): string | null {
  return backend === 'webgpu' ? noAdapter : null;
}

export type Register = (name: string, fn: () => unknown) => void;

/**
 * Registers tests on `t` that need `backend`, and, where `lacking` is not null, something the
 * adapter has to have: as themselves where they can run, as reported skips where they cannot.
 */
export function testOn(backend: Backend, t: Test = defaultTest, lacking: string | null = null): Register {
  return (name, fn) => {
    const none = unavailable(backend);
    if (none) skip(t, name, 'no-adapter', none);
    else if (lacking) skip(t, name, 'feature', lacking);
    else t(name, async () => { await fn(); });
  };
}

/** A test on uvu's default suite that needs a WebGPU adapter. */
export const gpuTest: Register = testOn('webgpu');

/** What the adapter lacks for a test, by `need` (a reason, or null when it has it); null without one. */
export function lacks(need: (p: Probe) => string | null): string | null {
  return adapter ? need(adapter) : null;
}

/**
 * A new engine on `backend`. Only for tests registered through testOn/gpuTest/engineSuite: where
 * there is no adapter those never run, so reaching here without one is a bug in the test.
 */
export async function engineOn(backend: Backend, opts: slope.InitOptions = {}): Promise<slope.Engine> {
  if (backend === 'webgpu' && noAdapter) throw new Error(`a GPU test ran without an adapter (${noAdapter}): register it with testOn('webgpu')`);
  return slope.init({ ...opts, backend });
}

export const gpu = (opts: slope.InitOptions = {}): Promise<slope.Engine> => engineOn('webgpu', opts);

export interface EngineSuite {
  (name: string, fn: (e: slope.Engine) => unknown): void;
  run(): void;
}

/**
 * A uvu suite whose tests share one engine on `backend`, made before the first test from
 * `opts()` and disposed after the last. Where the backend is missing, or `lacking` says what the
 * adapter lacks, every test of the suite is a reported skip.
 */
export function engineSuite(name: string, backend: Backend, opts: () => slope.InitOptions = () => ({}), lacking: string | null = null): EngineSuite {
  const s = uvuSuite(name);
  let engine: slope.Engine | null = null;
  const register = testOn(backend, s, lacking);
  const add = ((testName: string, fn: (e: slope.Engine) => unknown) => {
    register(testName, async () => {
      engine ??= await engineOn(backend, opts());
      await fn(engine);
    });
  }) as EngineSuite;
  add.run = () => {
    s.after(() => { engine?.dispose(); engine = null; });
    s.run();
  };
  return add;
}
