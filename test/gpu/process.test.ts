/**
 * A Node process that inits an engine, runs a step and disposes it exits by itself: dispose()
 * destroys the device and drops every reference to Dawn's objects.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { gpuTest } from '../util/suite.js';

// This file is bundled to dist/test/gpu/; the Node bundle is dist/node/index.js.
const entry = new URL('../../node/index.js', import.meta.url).href;

function child(body: string) {
  const code = `const s = await import(${JSON.stringify(entry)});\n${body}`;
  // Piped stdio, as under a test runner or `| tee`: the case that once crashed at exit.
  return spawnSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', code], {
    encoding: 'utf8', timeout: 60_000, env: { ...process.env, XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR ?? '/tmp' },
  });
}

gpuTest('init, run, dispose: the process exits by itself', async () => {
  assert.ok(fileURLToPath(entry).endsWith('index.js'));
  const t0 = Date.now();
  const r = child(`
    const e = await s.init();
    const g = new s.Graph();
    const x = g.input('x', [4]);
    const p = await e.compile(g, { outputs: { y: s.relu(x) } });
    await p.run({ x: [1, -1, 2, -2] });
    const y = await p.read('y');
    if (y[1] !== 0 || y[2] !== 2) process.exit(3);
    e.dispose();
    console.log('disposed');
  `);
  assert.is(r.signal, null, `the child was killed (${r.signal}) after ${Date.now() - t0} ms: it did not exit by itself`);
  assert.is(r.status, 0, `exit status ${r.status}: ${r.stderr}`);
  assert.match(r.stdout, /disposed/);
});

gpuTest('init and dispose of two engines: exits by itself', async () => {
  const r = child(`
    const a = await s.init();
    const b = await s.init({ backend: 'cpu' });
    const c = await s.init();
    a.dispose(); b.dispose(); c.dispose();
    console.log('disposed');
  `);
  assert.is(r.signal, null, 'the child did not exit by itself');
  assert.is(r.status, 0, r.stderr);
});

gpuTest('engines created and disposed in a loop, with garbage collection between: exits by itself', async () => {
  const r = child(`
    for (let i = 0; i < 3; i++) {
      const e = await s.init();
      const g = new s.Graph();
      const p = await e.compile(g, { outputs: { y: s.exp(g.input('x', [3])) } });
      await p.run({ x: [0, 1, 2] });
      await p.read('y');
      e.dispose();
      globalThis.gc();
      await new Promise((res) => setTimeout(res, 20));
      globalThis.gc();
    }
    console.log('disposed');
  `);
  assert.is(r.signal, null, `the child was killed (${r.signal}): ${r.stderr.slice(-300)}`);
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stdout, /disposed/);
});

test.run();
