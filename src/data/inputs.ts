/**
 * Matching data to a model's inputs: class labels renumbered to the training data's classes
 * (an unseen class is an error naming both sources), a CSV file's header row, and CSV files of
 * features without a label column (for prediction). No Node modules here.
 */
import { Dataset } from './dataset.js';
import { DataFormatError } from './errors.js';
import { parseDecimal, splitCsvLine } from './csv.js';

/** The classes a dataset's labels must be expressed in, and where they come from. */
export interface ClassSpace {
  classNames: readonly string[] | null;
  numClasses: number;
  /** Named in errors: the training file, folder or checkpoint. */
  source: string;
}

const list = (names: readonly string[]) =>
  (names.length > 12 ? `${names.slice(0, 12).join(', ')}, …` : names.join(', '));

/**
 * The same samples with labels numbered as in `to`: by name when `to` has class names, else as
 * class indices below `to.numClasses`. `file` names the dataset's source in errors.
 */
export function alignClasses(ds: Dataset, to: ClassSpace, file: string): Dataset {
  const y = new Int32Array(ds.length);
  const fail = (why: string): never => { throw new DataFormatError(file, why); };
  if (to.classNames) {
    const id = new Map(to.classNames.map((n, i) => [n, i]));
    for (let i = 0; i < ds.length; i++) {
      const name = ds.classNames ? ds.classNames[ds.y[i]] : String(ds.y[i]);
      const c = id.get(name);
      if (c === undefined) fail(`class '${name}' does not occur in ${to.source} (its classes: ${list(to.classNames)})`);
      y[i] = c!;
    }
  } else {
    const indices = `class indices 0 to ${to.numClasses - 1}`;
    if (ds.classNames) fail(`the labels are names (${list(ds.classNames)}), but ${to.source} has ${indices}`);
    for (let i = 0; i < ds.length; i++) {
      if (ds.y[i] >= to.numClasses) fail(`label ${ds.y[i]} is not a class of ${to.source} (${indices})`);
      y[i] = ds.y[i];
    }
  }
  const classNames = to.classNames ?? undefined;
  const base = { name: ds.name, sampleShape: ds.sampleShape, y, numClasses: to.numClasses, classNames };
  return ds.bytes ? new Dataset({ ...base, bytes: ds.bytes }) : new Dataset({ ...base, x: ds.x });
}

function nonEmptyLines(text: string): { line: string; no: number }[] {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/).map((line, i) => ({ line, no: i + 1 }));
  return lines.filter((l) => l.line.trim() !== '');
}

/**
 * The header row of a CSV file that parseCsv read into `rows` samples: the first line's cells
 * when parseCsv took it as a header (one row fewer than the lines), else null.
 */
export function csvHeader(text: string, file: string, rows: number, delimiter = ','): string[] | null {
  const lines = nonEmptyLines(text);
  return lines.length === rows + 1 ? splitCsvLine(lines[0].line, delimiter, file, lines[0].no) : null;
}

/** The number of cells in a CSV file's first row. */
export function csvWidth(text: string, file: string, delimiter = ','): number {
  const first = nonEmptyLines(text)[0];
  if (!first) throw new DataFormatError(file, 'the file has no rows');
  return splitCsvLine(first.line, delimiter, file, first.no).length;
}

/** Index of the label column: a header name, or an index (negative from the end; default the last). */
export function labelIndex(
  label: string | number | undefined, header: readonly string[] | null, width: number, file: string,
): number {
  if (typeof label === 'string') {
    const j = header ? header.indexOf(label) : -1;
    if (j >= 0) return j;
    throw new DataFormatError(file, header
      ? `no column named '${label}' in the header (columns: ${header.join(', ')})`
      : `label column '${label}' given by name, but the file has no header row`);
  }
  const l = label ?? -1;
  if (!Number.isInteger(l) || l >= width || l < -width) {
    throw new DataFormatError(file, `label column ${l} is out of range for ${width} columns`);
  }
  return l < 0 ? width + l : l;
}

export interface FeatureCsvOptions {
  /** The training file's feature names: a header row must equal them. */
  columns?: readonly string[] | null;
  /** Where `columns` come from, for messages. */
  source?: string;
  delimiter?: string;
}

/**
 * A CSV file of features only (no label column), for prediction: `features` decimal numbers per
 * row, within float32's range. A first row that is not all numbers is a header; when `columns`
 * (the training file's feature names) are given, it must equal them.
 */
export function parseFeatureCsv(
  text: string, file: string, features: number, opts: FeatureCsvOptions = {},
): { x: Float32Array; header: string[] | null; rows: number } {
  const delimiter = opts.delimiter ?? ',';
  const lines = nonEmptyLines(text);
  if (!lines.length) throw new DataFormatError(file, 'the file has no rows');
  const isNum = (s: string) => Number.isFinite(parseDecimal(s));
  const first = splitCsvLine(lines[0].line, delimiter, file, lines[0].no);
  const header = first.every(isNum) ? null : first;
  if (header && opts.columns && header.join('\u0000') !== opts.columns.join('\u0000')) {
    const source = opts.source ?? 'the training data';
    const want = opts.columns.join(', ');
    const got = header.join(', ');
    throw new DataFormatError(file, `the header (${got}) differs from the feature columns of ${source} (${want})`);
  }
  const data = header ? lines.slice(1) : lines;
  const x = new Float32Array(data.length * features);
  data.forEach((l, i) => {
    const cells = splitCsvLine(l.line, delimiter, file, l.no);
    if (cells.length !== features) {
      throw new DataFormatError(file, `line ${l.no}: ${cells.length} cells, expected ${features} features`);
    }
    cells.forEach((c, j) => {
      const v = parseDecimal(c);
      if (Number.isFinite(Math.fround(v))) {
        x[i * features + j] = v;
        return;
      }
      const what = c === '' ? 'empty cell' : `'${c}' is not a finite float32 number`;
      throw new DataFormatError(file, `line ${l.no}, column ${j + 1}${header ? ` ('${header[j]}')` : ''}: ${what}`);
    });
  });
  if (!data.length) throw new DataFormatError(file, 'the file has a header but no data rows');
  return { x, header, rows: data.length };
}
