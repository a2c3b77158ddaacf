/**
 * The static site (scripts/build_web.mjs): one folder holding every page of web/ except the
 * test harness, each page's script and style sheet, a page per chapter linked from the
 * contents, and the digits; every local link and script of every page resolves inside the
 * folder (relative links only, so any static host serves it from any path); and
 * scripts/serve.mjs --root serves that folder and nothing else.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { createInterface } from 'node:readline';

const OUT = 'dist/test-site';
const CHAPTERS = ['batch.html', 'critical.html', 'adaptive.html', 'classification.html', 'normalization.html'];

/** The local targets a page refers to (src=, href=), relative to the site's root. */
function references(html: string, page: string): string[] {
  return [...html.matchAll(/\b(?:src|href)="([^"]+)"/g)].map((m) => m[1])
    .filter((u) => !/^(https?:|data:|mailto:|#)/.test(u))
    .map((u) => normalize(join(dirname(page), u.split(/[?#]/)[0])));
}

test('build_web writes a self-contained static site', () => {
  rmSync(OUT, { recursive: true, force: true });
  const r = spawnSync(process.execPath, ['scripts/build_web.mjs', '--out', OUT], { encoding: 'utf8' });
  assert.is(r.status, 0, `build_web failed: ${r.stderr}`);
  const pages = readdirSync(OUT).filter((f) => f.endsWith('.html'));
  assert.ok(!pages.includes('test.html'), 'the test harness is not part of the site');
  const web = readdirSync('web').filter((f) => f.endsWith('.html') && !['test.html', 'peers.html'].includes(f));
  assert.equal(pages.sort(), web.sort());
  const index = readFileSync(join(OUT, 'index.html'), 'utf8');
  for (const c of CHAPTERS.filter((c) => existsSync(join('web', c)))) assert.ok(index.includes(`href="${c}"`), `the contents do not link ${c}`);
  for (const p of pages) {
    const html = readFileSync(join(OUT, p), 'utf8');
    assert.not.match(html, /(src|href)="\//, `${p} has an absolute link`);
    for (const ref of references(html, p)) assert.ok(existsSync(join(OUT, ref)), `${p} refers to ${ref}, which is not in the site`);
  }
  for (const f of ['data/digits-images-idx3-ubyte.gz', 'data/digits-labels-idx1-ubyte.gz']) assert.ok(existsSync(join(OUT, f)), `${f} missing`);
  // The page scripts import only the site's own chunks, by relative paths.
  for (const p of pages) {
    for (const ref of references(readFileSync(join(OUT, p), 'utf8'), p).filter((r) => r.endsWith('.js'))) {
      const js = readFileSync(join(OUT, ref), 'utf8');
      for (const m of js.matchAll(/\bfrom\s*"([^"]+)"/g)) {
        assert.ok(m[1].startsWith('.'), `${ref} imports ${m[1]}`);
        assert.ok(existsSync(join(OUT, dirname(ref), m[1])), `${ref} imports ${m[1]}, which is missing`);
      }
    }
  }
});

test('serve.mjs --root serves the site folder and nothing outside it', async () => {
  const child = spawn(process.execPath, ['scripts/serve.mjs', '--root', OUT, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('serve.mjs did not start')), 30_000);
      child.once('exit', (c) => reject(new Error(`serve.mjs exited with ${c}`)));
      createInterface({ input: child.stdout! }).on('line', (l) => {
        const m = /slope web: (\S+)/.exec(l);
        if (m) { clearTimeout(timer); resolve(m[1]); }
      });
    });
    const index = await fetch(url);
    assert.is(index.status, 200);
    assert.match(await index.text(), /the lecture, live/);
    assert.is((await fetch(`${url}critical.html`)).status, 200);
    assert.is((await fetch(`${url}test.html`)).status, 404, 'the harness is not served from the site');
    assert.is((await fetch(`${url}slope/slope.js`)).status, 404, 'nothing outside the folder is served');
  } finally {
    child.kill();
  }
});

test.run();
