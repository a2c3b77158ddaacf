/**
 * The tuning table of this adapter: the MLP 784-512-256-10 training step (Adam) compiled at
 * batch 1, 64 and 1024 by an engine that tunes: for each tuned shape class, the time of every
 * candidate variant and the one chosen (or 'cached' where the cache already had a choice; with
 * --fresh an empty cache of its own, so everything is measured and nothing is kept). Writes JSON.
 * bench/gpu.sh runs it with a fresh XDG_CACHE_HOME, so the profiles after it reuse its choices.
 *
 *   node dist/bench/tuning.js [--batches 1,64,1024] [--fresh] [--out bench/out/tuning.json]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import * as slope from '../src/node.js';
import { memoryTuneCache } from '../src/gpu/tune_cache.js';
import type { WebGpuBackend } from '../src/backend/webgpu.js';

function arg(name: string, d: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : d;
}

async function main(): Promise<void> {
  const out = arg('out', 'bench/out/tuning.json');
  mkdirSync(dirname(out), { recursive: true });
  const engine = await slope.init(process.argv.includes('--fresh') ? { tune: memoryTuneCache() } : {});
  const tuner = (engine.backend as WebGpuBackend).tuner!;
  const rows: Record<string, unknown>[] = [];
  for (const B of arg('batches', '1,64,1024').split(',').map(Number)) {
    slope.manualSeed(0);
    const model = new slope.Sequential(new slope.Linear(784, 512), new slope.ReLU(), new slope.Linear(512, 256),
      new slope.ReLU(), new slope.Linear(256, 10));
    const g = new slope.Graph();
    const loss = slope.crossEntropy(model.forward(g.input('x', [B, 784])), g.input('y', [B], 'i32'));
    const ps = model.parameters();
    const gs = slope.grad(loss, ps.map((p) => g.param(p)));
    const t0 = performance.now();
    const n = tuner.records.length;
    const prog = await engine.compile(g, {
      outputs: { loss }, gradients: ps.map((p, i) => [p, gs[i]] as const), hooks: [new slope.Adam(ps)],
    });
    const ms = performance.now() - t0;
    prog.dispose();
    for (const r of tuner.records.slice(n)) {
      const times = Object.entries(r.ms).map(([v, t]) => `${v} ${t.toFixed(3)}`).join(', ');
      console.log(`batch ${String(B).padStart(4)}  ${r.key.padEnd(64)} → ${r.variant.padEnd(6)} (${times} ms)`);
      rows.push({ batch: B, ...r });
    }
    console.log(`batch ${B}: compiled with tuning in ${ms.toFixed(0)} ms`);
    rows.push({ batch: B, compileMs: Math.round(ms) });
    // Written after every batch: a run cut off still leaves the batches before.
    const json = { adapter: engine.adapter, date: new Date().toISOString(), rows };
    writeFileSync(out, JSON.stringify(json, null, 1) + '\n');
  }
  console.log(`wrote ${out}`);
  engine.dispose();
}

await main();
