/** CSV datasets: headers, label columns, class names, and the errors for bad files. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { slope } from '../util/engine.js';
import { Rng } from '../util/rng.js';
import { throws } from '../util/rejects.js';

const { parseCsv, DataFormatError } = slope;

test('numeric features and integer labels, header detected, last column by default', () => {
  const r = new Rng(4);
  const rows = Array.from({ length: 9 }, () => [...r.normal(3)].map((v) => +v.toFixed(4)));
  const labels = Array.from({ length: 9 }, () => Math.floor(r.next() * 4));
  const text = 'a,b,c,label\r\n' + rows.map((row, i) => [...row, labels[i]].join(',')).join('\r\n') + '\r\n\r\n';
  const ds = parseCsv(text, 'data.csv');
  assert.is(ds.length, 9);
  assert.equal(ds.sampleShape, [3]);
  assert.is(ds.numClasses, Math.max(...labels) + 1);
  assert.equal(Array.from(ds.y), labels);
  assert.equal(Array.from(ds.x), rows.flat().map(Math.fround));
});

test('label column by name or index; string labels become sorted class names', () => {
  const text = 'species,len,width\nsetosa,1.5,0.2\nvirginica,5.1,2.0\nversicolor,4.0,"1.3"\nsetosa,1.4,0.3\n';
  const ds = parseCsv(text, 'iris.csv', { label: 'species' });
  assert.equal(ds.classNames, ['setosa', 'versicolor', 'virginica']);
  assert.equal(Array.from(ds.y), [0, 2, 1, 0]);
  assert.equal(Array.from(ds.x), [1.5, 0.2, 5.1, 2.0, 4.0, 1.3, 1.4, 0.3].map(Math.fround));
  const noHeader = parseCsv('1,2,0\n0,4,1\n', 'n.csv', { label: 0 });
  assert.equal(Array.from(noHeader.y), [1, 0]);
  assert.equal(Array.from(noHeader.x), [2, 0, 4, 1]);
  const semi = parseCsv('x;y\n1.5;1\n2.5;0\n', 's.csv', { delimiter: ';' });
  assert.equal(Array.from(semi.y), [1, 0]);
});

test('ragged rows, non-numeric and empty cells name the file, line and column', () => {
  throws(() => parseCsv('a,b,label\n1,2,0\n3,0\n', 'r.csv'), DataFormatError, /r.csv: line 3: 2 cells, expected 3 \(as in line 1\)/);
  throws(() => parseCsv('a,b,label\n1,2,0\n3,abc,1\n', 'n.csv'), DataFormatError, /n.csv: line 3, column 2 \('b'\): 'abc' is not a finite decimal number/);
  throws(() => parseCsv('1,2,0\n3,,1\n', 'e.csv'), DataFormatError, /e.csv: line 2, column 2 \('column 2'\): empty cell/);
  throws(() => parseCsv('a,b,label\n1,Infinity,0\n', 'i.csv'), DataFormatError, /'Infinity' is not a finite decimal number/);
  throws(() => parseCsv('a,b,label\n1,2,\n', 'l.csv'), DataFormatError, /empty label/);
  throws(() => parseCsv('', 'empty.csv'), DataFormatError, /no rows/);
  throws(() => parseCsv('a,b,label\n', 'h.csv'), DataFormatError, /header but no data rows/);
  throws(() => parseCsv('a,b\n1,2\n', 'x.csv', { label: 'c' }), DataFormatError, /no column named 'c'/);
  throws(() => parseCsv('1,2\n"3,4\n', 'q.csv'), DataFormatError, /line 2: a quoted cell is not closed/);
});

test('values beyond float32, hexadecimal and other non-decimal numbers are refused at load time, naming line and column', () => {
  throws(() => parseCsv('a,b,label\n1,2,0\n3,1e39,1\n', 'big.csv'), DataFormatError, /big.csv: line 3, column 2 \('b'\): 1e39 is beyond float32's range/);
  throws(() => parseCsv('a,b,label\n1,2,0\n3,-4e38,1\n', 'big.csv'), DataFormatError, /line 3, column 2 \('b'\): -4e38 is beyond float32's range/);
  for (const v of ['0x10', '0b1', '0o7', '1_000', '--1']) {
    throws(() => parseCsv(`a,b,label\n1,2,0\n3,${v},1\n`, 'hex.csv'), DataFormatError, new RegExp(`hex.csv: line 3, column 2 \\('b'\\): '${v}' is not a finite decimal number`));
  }
  const ok = parseCsv('a,b,label\n3.4e38,-.5,0\n+2,1E-3,1\n', 'ok.csv');
  assert.equal(Array.from(ok.x), [3.4e38, -0.5, 2, 1e-3].map(Math.fround));
});

test('labels that make no sense as classes are refused, naming the line and suggesting the label column', () => {
  const table = (labels: (string | number)[]) => 'a,b,label\n' + labels.map((l, i) => `${i},${(i * 7) % 5},${l}`).join('\n');
  const forty = Array.from({ length: 40 }, (_, i) => i % 4);
  // A typo: one label of 99999999 among 0..3.
  throws(() => parseCsv(table(forty.map((l, i) => (i === 21 ? 99999999 : l))), 't.csv'), DataFormatError,
    /t.csv: line 23, column 3 \('label'\): label 99999999 would make 100,000,000 classes \(0..99999999\) for 40 rows with 5 distinct labels: .*a typo, or is it the label column\? \(choose it with the label option, --label on the command line\)/);
  // Indices mostly unused (labels 0 and 9 in 40 rows), one row per class, one class, a regression target.
  throws(() => parseCsv(table(forty.map((l) => (l ? 9 : 0))), 't.csv'), DataFormatError, /label 9 would make 10 classes \(0..9\) for 40 rows with 2 distinct labels/);
  throws(() => parseCsv(table(Array.from({ length: 40 }, (_, i) => i)), 't.csv'), DataFormatError, /label 39 would make 40 classes/);
  throws(() => parseCsv(table(Array.from({ length: 40 }, (_, i) => `id${i}`)), 't.csv'), DataFormatError, /40 distinct labels in 40 rows, fewer than two rows per class/);
  throws(() => parseCsv(table(Array(12).fill(1)), 'one.csv'), DataFormatError, /one.csv: column 3 \('label'\): every row has label 1: a classifier needs at least two classes/);
  throws(() => parseCsv(table(Array(12).fill('cat')), 'one.csv'), DataFormatError, /every row has label 'cat'/);
  throws(() => parseCsv(table(forty.map((l) => l + 0.5)), 'reg.csv'), DataFormatError, /reg.csv: line 2, column 3 \('label'\): label 0.5 is not an integer: slope trains classifiers/);
  // Integral decimals are class indices; negative numbers are names.
  assert.equal(Array.from(parseCsv(table(forty.map((l) => `${l}.0`)), 'f.csv').y), forty);
  const pm = parseCsv(table(forty.map((l) => (l % 2 ? 1 : -1))), 'pm.csv');
  assert.equal(pm.classNames, ['-1', '1']);
});

test('a numeric header row is detected: column numbers (as pandas writes them) or a non-integer label', () => {
  const rows = Array.from({ length: 12 }, (_, i) => `${i % 5}.5,${i},${(i * 3) % 7},${i % 3}`).join('\n');
  for (const head of ['0,1,2,3', '1,2,3,4', '400,410,420,class']) {
    const ds = parseCsv(`${head}\n${rows}`, 'h.csv');
    assert.is(ds.length, 12, head);
    assert.is(ds.numClasses, 3, head);
  }
  // A first data row that happens to count up is data when its label is a label of the other rows.
  const data = parseCsv(`0,1,2\n${Array.from({ length: 12 }, (_, i) => `${i},${i % 4},${i % 3}`).join('\n')}`, 'd.csv');
  assert.is(data.length, 13);
});

test('holdOut keeps every k-th sample of each class for testing', () => {
  const text = 'v,label\n' + Array.from({ length: 50 }, (_, i) => `${i},${i % 2}`).join('\n');
  const { train, test: held } = slope.holdOut(parseCsv(text, 'h.csv'), 0.2);
  assert.is(train.length + held.length, 50);
  assert.is(held.length, 10);
  assert.equal(Array.from(held.x), [8, 9, 18, 19, 28, 29, 38, 39, 48, 49]);
});

test.run();
