/**
 * The layers of src/ depend one way (docs/architecture.md): shaders, gpu, ops and ref are leaves;
 * kernels → shaders, gpu, ops; backend → kernels, gpu, ops, ref; graph → ops and the backend
 * interface; nn, optim, analysis → graph; data, io, train, cli and the entry points on top. This
 * reads every import of every file under src/ and fails on an edge the table does not allow,
 * naming the file and the import, so a shortcut across layers shows up in the test run rather
 * than in a review.
 *
 * The backend's interface (src/backend/types.ts: Backend, View and the `view` helper;
 * src/backend/profile.ts: profiling over any Backend) is its own layer, `backend-interface`,
 * which the layers above the kernels are handed. Type-only imports of another layer (the device
 * limits in kernels, the profiler's result type in graph) are allowed where listed as `types`:
 * they carry no code across the boundary.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, dirname, normalize, relative } from 'node:path';

const ROOT = new URL('../..', import.meta.url).pathname;

/** Per layer: the layers it may import code from, and those it may import only types from. */
const ALLOWED: Record<string, { code: string[]; types?: string[] }> = {
  errors: { code: [] },
  random: { code: ['errors'] },
  ops: { code: ['errors'] },
  ref: { code: [] },
  gpu: { code: ['errors'] },
  'backend-interface': { code: ['errors', 'ops', 'gpu'] },
  kernels: { code: ['errors', 'ops', 'gpu', 'shaders', 'backend-interface'] },
  backend: { code: ['errors', 'ops', 'gpu', 'kernels', 'ref', 'backend-interface'] },
  graph: { code: ['errors', 'ops', 'backend-interface'], types: ['gpu'] },
  engine: { code: ['errors', 'ops', 'gpu', 'backend', 'backend-interface', 'kernels', 'graph'] },
  nn: { code: ['errors', 'random', 'ops', 'graph', 'engine'] },
  optim: { code: ['errors', 'ops', 'graph', 'backend-interface'] },
  analysis: { code: ['errors', 'ops', 'graph', 'engine'] },
  plot: { code: ['errors'] },
  data: { code: ['errors', 'random', 'ops', 'graph', 'backend-interface', 'engine', 'nn'] },
  io: { code: ['errors', 'random', 'ops', 'data', 'backend-interface'] },
};
/** Layers above the library's core: they may import any layer of src/ (never bench/ or test/). */
const TOP = new Set(['train', 'cli', 'index', 'node', 'browser']);

/** The layer of a path under src/ (a directory, or a top-level file's name) or shaders/. */
function layerOf(path: string): string | undefined {
  const parts = path.split('/');
  if (parts[0] === 'shaders') return 'shaders';
  if (parts[0] !== 'src') return parts[0];
  if (/^src\/backend\/(types|profile)\.(ts|js)$/.test(path)) return 'backend-interface';
  return parts.length > 2 ? parts[1] : parts[1].replace(/\.(ts|js)$/, '');
}

function walk(dir: string): string[] {
  return readdirSync(join(ROOT, dir)).flatMap((n) => {
    const p = `${dir}/${n}`;
    return statSync(join(ROOT, p)).isDirectory() ? walk(p) : p.endsWith('.ts') ? [p] : [];
  });
}

interface Edge { file: string; target: string; from: string; to: string; typeOnly: boolean }

function edges(): Edge[] {
  const out: Edge[] = [];
  const importRe = /^\s*(?:import|export)\s+(type\s+)?[^'";]*?from\s+'([^']+)'/gm;
  for (const file of walk('src')) {
    const text = readFileSync(join(ROOT, file), 'utf8');
    for (const m of text.matchAll(importRe)) {
      if (!m[2].startsWith('.')) continue;
      const target = relative(ROOT, normalize(join(ROOT, dirname(file), m[2])));
      const from = layerOf(file)!;
      const to = layerOf(target)!;
      if (from !== to) out.push({ file, target, from, to, typeOnly: Boolean(m[1]) });
    }
  }
  return out;
}

test('every import under src/ follows the direction of the layers', () => {
  const all = edges();
  assert.ok(all.length > 100, `read only ${all.length} cross-layer imports: the parser missed them`);
  const bad: string[] = [];
  for (const e of all) {
    if (e.to === 'bench' || e.to === 'test') bad.push(`${e.file} imports ${e.target}: src/ never imports ${e.to}/`);
    if (TOP.has(e.from)) continue;
    const rule = ALLOWED[e.from];
    if (!rule) {
      bad.push(`${e.file}: layer '${e.from}' is not in the table of this test; add it with its allowed imports`);
      continue;
    }
    if (rule.code.includes(e.to) || (e.typeOnly && rule.types?.includes(e.to))) continue;
    const kind = rule.types?.includes(e.to) ? 'a value import (only types are allowed)' : 'an import';
    bad.push(`${e.file} has ${kind} of ${e.target}: ${e.from}/ may not depend on ${e.to}/`);
  }
  assert.equal(bad, [], `imports against the layers:\n${bad.join('\n')}`);
});

test('the check sees a forbidden edge', () => {
  // The parser and the table catch what they are for: an edge from ref to kernels is refused.
  const rule = ALLOWED.ref;
  assert.not.ok(rule.code.includes('kernels'));
  assert.equal(layerOf('src/kernels/matmul.ts'), 'kernels');
  assert.equal(layerOf('src/engine.ts'), 'engine');
  assert.equal(layerOf('shaders/matmul.wgsl'), 'shaders');
  assert.equal(layerOf('src/backend/types.js'), 'backend-interface');
  assert.equal(layerOf('src/backend/webgpu.js'), 'backend');
});

test.run();
