/** Dataset specs of the command line: mnist, fashion-mnist, idx:DIR, csv:FILE. */
import { loadBuiltinDigits, loadCsv, loadFashionMnist, loadIdxDir } from '../data/node.js';
import type { Split } from '../data/dataset.js';
import { UsageError } from './args.js';

export async function loadDataset(spec: string, opts: { testFraction?: number; label?: string } = {}): Promise<Split> {
  if (spec === 'mnist') return loadBuiltinDigits();
  if (spec === 'fashion-mnist') return loadFashionMnist();
  if (spec.startsWith('idx:') && spec.length > 4) return loadIdxDir(spec.slice(4));
  if (spec.startsWith('csv:') && spec.length > 4) {
    const label = opts.label === undefined ? undefined : /^-?\d+$/.test(opts.label) ? Number(opts.label) : opts.label;
    return loadCsv(spec.slice(4), { testFraction: opts.testFraction, label });
  }
  throw new UsageError(`--dataset must be mnist, fashion-mnist, idx:DIR, csv:FILE or images:DIR; got '${spec}'`);
}
