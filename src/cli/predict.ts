/**
 * `slope predict`: a checkpoint's predictions for a CSV file, an image folder or an IDX folder —
 * per row or image the predicted class (named as in training), its probability and the top K —
 * streamed chunk by chunk to stdout or to --output (written atomically: the file appears only
 * when every prediction succeeded). When the input has labels (the training file's label column,
 * class folders, IDX labels), the accuracy is reported too.
 */
import { basename } from 'node:path';
import { init } from '../engine.js';
import { ArgumentError } from '../errors.js';
import { parseCsv } from '../data/csv.js';
import { DataFormatError } from '../data/errors.js';
import { ImageStack } from '../data/images.js';
import { listPredictImages, readImage, relativeName } from '../data/images_node.js';
import { alignClasses, csvHeader, csvWidth, parseFeatureCsv } from '../data/inputs.js';
import { loadIdxDir, readBytes } from '../data/node.js';
import { AtomicWriter } from '../io/atomic_stream.js';
import { readCheckpointFile } from '../io/node.js';
import type { InputSpec } from '../io/input.js';
import { checkpointSizes, loadModel, Predictor, type PredictionChunk } from '../train/predict.js';
import type { Parsed, ParsedFlags } from './args.js';
import { UsageError } from './args.js';
import { storedStandardizer } from './data.js';
import type { Out } from './train.js';

/** Samples to predict, produced in chunks (images are decoded chunk by chunk). */
interface Source {
  name: string;
  count: number;
  /** What the first output column holds: 'row' (CSV, 1-based), 'file' or 'index'. */
  idName: string;
  ids(start: number, n: number): string[];
  /** Row-major features of samples [start, start + n). */
  features(start: number, n: number): Promise<Float32Array>;
  /** Class indices per sample in the model's numbering, or null when the input has none. */
  labels: Int32Array | null;
  /** Where the labels come from, for the accuracy line. */
  labelSource: string;
}

const str = (f: ParsedFlags, k: string) => f[k] as string | undefined;

interface Model {
  file: string;
  input: InputSpec | null;
  features: number;
  numClasses: number;
  classNames: readonly string[] | null;
}

async function csvSource(path: string, m: Model): Promise<Source> {
  const text = new TextDecoder().decode(await readBytes(path));
  const D = m.features;
  const cols = m.input?.columns ?? null;
  const labelCol = m.input?.labelColumn ?? D;
  const width = csvWidth(text, path);
  const name = basename(path);
  const ids = (start: number, n: number) => Array.from({ length: n }, (_, i) => String(start + i + 1));
  if (width === D + 1) {
    let ds = parseCsv(text, path, { name, label: labelCol, checkClasses: false });
    const header = csvHeader(text, path, ds.length);
    if (cols && header && header.join('\u0000') !== cols.join('\u0000')) {
      const [got, want] = [header.join(', '), cols.join(', ')];
      const why = `the header (${got}) differs from the training file's (${want}) stored in ${m.file}`;
      throw new DataFormatError(path, why);
    }
    ds = alignClasses(ds, { classNames: m.classNames, numClasses: m.numClasses, source: m.file }, path);
    const x = ds.x;
    return {
      name, count: ds.length, idName: 'row', ids, labels: ds.y,
      labelSource: `its '${header?.[labelCol] ?? `column ${labelCol + 1}`}' column`,
      features: async (s, n) => x.subarray(s * D, (s + n) * D),
    };
  }
  if (width !== D) {
    const names = cols ? ` (${cols.filter((_, j) => j !== labelCol).join(', ')})` : '';
    const takes = `the model in ${m.file} takes ${D} features${names}, optionally with the label column`;
    throw new DataFormatError(path, `rows have ${width} cells, but ${takes}`);
  }
  const columns = cols ? cols.filter((_, j) => j !== labelCol) : null;
  const { x, rows } = parseFeatureCsv(text, path, D, { columns, source: m.file });
  const features = async (s: number, n: number) => x.subarray(s * D, (s + n) * D);
  return { name, count: rows, idName: 'row', ids, labels: null, labelSource: '', features };
}

