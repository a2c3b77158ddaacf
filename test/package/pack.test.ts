/**
 * slope as a dependency. `npm pack` the library, install the tarball into a fresh project
 * offline — from the npm cache that `npm ci` filled (a lockfile pins every dependency by the
 * integrity in ours, so nothing is resolved or downloaded) — and check that
 *  (a) Node ESM `import * as slope from 'slope'` works, the README's first example runs, and the
 *      `slope` command starts;
 *  (b) a TypeScript file using the public API type-checks against the shipped .d.ts (NodeNext with
 *      @types/node; and for the browser: Bundler resolution, the browser condition, no @types/node);
 *  (c) esbuild bundles the same file for the browser with no Node-only module;
 *  (d) the tarball holds what it needs and nothing else (no tests, benches, docs, sources).
 * Needs dist/ (node scripts/build.mjs) and a filled npm cache (npm ci).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as esbuild from 'esbuild';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { createHash } from 'node:crypto';
import { gpuTest } from '../util/suite.js';

const root = process.cwd();
const tmp = mkdtempSync(join(tmpdir(), 'slope-pack-'));
const app = join(tmp, 'app');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const env = { ...process.env, XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR ?? '/tmp', npm_config_update_notifier: 'false' };

function run(cmd: string, args: string[], cwd: string, timeout = 300000): SpawnSyncReturns<string> {
  return spawnSync(cmd, args, { cwd, env, encoding: 'utf8', timeout, maxBuffer: 64 << 20 });
}
const said = (r: SpawnSyncReturns<string>) => `exit ${r.status}${r.error ? ` (${r.error.message})` : ''}\n${r.stdout}\n${r.stderr}`;

let files: string[] = [];
let tarball = '';

test('(d) npm pack: what the package needs and nothing else; its size', () => {
  assert.ok(existsSync(join(root, 'dist/node/index.js')) && existsSync(join(root, 'dist/types/node.d.ts')), 'build first: node scripts/build.mjs');
  const r = run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', tmp], root);
  assert.is(r.status, 0, said(r));
  const info = JSON.parse(r.stdout)[0];
  tarball = join(tmp, info.filename);
  files = info.files.map((f: { path: string }) => f.path);
  console.log(`  ${info.filename}: ${(info.size / 1024).toFixed(0)} KiB packed, ${(info.unpackedSize / 1024).toFixed(0)} KiB unpacked, ${files.length} files`);
  const allowed = /^(package\.json|README\.md|LICENSE|bin\/slope\.js|dist\/(node|browser|cli)\/[\w.-]+\.js|dist\/types\/[\w/.-]+\.d\.ts)$/;
  assert.equal(files.filter((f) => !allowed.test(f)), [], 'files that do not belong in the package');
  // Everything package.json points at is in it.
  const targets = [pkg.main, pkg.types, ...Object.values(pkg.bin as Record<string, string>), ...JSON.stringify(pkg.exports).match(/"\.\/[^"]+"/g)!.map((s) => JSON.parse(s))];
  for (const t of targets) assert.ok(files.includes(t.replace(/^\.\//, '')), `${t} is named in package.json but not packed`);
  for (const f of ['dist/types/index.d.ts', 'dist/types/browser.d.ts', 'dist/cli/slope.js']) assert.ok(files.includes(f), f);
});

test('install the tarball into a fresh project, offline, from the npm cache', () => {
  assert.ok(tarball, 'packed');
  mkdirSync(app);
  // The lockfile: slope from the tarball, its dependencies exactly as in our lockfile.
  const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8'));
  const integrity = 'sha512-' + createHash('sha512').update(readFileSync(tarball)).digest('base64');
  const spec = `file:../${tarball.split('/').pop()}`;
  const packages: Record<string, Record<string, unknown>> = {
    '': { name: 'app', dependencies: { slope: spec } },
    'node_modules/slope': { version: pkg.version, resolved: spec, integrity, dependencies: pkg.dependencies, bin: pkg.bin },
  };
  const todo = Object.keys(pkg.dependencies);
  while (todo.length) {
    const name = todo.pop()!;
    const key = `node_modules/${name}`;
    if (packages[key]) continue;
    const e = lock.packages[key];
    assert.ok(e, `${name} is a dependency but not in package-lock.json`);
    packages[key] = { ...e, resolved: e.resolved ?? `https://registry.npmjs.org/${name}/-/${name.split('/').pop()}-${e.version}.tgz` };
    todo.push(...Object.keys(e.dependencies ?? {}));
  }
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module', dependencies: { slope: spec } }, null, 2));
  writeFileSync(join(app, 'package-lock.json'), JSON.stringify({ name: 'app', lockfileVersion: 3, requires: true, packages }, null, 2));
  const t0 = Date.now();
  const r = run('npm', ['ci', '--offline', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], app);
  assert.is(r.status, 0, `${said(r)}\n(an ENOTCACHED error means the npm cache lacks a dependency: run npm ci in the repository first)`);
  console.log(`  npm ci --offline: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  assert.ok(existsSync(join(app, 'node_modules/slope/dist/node/index.js')));
});

test('(a) Node ESM: import * as slope from \'slope\' and the slope command', () => {
  writeFileSync(join(app, 'exports.mjs'), [
    "import * as slope from 'slope';",
    "const want = ['init', 'Graph', 'Sequential', 'Trainer', 'predict', 'loadModel', 'fitStandardizer', 'loadBuiltinDigits', 'loadImageFolder', 'parseCsv', 'writeFileAtomic'];",
    'console.log(JSON.stringify(want.filter((k) => typeof slope[k] !== "function")));',
  ].join('\n'));
  let r = run(process.execPath, ['exports.mjs'], app);
  assert.is(r.status, 0, said(r));
  assert.equal(JSON.parse(r.stdout.trim().split('\n').pop()!), [], 'missing exports');
  r = run(join(app, 'node_modules/.bin/slope'), ['info', '--backend', 'cpu', '--json'], app);
  assert.is(r.status, 0, said(r));
  assert.is(JSON.parse(r.stdout.trim().split('\n').pop()!).backend, 'cpu');
});

gpuTest('(a) the README\'s first example runs in the installed package', () => {
  // As written, with a random batch (it leaves batchX and batchY to the reader).
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const example = /```ts\n([\s\S]*?)```/.exec(readme)![1];
  assert.match(example, /^import \* as slope from 'slope';/);
  const data = "const batchX = Float32Array.from({ length: 64 * 784 }, (_, i) => Math.sin(i));\nconst batchY = Int32Array.from({ length: 64 }, (_, i) => i % 10);\n";
  const js = esbuild.transformSync(example.replace(/^(import .*\n)/, `$1${data}`), { loader: 'ts', format: 'esm', target: 'es2022' }).code;
  writeFileSync(join(app, 'readme.mjs'), js);
  const r = run(process.execPath, ['readme.mjs'], app);
  assert.is(r.status, 0, said(r));
  assert.ok(Number.isFinite(Number(r.stdout.trim().split('\n').pop())), `the example prints a loss: ${r.stdout}`);
});

/** One file for (b) and (c): the public API, nothing Node-only. */
const consumer = `import * as slope from 'slope';
import { init, Graph, Sequential, Linear, ReLU, crossEntropy, predict, type Engine, type Predictions, type InputSpec } from 'slope';

export async function demo(): Promise<number> {
  const engine: Engine = await init({ backend: 'cpu' });
  try {
    const model = new Sequential(new Linear(4, 8), new ReLU(), new Linear(8, 3));
    const g = new Graph();
    const loss = crossEntropy(model.forward(g.input('x', [2, 4])), g.input('y', [2], 'i32'));
    const ds = slope.parseCsv('a,b,c,d,y\\n1,2,3,4,0\\n5,6,7,8,2\\n', 'inline.csv');
    const p: Predictions = await predict(engine, model, ds);
    const input: InputSpec | null = null;
    void input;
    return p.classes[0] + loss.shape.length;
  } finally {
    engine.dispose();
  }
}
`;

