/**
 * CSV datasets: numeric feature columns and one label column. Integer labels ≥ 0 are used as
 * class indices; any other labels are class names, numbered in sorted order. A header row is
 * detected when its feature cells are not numbers, when it numbers the columns (0..n−1 or 1..n,
 * as pandas writes integer column names), or when its label is not an integer while every
 * other row's is. Everything is checked at load time, and each error names the file, the line
 * and the column: ragged rows, cells that are not decimal numbers (hexadecimal '0x10' is not
 * one) or are beyond float32's range (1e39), and labels that make no sense as classes — one
 * class only, class indices far above the number of rows or mostly unused (a typo like
 * 99999999), non-integer numbers (a regression target), or nearly one class per row.
 */
import { Dataset } from './dataset.js';
import { DataFormatError } from './errors.js';

export interface CsvOptions {
  /** Dataset name (default: the file name). */
  name?: string;
  /** The label column: a header name or a 0-based index; negative counts from the end (default -1, the last). */
  label?: string | number;
  /** Whether the first row is a header (default: detected). */
  header?: boolean;
  /** Field separator (default ','). */
  delimiter?: string;
  /**
   * Whether the labels must make sense as a training set's classes (default true). False for a
   * test or prediction file, whose labels are matched against the training classes instead.
   */
  checkClasses?: boolean;
}

/** Split one line into cells; double quotes may wrap a cell, "" inside quotes is a quote. */
export function splitCsvLine(line: string, delimiter: string, file: string, lineNo: number): string[] {
  const cells: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') { cur += '"'; i++; }
      else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"' && cur.trim() === '') {
      quoted = true;
      cur = '';
    } else if (ch === delimiter) {
      cells.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  if (quoted) throw new DataFormatError(file, `line ${lineNo}: a quoted cell is not closed`);
  cells.push(cur.trim());
  return cells;
}

/**
 * A decimal number as people write them ('3', '-0.5', '.5', '1e-3'), or NaN. JavaScript's
 * Number() also takes '0x10', '0b1', '0o7', 'Infinity' and '' (as 0); data and flags must not.
 */
export function parseDecimal(s: string): number {
  return /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/.test(s) ? Number(s) : NaN;
}

const isNumber = (s: string) => Number.isFinite(parseDecimal(s));

/** float32's largest finite value: anything beyond becomes infinite on the device. */
const FLOAT32_MAX = 3.4028234663852886e38;

export function parseCsv(text: string, file: string, opts: CsvOptions = {}): Dataset {
  const delimiter = opts.delimiter ?? ',';
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const rows: { cells: string[]; line: number }[] = [];
  lines.forEach((l,
    i) => { if (l.trim() !== '') rows.push({ cells: splitCsvLine(l, delimiter, file, i + 1), line: i + 1 }); });
  if (!rows.length) throw new DataFormatError(file, 'the file has no rows');
  const width = rows[0].cells.length;
  if (width < 2) throw new DataFormatError(file,
    `line ${rows[0].line}: ${width} column; a dataset needs at least one feature column and a label column`);
  const labelCol = resolveLabel(rows[0].cells, width, opts, file);
  const hasHeader = opts.header ?? detectHeader(rows.map((r) => r.cells), labelCol);
  const names = hasHeader ? rows[0].cells : rows[0].cells.map((_, j) => `column ${j + 1}`);
  if (typeof opts.label === 'string' && !hasHeader) throw new DataFormatError(file,
    `label column '${opts.label}' given by name, but the file has no header row`);
  const data = hasHeader ? rows.slice(1) : rows;
  if (!data.length) throw new DataFormatError(file, 'the file has a header but no data rows');
  const D = width - 1;
  const x = new Float32Array(data.length * D);
  const rawLabels: string[] = [];
  data.forEach((r, i) => {
    if (r.cells.length !== width) throw new DataFormatError(file,
      `line ${r.line}: ${r.cells.length} cells, expected ${width} (as in line ${rows[0].line})`);
    let k = 0;
    r.cells.forEach((c, j) => {
      if (j === labelCol) return;
      const at = `line ${r.line}, column ${j + 1} ('${names[j]}')`;
      const v = parseDecimal(c);
      if (!Number.isFinite(v)) throw new DataFormatError(file,
        `${at}: ${c === '' ? 'empty cell' : `'${c}' is not a finite decimal number`}`);
      if (Math.abs(v) > FLOAT32_MAX) throw new DataFormatError(file,
        `${at}: ${c} is beyond float32's range (±3.4e38), where training computes`);
      x[i * D + k++] = v;
    });
    const lab = r.cells[labelCol];
    if (lab === '') throw new DataFormatError(file,
      `line ${r.line}, column ${labelCol + 1} ('${names[labelCol]}'): empty label`);
    rawLabels.push(lab);
  });
  const where = { file, column: `column ${labelCol + 1} ('${names[labelCol]}')`, lines: data.map((r) => r.line) };
  const { y, numClasses, classNames } = encodeLabels(rawLabels, where, opts.checkClasses ?? true);
  return new Dataset({ name: opts.name ?? file, sampleShape: [D], x, y, numClasses,
    classNames: classNames ?? undefined });
}

