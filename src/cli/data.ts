/**
 * The command line's data: the training set and a test set (held out, or `--test FILE|DIR`)
 * matched to each other or to a checkpoint's classes and sample shape; feature standardization
 * fitted on the training samples; and the input record stored with the model.
 */
import { basename } from 'node:path';
import type { Engine } from '../engine.js';
import { ArgumentError } from '../errors.js';
import { Dataset, holdOut, type Split } from '../data/dataset.js';
import { parseCsv } from '../data/csv.js';
import { DataFormatError } from '../data/errors.js';
import { parseImageSize, type ImageChannels } from '../data/images.js';
import { loadImageFolder, readImageFolder } from '../data/images_node.js';
import { alignClasses, csvHeader, csvWidth, labelIndex, type ClassSpace } from '../data/inputs.js';
import { readBytes } from '../data/node.js';
import { fitStandardizer } from '../nn/standardize.js';
import type { InputSpec, StoredStandardizer } from '../io/input.js';
import { standardizerOf } from '../train/predict.js';
import type { ParsedFlags } from './args.js';
import { UsageError } from './args.js';
import { loadDataset } from './datasets.js';

export interface LoadedData extends Split {
  kind: InputSpec['kind'];
  /** csv: header cells (null without a header) and the label column's index. */
  columns?: string[] | null;
  labelColumn?: number;
  /** images: the resize applied. */
  resize?: [number, number] | null;
}

/** What the data must match: a checkpoint's classes and sample shape. */
export interface Target extends ClassSpace {
  shape?: readonly number[];
}

const str = (f: ParsedFlags, k: string) => f[k] as string | undefined;

export function labelFlag(v: string | undefined): string | number | undefined {
  return v === undefined ? undefined : /^-?\d+$/.test(v) ? Number(v) : v;
}

export function resizeFlag(v: string | undefined): [number, number] | null {
  if (v === undefined) return null;
  try {
    return parseImageSize(v);
  } catch (e) {
    throw new UsageError(`--resize: ${(e as Error).message}`);
  }
}

async function readText(file: string): Promise<string> {
  return new TextDecoder().decode(await readBytes(file));
}

async function csvData(
  file: string, testSpec: string | undefined, f: ParsedFlags, target?: Target,
): Promise<LoadedData> {
  const text = await readText(file);
  const label = labelFlag(str(f, 'label'));
  let ds = parseCsv(text, file, { name: basename(file), label });
  const columns = csvHeader(text, file, ds.length);
  const labelColumn = labelIndex(label, columns, csvWidth(text, file), file);
  if (target) ds = alignClasses(ds, target, file);
  const fraction = (f['test-fraction'] as number | undefined) ?? 0.2;
  if (!testSpec) return { ...holdOut(ds, fraction), kind: 'csv', columns, labelColumn };
  if (!testSpec.startsWith('csv:') || testSpec.length <= 4) {
    throw new UsageError(`--test must be csv:FILE like --dataset; got '${testSpec}'`);
  }
  const tfile = testSpec.slice(4);
  const ttext = await readText(tfile);
  let test = parseCsv(ttext, tfile, { name: basename(tfile), label, checkClasses: false });
  const theader = csvHeader(ttext, tfile, test.length);
  const show = (h: string[] | null) => (h ? `(${h.join(', ')})` : 'no header row');
  if ((columns ?? []).join('\u0000') !== (theader ?? []).join('\u0000')) {
    throw new DataFormatError(tfile, `the header ${show(theader)} differs from ${file}'s ${show(columns)}`);
  }
  if (test.features !== ds.features) {
    throw new DataFormatError(tfile, `${test.features} feature columns, but ${file} has ${ds.features}`);
  }
  test = alignClasses(test, target ?? { classNames: ds.classNames, numClasses: ds.numClasses, source: file }, tfile);
  return { train: ds, test, kind: 'csv', columns, labelColumn };
}