/** [C, H, W] of the model's images: [H, W] (IDX-trained models) counts as one channel. */
function imageShape(m: Model): [number, number, number] {
  const s = m.input?.shape;
  if (s && s.length === 3 && (s[0] === 1 || s[0] === 3)) return [s[0], s[1], s[2]];
  if (s && s.length === 2) return [1, s[0], s[1]];
  const shape = s ? `[${s}]` : 'unknown: the checkpoint has no input record';
  const why = `the model was not trained on images (its samples have shape ${shape})`;
  throw new ArgumentError(`${m.file}: ${why}; give csv:FILE input`);
}

async function imageSource(dir: string, m: Model): Promise<Source> {
  const shape = imageShape(m);
  const { files, labels } = await listPredictImages(dir);
  let y: Int32Array | null = null;
  if (labels) {
    y = new Int32Array(labels.length);
    const names = m.classNames ?? Array.from({ length: m.numClasses }, (_, c) => String(c));
    for (let i = 0; i < labels.length; i++) {
      y[i] = names.indexOf(labels[i]);
      if (y[i] >= 0) continue;
      const classes = names.join(', ');
      const why = `class folder '${labels[i]}' is not a class of the model in ${m.file} (its classes: ${classes})`;
      throw new DataFormatError(dir, why);
    }
  }
  return {
    name: basename(dir), count: files.length, idName: 'file', labels: y, labelSource: 'the class folders',
    ids: (s, n) => files.slice(s, s + n).map((f) => relativeName(dir, f)),
    features: async (s, n) => {
      const stack = new ImageStack(n, { shape, resize: m.input?.resize ?? undefined, shapeSource: m.file });
      for (const f of files.slice(s, s + n)) stack.add(await readImage(f), 0, f);
      return stack.finish(dir, 1).x;
    },
  };
}

async function idxSource(dir: string, m: Model): Promise<Source> {
  const space = { classNames: null, numClasses: m.numClasses, source: m.file };
  const ds = alignClasses((await loadIdxDir(dir)).test, space, dir);
  if (ds.features !== m.features) {
    const takes = `the model in ${m.file} takes ${m.features} features`;
    throw new DataFormatError(dir, `images of ${ds.features} pixels, but ${takes}`);
  }
  const x = ds.x;
  return {
    name: basename(dir), count: ds.length, idName: 'index', labels: ds.y, labelSource: 'the t10k labels',
    ids: (s, n) => Array.from({ length: n }, (_, i) => String(s + i)),
    features: async (s, n) => x.subarray(s * m.features, (s + n) * m.features),
  };
}

function source(spec: string, m: Model): Promise<Source> {
  if (spec.startsWith('csv:') && spec.length > 4) return csvSource(spec.slice(4), m);
  if (spec.startsWith('images:') && spec.length > 7) return imageSource(spec.slice(7), m);
  if (spec.startsWith('idx:') && spec.length > 4) return idxSource(spec.slice(4), m);
  throw new UsageError(`--input must be csv:FILE, images:DIR or idx:DIR; got '${spec}'`, 'predict');
}