/**
 * Whether the first row is a header: a feature cell is not a number; or, with a label value
 * no other row has, the row numbers the columns (0..n−1 or 1..n) or its label is not an
 * integer while every other row's is.
 */
function detectHeader(rows: string[][], labelCol: number): boolean {
  const first = rows[0];
  if (first.some((c, j) => j !== labelCol && !isNumber(c))) return true;
  const rest = rows.slice(1);
  if (!rest.length || rest.some((r) => r[labelCol] === first[labelCol])) return false;
  const numbering = [0, 1].some((o) => first.every((c, j) => parseDecimal(c) === j + o));
  const integer = (s: string | undefined) => s !== undefined && /^\d+$/.test(s);
  return numbering || (!integer(first[labelCol]) && rest.every((r) => integer(r[labelCol])));
}

function resolveLabel(first: string[], width: number, opts: CsvOptions, file: string): number {
  const l = opts.label ?? -1;
  if (typeof l === 'string') {
    const j = first.indexOf(l);
    if (j < 0) throw new DataFormatError(file, `no column named '${l}' in the header (columns: ${first.join(', ')})`);
    return j;
  }
  if (!Number.isInteger(l) || l >= width || l < -width) throw new DataFormatError(file,
    `label column ${l} is out of range for ${width} columns`);
  return l < 0 ? width + l : l;
}

/** Where the labels came from, for messages: the file, the label column, each label's line. */
interface LabelSource {
  file: string;
  column: string;
  lines: number[];
}

const LABEL_HINT = 'is it the label column? (choose it with the label option, --label on the command line)';

/**
 * Non-negative integer labels ('3', also '3.0') are class indices 0..C−1; any other labels are
 * class names. Refused: a single class; indices that leave most of 0..C−1 unused or exceed the
 * rows; non-integer numbers; and, from 10 rows on, more classes than half the rows.
 */
function encodeLabels(raw: string[], src: LabelSource, check: boolean): { y: Int32Array; numClasses: number;
  classNames: string[] | null } {
  const fail = (why: string): void => { if (check) throw new DataFormatError(src.file, why); };
  const n = raw.length;
  const y = new Int32Array(n);
  const values = raw.map(parseDecimal);
  const tooMany = (C: number) => n >= 10 && C > n / 2;
  if (values.every((v) => Number.isInteger(v) && v >= 0)) {
    let top = 0;
    values.forEach((v, i) => { if (v > values[top]) top = i; });
    const C = values[top] + 1;
    const indices = new Set(values).size;
    if (indices < 2) fail(`${src.column}: every row has label ${raw[0]}: a classifier needs at least two classes; ` +
      `${LABEL_HINT}`);
    if (C > n || indices < C / 2 || tooMany(C)) {
      fail(`line ${src.lines[top]}, ${src.column}: label ${raw[top]} would make ${C.toLocaleString('en-US')} classes ` +
        `(0..${values[top]}) for ${n} rows ` +
        `with ${indices} distinct labels: class indices must be 0..C−1 with C small next to the rows; a typo, or ` +
          `${LABEL_HINT}`);
    }
    values.forEach((v, i) => { y[i] = v; });
    return { y, numClasses: C, classNames: null };
  }
  const fraction = values.findIndex((v) => !Number.isInteger(v));
  if (values.every((v) => Number.isFinite(v)) && fraction >= 0) {
    fail(`line ${src.lines[fraction]}, ${src.column}: label ${raw[fraction]} is not an integer: slope trains ` +
      `classifiers, and numbers as labels must be class indices; ${LABEL_HINT}`);
  }
  const names = [...new Set(raw)].sort();
  if (names.length < 2) fail(`${src.column}: every row has label '${raw[0]}': a classifier needs at least two ` +
    `classes; ${LABEL_HINT}`);
  if (tooMany(names.length)) fail(`${src.column}: ${names.length} distinct labels in ${n} rows, fewer than two rows ` +
    `per class; ${LABEL_HINT}`);
  const id = new Map(names.map((s, i) => [s, i]));
  raw.forEach((s, i) => { y[i] = id.get(s)!; });
  return { y, numClasses: names.length, classNames: names };
}