async function imageData(
  dir: string, testSpec: string | undefined, f: ParsedFlags, target?: Target,
): Promise<LoadedData> {
  const resize = resizeFlag(str(f, 'resize'));
  const channels = f.channels === undefined ? undefined : (Number(f.channels) as ImageChannels);
  const match = target
    ? { classNames: target.classNames ?? undefined, classSource: target.source, shape: target.shape,
      shapeSource: target.source }
    : {};
  const opts = { resize: resize ?? undefined, channels, ...match };
  if (!testSpec) {
    const split = await loadImageFolder(dir, { ...opts, testFraction: f['test-fraction'] as number | undefined });
    return { ...split, kind: 'images', resize };
  }
  if (!testSpec.startsWith('images:') || testSpec.length <= 7) {
    throw new UsageError(`--test must be images:DIR like --dataset; got '${testSpec}'`);
  }
  const tdir = testSpec.slice(7);
  const train = await readImageFolder(dir, { ...opts, name: basename(dir) });
  const test = await readImageFolder(tdir, {
    ...opts, name: basename(tdir), classNames: train.classNames!, classSource: target?.source ?? dir,
    shape: train.sampleShape, shapeSource: target?.source ?? dir,
  });
  return { train, test, kind: 'images', resize };
}

/**
 * The data a command names: --dataset, and --test when given (csv and images only). With a
 * target (a checkpoint's classes and shape), labels are renumbered to its classes and anything
 * it does not know is an error naming both sources.
 */
export async function loadData(f: ParsedFlags, target?: Target): Promise<LoadedData> {
  const spec = str(f, 'dataset')!;
  const testSpec = str(f, 'test');
  let d: LoadedData;
  if (spec.startsWith('csv:') && spec.length > 4) d = await csvData(spec.slice(4), testSpec, f, target);
  else if (spec.startsWith('images:') && spec.length > 7) d = await imageData(spec.slice(7), testSpec, f, target);
  else {
    if (testSpec) throw new UsageError(`--test needs csv:FILE or images:DIR data; --dataset is '${spec}'`);
    const s = await loadDataset(spec);
    const kind = spec.startsWith('idx:') ? 'idx' : 'builtin';
    const align = (ds: Dataset) => (target ? alignClasses(ds, target, spec) : ds);
    d = { train: align(s.train), test: align(s.test), kind };
  }
  if (target?.shape) {
    for (const k of ['train', 'test'] as const) {
      const ds = d[k];
      if (ds.sampleShape.join() === target.shape.join()) continue;
      // A model saved when grayscale images were [H, W] takes today's [1, H, W] samples as they were.
      if (sameImage(ds.sampleShape, target.shape)) {
        d[k] = reshaped(ds, target.shape);
        continue;
      }
      const takes = `the model in ${target.source} takes [${target.shape}]`;
      throw new DataFormatError(ds.name, `samples of shape [${ds.sampleShape}], but ${takes}`);
    }
  }
  return d;
}

/** [H, W] and [1, H, W]: the same grayscale images. */
function sameImage(a: readonly number[], b: readonly number[]): boolean {
  const [s, l] = a.length < b.length ? [a, b] : [b, a];
  return s.length === 2 && l.length === 3 && l[0] === 1 && l[1] === s[0] && l[2] === s[1];
}

/** The same samples, of another shape with as many features. */
function reshaped(ds: Dataset, sampleShape: readonly number[]): Dataset {
  const common = { name: ds.name, sampleShape, y: ds.y, numClasses: ds.numClasses,
    classNames: ds.classNames ?? undefined };
  return new Dataset(ds.bytes ? { ...common, bytes: ds.bytes } : { ...common, x: ds.x });
}

/** The same samples with standardized float features. */
export async function standardizeDataset(engine: Engine, ds: Dataset, st: StoredStandardizer): Promise<Dataset> {
  const x = await standardizerOf(st).transform(engine, ds.x);
  const classNames = ds.classNames ?? undefined;
  return new Dataset({ name: ds.name, sampleShape: ds.sampleShape, y: ds.y, numClasses: ds.numClasses, classNames, x });
}