const csvCell = (s: string) => (/[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
const prob = (p: number) => +p.toPrecision(6);

/** Output lines for one chunk: CSV rows or JSON objects. */
function lines(
  c: PredictionChunk, ids: string[], src: Source, names: (k: number) => string, K: number, json: boolean,
): string[] {
  const C = c.numClasses;
  const out: string[] = [];
  for (let i = 0; i < c.count; i++) {
    const p = c.probabilities.subarray(i * C, (i + 1) * C);
    const top = Array.from(p.keys()).sort((a, b) => p[b] - p[a] || a - b).slice(0, K);
    const label = src.labels ? names(src.labels[c.start + i]) : null;
    if (json) {
      const id = src.idName === 'file' ? ids[i] : Number(ids[i]);
      const row: Record<string, unknown> = { [src.idName]: id, predicted: names(top[0]), probability: prob(p[top[0]]) };
      if (K > 1) row.top = top.map((k) => ({ class: names(k), probability: prob(p[k]) }));
      if (label !== null) row.label = label;
      out.push(JSON.stringify(row));
    } else {
      const cells = [ids[i], names(top[0]), String(prob(p[top[0]]))];
      for (const k of top.slice(1)) cells.push(names(k), String(prob(p[k])));
      if (label !== null) cells.push(label);
      out.push(cells.map(csvCell).join(','));
    }
  }
  return out;
}

function header(src: Source, K: number): string {
  const cols = [src.idName, 'predicted', 'probability'];
  for (let k = 2; k <= K; k++) cols.push(`class_${k}`, `probability_${k}`);
  if (src.labels) cols.push('label');
  return cols.join(',');
}

export async function predictCommand(p: Parsed, io: Out): Promise<void> {
  const f = p.flags;
  const file = str(f, 'checkpoint');
  if (!file) throw new UsageError('predict needs --checkpoint FILE', 'predict');
  const spec = str(f, 'input');
  if (!spec) throw new UsageError('predict needs --input csv:FILE, images:DIR or idx:DIR', 'predict');
  const bytes = await readCheckpointFile(file);
  const sizes = checkpointSizes(bytes);
  const st = storedStandardizer(sizes.input, f.standardize as boolean | undefined, p.given.has('standardize'), file);
  const classNames = sizes.input?.classNames ?? null;
  const m: Model = { file, input: sizes.input, features: sizes.features, numClasses: sizes.numClasses, classNames };
  const chunk = f['batch-size'] as number;
  const src = await source(spec, m);
  const K = Math.min(f.top as number, m.numClasses);
  const names = (k: number) => m.classNames?.[k] ?? String(k);
  const outFile = str(f, 'output');
  const writer = outFile ? await AtomicWriter.open(outFile) : null;
  const emit = async (ls: string[]) => {
    if (writer) await writer.write(ls.map((l) => l + '\n').join(''));
    else for (const l of ls) io.out(l);
  };
  const engine = await init({ backend: f.backend as 'webgpu' | 'cpu' });
  let predictor: Predictor | null = null;
  try {
    const loaded = loadModel(engine, bytes);
    const shape = sizes.input?.shape ?? [sizes.features];
    predictor = new Predictor(engine, loaded.model, shape, { standardizer: st, batchSize: chunk });
    if (!f.json) await emit([header(src, K)]);
    let correct = 0;
    for (let s = 0; s < src.count; s += chunk) {
      const n = Math.min(chunk, src.count - s);
      const c = await predictor.run(await src.features(s, n), s);
      if (src.labels) for (let i = 0; i < n; i++) correct += +(c.classes[i] === src.labels[s + i]);
      await emit(lines(c, src.ids(s, n), src, names, K, !!f.json));
    }
    await writer?.commit();
    const accuracy = src.labels ? correct / src.count : null;
    const what = `${src.count} ${src.idName === 'row' ? 'rows' : 'images'} of ${src.name}`;
    const acc = accuracy !== null
      ? `; accuracy ${(100 * accuracy).toFixed(2)}% (${correct} of ${src.count}) against ${src.labelSource}` : '';
    const where = outFile ? `; written to ${outFile}` : '';
    const summary = `predicted ${what} with ${basename(file)}${st ? ' (standardized)' : ''}${acc}${where}`;
    const js = JSON.stringify({
      count: src.count, accuracy, correct: src.labels ? correct : null, output: outFile ?? null, standardized: !!st,
      checkpoint: file, adapter: engine.adapter,
    });
    if (outFile) {
      io.out(summary);
      if (f.json) io.out(js);
    } else {
      io.err.write(summary + '\n');
      if (f.json) io.out(js);
    }
  } catch (e) {
    await writer?.abort();
    throw e;
  } finally {
    predictor?.dispose();
    engine.dispose();
  }
}
