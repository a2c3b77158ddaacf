/**
 * Choosing the matmul variant per adapter by measuring. tuneMatmul() times every variant the
 * adapter supports on representative shapes (median of several runs, wall clock around a
 * submit and its completion, after a warm-up that also pays the pipeline compilation), makes
 * the fastest this engine's choice (its device profile), and can remember the choice in a
 * cache the caller provides (localStorage, a JSON file), keyed by the adapter.
 */
import type { Backend, Prepared, View } from '../backend/types.js';
import { view } from '../backend/types.js';
import { ArgumentError } from '../errors.js';
import type { DeviceLimits } from '../gpu/device.js';
import { OPS } from '../ops/index.js';
import { MATMUL_VARIANTS, matmulVariantSupported, type MatmulVariant } from './matmul.js';

export interface MatmulTuneCache {
  get(key: string): string | null | undefined;
  set(key: string, value: string): void;
}

export interface MatmulTuneOptions {
  /** (M, K, N, transB) triples to time; default a square 256 and an MLP layer x·Wᵀ. */
  shapes?: readonly (readonly [number, number, number, boolean])[];
  /** Timed runs per variant and shape (median); default 3. */
  runs?: number;
  /** Candidates; default every variant but the naive one. */
  variants?: readonly MatmulVariant[];
  cache?: MatmulTuneCache;
}

export interface MatmulTuneResult {
  adapter: string;
  variant: MatmulVariant;
  /** Seconds per shape (summed medians) for each variant timed; empty when cached. */
  seconds: Partial<Record<MatmulVariant, number>>;
  cached: boolean;
}

const DEFAULT_SHAPES = [[256, 256, 256, false], [128, 784, 256, true]] as const;

/** Something with a backend: an Engine. */
export interface HasBackend {
  readonly backend: Backend;
}

export async function tuneMatmul(engine: HasBackend, opts: MatmulTuneOptions = {}): Promise<MatmulTuneResult> {
  const backend = engine.backend;
  const adapter = backend.adapter;
  if (backend.name !== 'webgpu')
    throw new ArgumentError('tuneMatmul: the cpu backend has no matmul variants to choose from');
  const key = `slope.matmul.${adapter}`;
  const hit = opts.cache?.get(key);
  const profile = backend.profile;
  if (hit && (MATMUL_VARIANTS as readonly string[]).includes(hit)) {
    profile.matmul = hit;
    return { adapter, variant: hit as MatmulVariant, seconds: {}, cached: true };
  }
  const limits = (backend as unknown as { gpu?: { limits: DeviceLimits } }).gpu?.limits;
  const candidates = (opts.variants ?? MATMUL_VARIANTS.filter((v) => v !== 'naive')).filter((v) => !limits
    || matmulVariantSupported(v, limits));
  const seconds: Partial<Record<MatmulVariant, number>> = {};
  for (const [M, K, N, transB] of opts.shapes ?? DEFAULT_SHAPES) {
    const ops = await operands(backend, M, K, N, transB);
    try {
      for (const v of candidates) {
        profile.matmul = v; // the lowering reads the profile at prepare
        const attrs = { transA: false, transB, bias: false, act: 'none' as const, alpha: 0, beta: 0 };
        const p = await backend.prepare({ op: OPS.matmul, inputs: [ops.a, ops.b], outputs: [ops.c], attrs });
        seconds[v] = (seconds[v] ?? 0) + (await medianSeconds(backend, p, opts.runs ?? 3));
        p.dispose?.();
      }
    } finally {
      for (const s of [ops.a, ops.b, ops.c]) backend.release(s.storage);
    }
  }
  const best = candidates.reduce((a, b) => ((seconds[b] ?? Infinity) < (seconds[a] ?? Infinity) ? b : a));
  profile.matmul = best;
  opts.cache?.set(key, best);
  return { adapter, variant: best, seconds, cached: false };
}

async function operands(backend: Backend, M: number, K: number, N: number, transB: boolean): Promise<{ a: View; b: View;
  c: View }> {
  const fill = (n: number) => Float32Array.from({ length: n }, (_, i) => ((i * 7919) % 1000) / 1000 - 0.5);
  const a = view(await backend.alloc('tune A', M * K), 0, [M, K], 'f32', 'tune A');
  const b = view(await backend.alloc('tune B', K * N), 0, transB ? [N, K] : [K, N], 'f32', 'tune B');
  const c = view(await backend.alloc('tune C', M * N), 0, [M, N], 'f32', 'tune C');
  backend.write(a, fill(M * K));
  backend.write(b, fill(K * N));
  return { a, b, c };
}

/** Median wall-clock seconds of one run, after a warm-up run (which also compiles). */
async function medianSeconds(backend: Backend, p: Prepared, runs: number): Promise<number> {
  await backend.execute([p]);
  await backend.sync();
  const ts: number[] = [];
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    await backend.execute([p]);
    await backend.sync();
    ts.push((performance.now() - t0) / 1000);
  }
  ts.sort((x, y) => x - y);
  return ts[ts.length >> 1];
}