/** Fit on the training samples (statistics on the device), with a warning naming constant features. */
export async function fitStored(
  engine: Engine, train: Dataset, columns: readonly string[] | null | undefined, labelColumn: number | undefined,
  warn: (line: string) => void,
): Promise<StoredStandardizer> {
  const st = await fitStandardizer(engine, train.x, train.features);
  const constant = [...st.constant.keys()].filter((j) => st.constant[j]);
  if (constant.length) {
    const names = columns && labelColumn !== undefined ? columns.filter((_, j) => j !== labelColumn) : null;
    const more = constant.length > 8 ? `, … (${constant.length} in all)` : '';
    const what = constant.slice(0, 8).map((j) => (names ? `'${names[j]}'` : `${j + 1}`)).join(', ') + more;
    const [s, are] = constant.length > 1 ? ['s', 'are'] : ['', 'is'];
    warn(`warning: feature${s} ${what} ${are} constant in the training data: centred, not scaled`);
  }
  return { mean: [...st.mean], std: [...st.std], count: st.count };
}

/** The input record of a model trained on `d`. */
export function inputSpec(d: LoadedData, standardize: StoredStandardizer | null): InputSpec {
  const t = d.train;
  return {
    shape: [...t.sampleShape], numClasses: t.numClasses, classNames: t.classNames ? [...t.classNames] : null,
    kind: d.kind,
    ...(d.kind === 'csv' ? { columns: d.columns ?? null, labelColumn: d.labelColumn } : {}),
    ...(d.kind === 'images' ? { resize: d.resize ?? null } : {}),
    standardize,
  };
}

/**
 * The standardizer to apply with a stored model: the stored one, none with `--standardize false`;
 * `--standardize` asked of a checkpoint that has none is an error naming it.
 */
export function storedStandardizer(
  input: InputSpec | null, flag: boolean | undefined, given: boolean, file: string,
): StoredStandardizer | null {
  if (given && flag && !input?.standardize) {
    const why = 'it was trained without --standardize, or by an older slope';
    throw new ArgumentError(`${file}: the checkpoint stores no standardization (${why}); leave out --standardize`);
  }
  if (given && flag === false) return null;
  return input?.standardize ?? null;
}

/** Class names as listed on the first line of output. */
export function describeClasses(ds: Dataset): string {
  const n = ds.classNames;
  if (!n) return `${ds.numClasses} classes`;
  return `${ds.numClasses} classes (${n.length > 10 ? `${n.slice(0, 10).join(', ')}, …` : n.join(', ')})`;
}

export interface TrainingData extends Split {
  input: InputSpec;
  /** The first line of output: the data, and whether the features are standardized. */
  line: string;
  /** Warnings to print after it (constant features). */
  warnings: string[];
}

/**
 * `slope train`'s data: loaded (matched to a resumed checkpoint's input record), then
 * standardized when asked, by default for CSV tables only; a resumed run reuses the stored
 * statistics (a checkpoint from before standardization was stored continues without it).
 * Sets `f.standardize` to the choice made, so that it is saved with the run.
 */
export async function trainingData(
  engine: Engine, d: LoadedData, f: ParsedFlags, resumed: { input: InputSpec | null } | null,
): Promise<TrainingData> {
  const stored = resumed?.input ?? null;
  const on = (f.standardize as boolean | undefined) ?? (resumed ? !!stored?.standardize : d.kind === 'csv');
  f.standardize = on;
  let { train, test } = d;
  let st: StoredStandardizer | null = null;
  const warnings: string[] = [];
  if (on) {
    st = stored?.standardize ?? (await fitStored(engine, train, d.columns, d.labelColumn, (w) => warnings.push(w)));
    train = await standardizeDataset(engine, train, st);
    test = await standardizeDataset(engine, test, st);
  }
  const from = stored?.standardize ? ', from the checkpoint' : '';
  const how = on
    ? `standardized (mean and std of the ${st!.count} training samples${from})`
    : `not standardized${d.kind === 'csv' ? ' (--standardize false)' : ''}`;
  const samples = `${train.length} training and ${test.length} test samples of shape [${train.sampleShape}]`;
  const line = `${f.dataset}: ${samples}, ${describeClasses(train)}; features ${how}`;
  return { train, test, input: inputSpec(d, st), line, warnings };
}

/** A resumed checkpoint's record as a target for the data. */
export function targetOf(input: InputSpec | null, source: string): Target | undefined {
  return input ? { classNames: input.classNames, numClasses: input.numClasses, source, shape: input.shape } : undefined;
}