test('(b) TypeScript: the public API type-checks against the shipped .d.ts, in Node and browser projects (no skipLibCheck)', () => {
  writeFileSync(join(app, 'consumer.ts'), consumer);
  writeFileSync(join(app, 'tsconfig.json'), JSON.stringify({
    compilerOptions: {
      target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, skipLibCheck: false,
      types: ['node'], typeRoots: [resolve(root, 'node_modules/@types')],
    },
    files: ['consumer.ts'],
  }, null, 2));
  let r = run(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], app);
  assert.is(r.status, 0, said(r));
  // A browser project: the browser condition's types, the DOM, and no @types/node.
  writeFileSync(join(app, 'tsconfig.browser.json'), JSON.stringify({
    compilerOptions: {
      target: 'ES2022', module: 'ESNext', moduleResolution: 'Bundler', customConditions: ['browser'], lib: ['ES2022', 'DOM'],
      strict: true, noEmit: true, skipLibCheck: false, types: [],
    },
    files: ['consumer.ts'],
  }, null, 2));
  r = run(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.browser.json'], app);
  assert.is(r.status, 0, said(r));
});

test('(c) esbuild bundles the same file for the browser, with no Node-only module', async () => {
  const nodeOnly: string[] = [];
  const out = await esbuild.build({
    entryPoints: [join(app, 'consumer.ts')], bundle: true, write: false, platform: 'browser', format: 'esm', logLevel: 'silent', absWorkingDir: app,
    plugins: [{
      name: 'node-only',
      setup(b) {
        b.onResolve({ filter: /^(node:|webgpu$|fs$|zlib$|path$|mnist$|pngjs$|jpeg-js$|child_process$|os$|util$|stream$|crypto$)/ }, (a) => {
          nodeOnly.push(`${a.path} (from ${a.importer})`);
          return { path: a.path, external: true };
        });
      },
    }],
  });
  assert.equal(nodeOnly, []);
  const code = out.outputFiles[0].text;
  assert.match(code, /navigator/, 'the browser entry point (navigator.gpu) was bundled');
  console.log(`  browser bundle of the consumer: ${(code.length / 1024).toFixed(0)} KiB`);
});

test('clean up', () => {
  rmSync(tmp, { recursive: true, force: true });
});

test.run();
