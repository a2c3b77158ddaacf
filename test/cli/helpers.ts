/** Running the slope command in-process, and small CSV datasets for it. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';
import { Rng } from '../util/rng.js';

export interface Run {
  code: number;
  out: string[];
  err: string;
  /** The JSON object on the last line of stdout (with --json). */
  json(): Record<string, unknown>;
}

/** `slope …argv`; `onLine` sees each stdout line as it is printed, `onErr` each write to stderr. */
export async function slope(argv: string[], onLine?: (line: string) => void, onErr?: (text: string) => void): Promise<Run> {
  const out: string[] = [];
  let err = '';
  const code = await main(argv, { out: (l) => { out.push(l); onLine?.(l); }, err: { write: (s: string) => { err += s; onErr?.(s); }, isTTY: false } });
  return { code, out, err, json: () => JSON.parse(out[out.length - 1]) };
}

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'slope-cli-'));
}

/** Gaussian blobs as CSV: `rows` rows of `features` columns and a label (classes 0..classes−1), with a header. */
export function blobsCsv(file: string, rows = 120, features = 4, classes = 3, seed = 3): string {
  const r = new Rng(seed);
  const head = [...Array.from({ length: features }, (_, k) => `f${k}`), 'label'].join(',');
  const lines = [head];
  for (let i = 0; i < rows; i++) {
    const c = i % classes;
    lines.push([...r.normal(features, 0.5)].map((v, k) => (v + (k % classes === c ? 2 : 0)).toFixed(3)).join(',') + `,${c}`);
  }
  writeFileSync(file, lines.join('\n') + '\n');
  return file;
}
