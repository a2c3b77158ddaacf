#!/usr/bin/env node
// Lines per layer, like tinygrad's sz.py: each folder of src/ (and its top-level files), shaders/,
// and the totals; `code` leaves out blank lines and lines that are only a comment, and is what
// the budget counts, as tinygrad's does (the header comments the style asks of every file are
// documentation, not size). Exits non-zero when src/ has over 14,000 lines of code or shaders/
// over 2,400, or when any line in src/ or shaders/ is wider than 120 columns (each printed as
// file:line). `--quiet` prints only the problems. (The src/ budget was 11,000 when the library
// trained MLPs only; convolutions, image folders, predict/export and the profiler raised it.)
// Usage: node scripts/sz.mjs [--quiet]   (npm run sz)
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const LIMITS = { src: 14_000, shaders: 2_400 };
const MAX_COLUMNS = 120;
const quiet = process.argv.includes('--quiet');
const root = new URL('..', import.meta.url).pathname;
process.chdir(root);

function walk(d) {
  return readdirSync(d).sort().flatMap((n) => {
    const p = join(d, n);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

/** The layer a file counts towards: its first folder under src/, or src/ itself, or shaders/. */
const layerOf = (f) => {
  const parts = relative(root, join(root, f)).split('/');
  return parts[0] === 'src' && parts.length > 2 ? `src/${parts[1]}/` : `${parts[0]}/`;
};

const layers = new Map();
const wide = [];
const sums = { src: { files: 0, lines: 0, code: 0 }, shaders: { files: 0, lines: 0, code: 0 } };
for (const top of ['src', 'shaders']) {
  for (const f of walk(top)) {
    const text = readFileSync(f, 'utf8');
    const lines = text.split('\n');
    if (lines[lines.length - 1] === '') lines.pop(); // as wc -l counts: newline-terminated lines
    let code = 0, inBlock = false;
    lines.forEach((line, i) => {
      const width = [...line].length;
      if (width > MAX_COLUMNS) wide.push(`${f}:${i + 1}: ${width} columns`);
      const t = line.trim();
      if (inBlock) {
        if (t.includes('*/')) inBlock = false;
        return;
      }
      if (t.startsWith('/*')) {
        inBlock = !t.includes('*/');
        return;
      }
      if (t !== '' && !t.startsWith('//')) code++;
    });
    const layer = layerOf(f);
    const l = layers.get(layer) ?? { files: 0, lines: 0, code: 0 };
    l.files++; l.lines += lines.length; l.code += code;
    layers.set(layer, l);
    sums[top].files++; sums[top].lines += lines.length; sums[top].code += code;
  }
}

const row = (name, v) => `${name.padEnd(18)} ${String(v.files).padStart(5)} ${String(v.lines).padStart(7)} ${String(v.code).padStart(7)}`;
if (!quiet) {
  console.log(`${'layer'.padEnd(18)} ${'files'.padStart(5)} ${'lines'.padStart(7)} ${'code'.padStart(7)}`);
  for (const [name, v] of [...layers].sort((a, b) => b[1].lines - a[1].lines)) console.log(row(name, v));
  console.log('');
  for (const top of ['src', 'shaders']) console.log(`${row(`total ${top}/`, sums[top])}   (limit ${LIMITS[top].toLocaleString('en')} lines of code)`);
}

let bad = false;
for (const top of ['src', 'shaders']) {
  if (sums[top].code > LIMITS[top]) {
    console.log(`${top}/ has ${sums[top].code} lines of code, over its limit of ${LIMITS[top]}`);
    bad = true;
  }
}
if (wide.length) {
  console.log(`${wide.length} line${wide.length === 1 ? '' : 's'} wider than ${MAX_COLUMNS} columns:`);
  for (const w of wide) console.log(`  ${w}`);
  bad = true;
}
process.exitCode = bad ? 1 : 0; // not process.exit(): that can cut off output still in a pipe
