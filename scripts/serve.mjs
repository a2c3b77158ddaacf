#!/usr/bin/env node
// A small static server for the browser page and the browser test harness, on localhost only.
// Serves the built bundles (dist/web/, dist/browser/) and the page sources (web/), and the
// 10,000 MNIST digits of the `mnist` package as one compact binary file, generated on first
// start into dist/web/ (never committed). WebGPU needs a secure context: http://127.0.0.1 is one.
//
// Usage: node scripts/serve.mjs [--port 8080] [--host 127.0.0.1]   (--port 0 picks a free port)
// Prints "slope web: <url>" once it listens. Build first: node scripts/build.mjs --quiet.
//
// Digits file (little-endian): magic "SLDG", u32 count N, u32 rows, u32 cols, then N·rows·cols
// uint8 pixels (0..255, row-major, one image after another), then N uint8 labels.
import http from 'node:http';
import { createRequire } from 'node:module';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync, renameSync } from 'node:fs';
import { extname, join, normalize, sep } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
export const DIGITS_FILE = 'mnist-digits.bin';

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.map': 'application/json', '.json': 'application/json', '.svg': 'image/svg+xml', '.png': 'image/png',
  '.bin': 'application/octet-stream', '.ts': 'text/plain; charset=utf-8', '.wgsl': 'text/plain; charset=utf-8',
};

/** Encode the `mnist` package's digits (floats k/255 rounded to 3 places) as bytes. */
export function encodeDigits() {
  const mnist = createRequire(import.meta.url)('mnist');
  const rows = 28, cols = 28, px = rows * cols;
  const counts = [], raws = [];
  for (let d = 0; d < 10; d++) {
    raws.push(mnist[d].raw);
    counts.push(Math.floor(mnist[d].raw.length / px));
  }
  const n = counts.reduce((a, b) => a + b, 0);
  const buf = Buffer.alloc(16 + n * px + n);
  buf.write('SLDG', 0, 'latin1');
  buf.writeUInt32LE(n, 4);
  buf.writeUInt32LE(rows, 8);
  buf.writeUInt32LE(cols, 12);
  let img = 0;
  for (let d = 0; d < 10; d++) {
    const raw = raws[d];
    for (let i = 0; i < counts[d]; i++, img++) {
      const o = 16 + img * px;
      for (let k = 0; k < px; k++) buf[o + k] = Math.max(0, Math.min(255, Math.round(raw[i * px + k] * 255)));
      buf[16 + n * px + img] = d;
    }
  }
  return buf;
}

/** Path of the digits file, written (atomically) if missing. */
export function ensureDigits(dir = join(root, 'dist/web')) {
  const file = join(dir, DIGITS_FILE);
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(file + '.tmp', encodeDigits());
    renameSync(file + '.tmp', file);
  }
  return file;
}

/** Map a URL path to a file: dist/web, then dist/browser (as /slope/), then web/. */
function resolvePath(urlPath) {
  let p = decodeURIComponent(urlPath.split('?')[0]);
  if (p.endsWith('/')) p += 'index.html';
  const rel = normalize(p).replace(/^([/\\])+/, '');
  if (rel.startsWith('..') || rel.includes(`${sep}..`)) return null;
  const candidates = rel.startsWith(`slope${sep}`)
    ? [join(root, 'dist/browser', rel.slice(6))]
    : [join(root, 'dist/web', rel), join(root, 'web', rel)];
  for (const c of candidates) {
    if (existsSync(c) && statSync(c).isFile()) return c;
  }
  return null;
}

function handle(req, res) {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD' }).end();
    return;
  }
  const file = resolvePath(new URL(req.url, 'http://localhost').pathname);
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

/** Start the server; resolves with { server, url } once it listens. */
export function startServer({ port = 8080, host = '127.0.0.1' } = {}) {
  ensureDigits();
  const server = http.createServer(handle);
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
  if (!existsSync(join(root, 'dist/web/suite.js'))) {
    console.error('dist/web/ is not built: run `node scripts/build.mjs` first (npm run web does both).');
    process.exit(1);
  }
  startServer({ port, host }).then(
    ({ url }) => console.log(`slope web: ${url}  (test harness: ${url}test.html)`),
    (e) => {
      console.error(e.code === 'EADDRINUSE' ? `port ${port} is in use: pass --port <n> (0 picks a free one)` : e.message);
      process.exit(1);
    },
  );
}
