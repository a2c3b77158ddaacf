/**
 * The browser bundles hold nothing Node-only: bundling src/browser.ts (and the pages and the
 * harness entries) for the browser pulls in no `webgpu` package, no node: built-ins, fs, zlib or mnist,
 * and the built files import nothing. The same check must flag src/node.ts (so it can fail).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as esbuild from 'esbuild';
import { existsSync, readFileSync, readdirSync } from 'node:fs';

/** The site's chapter pages (web/pages/*.ts, built to dist/web/pages/*.js). */
const PAGES = readdirSync('web/pages').filter((f) => f.endsWith('.ts')).map((f) => f.replace(/\.ts$/, ''));

const NODE_ONLY = /^(node:|webgpu$|fs$|zlib$|path$|mnist$|pngjs$|jpeg-js$|child_process$|os$|module$|url$|crypto$|util$|stream$|buffer$|assert$)/;

/** Bundle an entry for the browser (not written) and list what it tried to import that is Node-only. */
async function nodeOnlyImports(entry: string): Promise<string[]> {
  const found: string[] = [];
  await esbuild.build({
    entryPoints: [entry], bundle: true, write: false, platform: 'browser', format: 'esm', logLevel: 'silent',
    loader: { '.wgsl': 'text', '.safetensors': 'binary' },
    plugins: [{
      name: 'spy',
      setup(b) {
        b.onResolve({ filter: NODE_ONLY }, (args) => {
          found.push(`${args.path} (from ${args.importer.replace(process.cwd() + '/', '')})`);
          return { path: args.path, external: true };
        });
      },
    }],
  });
  return found;
}

for (const entry of ['src/browser.ts', 'web/app.ts', 'web/suite.ts', ...PAGES.map((p) => `web/pages/${p}.ts`)]) {
  test(`${entry} bundles for the browser with no Node-only import`, async () => {
    assert.equal(await nodeOnlyImports(entry), []);
  });
}

test('the check flags the Node entry point (it can fail)', async () => {
  const found = await nodeOnlyImports('src/node.ts');
  assert.ok(found.some((f) => f.startsWith('webgpu')), `expected webgpu among ${found.join(', ')}`);
});

test('built browser files are self-contained ES modules', () => {
  for (const f of ['dist/browser/slope.js', 'dist/web/app.js', 'dist/web/suite.js', ...PAGES.map((p) => `dist/web/pages/${p}.js`)]) {
    assert.ok(existsSync(f), `${f} is missing: run node scripts/build.mjs`);
    const src = readFileSync(f, 'utf8');
    const imports = [...src.matchAll(/^\s*(?:(?:import|export)\b[^;'"]*from|import)\s*["']([^"']+)["']/gm)].map((m) => m[1]);
    const requires = [...src.matchAll(/\brequire\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1]);
    assert.equal([...imports, ...requires], [], `${f} imports modules at run time`);
  }
});

test.run();
