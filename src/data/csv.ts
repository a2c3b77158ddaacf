/**
 * CSV datasets: numeric feature columns and one label column. Integer labels ≥ 0 are used as
 * class indices; any other labels are class names, numbered in sorted order. A header row is
 * detected when its feature cells are not numbers. Ragged rows and non-numeric feature cells
 * are errors naming the file, the line and the column.
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

const isNumber = (s: string) => s !== '' && Number.isFinite(Number(s));

export function parseCsv(text: string, file: string, opts: CsvOptions = {}): Dataset {
  const delimiter = opts.delimiter ?? ',';
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const rows: { cells: string[]; line: number }[] = [];
  lines.forEach((l, i) => { if (l.trim() !== '') rows.push({ cells: splitCsvLine(l, delimiter, file, i + 1), line: i + 1 }); });
  if (!rows.length) throw new DataFormatError(file, 'the file has no rows');
  const width = rows[0].cells.length;
  if (width < 2) throw new DataFormatError(file, `line ${rows[0].line}: ${width} column; a dataset needs at least one feature column and a label column`);
  const labelCol = resolveLabel(rows[0].cells, width, opts, file);
  const hasHeader = opts.header ?? rows[0].cells.some((c, j) => j !== labelCol && !isNumber(c));
  const names = hasHeader ? rows[0].cells : rows[0].cells.map((_, j) => `column ${j + 1}`);
  if (typeof opts.label === 'string' && !hasHeader) throw new DataFormatError(file, `label column '${opts.label}' given by name, but the file has no header row`);
  const data = hasHeader ? rows.slice(1) : rows;
  if (!data.length) throw new DataFormatError(file, 'the file has a header but no data rows');
  const D = width - 1;
  const x = new Float32Array(data.length * D);
  const rawLabels: string[] = [];
  data.forEach((r, i) => {
    if (r.cells.length !== width) throw new DataFormatError(file, `line ${r.line}: ${r.cells.length} cells, expected ${width} (as in line ${rows[0].line})`);
    let k = 0;
    r.cells.forEach((c, j) => {
      if (j === labelCol) return;
      if (!isNumber(c)) throw new DataFormatError(file, `line ${r.line}, column ${j + 1} ('${names[j]}'): ${c === '' ? 'empty cell' : `'${c}' is not a finite number`}`);
      x[i * D + k++] = Number(c);
    });
    const lab = r.cells[labelCol];
    if (lab === '') throw new DataFormatError(file, `line ${r.line}, column ${labelCol + 1} ('${names[labelCol]}'): empty label`);
    rawLabels.push(lab);
  });
  const { y, numClasses, classNames } = encodeLabels(rawLabels);
  return new Dataset({ name: opts.name ?? file, sampleShape: [D], x, y, numClasses, classNames: classNames ?? undefined });
}

function resolveLabel(first: string[], width: number, opts: CsvOptions, file: string): number {
  const l = opts.label ?? -1;
  if (typeof l === 'string') {
    const j = first.indexOf(l);
    if (j < 0) throw new DataFormatError(file, `no column named '${l}' in the header (columns: ${first.join(', ')})`);
    return j;
  }
  if (!Number.isInteger(l) || l >= width || l < -width) throw new DataFormatError(file, `label column ${l} is out of range for ${width} columns`);
  return l < 0 ? width + l : l;
}

/** Non-negative integer labels are class indices; anything else is a class name. */
function encodeLabels(raw: string[]): { y: Int32Array; numClasses: number; classNames: string[] | null } {
  const y = new Int32Array(raw.length);
  if (raw.every((s) => /^\d+$/.test(s) && Number(s) < 2 ** 31)) {
    raw.forEach((s, i) => { y[i] = Number(s); });
    const numClasses = y.reduce((a, v) => Math.max(a, v), 0) + 1;
    return { y, numClasses, classNames: null };
  }
  const names = [...new Set(raw)].sort();
  const id = new Map(names.map((n, i) => [n, i]));
  raw.forEach((s, i) => { y[i] = id.get(s)!; });
  return { y, numClasses: names.length, classNames: names };
}
